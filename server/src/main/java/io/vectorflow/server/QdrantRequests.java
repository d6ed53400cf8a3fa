package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import io.qdrant.client.grpc.Common;
import io.qdrant.client.grpc.JsonWithInt;
import io.qdrant.client.grpc.Points;
import io.vectorflow.engine.Json;
import io.vectorflow.core.sparse.SparseVector;
import io.vectorflow.storage.PointId;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Qdrant's gRPC request messages written as the JSON of Qdrant's REST API, so that both
 * protocols go through the same parsers and checks ({@link QueryParser},
 * {@link io.vectorflow.engine.filter.FilterParser}, the points endpoints): a filter, a query, a
 * vector input, payload and vector selectors, search parameters. Field names in errors are the
 * REST names, which match the protobuf fields.
 */
final class QdrantRequests {

    private static final JsonNodeFactory F = Json.MAPPER.getNodeFactory();

    private QdrantRequests() {}

    // ---- values and ids -----------------------------------------------------------------------

    static JsonNode value(JsonWithInt.Value v) {
        return switch (v.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> F.nullNode();
            case DOUBLE_VALUE -> F.numberNode(v.getDoubleValue());
            case INTEGER_VALUE -> F.numberNode(v.getIntegerValue());
            case STRING_VALUE -> F.textNode(v.getStringValue());
            case BOOL_VALUE -> F.booleanNode(v.getBoolValue());
            case STRUCT_VALUE -> object(v.getStructValue().getFieldsMap());
            case LIST_VALUE -> {
                ArrayNode a = F.arrayNode();
                v.getListValue().getValuesList().forEach(x -> a.add(value(x)));
                yield a;
            }
        };
    }

    /** A payload map as a JSON object. */
    static ObjectNode object(Map<String, JsonWithInt.Value> fields) {
        ObjectNode o = F.objectNode();
        fields.forEach((k, v) -> o.set(k, value(v)));
        return o;
    }

    static JsonNode id(Common.PointId id) {
        return switch (id.getPointIdOptionsCase()) {
            case NUM -> F.numberNode(new java.math.BigInteger(Long.toUnsignedString(id.getNum())));
            case UUID -> F.textNode(id.getUuid());
            case POINTIDOPTIONS_NOT_SET -> F.nullNode();
        };
    }

    static PointId pointId(Common.PointId id, String field) {
        return io.vectorflow.engine.filter.FilterParser.id(id(id), field);
    }

    static ArrayNode ids(List<Common.PointId> ids) {
        ArrayNode a = F.arrayNode();
        ids.forEach(i -> a.add(id(i)));
        return a;
    }

    // ---- vectors ------------------------------------------------------------------------------

    private static ArrayNode floats(List<Float> values) {
        ArrayNode a = F.arrayNode(values.size());
        for (float f : values) {
            a.add(f);
        }
        return a;
    }

    /** A point from its id, vectors (one unnamed dense vector, or named dense and sparse ones) and payload. */
    static io.vectorflow.engine.Point point(PointId id, Points.Vectors v, ObjectNode payload, String field) {
        return switch (v.getVectorsOptionsCase()) {
            case VECTOR -> new io.vectorflow.engine.Point(id, dense(v.getVector(), field), payload);
            case VECTORS -> {
                Map<String, float[]> dense = new java.util.LinkedHashMap<>();
                Map<String, SparseVector> sparse = new java.util.LinkedHashMap<>();
                v.getVectors().getVectorsMap().forEach((name, vector) -> {
                    if (isSparse(vector)) {
                        sparse.put(name, sparse(vector, field + "." + name));
                    } else {
                        dense.put(name, dense(vector, field + "." + name));
                    }
                });
                yield new io.vectorflow.engine.Point(id, null, payload, new io.vectorflow.engine.Vectors(dense, sparse));
            }
            case VECTORSOPTIONS_NOT_SET -> throw new IllegalArgumentException(field + " is required");
        };
    }

    private static boolean isSparse(Points.Vector v) {
        return v.getVectorCase() == Points.Vector.VectorCase.SPARSE
                || v.getVectorCase() == Points.Vector.VectorCase.VECTOR_NOT_SET && v.hasIndices();
    }

    /** A sparse vector: the {@code sparse} form or the older {@code data} with {@code indices}. */
    static SparseVector sparse(Points.Vector v, String field) {
        List<Integer> indices = v.getVectorCase() == Points.Vector.VectorCase.SPARSE ? v.getSparse().getIndicesList()
                : v.getIndices().getDataList();
        List<Float> values = v.getVectorCase() == Points.Vector.VectorCase.SPARSE ? v.getSparse().getValuesList() : v.getDataList();
        return VectorsJson.sparse(sparseJson(indices, values), field);
    }

    private static ObjectNode sparseJson(List<Integer> indices, List<Float> values) {
        ObjectNode o = F.objectNode();
        ArrayNode idx = o.putArray("indices");
        indices.forEach(i -> idx.add(Integer.toUnsignedLong(i)));
        o.set("values", floats(values));
        return o;
    }

    static float[] dense(Points.Vector v, String field) {
        List<Float> values = switch (v.getVectorCase()) {
            case DENSE -> v.getDense().getDataList();
            case VECTOR_NOT_SET -> {
                if (v.hasIndices()) {
                    throw new IllegalArgumentException(field + ": a sparse vector is given by the name of one of the collection's"
                            + " sparse vectors");
                }
                yield v.getDataList();
            }
            case SPARSE -> throw new IllegalArgumentException(field + ": a sparse vector is given by the name of one of the"
                    + " collection's sparse vectors");
            case MULTI_DENSE -> throw new IllegalArgumentException(field + ": multivectors are not supported");
            default -> throw new IllegalArgumentException(field + ": server-side inference (documents, images) is not supported;"
                    + " send a vector");
        };
        return PointsApi.vector(floats(values), field);
    }

    /** A query's vector input: a dense or sparse vector or a point id (as REST writes them). */
    static JsonNode input(Points.VectorInput v, String field) {
        return switch (v.getVariantCase()) {
            case ID -> id(v.getId());
            case DENSE -> floats(v.getDense().getDataList());
            case SPARSE -> sparseJson(v.getSparse().getIndicesList(), v.getSparse().getValuesList());
            case MULTI_DENSE -> throw new IllegalArgumentException(field + ": multivectors are not supported");
            case VARIANT_NOT_SET -> throw new IllegalArgumentException(field + " is required");
            default -> throw new IllegalArgumentException(field + ": server-side inference (documents, images) is not supported;"
                    + " send a vector");
        };
    }

    private static JsonNode example(Points.VectorExample e, String field) {
        return switch (e.getExampleCase()) {
            case ID -> id(e.getId());
            case VECTOR -> floats(dense(e.getVector(), field));
            case EXAMPLE_NOT_SET -> throw new IllegalArgumentException(field + " is required");
        };
    }

    private static ArrayNode floats(float[] values) {
        ArrayNode a = F.arrayNode(values.length);
        for (float f : values) {
            a.add(f);
        }
        return a;
    }

    // ---- selectors and parameters -------------------------------------------------------------

    static JsonNode withPayload(Points.WithPayloadSelector s) {
        return switch (s.getSelectorOptionsCase()) {
            case ENABLE -> F.booleanNode(s.getEnable());
            case INCLUDE -> F.objectNode().set("include", strings(s.getInclude().getFieldsList()));
            case EXCLUDE -> F.objectNode().set("exclude", strings(s.getExclude().getFieldsList()));
            case SELECTOROPTIONS_NOT_SET -> F.booleanNode(false);
        };
    }

    static JsonNode withVectors(Points.WithVectorsSelector s) {
        return switch (s.getSelectorOptionsCase()) {
            case ENABLE -> F.booleanNode(s.getEnable());
            case INCLUDE -> strings(s.getInclude().getNamesList());
            case SELECTOROPTIONS_NOT_SET -> F.booleanNode(false);
        };
    }

    static ArrayNode strings(List<String> values) {
        ArrayNode a = F.arrayNode();
        values.forEach(a::add);
        return a;
    }

    static ObjectNode params(Points.SearchParams p) {
        ObjectNode o = F.objectNode();
        if (p.hasHnswEf()) {
            o.put("hnsw_ef", p.getHnswEf());
        }
        if (p.hasExact()) {
            o.put("exact", p.getExact());
        }
        if (p.hasQuantization()) {
            Points.QuantizationSearchParams q = p.getQuantization();
            ObjectNode qo = o.putObject("quantization");
            if (q.hasIgnore()) {
                qo.put("ignore", q.getIgnore());
            }
            if (q.hasRescore()) {
                qo.put("rescore", q.getRescore());
            }
            if (q.hasOversampling()) {
                qo.put("oversampling", q.getOversampling());
            }
        }
        return o;
    }

    // ---- filters ------------------------------------------------------------------------------

    static ObjectNode filter(Common.Filter f) {
        ObjectNode o = F.objectNode();
        conditions(o, "must", f.getMustList());
        conditions(o, "should", f.getShouldList());
        conditions(o, "must_not", f.getMustNotList());
        if (f.hasMinShould()) {
            ObjectNode m = o.putObject("min_should");
            conditions(m, "conditions", f.getMinShould().getConditionsList());
            m.put("min_count", f.getMinShould().getMinCount());
        }
        return o;
    }

    private static void conditions(ObjectNode o, String name, List<Common.Condition> list) {
        if (!list.isEmpty()) {
            ArrayNode a = o.putArray(name);
            list.forEach(c -> a.add(condition(c)));
        }
    }

    private static JsonNode condition(Common.Condition c) {
        return switch (c.getConditionOneOfCase()) {
            case FIELD -> field(c.getField());
            case IS_EMPTY -> F.objectNode().set("is_empty", F.objectNode().put("key", c.getIsEmpty().getKey()));
            case IS_NULL -> F.objectNode().set("is_null", F.objectNode().put("key", c.getIsNull().getKey()));
            case HAS_ID -> F.objectNode().set("has_id", ids(c.getHasId().getHasIdList()));
            case FILTER -> filter(c.getFilter());
            case NESTED -> F.objectNode().set("nested", F.objectNode().put("key", c.getNested().getKey())
                    .set("filter", filter(c.getNested().getFilter())));
            case HAS_VECTOR -> F.objectNode().put("has_vector", c.getHasVector().getHasVector());
            case CONDITIONONEOF_NOT_SET -> F.objectNode();
        };
    }

    private static JsonNode field(Common.FieldCondition f) {
        ObjectNode o = F.objectNode().put("key", f.getKey());
        if (f.hasMatch()) {
            o.set("match", match(f.getMatch()));
        } else if (f.hasRange()) {
            Common.Range r = f.getRange();
            o.set("range", bounds(r.hasGt() ? r.getGt() : null, r.hasGte() ? r.getGte() : null, r.hasLt() ? r.getLt() : null,
                    r.hasLte() ? r.getLte() : null, F::numberNode));
        } else if (f.hasDatetimeRange()) {
            Common.DatetimeRange r = f.getDatetimeRange();
            o.set("range", bounds(r.hasGt() ? r.getGt() : null, r.hasGte() ? r.getGte() : null, r.hasLt() ? r.getLt() : null,
                    r.hasLte() ? r.getLte() : null, t -> F.textNode(instant(t))));
        } else if (f.hasValuesCount()) {
            Common.ValuesCount v = f.getValuesCount();
            o.set("values_count", bounds(v.hasGt() ? v.getGt() : null, v.hasGte() ? v.getGte() : null,
                    v.hasLt() ? v.getLt() : null, v.hasLte() ? v.getLte() : null, F::numberNode));
        } else if (f.hasGeoRadius()) {
            o.putObject("geo_radius").put("radius", f.getGeoRadius().getRadius()).set("center", geo(f.getGeoRadius().getCenter()));
        } else if (f.hasGeoBoundingBox()) {
            o.putObject("geo_bounding_box").setAll(Map.of("top_left", geo(f.getGeoBoundingBox().getTopLeft()),
                    "bottom_right", geo(f.getGeoBoundingBox().getBottomRight())));
        } else if (f.hasGeoPolygon()) {
            ObjectNode p = o.putObject("geo_polygon");
            p.set("exterior", ring(f.getGeoPolygon().getExterior()));
            ArrayNode holes = p.putArray("interiors");
            f.getGeoPolygon().getInteriorsList().forEach(r -> holes.add(ring(r)));
        } else if (f.hasIsEmpty() && f.getIsEmpty()) {
            return F.objectNode().set("is_empty", F.objectNode().put("key", f.getKey()));
        } else if (f.hasIsNull() && f.getIsNull()) {
            return F.objectNode().set("is_null", F.objectNode().put("key", f.getKey()));
        }
        return o;
    }

    /** {@code {"gt", "gte", "lt", "lte"}} with the bounds that are set. */
    private static <T> ObjectNode bounds(T gt, T gte, T lt, T lte, java.util.function.Function<T, JsonNode> node) {
        ObjectNode b = F.objectNode();
        if (gt != null) {
            b.set("gt", node.apply(gt));
        }
        if (gte != null) {
            b.set("gte", node.apply(gte));
        }
        if (lt != null) {
            b.set("lt", node.apply(lt));
        }
        if (lte != null) {
            b.set("lte", node.apply(lte));
        }
        return b;
    }

    private static String instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
    }

    private static ObjectNode geo(Common.GeoPoint p) {
        return F.objectNode().put("lon", p.getLon()).put("lat", p.getLat());
    }

    private static ObjectNode ring(Common.GeoLineString r) {
        ArrayNode points = F.arrayNode();
        r.getPointsList().forEach(p -> points.add(geo(p)));
        return F.objectNode().set("points", points);
    }

    private static JsonNode match(Common.Match m) {
        ObjectNode o = F.objectNode();
        switch (m.getMatchValueCase()) {
            case KEYWORD -> o.put("value", m.getKeyword());
            case INTEGER -> o.put("value", m.getInteger());
            case BOOLEAN -> o.put("value", m.getBoolean());
            case TEXT -> o.put("text", m.getText());
            case PHRASE -> o.put("phrase", m.getPhrase());
            case KEYWORDS -> o.set("any", strings(m.getKeywords().getStringsList()));
            case INTEGERS -> o.set("any", longs(m.getIntegers().getIntegersList()));
            case EXCEPT_KEYWORDS -> o.set("except", strings(m.getExceptKeywords().getStringsList()));
            case EXCEPT_INTEGERS -> o.set("except", longs(m.getExceptIntegers().getIntegersList()));
            case TEXT_ANY -> throw new IllegalArgumentException("match.text_any is not supported");
            case MATCHVALUE_NOT_SET -> { }
        }
        return o;
    }

    private static ArrayNode longs(List<Long> values) {
        ArrayNode a = F.arrayNode();
        values.forEach(a::add);
        return a;
    }

    // ---- queries ------------------------------------------------------------------------------

    /** The query API's {@code query} object. */
    static JsonNode query(Points.Query q) {
        return switch (q.getVariantCase()) {
            case NEAREST -> F.objectNode().set("nearest", input(q.getNearest(), "query.nearest"));
            case NEAREST_WITH_MMR -> {
                ObjectNode o = F.objectNode();
                o.set("nearest", input(q.getNearestWithMmr().getNearest(), "query.nearest"));
                ObjectNode mmr = o.putObject("mmr");
                Points.Mmr m = q.getNearestWithMmr().getMmr();
                if (m.hasDiversity()) {
                    mmr.put("diversity", m.getDiversity());
                }
                if (m.hasCandidatesLimit()) {
                    mmr.put("candidates_limit", m.getCandidatesLimit());
                }
                yield o;
            }
            case RECOMMEND -> F.objectNode().set("recommend", recommend(q.getRecommend().getPositiveList(),
                    q.getRecommend().getNegativeList(), q.getRecommend().hasStrategy() ? q.getRecommend().getStrategy() : null));
            case DISCOVER -> {
                ObjectNode d = F.objectNode();
                d.set("target", input(q.getDiscover().getTarget(), "query.discover.target"));
                d.set("context", pairs(q.getDiscover().getContext().getPairsList()));
                yield F.objectNode().set("discover", d);
            }
            case CONTEXT -> F.objectNode().set("context", pairs(q.getContext().getPairsList()));
            case ORDER_BY -> F.objectNode().set("order_by", orderBy(q.getOrderBy()));
            case FUSION -> F.objectNode().put("fusion", q.getFusion() == Points.Fusion.DBSF ? "dbsf" : "rrf");
            case RRF -> {
                ObjectNode r = F.objectNode();
                if (q.getRrf().hasK()) {
                    r.put("k", q.getRrf().getK());
                }
                yield F.objectNode().set("rrf", r);
            }
            case SAMPLE -> F.objectNode().put("sample", "random");
            case FORMULA -> F.objectNode().set("formula", F.objectNode());
            case VARIANT_NOT_SET -> F.nullNode();
        };
    }

    static ObjectNode recommend(List<Points.VectorInput> pos, List<Points.VectorInput> neg, Points.RecommendStrategy strategy) {
        ObjectNode r = F.objectNode();
        ArrayNode p = r.putArray("positive");
        for (int i = 0; i < pos.size(); i++) {
            p.add(input(pos.get(i), "positive[" + i + "]"));
        }
        ArrayNode n = r.putArray("negative");
        for (int i = 0; i < neg.size(); i++) {
            n.add(input(neg.get(i), "negative[" + i + "]"));
        }
        if (strategy != null) {
            r.put("strategy", strategy(strategy));
        }
        return r;
    }

    static String strategy(Points.RecommendStrategy s) {
        return switch (s) {
            case BestScore -> "best_score";
            case SumScores -> "sum_scores";
            default -> "average_vector";
        };
    }

    private static ArrayNode pairs(List<Points.ContextInputPair> pairs) {
        ArrayNode a = F.arrayNode();
        for (int i = 0; i < pairs.size(); i++) {
            a.add(F.objectNode().<ObjectNode>set("positive", input(pairs.get(i).getPositive(), "context[" + i + "].positive"))
                    .set("negative", input(pairs.get(i).getNegative(), "context[" + i + "].negative")));
        }
        return a;
    }

    /** Older discover requests' context: pairs of examples. */
    static ArrayNode examplePairs(List<Points.ContextExamplePair> pairs) {
        ArrayNode a = F.arrayNode();
        for (int i = 0; i < pairs.size(); i++) {
            a.add(F.objectNode().<ObjectNode>set("positive", example(pairs.get(i).getPositive(), "context[" + i + "].positive"))
                    .set("negative", example(pairs.get(i).getNegative(), "context[" + i + "].negative")));
        }
        return a;
    }

    static JsonNode target(Points.TargetVector t) {
        return t.getTargetCase() == Points.TargetVector.TargetCase.SINGLE ? example(t.getSingle(), "target") : F.nullNode();
    }

    static ObjectNode orderBy(Points.OrderBy o) {
        ObjectNode n = F.objectNode().put("key", o.getKey());
        if (o.hasDirection()) {
            n.put("direction", o.getDirection() == Points.Direction.Desc ? "desc" : "asc");
        }
        if (o.hasStartFrom()) {
            Points.StartFrom s = o.getStartFrom();
            switch (s.getValueCase()) {
                case FLOAT -> n.put("start_from", s.getFloat());
                case INTEGER -> n.put("start_from", s.getInteger());
                case TIMESTAMP -> n.put("start_from", instant(s.getTimestamp()));
                case DATETIME -> n.put("start_from", s.getDatetime());
                case VALUE_NOT_SET -> { }
            }
        }
        return n;
    }

    /** A prefetch stage as REST writes it. */
    static ObjectNode prefetch(Points.PrefetchQuery p) {
        ObjectNode o = F.objectNode();
        if (p.getPrefetchCount() > 0) {
            ArrayNode a = o.putArray("prefetch");
            p.getPrefetchList().forEach(x -> a.add(prefetch(x)));
        }
        if (p.hasQuery()) {
            o.set("query", query(p.getQuery()));
        }
        if (p.hasUsing()) {
            o.put("using", p.getUsing());
        }
        if (p.hasFilter()) {
            o.set("filter", filter(p.getFilter()));
        }
        if (p.hasParams()) {
            o.set("params", params(p.getParams()));
        }
        if (p.hasScoreThreshold()) {
            o.put("score_threshold", p.getScoreThreshold());
        }
        if (p.hasLimit()) {
            o.put("limit", p.getLimit());
        }
        if (p.hasLookupFrom()) {
            o.put("lookup_from", p.getLookupFrom().getCollectionName());
        }
        return o;
    }
}
