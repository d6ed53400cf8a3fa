package io.vectorflow.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void acceptsPlainNamesAndRefusesAnythingAFileSystemCouldMisread() {
        for (String ok : new String[] {"docs", "Docs-2024", "a.b_c", "0", "x".repeat(128)}) {
            assertThat(Names.check("collection name", ok)).isEqualTo(ok);
        }
        for (String bad : new String[] {"", ".", "..", "../x", "a/b", "a\\b", ".hidden", "-dash", "x".repeat(129),
                "a\u0000b", "a b", "naïve", "a:b", null}) {
            assertThatThrownBy(() -> Names.check("collection name", bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("collection name must be");
        }
    }

    @Test
    void idsParseAsUnsignedNumbersOrUuidsAndOrderNumbersFirst() {
        assertThat(PointId.parse("18446744073709551615")).isEqualTo(PointId.of(-1L));
        assertThat(PointId.of(-1L).toJsonValue().toString()).isEqualTo("18446744073709551615");
        assertThat(PointId.parse("42").compareTo(PointId.parse("18446744073709551615"))).isNegative();
        assertThat(PointId.of(-1L).compareTo(PointId.parse("00000000-0000-0000-0000-000000000000"))).isNegative();
        assertThatThrownBy(() -> PointId.parse("18446744073709551616")).hasMessageContaining("unsigned 64-bit");
        assertThatThrownBy(() -> PointId.parse("1.5")).hasMessageContaining("unsigned 64-bit");
    }
}
