package io.vectorflow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.core.quant.QuantizationSpec;
import io.vectorflow.engine.Json;
import io.vectorflow.engine.QuantizationParams;
import java.util.List;
import java.util.Set;

/**
 * Quantization in Qdrant's JSON shapes, read and written in one place for REST and for the gRPC
 * requests written as REST's JSON: a collection's {@code quantization_config}
 * ({@code {"scalar": {"type": "int8", "quantile", "always_ram"}}}, {@code {"binary": {"always_ram"}}},
 * {@code {"product": {"compression": "x16", "always_ram"}}},
 * or {@code "Disabled"} in an update) and a search's {@code params.quantization}
 * ({@code ignore}, {@code rescore}, {@code oversampling}).
 */
final class QuantizationJson {

    /** What a {@code quantization_config} asks for: no change, none, or a spec. */
    record Setting(boolean given, QuantizationSpec spec) {
        static final Setting UNCHANGED = new Setting(false, null);
    }

    private QuantizationJson() {}

    /** Reads {@code body.quantization_config} (absent: {@link Setting#UNCHANGED}). */
    static Setting setting(Body body, List<String> warnings) {
        JsonNode q = body.get("quantization_config");
        String path = body.path("quantization_config");
        if (q == null) {
            return Setting.UNCHANGED;
        }
        if (q.isTextual() && q.textValue().equalsIgnoreCase("disabled")) {
            return new Setting(true, null);
        }
        Body b = Body.of(q, path).check(Set.of("scalar", "binary", "product"), Set.of(), null);
        if (b.node().size() != 1) {
            throw ApiException.badRequest(path + " must hold exactly one of scalar, binary or product, or be \"Disabled\"");
        }
        try {
            if (b.has("product")) {
                Body p = b.object("product").check(Set.of("compression", "always_ram"), Set.of(), null);
                String ratio = p.string("compression", "x" + QuantizationSpec.DEFAULT_COMPRESSION);
                int compression = switch (ratio.toLowerCase(java.util.Locale.ROOT)) {
                    case "x4" -> 4;
                    case "x8" -> 8;
                    case "x16" -> 16;
                    case "x32" -> 32;
                    case "x64" -> 64;
                    default -> throw ApiException.badRequest(p.path("compression") + " must be x4, x8, x16, x32 or x64, got \""
                            + ratio + "\"");
                };
                return new Setting(true, new QuantizationSpec(QuantizationSpec.Scheme.PRODUCT, QuantizationSpec.DEFAULT_QUANTILE,
                        p.bool("always_ram", true), compression));
            }
            if (b.has("scalar")) {
                Body s = b.object("scalar").check(Set.of("type", "quantile", "always_ram"), Set.of(), null);
                String type = s.string("type", "int8");
                if (!type.equalsIgnoreCase("int8")) {
                    throw ApiException.badRequest(s.path("type") + " must be \"int8\", got \"" + type + "\"");
                }
                double quantile = s.number("quantile", QuantizationSpec.DEFAULT_QUANTILE);
                if (!(quantile > 0.5 && quantile <= 1)) {
                    throw ApiException.badRequest(s.path("quantile") + " must be in (0.5, 1], got " + quantile);
                }
                return new Setting(true, new QuantizationSpec(QuantizationSpec.Scheme.INT8, (float) quantile, s.bool("always_ram", true)));
            }
            Body s = b.object("binary").check(Set.of("always_ram", "encoding"), Set.of("query_encoding"), warnings);
            String encoding = s.string("encoding", "one_bit");
            if (!encoding.equalsIgnoreCase("one_bit")) {
                throw ApiException.badRequest(s.path("encoding") + " must be \"one_bit\", got \"" + encoding + "\"");
            }
            return new Setting(true, new QuantizationSpec(QuantizationSpec.Scheme.BINARY, QuantizationSpec.DEFAULT_QUANTILE,
                    s.bool("always_ram", true)));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(path + ": " + e.getMessage());
        }
    }

    /** The {@code quantization_config} a collection reports: null for none. */
    static JsonNode echo(QuantizationSpec spec) {
        if (spec == null) {
            return Json.MAPPER.nullNode();
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        if (spec.scheme() == QuantizationSpec.Scheme.INT8) {
            o.putObject("scalar").put("type", "int8").put("quantile", spec.quantile()).put("always_ram", spec.alwaysRam());
        } else if (spec.scheme() == QuantizationSpec.Scheme.PRODUCT) {
            o.putObject("product").put("compression", "x" + spec.compression()).put("always_ram", spec.alwaysRam());
        } else {
            o.putObject("binary").put("always_ram", spec.alwaysRam()).put("encoding", "one_bit");
        }
        return o;
    }

    /** A search's {@code params.quantization} (absent: the defaults). */
    static QuantizationParams params(Body params) {
        if (!params.has("quantization")) {
            return QuantizationParams.DEFAULT;
        }
        Body q = params.object("quantization").check(Set.of("ignore", "rescore", "oversampling"));
        double oversampling = q.number("oversampling", 1.0);
        if (!(oversampling >= 1 && oversampling <= QuantizationParams.MAX_OVERSAMPLING)) {
            throw ApiException.badRequest(q.path("oversampling") + " must be between 1 and "
                    + (int) QuantizationParams.MAX_OVERSAMPLING + ", got " + oversampling);
        }
        return new QuantizationParams(q.bool("ignore", false), q.bool("rescore", true), oversampling);
    }
}
