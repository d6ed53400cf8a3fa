package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.vectorflow.api.v1.VectorFlowGrpc;
import io.vectorflow.server.auth.Access;
import io.vectorflow.server.auth.ApiKeys;
import io.vectorflow.server.auth.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every REST route and every gRPC method, taken from the server's own route table, called as
 * every kind of caller: without a key, with a wrong one, as admin, read-only, read-write,
 * metrics, keys limited to one collection, and a key of another tenant. Each answer must be what
 * the rule says (401, 403, or past the guard: anything else below 500); a route or method added
 * without a rule fails here.
 */
class RouteWalkTest {

    private static final String ADMIN = "admin-key-for-the-walk";
    private static final String READ_ONLY = "read-only-key-for-the-walk";

    @TempDir
    static Path dir;
    private static TestServer s;
    private static ManagedChannel channel;
    private static final Map<String, String> KEYS = new java.util.LinkedHashMap<>();

    /** A kind of caller: its key (null: none), role (null: refused), and the one collection it is limited to. */
    private record Caller(String name, String key, Role role, String limitedTo) {}

    private static final List<Caller> CALLERS = new ArrayList<>();

    @BeforeAll
    static void start() {
        ApiKeys keys = ApiKeys.in(dir);
        KEYS.put("rw", keys.create("rw", Role.READ_WRITE, "default", List.of()).secret());
        KEYS.put("metrics", keys.create("metrics", Role.METRICS, "default", List.of()).secret());
        KEYS.put("ro-a", keys.create("ro-a", Role.READ_ONLY, "default", List.of("a")).secret());
        KEYS.put("rw-a", keys.create("rw-a", Role.READ_WRITE, "default", List.of("a")).secret());
        KEYS.put("other", keys.create("other", Role.READ_WRITE, "other", List.of()).secret());
        s = new TestServer(dir, VectorFlowServer.Settings.of("127.0.0.1", 0).withGrpcPort(0)
                .withKeys(new VectorFlowServer.Keys(ADMIN, READ_ONLY)));
        CALLERS.add(new Caller("no key", null, null, null));
        CALLERS.add(new Caller("wrong key", "vf_000000000000_wrong", null, null));
        CALLERS.add(new Caller("admin", ADMIN, Role.ADMIN, null));
        CALLERS.add(new Caller("read-only", READ_ONLY, Role.READ_ONLY, null));
        CALLERS.add(new Caller("read-write", KEYS.get("rw"), Role.READ_WRITE, null));
        CALLERS.add(new Caller("metrics", KEYS.get("metrics"), Role.METRICS, null));
        CALLERS.add(new Caller("read-only on a", KEYS.get("ro-a"), Role.READ_ONLY, "a"));
        CALLERS.add(new Caller("read-write on a", KEYS.get("rw-a"), Role.READ_WRITE, "a"));
        CALLERS.add(new Caller("other tenant", KEYS.get("other"), Role.READ_WRITE, null));
        String create = "{\"vectors\": {\"size\": 4, \"distance\": \"Dot\"}}";
        assertThat(s.call("PUT", "/collections/a", create, "api-key", ADMIN).status()).isEqualTo(200);
        assertThat(s.call("PUT", "/collections/b", create, "api-key", ADMIN).status()).isEqualTo(200);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", s.server.grpcPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        s.close();
    }

    /** What a caller should get for a rule on a collection ({@code null}: on none): 401, 403, or 0 for "past the guard". */
    private static int expected(Caller c, Access rule, boolean onCollection) {
        if (rule == Access.PUBLIC) {
            return 0;
        }
        if (c.role() == null) {
            return 401;
        }
        if (!c.role().allows(rule)) {
            return 403;
        }
        if (c.limitedTo() != null && rule != Access.KEYED) {
            // the walk names collection "b"; a limited key reaches only "a", and changes nothing outside a collection
            return onCollection || rule != Access.READ ? 403 : 0;
        }
        return 0;
    }

    @Test
    void everyRestRouteAnswersEveryCallerAsItsRuleSays() {
        Map<String, Access> rules = s.server.restRules();
        assertThat(rules).as("routes of the server").hasSizeGreaterThan(50);
        List<String> failures = new ArrayList<>();
        rules.forEach((route, rule) -> {
            if (rule == null) {
                failures.add(route + ": no access rule");
                return;
            }
            String method = route.substring(0, route.indexOf(' '));
            String pattern = route.substring(route.indexOf(' ') + 1);
            for (Caller c : CALLERS) {
                boolean onCollection = pattern.contains("{name}");
                int want = expected(c, rule, onCollection);
                // Denials are checked on collection "b"; callers let through get a name that does not exist,
                // so no call of the walk changes anything.
                String name = want == 403 || c.limitedTo() != null ? "b" : "walk-missing";
                String path = pattern.replace("{name}", name).replace("{id}", "1").replace("{field}", "f")
                        .replace("{snapshot}", "x.snapshot").replace("{tenant}", "walk-tenant").replace("/*", "/no-such-endpoint");
                String verb = method.equals("*") ? "GET" : method;
                String body = verb.equals("GET") || verb.equals("DELETE") || verb.equals("HEAD") ? null : "{}";
                TestServer.Answer a = c.key() == null ? s.call(verb, path, body) : s.call(verb, path, body, "api-key", c.key());
                boolean ok = want == 0 ? a.status() != 401 && a.status() != 403 && a.status() < 500 : a.status() == want;
                if (!ok) {
                    failures.add(verb + " " + path + " (" + rule + ") as " + c.name() + ": " + a.status() + " " + a.text()
                            + ", expected " + (want == 0 ? "past the guard" : want));
                }
            }
        });
        assertThat(failures).isEmpty();
    }

    private static List<ServiceDescriptor> services() {
        return List.of(io.qdrant.client.grpc.PointsGrpc.getServiceDescriptor(),
                io.qdrant.client.grpc.CollectionsGrpc.getServiceDescriptor(),
                io.qdrant.client.grpc.SnapshotsGrpc.getServiceDescriptor(), io.qdrant.client.grpc.QdrantGrpc.getServiceDescriptor(),
                VectorFlowGrpc.getServiceDescriptor());
    }

    @Test
    void everyGrpcMethodHasARuleAndAnswersEveryCallerAsItSays() {
        Set<String> served = new HashSet<>(s.server.grpcMethods());
        List<String> failures = new ArrayList<>();
        for (String m : served) {
            if (!GrpcGuard.RULES.containsKey(m)) {
                failures.add(m + ": no access rule");
            }
        }
        Set<String> walked = new HashSet<>();
        for (ServiceDescriptor service : services()) {
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                walked.add(method.getFullMethodName());
                Access rule = GrpcGuard.RULES.get(method.getFullMethodName());
                if (rule == null || method.getType() != MethodDescriptor.MethodType.UNARY) {
                    continue;
                }
                for (Caller c : CALLERS) {
                    Message proto = (Message) ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller())
                            .getMessagePrototype();
                    boolean onCollection = !GrpcGuard.collections(withCollection(proto, "x")).isEmpty();
                    int want = expected(c, rule, onCollection);
                    String name = want == 403 || c.limitedTo() != null ? "b" : "walk-missing";
                    Status.Code got = callGrpc(method, withCollection(proto, name), c.key());
                    Status.Code expect = want == 401 ? Status.Code.UNAUTHENTICATED : want == 403 ? Status.Code.PERMISSION_DENIED : null;
                    boolean ok = expect != null ? got == expect : got != Status.Code.UNAUTHENTICATED
                            && got != Status.Code.PERMISSION_DENIED && got != Status.Code.INTERNAL && got != Status.Code.UNKNOWN;
                    if (!ok) {
                        failures.add(method.getFullMethodName() + " (" + rule + ") as " + c.name() + ": " + got + ", expected "
                                + (expect == null ? "past the guard" : expect));
                    }
                }
            }
        }
        assertThat(walked).as("every method served is walked").containsAll(served.stream()
                .filter(m -> !m.startsWith("grpc.reflection.")).toList());
        assertThat(failures).isEmpty();
    }

    /** {@code proto} naming collection {@code name} in whichever field its kind of request has. */
    private static Message withCollection(Message proto, String name) {
        Message.Builder b = proto.toBuilder();
        Descriptors.Descriptor d = proto.getDescriptorForType();
        for (String f : new String[] {"collection_name", "collection", "name"}) {
            Descriptors.FieldDescriptor fd = d.findFieldByName(f);
            if (fd != null && fd.getJavaType() == Descriptors.FieldDescriptor.JavaType.STRING && !fd.isRepeated()) {
                b.setField(fd, name);
                break;
            }
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static Status.Code callGrpc(MethodDescriptor<?, ?> method, Message request, String key) {
        Metadata headers = new Metadata();
        if (key != null) {
            headers.put(Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER), key);
        }
        var ch = io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        try {
            ClientCalls.blockingUnaryCall(ch, (MethodDescriptor<Message, ?>) method,
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }
}
