package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.engine.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The request reader gives the same tree as Jackson's readTree, with vectors kept as numbers. */
class RequestJsonTest {

    private static JsonNode read(String json) throws Exception {
        return RequestJson.read(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void sameTreeAsReadTree() throws Exception {
        String[] bodies = {
            "{\"vector\":[0.1,2,-3.5e-3,1e38,9007199254740992],\"limit\":5,\"filter\":{\"must\":[{\"key\":\"n\",\"match\":{\"any\":[1,2,3]}}]}}",
            "{\"points\":[{\"id\":1,\"vector\":[1,2.5],\"payload\":{\"a\":[1,\"x\",null,true],\"b\":[0.1,0.2],\"big\":[123456789012345678901234]}}]}",
            "[[1,2],[3,4.25],[]]", "{\"e\":[],\"n\":null,\"s\":\"t\",\"l\":12345678901,\"neg\":[-9007199254740993,1]}", "7"};
        for (String b : bodies) {
            JsonNode ours = read(b);
            JsonNode theirs = Json.MAPPER.readTree(b);
            assertThat(ours).as(b).isEqualTo(theirs);
            assertThat(Json.MAPPER.writeValueAsString(ours)).isEqualTo(Json.MAPPER.writeValueAsString(theirs));
        }
        JsonNode v = read("{\"vector\":[0.1,2,-3.5e-3,16777217]}").get("vector");
        assertThat(RequestJson.floats(v)).containsExactly(0.1f, 2f, -3.5e-3f, 16777217f);
        assertThat(v.get(1).isInt()).isTrue();
        assertThat(v.get(0).isDouble()).isTrue();
        assertThat(RequestJson.floats(read("{\"v\":[1,\"x\"]}").get("v"))).isNull(); // not all numbers: plain nodes
        assertThat(read("")).isNull();
    }

    @Test
    void parserLimitsStillApply() {
        assertThatThrownBy(() -> read("{\"a\":1,\"a\":2}")).hasMessageContaining("Duplicate field");
        assertThatThrownBy(() -> read("{\"a\":1} {\"b\":2}")).hasMessageContaining("Trailing token");
        assertThatThrownBy(() -> read("[".repeat(100) + "]".repeat(100))).hasMessageContaining("depth");
        assertThatThrownBy(() -> read("{\"v\":[1,2,")).isInstanceOf(java.io.IOException.class);
    }
}
