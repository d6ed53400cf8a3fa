package io.vectorflow.engine.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.filter.Condition;
import io.vectorflow.storage.io.Disk;
import io.vectorflow.storage.segment.Segment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Function;
import org.roaringbitmap.RoaringBitmap;

/**
 * A collection's payload indexes (Qdrant's {@code PUT /collections/{name}/index}): which fields are
 * indexed with which type, and, per segment, bitmaps of the ordinals holding each value. The query
 * planner reads them to count how many points a filter matches before choosing how to search.
 *
 * <p>The field list is stored in {@code payload_indexes.json} in the collection's directory
 * ({@code {"fields": {"<key>": "<keyword|integer|float|bool>"}}}, written atomically); the
 * bitmaps are held in memory only, built from the stored payloads when the collection opens (in
 * the background; a query that needs a segment's bitmaps first waits for them) or the field is
 * added.
 */
public final class PayloadIndexes {

    /** The file in the collection directory that lists the indexed fields. */
    public static final String FILE = "payload_indexes.json";

    private final Disk disk;
    private final Path file;
    private final ObjectMapper mapper;
    private final Function<byte[], ObjectNode> decode;
    private volatile Map<String, FieldType> schema;
    private final Map<Segment, SegmentIndex> segments = Collections.synchronizedMap(new WeakHashMap<>());

    private PayloadIndexes(Disk disk, Path file, ObjectMapper mapper, Function<byte[], ObjectNode> decode,
                           Map<String, FieldType> schema) {
        this.disk = disk;
        this.file = file;
        this.mapper = mapper;
        this.decode = decode;
        this.schema = schema;
    }

    /** Heap bytes of every segment's payload indexes (estimated). */
    public long bytesInMemory() {
        long b = 0;
        synchronized (segments) {
            for (SegmentIndex i : segments.values()) {
                b += i.bytes();
            }
        }
        return b;
    }

    /** Bytes of the stored field list. */
    public long bytesOnDisk() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Reads the field list of the collection in {@code dir} (none if the file is absent). */
    public static PayloadIndexes open(Disk disk, Path dir, ObjectMapper mapper, Function<byte[], ObjectNode> decode)
            throws IOException {
        Path file = dir.resolve(FILE);
        Map<String, FieldType> schema = new LinkedHashMap<>();
        if (Files.exists(file)) {
            JsonNode fields = mapper.readTree(Files.readAllBytes(file)).path("fields");
            var it = fields.fields();
            while (it.hasNext()) {
                var e = it.next();
                schema.put(e.getKey(), FieldType.parse(e.getValue().asText()));
            }
        }
        return new PayloadIndexes(disk, file, mapper, decode, Collections.unmodifiableMap(schema));
    }

    /** Indexed fields and their types. */
    public Map<String, FieldType> schema() {
        return schema;
    }

    /** Adds (or retypes) an index and builds it over every given segment before returning. */
    public synchronized void create(String key, FieldType type, List<? extends Segment> current) throws IOException {
        io.vectorflow.engine.filter.KeyPath.parse(key, "field_name");
        Map<String, FieldType> next = new LinkedHashMap<>(schema);
        next.put(key, type);
        save(next);
        for (Segment s : current) {
            forSegment(s);
        }
    }

    /** Brings every given segment's bitmaps up to date (at open, so queries do not pay for it). */
    public void warm(List<? extends Segment> current) {
        for (Segment s : current) {
            forSegment(s);
        }
    }

    /** Removes an index; returns whether there was one. */
    public synchronized boolean drop(String key) throws IOException {
        if (!schema.containsKey(key)) {
            return false;
        }
        Map<String, FieldType> next = new LinkedHashMap<>(schema);
        next.remove(key);
        save(next);
        return true;
    }

    private void save(Map<String, FieldType> next) throws IOException {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode fields = root.putObject("fields");
        next.forEach((k, t) -> fields.put(k, t.apiName()));
        disk.writeAtomically(file, ByteBuffer.wrap(mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(root)));
        schema = Collections.unmodifiableMap(next);
    }

    /** Points holding a value in an indexed field, over the given segments (deleted ones included). */
    public long points(String key, List<? extends Segment> current) {
        long n = 0;
        for (Segment s : current) {
            long p = forSegment(s).points(key);
            n += Math.max(0, p);
        }
        return n;
    }

    /**
     * What the indexes say about {@code condition} in {@code segment}: a superset of the matching
     * ordinals (exact when every condition it holds is indexed), or null bits when no index helps.
     * Ordinals at or past {@link Estimate#coveredUpTo} were written after the bitmaps were brought
     * up to date and are not in them.
     */
    public Estimate candidates(Segment segment, Condition condition) {
        if (schema.isEmpty()) {
            return new Estimate(null, false, 0);
        }
        SegmentIndex idx = forSegment(segment);
        SegmentIndex.Candidates c = idx.candidates(condition);
        return new Estimate(c.bits(), c.exact(), idx.indexedUpTo());
    }

    private SegmentIndex forSegment(Segment s) {
        SegmentIndex idx = segments.computeIfAbsent(s, x -> new SegmentIndex());
        idx.sync(s, schema, decode);
        return idx;
    }

    /**
     * An index answer for one segment.
     *
     * @param bits        ordinals that may match (all of them, if {@code exact}); null: unknown
     * @param exact       whether {@code bits} is exactly the matching set below {@code coveredUpTo}
     * @param coveredUpTo ordinals the bitmaps cover
     */
    public record Estimate(RoaringBitmap bits, boolean exact, int coveredUpTo) {}
}
