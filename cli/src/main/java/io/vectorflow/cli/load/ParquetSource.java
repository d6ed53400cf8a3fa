package io.vectorflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Points from a Parquet file, a row group at a time (one row group's pages in memory, never the
 * file). Columns:
 * <ul>
 *   <li>the vector: {@code --vector-column}, else the first of {@code vector}, {@code embedding},
 *       {@code values}, {@code emb}: a list of float or double (the standard three-level LIST, or a
 *       legacy repeated field);</li>
 *   <li>the id: {@code --id-column}, else {@code id} when there is one: an integer, a UUID as
 *       text, or a 16-byte UUID; without one, rows are numbered from 0;</li>
 *   <li>the payload: a column named {@code payload} holding a JSON object as text, else every
 *       other column, by name (strings, numbers, booleans, lists and groups as JSON).</li>
 * </ul>
 */
final class ParquetSource extends VectorSource {

    private static final List<String> VECTOR_NAMES = List.of("vector", "embedding", "values", "emb");

    private final ParquetFileReader reader;
    private final MessageType schema;
    private final int vectorField;
    private final int idField;
    private final int payloadField;
    private final boolean payloadIsJson;
    private final long size;
    private RecordReader<Group> rows;
    private long left;
    private long row;

    ParquetSource(Path file, String idColumn, String vectorColumn) throws IOException {
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration()).withCodecFactory(new ParquetCodecs()).build();
        reader = ParquetFileReader.open(new LocalInputFile(file), options);
        try {
            schema = reader.getFooter().getFileMetaData().getSchema();
            vectorField = vectorColumn != null ? field(vectorColumn, "--vector-column")
                    : VECTOR_NAMES.stream().filter(schema::containsField).findFirst().map(schema::getFieldIndex)
                    .orElseThrow(() -> new IllegalArgumentException(file + ": no column named " + String.join(", ", VECTOR_NAMES)
                            + " (name the vector column with --vector-column); columns: " + names()));
            idField = idColumn != null ? field(idColumn, "--id-column") : schema.containsField("id") ? schema.getFieldIndex("id") : -1;
            payloadField = schema.containsField("payload") ? schema.getFieldIndex("payload") : -1;
            payloadIsJson = payloadField >= 0 && schema.getType(payloadField).isPrimitive()
                    && schema.getType(payloadField).asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY;
            size = reader.getRecordCount();
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    private int field(String name, String option) {
        if (!schema.containsField(name)) {
            throw new IllegalArgumentException(option + ": no column '" + name + "'; columns: " + names());
        }
        return schema.getFieldIndex(name);
    }

    private String names() {
        return String.join(", ", schema.getFields().stream().map(Type::getName).toList());
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int dimension() {
        return 0; // known from the first row
    }

    @Override
    public void skip(long n) throws IOException {
        long target = row + n;
        while (row < target) {
            if (left == 0) {
                // whole row groups are skipped without decoding them
                long groupRows = nextGroupRows();
                if (groupRows < 0) {
                    return;
                }
                if (row + groupRows <= target) {
                    reader.skipNextRowGroup();
                    row += groupRows;
                    continue;
                }
                open(reader.readNextRowGroup());
            }
            rows.read();
            left--;
            row++;
        }
    }

    private long nextGroupRows() {
        int index = reader.getCurrentRowGroupIndex() + 1; // -1 before the first
        return index < reader.getRowGroups().size() ? reader.getRowGroups().get(index).getRowCount() : -1;
    }

    private void open(PageReadStore pages) {
        rows = new ColumnIOFactory().getColumnIO(schema).getRecordReader(pages, new GroupRecordConverter(schema));
        left = pages.getRowCount();
    }

    @Override
    public Row next() throws IOException {
        while (left == 0) {
            PageReadStore pages = reader.readNextRowGroup();
            if (pages == null) {
                return null;
            }
            open(pages);
        }
        Group g = rows.read();
        left--;
        long number = row++;
        float[] vector = vector(g, number);
        Object id = idField < 0 ? (Object) number : id(g, number);
        return new Row(id, vector, payload(g, number));
    }

    private float[] vector(Group g, long number) {
        Type type = schema.getType(vectorField);
        if (g.getFieldRepetitionCount(vectorField) == 0) {
            throw new IllegalArgumentException("row " + number + ": column '" + type.getName() + "' is empty");
        }
        if (type.isPrimitive()) { // legacy: repeated float vector
            float[] v = new float[g.getFieldRepetitionCount(vectorField)];
            for (int i = 0; i < v.length; i++) {
                v[i] = number(g, vectorField, i, type, number);
            }
            return v;
        }
        // LIST: group vector (LIST) { repeated group list { element } }, or { repeated float element }
        Group list = g.getGroup(vectorField, 0);
        GroupType inner = list.getType();
        if (inner.getFieldCount() != 1) {
            throw new IllegalArgumentException("column '" + type.getName() + "' is not a list of numbers");
        }
        Type element = inner.getType(0);
        float[] v = new float[list.getFieldRepetitionCount(0)];
        for (int i = 0; i < v.length; i++) {
            if (element.isPrimitive()) {
                v[i] = number(list, 0, i, element, number);
            } else {
                Group e = list.getGroup(0, i);
                if (e.getFieldRepetitionCount(0) == 0) {
                    throw new IllegalArgumentException("row " + number + ": " + type.getName() + "[" + i + "] is null");
                }
                v[i] = number(e, 0, 0, e.getType().getType(0), number);
            }
        }
        return v;
    }

    private static float number(Group g, int f, int i, Type t, long row) {
        if (!t.isPrimitive()) {
            throw new IllegalArgumentException("row " + row + ": the vector holds groups, not numbers");
        }
        return switch (t.asPrimitiveType().getPrimitiveTypeName()) {
            case FLOAT -> g.getFloat(f, i);
            case DOUBLE -> (float) g.getDouble(f, i);
            case INT32 -> g.getInteger(f, i);
            case INT64 -> g.getLong(f, i);
            default -> throw new IllegalArgumentException("row " + row + ": the vector holds "
                    + t.asPrimitiveType().getPrimitiveTypeName().name().toLowerCase(Locale.ROOT) + " values, not numbers");
        };
    }

    private Object id(Group g, long number) {
        Type type = schema.getType(idField);
        if (!type.isPrimitive() || g.getFieldRepetitionCount(idField) == 0) {
            throw new IllegalArgumentException("row " + number + ": the id column '" + type.getName() + "' is empty or not a value");
        }
        return switch (type.asPrimitiveType().getPrimitiveTypeName()) {
            case INT32 -> (long) g.getInteger(idField, 0);
            case INT64 -> g.getLong(idField, 0);
            case FIXED_LEN_BYTE_ARRAY -> {
                ByteBuffer b = g.getBinary(idField, 0).toByteBuffer();
                if (b.remaining() != 16) {
                    throw new IllegalArgumentException("the id column '" + type.getName() + "' holds " + b.remaining()
                            + " bytes: a UUID has 16");
                }
                yield new UUID(b.getLong(b.position()), b.getLong(b.position() + 8)).toString();
            }
            case BINARY -> g.getString(idField, 0);
            default -> throw new IllegalArgumentException("the id column '" + type.getName() + "' is "
                    + type.asPrimitiveType().getPrimitiveTypeName().name().toLowerCase(Locale.ROOT) + ": ids are integers or UUIDs");
        };
    }

    private JsonNode payload(Group g, long number) throws IOException {
        if (payloadIsJson) {
            if (g.getFieldRepetitionCount(payloadField) == 0) {
                return null;
            }
            JsonNode p = Json.MAPPER.readTree(g.getString(payloadField, 0));
            if (!p.isObject()) {
                throw new IllegalArgumentException("row " + number + ": column 'payload' is not a JSON object");
            }
            return p;
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (int f = 0; f < schema.getFieldCount(); f++) {
            if (f != vectorField && f != idField && g.getFieldRepetitionCount(f) > 0) {
                Type t = schema.getType(f);
                out.set(t.getName(), t.isRepetition(Type.Repetition.REPEATED) ? repeated(g, f, t) : value(g, f, 0, t));
            }
        }
        return out.isEmpty() ? null : out;
    }

    private static ArrayNode repeated(Group g, int f, Type t) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < g.getFieldRepetitionCount(f); i++) {
            a.add(value(g, f, i, t));
        }
        return a;
    }

    /** One value as JSON: primitives by their type, a LIST as an array, another group as an object. */
    private static JsonNode value(Group g, int f, int i, Type t) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        if (!t.isPrimitive()) {
            Group inner = g.getGroup(f, i);
            GroupType gt = t.asGroupType();
            if (gt.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation && gt.getFieldCount() == 1) {
                ArrayNode a = json.arrayNode();
                Type element = gt.getType(0);
                for (int k = 0; k < inner.getFieldRepetitionCount(0); k++) {
                    if (element.isPrimitive()) {
                        a.add(value(inner, 0, k, element));
                    } else {
                        Group e = inner.getGroup(0, k);
                        a.add(e.getFieldRepetitionCount(0) == 0 ? json.nullNode() : value(e, 0, 0, element.asGroupType().getType(0)));
                    }
                }
                return a;
            }
            ObjectNode o = json.objectNode();
            for (int k = 0; k < gt.getFieldCount(); k++) {
                if (inner.getFieldRepetitionCount(k) > 0) {
                    Type kt = gt.getType(k);
                    o.set(kt.getName(), kt.isRepetition(Type.Repetition.REPEATED) ? repeated(inner, k, kt) : value(inner, k, 0, kt));
                }
            }
            return o;
        }
        PrimitiveType p = t.asPrimitiveType();
        return switch (p.getPrimitiveTypeName()) {
            case INT32 -> json.numberNode(g.getInteger(f, i));
            case INT64 -> json.numberNode(g.getLong(f, i));
            case FLOAT -> json.numberNode(g.getFloat(f, i));
            case DOUBLE -> json.numberNode(g.getDouble(f, i));
            case BOOLEAN -> json.booleanNode(g.getBoolean(f, i));
            case BINARY -> json.textNode(g.getString(f, i));
            default -> json.textNode(g.getValueToString(f, i));
        };
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
