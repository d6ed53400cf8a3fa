package io.vectorflow.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void acceptsPlainNamesAndRefusesAnythingAFileSystemCouldMisread() {
        for (String ok : new String[] {"docs", "Docs-2024", "a.b_c", "0", "x".repeat(64)}) {
            assertThat(Names.collection(ok)).isEqualTo(ok);
        }
        assertThat(Names.check("snapshot name", "x".repeat(128))).hasSize(128);
        for (String bad : new String[] {"", ".", "..", "../x", "a/b", "a\\b", ".hidden", "-dash", "x".repeat(65),
                "a\u0000b", "a b", "naïve", "a:b", null}) {
            assertThatThrownBy(() -> Names.collection(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("collection name must be").hasMessageContaining("1-64");
        }
        assertThatThrownBy(() -> Names.check("snapshot name", "x".repeat(129))).hasMessageContaining("1-128");
    }

    @Test
    void idsAreAsciiDigitsOrCanonicalUuidsAndNothingLooser() {
        assertThat(PointId.parse("00000000-0000-0000-0000-00000000000A"))
                .isEqualTo(PointId.parse("00000000-0000-0000-0000-00000000000a"));
        assertThat(PointId.parseUuid("123e4567-e89b-12d3-a456-426614174000"))
                .isEqualTo(PointId.of(java.util.UUID.fromString("123e4567-e89b-12d3-a456-426614174000")));
        for (String bad : new String[] {"+0000000-0000-0000-0000-000000000001", "\u0663", "+5", "-5", " 5", "5 ",
                "\uFF11\uFF12", "123e4567e89b12d3a456426614174000", "{123e4567-e89b-12d3-a456-426614174000}",
                "urn:uuid:123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-42661417400g",
                "\uFF11" + "23e4567-e89b-12d3-a456-426614174000", "18446744073709551616"}) {
            assertThatThrownBy(() -> PointId.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
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
