package io.vectorflow.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.qdrant.client.grpc.QdrantGrpc;
import io.qdrant.client.grpc.QdrantOuterClass;
import io.qdrant.client.grpc.SnapshotsGrpc;
import io.qdrant.client.grpc.SnapshotsService;
import io.vectorflow.engine.Collection;
import io.vectorflow.engine.CollectionConfig;
import io.vectorflow.engine.VectorsConfig;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.index.FieldType;
import java.util.Map;

/**
 * Qdrant's {@code qdrant.Collections} gRPC service: create, list, info, update, delete, exists
 * and aliases. Create, update and alias requests are written as REST's JSON and handled by
 * {@link CollectionsApi}, so the checks and their messages are the same on both protocols.
 */
final class QdrantCollectionsService extends CollectionsGrpc.CollectionsImplBase {

    private final Database db;
    private final GrpcCalls calls;
    private final CollectionsApi rest;

    QdrantCollectionsService(Database db, GrpcCalls calls, CollectionsApi rest) {
        this.db = db;
        this.calls = calls;
        this.rest = rest;
    }

    private static ObjectNode json() {
        return Json.MAPPER.createObjectNode();
    }

    private static Collections.CollectionOperationResponse done(boolean result, long start) {
        return Collections.CollectionOperationResponse.newBuilder().setResult(result).setTime(QdrantAnswers.seconds(start)).build();
    }

    @Override
    public void create(Collections.CreateCollection r, StreamObserver<Collections.CollectionOperationResponse> out) {
        calls.write(r, out, () -> {
            long start = System.nanoTime();
            ObjectNode body = json();
            if (r.hasVectorsConfig()) {
                body.set("vectors", vectors(r.getVectorsConfig()));
            }
            if (r.hasHnswConfig()) {
                body.set("hnsw_config", hnsw(r.getHnswConfig()));
            }
            if (r.hasOptimizersConfig()) {
                body.set("optimizers_config", optimizers(r.getOptimizersConfig()));
            }
            if (r.hasQuantizationConfig()) {
                body.set("quantization_config", quantization(r.getQuantizationConfig()));
            }
            if (r.hasSparseVectorsConfig()) {
                ObjectNode sparse = body.putObject("sparse_vectors");
                r.getSparseVectorsConfig().getMapMap().forEach((name, p) -> sparse.putObject(name)
                        .put("modifier", p.getModifier() == Collections.Modifier.Idf ? "idf" : "none"));
            }
            rest.create(r.getCollectionName(), Body.of(body, ""));
            return done(true, start);
        });
    }

    private static ObjectNode vectors(Collections.VectorsConfig v) {
        return switch (v.getConfigCase()) {
            case PARAMS -> params(v.getParams());
            case PARAMS_MAP -> {
                ObjectNode o = json();
                v.getParamsMap().getMapMap().forEach((name, p) -> o.set(name, params(p)));
                yield o;
            }
            case CONFIG_NOT_SET -> json();
        };
    }

    private static ObjectNode params(Collections.VectorParams p) {
        ObjectNode o = json().put("size", p.getSize());
        if (p.getDistance() != Collections.Distance.UnknownDistance) {
            o.put("distance", p.getDistance().name());
        }
        if (p.hasOnDisk()) {
            o.put("on_disk", p.getOnDisk());
        }
        if (p.hasHnswConfig()) {
            o.set("hnsw_config", hnsw(p.getHnswConfig()));
        }
        if (p.hasMultivectorConfig()) {
            o.putObject("multivector_config");
        }
        if (p.hasDatatype() && p.getDatatype() != Collections.Datatype.Default && p.getDatatype() != Collections.Datatype.Float32) {
            o.put("datatype", p.getDatatype().name().toLowerCase());
        }
        return o;
    }

    /** A collection's quantization, as REST's {@code quantization_config} (which checks it). */
    private static com.fasterxml.jackson.databind.JsonNode quantization(Collections.QuantizationConfig q) {
        ObjectNode o = json();
        switch (q.getQuantizationCase()) {
            case SCALAR -> {
                ObjectNode s = o.putObject("scalar");
                s.put("type", q.getScalar().getType() == Collections.QuantizationType.Int8 ? "int8"
                        : q.getScalar().getType().name().toLowerCase());
                if (q.getScalar().hasQuantile()) {
                    s.put("quantile", q.getScalar().getQuantile());
                }
                if (q.getScalar().hasAlwaysRam()) {
                    s.put("always_ram", q.getScalar().getAlwaysRam());
                }
            }
            case BINARY -> {
                ObjectNode b = o.putObject("binary");
                if (q.getBinary().hasAlwaysRam()) {
                    b.put("always_ram", q.getBinary().getAlwaysRam());
                }
                if (q.getBinary().hasEncoding()) {
                    b.put("encoding", switch (q.getBinary().getEncoding()) {
                        case OneBit -> "one_bit";
                        case TwoBits -> "two_bits";
                        case OneAndHalfBits -> "one_and_half_bits";
                        default -> q.getBinary().getEncoding().name();
                    });
                }
            }
            case PRODUCT -> {
                ObjectNode p = o.putObject("product").put("compression", q.getProduct().getCompression().name());
                if (q.getProduct().hasAlwaysRam()) {
                    p.put("always_ram", q.getProduct().getAlwaysRam());
                }
            }
            case QUANTIZATION_NOT_SET -> { }
        }
        return o;
    }

    /** An update's quantization: one of the configs above, or {@code "Disabled"}. */
    private static com.fasterxml.jackson.databind.JsonNode quantization(Collections.QuantizationConfigDiff d) {
        return switch (d.getQuantizationCase()) {
            case SCALAR -> quantization(Collections.QuantizationConfig.newBuilder().setScalar(d.getScalar()).build());
            case BINARY -> quantization(Collections.QuantizationConfig.newBuilder().setBinary(d.getBinary()).build());
            case PRODUCT -> quantization(Collections.QuantizationConfig.newBuilder().setProduct(d.getProduct()).build());
            case DISABLED -> com.fasterxml.jackson.databind.node.TextNode.valueOf("Disabled");
            case QUANTIZATION_NOT_SET -> json();
        };
    }

    /** The quantization a collection reports, in Qdrant's message. */
    private static Collections.QuantizationConfig quantization(io.vectorflow.core.quant.QuantizationSpec spec) {
        if (spec.scheme() == io.vectorflow.core.quant.QuantizationSpec.Scheme.PRODUCT) {
            return Collections.QuantizationConfig.newBuilder().setProduct(Collections.ProductQuantization.newBuilder()
                    .setCompression(Collections.CompressionRatio.valueOf("x" + spec.compression()))
                    .setAlwaysRam(spec.alwaysRam())).build();
        }
        return spec.scheme() == io.vectorflow.core.quant.QuantizationSpec.Scheme.INT8
                ? Collections.QuantizationConfig.newBuilder().setScalar(Collections.ScalarQuantization.newBuilder()
                        .setType(Collections.QuantizationType.Int8).setQuantile(spec.quantile()).setAlwaysRam(spec.alwaysRam())).build()
                : Collections.QuantizationConfig.newBuilder().setBinary(Collections.BinaryQuantization.newBuilder()
                        .setAlwaysRam(spec.alwaysRam()).setEncoding(Collections.BinaryQuantizationEncoding.OneBit)).build();
    }

    private static ObjectNode hnsw(Collections.HnswConfigDiff h) {
        ObjectNode o = json();
        if (h.hasM()) {
            o.put("m", h.getM());
        }
        if (h.hasEfConstruct()) {
            o.put("ef_construct", h.getEfConstruct());
        }
        return o;
    }

    private static ObjectNode optimizers(Collections.OptimizersConfigDiff c) {
        ObjectNode o = json();
        if (c.hasMaxSegmentSize()) {
            o.put("max_segment_size", c.getMaxSegmentSize());
        }
        if (c.hasIndexingThreshold()) {
            o.put("indexing_threshold", c.getIndexingThreshold());
        }
        return o;
    }

    @Override
    public void update(Collections.UpdateCollection r, StreamObserver<Collections.CollectionOperationResponse> out) {
        calls.write(r, out, () -> {
            long start = System.nanoTime();
            ObjectNode body = json();
            if (r.hasHnswConfig()) {
                body.set("hnsw_config", hnsw(r.getHnswConfig()));
            }
            if (r.hasOptimizersConfig()) {
                body.set("optimizers_config", optimizers(r.getOptimizersConfig()));
            }
            if (r.hasQuantizationConfig()) {
                body.set("quantization_config", quantization(r.getQuantizationConfig()));
            }
            if (r.hasVectorsConfig() && r.getVectorsConfig().hasParams() && r.getVectorsConfig().getParams().hasOnDisk()) {
                body.putObject("vectors").put("on_disk", r.getVectorsConfig().getParams().getOnDisk());
            }
            if (r.hasVectorsConfig() && r.getVectorsConfig().hasParamsMap()) {
                ObjectNode named = body.putObject("vectors");
                r.getVectorsConfig().getParamsMap().getMapMap().forEach((name, diff) -> {
                    ObjectNode one = named.putObject(name);
                    if (diff.hasOnDisk()) {
                        one.put("on_disk", diff.getOnDisk());
                    }
                    if (diff.hasHnswConfig()) {
                        one.set("hnsw_config", hnsw(diff.getHnswConfig()));
                    }
                });
            }
            rest.update(r.getCollectionName(), Body.of(body, ""));
            return done(true, start);
        });
    }

    @Override
    public void get(Collections.GetCollectionInfoRequest r, StreamObserver<Collections.GetCollectionInfoResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            return Collections.GetCollectionInfoResponse.newBuilder().setResult(info(db().collection(r.getCollectionName())))
                    .setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    private static Collections.CollectionInfo info(Collection c) {
        CollectionConfig cfg = c.config();
        long points = c.count(null);
        int unindexed = c.store().unindexedPoints();
        String distance = CollectionsApi.apiDistance(cfg.metric());
        Collections.VectorsConfig.Builder vectors = Collections.VectorsConfig.newBuilder();
        Collections.SparseVectorConfig.Builder sparse = Collections.SparseVectorConfig.newBuilder();
        if (cfg.vectors() == null) {
            vectors.setParams(Collections.VectorParams.newBuilder().setSize(cfg.dimension())
                    .setDistance(Collections.Distance.valueOf(distance)).setOnDisk(cfg.onDisk()));
        } else {
            Collections.VectorParamsMap.Builder map = Collections.VectorParamsMap.newBuilder();
            for (int slot = 0; slot < cfg.vectors().dense().size(); slot++) {
                VectorsConfig.Dense d = cfg.vectors().dense().get(slot);
                Collections.VectorParams.Builder one = Collections.VectorParams.newBuilder().setSize(d.size())
                        .setDistance(Collections.Distance.valueOf(CollectionsApi.apiDistance(d.distance())))
                        .setOnDisk(cfg.onDiskOf(slot));
                if (d.m() != null || d.efConstruct() != null) {
                    one.setHnswConfig(Collections.HnswConfigDiff.newBuilder().setM(cfg.hnswOf(slot).m())
                            .setEfConstruct(cfg.hnswOf(slot).efConstruction()));
                }
                map.putMap(d.name(), one.build());
            }
            vectors.setParamsMap(map);
            for (VectorsConfig.Sparse d : cfg.vectors().sparse()) {
                sparse.putMap(d.name(), Collections.SparseVectorParams.newBuilder()
                        .setModifier(d.idf() ? Collections.Modifier.Idf : Collections.Modifier.None).build());
            }
        }
        Collections.CollectionInfo.Builder b = Collections.CollectionInfo.newBuilder()
                .setStatus(c.readOnlyReason() != null ? Collections.CollectionStatus.Red
                        : unindexed > 0 ? Collections.CollectionStatus.Yellow : Collections.CollectionStatus.Green)
                .setOptimizerStatus(Collections.OptimizerStatus.newBuilder().setOk(c.readOnlyReason() == null)
                        .setError(c.readOnlyReason() == null ? "" : c.readOnlyReason()))
                .setSegmentsCount(c.segmentCount()).setPointsCount(points).setIndexedVectorsCount(Math.max(0, points - unindexed))
                .setConfig(Collections.CollectionConfig.newBuilder()
                        .setParams(Collections.CollectionParams.newBuilder().setShardNumber(1).setOnDiskPayload(true)
                                .setReplicationFactor(1).setWriteConsistencyFactor(1)
                                .setVectorsConfig(vectors).setSparseVectorsConfig(sparse))
                        // Every field Qdrant fills, as the REST answer has them: clients convert these into
                        // their REST models, whose fields are required.
                        .setHnswConfig(Collections.HnswConfigDiff.newBuilder().setM(cfg.m()).setEfConstruct(cfg.efConstruction())
                                .setFullScanThreshold(10_000).setMaxIndexingThreads(0).setOnDisk(cfg.onDisk()))
                        .setOptimizerConfig(Collections.OptimizersConfigDiff.newBuilder().setDeletedThreshold(0.33)
                                .setVacuumMinVectorNumber(1000).setDefaultSegmentNumber(0)
                                .setMaxSegmentSize((long) cfg.segmentCapacity() * 4 * cfg.vectorDimensions() / 1024)
                                .setIndexingThreshold(cfg.indexingThresholdKb()).setFlushIntervalSec(0)
                                .setMaxOptimizationThreads(Collections.MaxOptimizationThreads.newBuilder().setValue(1)))
                        .setWalConfig(Collections.WalConfigDiff.newBuilder().setWalCapacityMb(32).setWalSegmentsAhead(0)));
        if (cfg.quantization() != null) {
            b.getConfigBuilder().setQuantizationConfig(quantization(cfg.quantization()));
        }
        c.payloadSchema().forEach((field, type) -> b.putPayloadSchema(field, Collections.PayloadSchemaInfo.newBuilder()
                .setDataType(schemaType(type)).setPoints(c.payloadIndexPoints(field)).build()));
        return b.build();
    }

    private static Collections.PayloadSchemaType schemaType(FieldType t) {
        return switch (t) {
            case KEYWORD -> Collections.PayloadSchemaType.Keyword;
            case INTEGER -> Collections.PayloadSchemaType.Integer;
            case FLOAT -> Collections.PayloadSchemaType.Float;
            case BOOL -> Collections.PayloadSchemaType.Bool;
            case UUID -> Collections.PayloadSchemaType.Uuid;
            case DATETIME -> Collections.PayloadSchemaType.Datetime;
            case TEXT -> Collections.PayloadSchemaType.Text;
            case GEO -> Collections.PayloadSchemaType.Geo;
        };
    }

    @Override
    public void list(Collections.ListCollectionsRequest r, StreamObserver<Collections.ListCollectionsResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            Collections.ListCollectionsResponse.Builder b = Collections.ListCollectionsResponse.newBuilder();
            Security.visible(db().listCollections()).forEach(n -> b.addCollections(Collections.CollectionDescription.newBuilder().setName(n)));
            return b.setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void delete(Collections.DeleteCollection r, StreamObserver<Collections.CollectionOperationResponse> out) {
        calls.write(r, out, () -> {
            long start = System.nanoTime();
            return done(db().dropCollection(r.getCollectionName()), start);
        });
    }

    @Override
    public void collectionExists(Collections.CollectionExistsRequest r, StreamObserver<Collections.CollectionExistsResponse> out) {
        calls.read(r, out, () -> {
            long start = System.nanoTime();
            io.vectorflow.storage.Names.collection(r.getCollectionName());
            return Collections.CollectionExistsResponse.newBuilder().setResult(Collections.CollectionExists.newBuilder()
                    .setExists(db().listCollections().contains(r.getCollectionName()))).setTime(QdrantAnswers.seconds(start)).build();
        });
    }

    @Override
    public void updateAliases(Collections.ChangeAliases r, StreamObserver<Collections.CollectionOperationResponse> out) {
        calls.write(r, out, () -> {
            long start = System.nanoTime();
            ObjectNode body = json();
            var actions = body.putArray("actions");
            for (Collections.AliasOperations a : r.getActionsList()) {
                switch (a.getActionCase()) {
                    case CREATE_ALIAS -> actions.addObject().putObject("create_alias")
                            .put("collection_name", a.getCreateAlias().getCollectionName()).put("alias_name", a.getCreateAlias().getAliasName());
                    case DELETE_ALIAS -> actions.addObject().putObject("delete_alias").put("alias_name", a.getDeleteAlias().getAliasName());
                    case RENAME_ALIAS -> actions.addObject().putObject("rename_alias")
                            .put("old_alias_name", a.getRenameAlias().getOldAliasName())
                            .put("new_alias_name", a.getRenameAlias().getNewAliasName());
                    case ACTION_NOT_SET -> actions.addObject();
                }
            }
            rest.updateAliases(Body.of(body, ""));
            return done(true, start);
        });
    }

    @Override
    public void listAliases(Collections.ListAliasesRequest r, StreamObserver<Collections.ListAliasesResponse> out) {
        calls.read(r, out, () -> aliases(Security.visibleAliases(db().aliases().all()), System.nanoTime()));
    }

    @Override
    public void listCollectionAliases(Collections.ListCollectionAliasesRequest r, StreamObserver<Collections.ListAliasesResponse> out) {
        calls.read(r, out, () -> {
            String name = db().collection(r.getCollectionName()).name();
            Map<String, String> of = new java.util.TreeMap<>();
            db().aliases().of(name).forEach(a -> of.put(a, name));
            return aliases(of, System.nanoTime());
        });
    }

    private static Collections.ListAliasesResponse aliases(Map<String, String> aliases, long start) {
        Collections.ListAliasesResponse.Builder b = Collections.ListAliasesResponse.newBuilder();
        aliases.forEach((a, c) -> b.addAliases(Collections.AliasDescription.newBuilder().setAliasName(a).setCollectionName(c)));
        return b.setTime(QdrantAnswers.seconds(start)).build();
    }

    /** {@code qdrant.Qdrant}: the health check clients call when they connect, with the Qdrant version the protocol follows. */
    static final class Health extends QdrantGrpc.QdrantImplBase {
        @Override
        public void healthCheck(QdrantOuterClass.HealthCheckRequest r, StreamObserver<QdrantOuterClass.HealthCheckReply> out) {
            out.onNext(QdrantOuterClass.HealthCheckReply.newBuilder().setTitle("vectorflow - vector search engine (Qdrant gRPC API "
                    + VectorFlowServer.QDRANT_GRPC_API_VERSION + ")").setVersion(VectorFlowServer.QDRANT_GRPC_API_VERSION).build());
            out.onCompleted();
        }
    }

    /** {@code qdrant.Snapshots}: collection snapshots (create, list, delete). */
    static final class Snapshots extends SnapshotsGrpc.SnapshotsImplBase {
        private final Database db;
        private final GrpcCalls calls;

        Snapshots(Database db, GrpcCalls calls) {
            this.db = db;
            this.calls = calls;
        }

        private Database db() {
            return Security.db(db);
        }

        private static SnapshotsService.SnapshotDescription describe(java.nio.file.Path file) {
            try {
                var time = java.nio.file.Files.getLastModifiedTime(file).toInstant();
                return SnapshotsService.SnapshotDescription.newBuilder().setName(file.getFileName().toString())
                        .setSize(java.nio.file.Files.size(file))
                        .setCreationTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(time.getEpochSecond())
                                .setNanos(time.getNano())).build();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void create(SnapshotsService.CreateSnapshotRequest r, StreamObserver<SnapshotsService.CreateSnapshotResponse> out) {
            calls.write(r, out, () -> {
                long start = System.nanoTime();
                return SnapshotsService.CreateSnapshotResponse.newBuilder().setSnapshotDescription(describe(
                        db().createSnapshot(r.getCollectionName(), SnapshotsApi.newName(r.getCollectionName()))))
                        .setTime(QdrantAnswers.seconds(start)).build();
            });
        }

        @Override
        public void list(SnapshotsService.ListSnapshotsRequest r, StreamObserver<SnapshotsService.ListSnapshotsResponse> out) {
            calls.read(r, out, () -> {
                long start = System.nanoTime();
                db().collection(r.getCollectionName());
                SnapshotsService.ListSnapshotsResponse.Builder b = SnapshotsService.ListSnapshotsResponse.newBuilder();
                db().listSnapshots(r.getCollectionName()).forEach(n -> b.addSnapshotDescriptions(describe(
                        db().snapshotFile(r.getCollectionName(), n))));
                return b.setTime(QdrantAnswers.seconds(start)).build();
            });
        }

        @Override
        public void delete(SnapshotsService.DeleteSnapshotRequest r, StreamObserver<SnapshotsService.DeleteSnapshotResponse> out) {
            calls.write(r, out, () -> {
                long start = System.nanoTime();
                db().deleteSnapshot(r.getCollectionName(), SnapshotsApi.strip(r.getSnapshotName()));
                return SnapshotsService.DeleteSnapshotResponse.newBuilder().setTime(QdrantAnswers.seconds(start)).build();
            });
        }
    }

    /** The collections of the tenant the request being served acts for. */
    private Database db() {
        return Security.db(db);
    }
}
