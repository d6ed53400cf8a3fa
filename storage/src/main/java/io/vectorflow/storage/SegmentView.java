package io.vectorflow.storage;

import io.vectorflow.storage.segment.MutableSegment;
import io.vectorflow.storage.segment.SealedSegment;
import io.vectorflow.storage.segment.Segment;
import java.util.ArrayList;
import java.util.List;

/**
 * What readers search: the mutable segment, the frozen ones being sealed (newest first) and
 * the sealed ones (newest first).
 */
public record SegmentView(MutableSegment mutable, List<MutableSegment> frozen, List<SealedSegment> sealed) {
    /** Every segment, newest (the mutable one) first. */
    public List<Segment> all() {
        List<Segment> all = new ArrayList<>(sealed.size() + frozen.size() + 1);
        all.add(mutable);
        all.addAll(frozen);
        all.addAll(sealed);
        return all;
    }

    /** The mutable and frozen segments: those whose newest points may not be in their graph yet. */
    List<MutableSegment> inMemory() {
        List<MutableSegment> out = new ArrayList<>(frozen.size() + 1);
        out.add(mutable);
        out.addAll(frozen);
        return out;
    }

    /** The live point with this id in these segments, or null. */
    CollectionStore.Location find(PointId id) {
        for (MutableSegment m : inMemory()) {
            int ord = m.find(id);
            if (ord >= 0) {
                return new CollectionStore.Location(m, ord);
            }
        }
        for (SealedSegment s : sealed()) {
            int ord = s.find(id);
            if (ord >= 0) {
                return new CollectionStore.Location(s, ord);
            }
        }
        return null;
    }

    /** The live point with this id in the mutable segment, or null. */
    CollectionStore.Location findInMutable(PointId id) {
        int ord = mutable().find(id);
        return ord >= 0 ? new CollectionStore.Location(mutable(), ord) : null;
    }
}
