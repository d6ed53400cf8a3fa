package io.vectorflow.core.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorflow.core.store.ChecksummedWriter;
import io.vectorflow.core.store.CorruptFileException;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The sparse index against brute-force dot products over the same vectors. */
class SparseIndexTest {

    /** A vector of about {@code nnz} entries with Zipf-distributed dimensions out of {@code vocabulary}. */
    static SparseVector zipf(Random r, int vocabulary, int nnz) {
        TreeMap<Integer, Float> entries = new TreeMap<>();
        while (entries.size() < nnz) {
            int dim = (int) Math.min(vocabulary - 1, Math.floor(Math.pow(vocabulary, r.nextDouble())) - 1);
            entries.put(dim, 0.1f + r.nextFloat());
        }
        return new SparseVector(entries.keySet().stream().mapToInt(Integer::intValue).toArray(), toFloats(entries.values()));
    }

    private static float[] toFloats(java.util.Collection<Float> values) {
        float[] out = new float[values.size()];
        int i = 0;
        for (float f : values) {
            out[i++] = f;
        }
        return out;
    }

    private static List<Integer> exact(List<SparseVector> docs, SparseVector q, int k, java.util.function.IntPredicate accept) {
        return IntStream.range(0, docs.size()).filter(accept).boxed().filter(o -> docs.get(o).dot(q) != 0)
                .sorted(Comparator.comparingDouble((Integer o) -> -docs.get(o).dot(q)).thenComparing(o -> o)).limit(k).toList();
    }

    @Test
    void theGrowingIndexAnswersAsTheBuiltOneWhileVectorsArrive() {
        Random r = new Random(4);
        List<SparseVector> docs = new ArrayList<>();
        GrowingSparseIndex growing = new GrowingSparseIndex();
        for (int from = 0; from < 2_000; from += 250) {
            List<SparseVector> batch = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                batch.add(i % 7 == 3 ? null : zipf(r, 3_000, 3 + r.nextInt(40))); // some ordinals without a vector
            }
            growing.reserve(from + 250, batch.stream().filter(java.util.Objects::nonNull).toList());
            for (int i = 0; i < 250; i++) {
                docs.add(batch.get(i) == null ? new SparseVector(new int[0], new float[0]) : batch.get(i));
                if (batch.get(i) != null) {
                    growing.add(from + i, batch.get(i));
                }
            }
            for (int t = 0; t < 10; t++) {
                SparseVector q = zipf(r, 3_000, 1 + r.nextInt(15));
                List<Integer> got = java.util.Arrays.stream(growing.search(q, 10, null, null).ordinals()).boxed().toList();
                assertThat(got).isEqualTo(exact(docs, q, 10, o -> true));
            }
        }
        assertThat(growing.get(3)).isNull();
        assertThat(growing.get(4)).isEqualTo(docs.get(4));
        SparseIndex.Builder same = new SparseIndex.Builder();
        for (int o = 0; o < docs.size(); o++) {
            if (docs.get(o).size() > 0) {
                same.add(o, docs.get(o));
            }
        }
        SparseIndex frozen = same.build();
        SparseVector q = zipf(r, 3_000, 10);
        assertThat(frozen.search(q, 20, null, null).ordinals()).containsExactly(growing.search(q, 20, null, null).ordinals());
        assertThat(frozen.documentFrequency(q.indices()[0])).isEqualTo(growing.documentFrequency(q.indices()[0]));
        assertThatThrownBy(() -> growing.add(5, docs.get(5))).hasMessageContaining("not after");
    }

    @Test
    void topKIsTheExactTopKByDotProduct() throws Exception {
        Random r = new Random(3);
        List<SparseVector> docs = new ArrayList<>();
        SparseIndex.Builder b = new SparseIndex.Builder();
        for (int i = 0; i < 3_000; i++) {
            docs.add(zipf(r, 5_000, 5 + r.nextInt(60)));
            b.add(i, docs.get(i));
        }
        SparseIndex index = b.build();
        assertThat(index.documents()).isEqualTo(docs.size());
        for (int t = 0; t < 100; t++) {
            SparseVector q = zipf(r, 5_000, 1 + r.nextInt(20));
            SparseIndex.Hits hits = index.search(q, 10, null, null);
            List<Integer> got = java.util.Arrays.stream(hits.ordinals()).boxed().toList();
            assertThat(got).isEqualTo(exact(docs, q, 10, o -> true));
            for (int i = 0; i < got.size(); i++) {
                assertThat(hits.scores()[i]).isCloseTo(docs.get(got.get(i)).dot(q), org.assertj.core.data.Offset.offset(1e-3f));
            }
            List<Integer> even = java.util.Arrays.stream(index.search(q, 5, o -> o % 2 == 0, null).ordinals()).boxed().toList();
            assertThat(even).isEqualTo(exact(docs, q, 5, o -> o % 2 == 0));
        }
    }

    @Test
    void weightsScaleEachDimension() {
        SparseIndex index = new SparseIndex.Builder().add(0, new SparseVector(new int[] {1, 2}, new float[] {1, 1}))
                .add(1, new SparseVector(new int[] {2}, new float[] {1.5f})).build();
        SparseVector q = new SparseVector(new int[] {1, 2}, new float[] {1, 1});
        assertThat(index.search(q, 2, null, null).ordinals()).containsExactly(0, 1);
        // Dimension 2 is common (df 2), dimension 1 rare (df 1): an idf-like weight lifts the rare one.
        SparseIndex.Hits weighted = index.search(q, 2, null, d -> d == 2 ? 0.1 : 1.0);
        assertThat(weighted.ordinals()).containsExactly(0, 1);
        assertThat(weighted.scores()[0]).isCloseTo(1.1f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(index.documentFrequency(2)).isEqualTo(2);
        assertThat(index.documentFrequency(7)).isZero();
    }

    @Test
    void writtenAndReadBackItAnswersTheSameAndCorruptionIsCaught() throws Exception {
        Random r = new Random(5);
        SparseIndex.Builder b = new SparseIndex.Builder();
        for (int i = 0; i < 500; i++) {
            b.add(i, zipf(r, 1_000, 10));
        }
        SparseIndex index = b.build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        index.writeTo(new ChecksummedWriter(Channels.newChannel(bytes)));
        byte[] file = bytes.toByteArray();
        SparseIndex back = SparseIndex.read(MemorySegment.ofArray(file), "sparse.idx");
        SparseVector q = zipf(r, 1_000, 8);
        assertThat(back.search(q, 10, null, null).ordinals()).isEqualTo(index.search(q, 10, null, null).ordinals());
        assertThat(back.entries()).isEqualTo(index.entries());
        file[40] ^= 1;
        assertThatThrownBy(() -> SparseIndex.read(MemorySegment.ofArray(file), "sparse.idx"))
                .isInstanceOf(CorruptFileException.class).hasMessageContaining("sparse.idx");
    }

    @Test
    void vectorsAreCheckedAndSorted() {
        SparseVector v = new SparseVector(new int[] {5, 1, 3}, new float[] {0.5f, 0.1f, 0.3f});
        assertThat(v.indices()).containsExactly(1, 3, 5);
        assertThat(v.values()).containsExactly(0.1f, 0.3f, 0.5f);
        assertThatThrownBy(() -> new SparseVector(new int[] {1, 1}, new float[] {1, 2})).hasMessageContaining("twice");
        assertThatThrownBy(() -> new SparseVector(new int[] {1}, new float[] {1, 2})).hasMessageContaining("same length");
        assertThatThrownBy(() -> new SparseVector(new int[] {-1}, new float[] {1})).hasMessageContaining("negative");
        assertThatThrownBy(() -> new SparseVector(new int[] {1}, new float[] {Float.NaN})).hasMessageContaining("finite");
    }
}
