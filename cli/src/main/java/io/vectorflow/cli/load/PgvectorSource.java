package io.vectorflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.engine.Json;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/**
 * The rows of a PostgreSQL table with a pgvector column, read over JDBC in id order a page at a
 * time (keyset pagination: {@code WHERE id > last ORDER BY id}, so a resumed read starts where the
 * checkpoint says without reading what came before). The payload is a JSON or JSONB column, or a
 * list of plain columns that become the payload's fields. Ids are integers or UUIDs.
 */
public final class PgvectorSource extends PagedSource {

    private static final int PAGE = 1_000;
    private final Connection db;
    private final String table;
    private final String id;
    private final String vector;
    private final String jsonPayload;
    private final List<String> payloadColumns;
    private Object last;
    private boolean exhausted;

    /**
     * @param jdbcUrl        {@code jdbc:postgresql://host:port/database}
     * @param password       the password (null: none, or the one in the URL)
     * @param jsonPayload    a JSON/JSONB column holding each row's payload, or null
     * @param payloadColumns plain columns that become payload fields (used when {@code jsonPayload} is null)
     */
    public PgvectorSource(String jdbcUrl, String password, String table, String idColumn, String vectorColumn, String jsonPayload,
                          List<String> payloadColumns) throws IOException {
        this.table = ident(table);
        this.id = ident(idColumn);
        this.vector = ident(vectorColumn);
        this.jsonPayload = jsonPayload == null ? null : ident(jsonPayload);
        this.payloadColumns = payloadColumns.stream().map(PgvectorSource::ident).toList();
        try {
            Properties p = new Properties();
            if (password != null) {
                p.setProperty("password", password);
            }
            // Unnamed statements only: works through poolers (pgbouncer) and PGlite, costs one parse per page.
            p.setProperty("prepareThreshold", "0");
            db = DriverManager.getConnection(jdbcUrl, p);
            try (var st = db.createStatement(); ResultSet r = st.executeQuery("SELECT count(*), max(vector_dims(" + vector + "))"
                    + " FROM " + this.table)) {
                r.next();
                describe(r.getLong(1), r.getInt(2), null);
            }
        } catch (SQLException e) {
            throw new IOException("cannot read table " + table + " at " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    /** A column or table name, quoted; names with quotes or NULs are refused. */
    private static String ident(String name) {
        if (name == null || name.isEmpty() || name.contains("\"") || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a usable column or table name: " + name);
        }
        String[] parts = name.split("\\.", 2); // schema.table
        return parts.length == 2 ? "\"" + parts[0] + "\".\"" + parts[1] + "\"" : "\"" + name + "\"";
    }

    private String columns() {
        StringBuilder b = new StringBuilder(id).append(", ").append(vector).append("::text");
        if (jsonPayload != null) {
            b.append(", ").append(jsonPayload).append("::text");
        } else {
            payloadColumns.forEach(c -> b.append(", ").append(c));
        }
        return b.toString();
    }

    @Override
    protected void taken(Row r) {
        last = r.id() instanceof String s ? java.util.UUID.fromString(s) : r.id();
    }

    @Override
    protected void skipUnread(long left) throws IOException {
        if (exhausted) {
            return;
        }
        String sql = "SELECT " + id + " FROM " + table + (last == null ? "" : " WHERE " + id + " > ?") + " ORDER BY " + id
                + " OFFSET ? LIMIT 1";
        try (PreparedStatement st = db.prepareStatement(sql)) {
            int i = 1;
            if (last != null) {
                st.setObject(i++, last);
            }
            st.setLong(i, left - 1);
            try (ResultSet r = st.executeQuery()) {
                if (r.next()) {
                    last = r.getObject(1);
                } else {
                    exhausted = true;
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot read " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void fill() throws IOException {
        if (!exhausted) {
            String sql = "SELECT " + columns() + " FROM " + table + (last == null ? "" : " WHERE " + id + " > ?") + " ORDER BY "
                    + id + " LIMIT " + PAGE;
            try (PreparedStatement st = db.prepareStatement(sql)) {
                if (last != null) {
                    st.setObject(1, last);
                }
                try (ResultSet r = st.executeQuery()) {
                    while (r.next()) {
                        page.add(row(r));
                    }
                }
            } catch (SQLException e) {
                throw new IOException("cannot read " + table + ": " + e.getMessage(), e);
            }
            exhausted = page.size() < PAGE;
        }
    }

    private Row row(ResultSet r) throws SQLException, IOException {
        Object key = r.getObject(1);
        Object pointId = key instanceof Number num ? (Object) num.longValue() : key.toString();
        float[] v = parseVector(r.getString(2));
        JsonNode payload;
        if (jsonPayload != null) {
            String text = r.getString(3);
            payload = text == null ? null : Json.MAPPER.readTree(text);
        } else if (payloadColumns.isEmpty()) {
            payload = null;
        } else {
            ObjectNode o = Json.MAPPER.createObjectNode();
            for (int i = 0; i < payloadColumns.size(); i++) {
                Object value = r.getObject(3 + i);
                String name = r.getMetaData().getColumnLabel(3 + i);
                o.set(name, value == null ? o.nullNode() : Json.MAPPER.valueToTree(value instanceof java.sql.Timestamp t
                        ? t.toInstant().toString() : value instanceof java.util.UUID u ? u.toString() : value));
            }
            payload = o;
        }
        return new Row(pointId, v, payload == null || payload.isNull() ? null : payload);
    }

    /** pgvector's text form, {@code [1,2.5,-3]}. */
    static float[] parseVector(String text) {
        String t = text.strip();
        if (t.length() < 2 || t.charAt(0) != '[' || t.charAt(t.length() - 1) != ']') {
            throw new IllegalArgumentException("not a pgvector value: " + (t.length() > 40 ? t.substring(0, 40) + "…" : t));
        }
        String inner = t.substring(1, t.length() - 1);
        if (inner.isBlank()) {
            return new float[0];
        }
        String[] parts = inner.split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Float.parseFloat(parts[i].strip());
        }
        return v;
    }

    @Override
    public JsonNode point(Row of) throws IOException {
        Object pointId = of.id();
        try (PreparedStatement st = db.prepareStatement("SELECT " + columns() + " FROM " + table + " WHERE " + id + " = ?")) {
            st.setObject(1, pointId instanceof String s ? java.util.UUID.fromString(s) : pointId);
            try (ResultSet r = st.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                Row row = row(r);
                ObjectNode n = Json.MAPPER.createObjectNode();
                ArrayNode vec = n.putArray("vector");
                for (float x : row.vector()) {
                    vec.add(x);
                }
                n.set("payload", row.payload() == null ? Json.MAPPER.createObjectNode() : row.payload());
                return n;
            }
        } catch (SQLException e) {
            throw new IOException("cannot read " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            db.close();
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }
}
