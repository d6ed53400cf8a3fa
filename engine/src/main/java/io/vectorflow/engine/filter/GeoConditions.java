package io.vectorflow.engine.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorflow.storage.PointId;
import java.util.ArrayList;
import java.util.List;

/**
 * Geographic conditions in Qdrant's shape: payload values are points {@code {"lon": x, "lat": y}}
 * in degrees; a condition holds when any point at the key satisfies it.
 */
public final class GeoConditions {

    /** Mean Earth radius in metres, as haversine distances use it. */
    static final double EARTH_RADIUS_M = 6_371_008.8;

    private GeoConditions() {}

    /** A point in degrees. */
    public record Point(double lon, double lat) {
        public Point {
            if (!(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90)) {
                throw new IllegalArgumentException("a geo point needs lon in [-180, 180] and lat in [-90, 90], got (" + lon + ", "
                        + lat + ")");
            }
        }
    }

    /** {@code geo_radius}: within {@code radius} metres of {@code center} (great-circle distance). */
    public record Radius(String key, Point center, double radius) implements Condition {
        public Radius {
            KeyPath.parse(key, "geo_radius.key");
            if (!(radius >= 0) || Double.isInfinite(radius)) {
                throw new IllegalArgumentException("geo_radius.radius must be a non-negative number of metres");
            }
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            for (Point p : points(payload, key)) {
                if (distanceMetres(center, p) <= radius) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code geo_bounding_box}: inside the box (a box whose left edge is east of its right crosses the antimeridian). */
    public record BoundingBox(String key, Point topLeft, Point bottomRight) implements Condition {
        public BoundingBox {
            KeyPath.parse(key, "geo_bounding_box.key");
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            for (Point p : points(payload, key)) {
                boolean lat = p.lat() <= topLeft.lat() && p.lat() >= bottomRight.lat();
                boolean lon = topLeft.lon() <= bottomRight.lon() ? p.lon() >= topLeft.lon() && p.lon() <= bottomRight.lon()
                        : p.lon() >= topLeft.lon() || p.lon() <= bottomRight.lon();
                if (lat && lon) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code geo_polygon}: inside the exterior ring and outside every interior ring (holes). */
    public record Polygon(String key, List<Point> exterior, List<List<Point>> interiors) implements Condition {
        public Polygon {
            KeyPath.parse(key, "geo_polygon.key");
            exterior = List.copyOf(exterior);
            interiors = interiors.stream().map(List::copyOf).toList();
            if (exterior.size() < 4 || !exterior.getFirst().equals(exterior.getLast())) {
                throw new IllegalArgumentException("geo_polygon.exterior.points must be a closed ring of at least 4 points"
                        + " (the first equal to the last)");
            }
        }

        @Override
        public boolean test(PointId id, JsonNode payload) {
            for (Point p : points(payload, key)) {
                if (inside(exterior, p) && interiors.stream().noneMatch(ring -> inside(ring, p))) {
                    return true;
                }
            }
            return false;
        }

        /** Ray casting in the lon/lat plane. */
        private static boolean inside(List<Point> ring, Point p) {
            boolean in = false;
            for (int i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
                Point a = ring.get(i);
                Point b = ring.get(j);
                if ((a.lat() > p.lat()) != (b.lat() > p.lat())
                        && p.lon() < (b.lon() - a.lon()) * (p.lat() - a.lat()) / (b.lat() - a.lat()) + a.lon()) {
                    in = !in;
                }
            }
            return in;
        }
    }

    /** Great-circle distance by the haversine formula. */
    static double distanceMetres(Point a, Point b) {
        double dLat = Math.toRadians(b.lat() - a.lat());
        double dLon = Math.toRadians(b.lon() - a.lon());
        double h = Math.pow(Math.sin(dLat / 2), 2)
                + Math.cos(Math.toRadians(a.lat())) * Math.cos(Math.toRadians(b.lat())) * Math.pow(Math.sin(dLon / 2), 2);
        return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    /** The geo points at {@code key}; values that are not {@code {lon, lat}} objects are skipped. */
    static List<Point> points(JsonNode payload, String key) {
        List<JsonNode> values = new ArrayList<>(2);
        Condition.values(payload, KeyPath.parts(key, "geo key"), 0, values);
        List<Point> out = new ArrayList<>(values.size());
        for (JsonNode v : values) {
            JsonNode lon = v.get("lon");
            JsonNode lat = v.get("lat");
            if (lon != null && lat != null && lon.isNumber() && lat.isNumber()
                    && Math.abs(lon.doubleValue()) <= 180 && Math.abs(lat.doubleValue()) <= 90) {
                out.add(new Point(lon.doubleValue(), lat.doubleValue()));
            }
        }
        return out;
    }
}
