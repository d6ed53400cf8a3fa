package io.vectorflow.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorflow.storage.PointId;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BloomFilterTest {

    @Test
    void holdsEveryIdAndRejectsAbout99PercentOfOthers() {
        List<PointId> ids = new ArrayList<>();
        for (long i = 0; i < 50_000; i++) {
            ids.add(PointId.of(i * 3));
        }
        for (int i = 0; i < 50_000; i++) {
            ids.add(PointId.of(new UUID(i, i * 7L)));
        }
        BloomFilter f = BloomFilter.over(MemorySegment.ofBuffer(BloomFilter.build(ids, ids.size())));
        assertThat(ids).allMatch(f::mightContain); // no false negatives
        int falsePositives = 0, probes = 200_000;
        for (long i = 0; i < probes / 2; i++) {
            falsePositives += f.mightContain(PointId.of(i * 3 + 1)) ? 1 : 0;          // numbers not added
            falsePositives += f.mightContain(PointId.of(new UUID(i, i * 7L + 1))) ? 1 : 0; // UUIDs not added
        }
        double rate = falsePositives / (double) probes;
        assertThat(rate).as("false-positive rate at %d bits per id", BloomFilter.BITS_PER_ID).isBetween(0.001, 0.02);
    }
}
