package io.vectorflow.engine;

import io.vectorflow.storage.PointId;
import java.util.List;

/**
 * One page of points in id order.
 *
 * @param nextOffset the id to pass as the next page's offset, or null at the end
 */
public record ScrollPage(List<Record> points, PointId nextOffset) {}
