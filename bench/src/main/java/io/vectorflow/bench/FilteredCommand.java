package io.vectorflow.bench;

import io.vectorflow.core.dataset.SyntheticData;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Point;
import io.vectorflow.engine.ScoredPoint;
import io.vectorflow.engine.SearchRequest;
import io.vectorflow.engine.SearchResult;
import io.vectorflow.engine.filter.Condition;
import io.vectorflow.engine.filter.Filter;
import io.vectorflow.engine.index.FieldType;
import io.vectorflow.storage.PointId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code filtered}: filtered search through the engine's query planner. A collection of generated
 * clustered vectors whose payload {@code r} is a uniform random integer in [0, 1000) (so
 * {@code r < 10·s} matches s%) is searched at each selectivity, with a payload index on {@code r}
 * and without one (the planner then estimates from samples). Per case: the plan chosen, recall@10
 * against an exact filtered scan, distance evaluations, p50/p99 latency, and the speed-up over
 * that exact filtered scan measured in the same run.
 */
@Command(name = "filtered", mixinStandardHelpOptions = true,
        description = "Filtered search: plan, recall@10, distances and latency per selectivity, with and without a payload index.")
final class FilteredCommand implements Callable<Integer> {

    @Option(names = "--points", defaultValue = "200000", description = "points (default ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--dim", defaultValue = "128", description = "dimension (default ${DEFAULT-VALUE})")
    int dim;

    @Option(names = "--selectivities", split = ",", defaultValue = "50,10,1,0.1",
            description = "percent of points a filter matches (default ${DEFAULT-VALUE})")
    double[] selectivities;

    @Option(names = "--queries", defaultValue = "300", description = "queries per case (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--ef", defaultValue = "64", description = "hnsw_ef (default ${DEFAULT-VALUE})")
    int ef;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("vectorflow-filtered");
        try (Database db = Database.open(dir, Database.Options.defaults().withRecallSampling(0))) {
            SyntheticData gen = new SyntheticData(dim, 42);
            float[][] base = gen.base(points);
            float[][] qs = gen.queries(queries);
            Collection indexed = load(db, "indexed", base);
            indexed.createPayloadIndex("r", FieldType.INTEGER);
            Collection plain = load(db, "plain", base);
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "filtered search: %,d × %d generated clustered vectors, %d queries per case, ef=%d, one thread, %d cores%n%n",
                    points, dim, queries, ef, Runtime.getRuntime().availableProcessors()));
            out.append("| selectivity | payload index | plan | recall@10 | distances/query | p50 µs | p99 µs | exact filtered scan p50 µs | speed-up |\n");
            out.append("|---|---|---|---|---|---|---|---|---|\n");
            String baseline = measure(indexed, qs, null, 100, false).replace("| 100.0% | no |", "| no filter | – |");
            out.append(baseline);
            System.err.print(baseline);
            for (double s : selectivities) {
                Filter f = Filter.must(new Condition.Range("r", null, null, s * 10, null));
                for (Collection c : List.of(indexed, plain)) {
                    String row = measure(c, qs, f, s, c == indexed);
                    out.append(row);
                    System.err.print(row);
                }
            }
            System.out.println();
            System.out.print(out);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    private Collection load(Database db, String name, float[][] base) {
        Collection c = db.createCollection(CollectionConfig.of(name, dim, "euclidean").withSegmentCapacity(points));
        Random rnd = new Random(7);
        List<Point> batch = new ArrayList<>();
        for (int i = 0; i < base.length; i++) {
            batch.add(Point.of(i, base[i], Map.of("r", rnd.nextInt(1000))));
            if (batch.size() == 2_000 || i == base.length - 1) {
                c.upsert(batch);
                batch.clear();
                if ((i + 1) % 50_000 == 0 || i == base.length - 1) {
                    System.err.printf(Locale.ROOT, "%s: %,d/%,d points written%n", name, i + 1, base.length);
                }
            }
        }
        long t = System.nanoTime();
        c.store().awaitIndexing();
        System.err.printf(Locale.ROOT, "%s: indexed (%.1f s after the last write)%n", name, (System.nanoTime() - t) / 1e9);
        return c;
    }

    private String measure(Collection c, float[][] qs, Filter f, double percent, boolean indexed) {
        for (int w = 0; w < Math.min(50, qs.length); w++) { // warm-up
            c.search(SearchRequest.of(qs[w], 10).withFilter(f).withEf(ef).withPayload(false));
        }
        long[] approx = new long[qs.length];
        long[] exact = new long[qs.length];
        double hits = 0;
        double truthSize = 0;
        long distances = 0;
        Map<String, Integer> plans = new TreeMap<>();
        // Approximate and exact searches in separate loops: an exact scan streams the whole
        // collection through the caches, which would make every following graph search cold.
        List<SearchResult> answers = new ArrayList<>(qs.length);
        for (int i = 0; i < qs.length; i++) {
            long t0 = System.nanoTime();
            SearchResult a = c.search(SearchRequest.of(qs[i], 10).withFilter(f).withEf(ef).withPayload(false));
            approx[i] = System.nanoTime() - t0;
            answers.add(a);
            distances += a.vectorsScanned();
            plans.merge(a.strategy(), 1, Integer::sum);
        }
        for (int i = 0; i < qs.length; i++) {
            long t0 = System.nanoTime();
            SearchResult e = c.search(SearchRequest.of(qs[i], 10).withFilter(f).withExact(true).withPayload(false));
            exact[i] = System.nanoTime() - t0;
            Set<PointId> truth = new HashSet<>();
            e.points().forEach(p -> truth.add(p.id()));
            truthSize += truth.size();
            for (ScoredPoint p : answers.get(i).points()) {
                hits += truth.contains(p.id()) ? 1 : 0;
            }
        }
        Arrays.sort(approx);
        Arrays.sort(exact);
        double p50 = approx[approx.length / 2] / 1e3;
        double exactP50 = exact[exact.length / 2] / 1e3;
        return String.format(Locale.ROOT, "| %s%% | %s | %s | %.4f | %,.0f | %.0f | %.0f | %.0f | %.1f× |%n",
                percent, indexed ? "yes" : "no", plans.size() == 1 ? plans.keySet().iterator().next() : plans.toString(),
                truthSize == 0 ? 1.0 : hits / truthSize, distances / (double) qs.length, p50,
                approx[(int) Math.min(approx.length - 1, Math.ceil(approx.length * 0.99) - 1)] / 1e3, exactP50, exactP50 / p50);
    }
}
