package io.vectorflow.core.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class LongHeapTest {

    @Property
    void packOrdersLikeTheDistanceThenTheOrdinal(@ForAll @FloatRange(min = -1e30f, max = 1e30f) float a,
                                                 @ForAll @FloatRange(min = -1e30f, max = 1e30f) float b,
                                                 @ForAll @IntRange(min = 0) int ordA, @ForAll @IntRange(min = 0) int ordB) {
        long pa = LongHeap.pack(a, ordA), pb = LongHeap.pack(b, ordB);
        if (a < b) {
            assertThat(pa).isLessThan(pb);
        } else if (a > b) {
            assertThat(pa).isGreaterThan(pb);
        }
        assertThat(LongHeap.distance(pa)).isEqualTo(a);
        assertThat(LongHeap.ordinal(pa)).isEqualTo(ordA);
    }

    @Property
    void popsInAscendingOrder(@ForAll @Size(max = 300) List<Long> values) {
        LongHeap heap = new LongHeap(2);
        values.forEach(heap::push);
        long[] popped = new long[values.size()];
        for (int i = 0; i < popped.length; i++) {
            popped[i] = heap.pop();
        }
        long[] expected = values.stream().mapToLong(Long::longValue).sorted().toArray();
        assertThat(popped).containsExactly(expected);
        assertThat(heap.isEmpty()).isTrue();
    }

    @Property
    void replaceTopKeepsHeapOrder(@ForAll @Size(min = 1, max = 200) List<Long> values, @ForAll long replacement) {
        LongHeap heap = new LongHeap(4);
        values.forEach(heap::push);
        heap.replaceTop(replacement);
        long[] expected = values.stream().mapToLong(Long::longValue).sorted().toArray();
        expected[0] = replacement;
        Arrays.sort(expected);
        for (long e : expected) {
            assertThat(heap.pop()).isEqualTo(e);
        }
    }

    @Property
    void visitedSetForgetsBetweenQueries(@ForAll @Size(max = 50) List<@IntRange(min = 0, max = 99) Integer> nodes) {
        VisitedSet visited = new VisitedSet(100);
        for (int n : nodes) {
            boolean first = !visited.isVisited(n);
            assertThat(visited.visit(n)).isEqualTo(first);
        }
        visited.reset(100);
        for (int n = 0; n < 100; n++) {
            assertThat(visited.isVisited(n)).isFalse();
        }
    }
}
