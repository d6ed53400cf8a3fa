"""Answers: points with their scores and payloads, one list per query vector."""

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Union

PointId = Union[int, str]


@dataclass(frozen=True)
class Record:
    """A stored point: its id, payload and (when asked for) vector."""

    id: PointId
    payload: Optional[Dict[str, Any]] = None
    vector: Optional[Any] = None


@dataclass(frozen=True)
class ScoredPoint:
    """A search hit: higher scores are closer for cosine and dot, lower for Euclid and Manhattan."""

    id: PointId
    score: float
    payload: Optional[Dict[str, Any]] = None
    vector: Optional[Any] = None


class SearchResults(list):
    """The hits of one query vector, best first, with the server's ``performance`` of its request."""

    def __init__(self, hits: List[ScoredPoint], performance: Optional[Dict[str, Any]] = None):
        super().__init__(hits)
        self.performance: Dict[str, Any] = performance or {}


class SearchBatch(list):
    """The answers of several query vectors: one ``SearchResults`` per query, in their order."""

    def ids(self):
        """Ids, one row per query (a numpy array when numpy is installed and every row is as long)."""
        return _array([[h.id for h in r] for r in self])

    def scores(self):
        """Scores, one row per query (a numpy float32 array when numpy is installed and every row is as long)."""
        return _array([[h.score for h in r] for r in self], "float32")


def _array(rows, dtype=None):
    try:
        import numpy as np  # optional
    except ImportError:
        return rows
    if rows and len({len(r) for r in rows}) == 1:
        return np.array(rows, dtype=dtype) if dtype else np.array(rows)
    return rows
