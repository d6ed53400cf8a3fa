"""The client: collections, points, searches, scroll, count and snapshots over REST."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

from .models import PointId, Record, ScoredPoint, SearchBatch, SearchResults
from .transport import Transport, quote

METRICS = {"cosine": "Cosine", "dot": "Dot", "euclid": "Euclid", "euclidean": "Euclid", "l2": "Euclid",
           "manhattan": "Manhattan", "l1": "Manhattan"}


class Client:
    """A VectorFlow server.

    :param url: the REST API, e.g. ``http://localhost:6333``
    :param api_key: sent as the header ``api-key`` (see the server's docs/security.md)
    :param timeout: seconds a call may take unless it says otherwise (the server stops its work then too)
    :param retries: further tries of a call that may be repeated, after a lost connection or a 429/503
    :param backoff: first wait between tries, doubled each time (a server's ``Retry-After`` wins)
    :param batch_size: query vectors per search request and points per upsert request
    :param parallel: requests sent at once when a batch is split
    """

    def __init__(self, url: str = "http://localhost:6333", api_key: Optional[str] = None, timeout: float = 30.0,
                 retries: int = 3, backoff: float = 0.2, batch_size: int = 256, parallel: int = 4):
        if batch_size < 1 or parallel < 1:
            raise ValueError("batch_size and parallel must be at least 1")
        self._http = Transport(url, api_key, timeout, retries, backoff)
        self.batch_size = batch_size
        self.parallel = parallel

    # Collections

    def create_collection(self, name: str, dimension: int, metric: str = "cosine", **config: Any) -> bool:
        """Creates a collection of ``dimension``-long vectors; ``config`` takes Qdrant's other fields
        (``hnsw_config``, ``quantization_config``, ``optimizers_config``, ``on_disk_payload``…)."""
        distance = METRICS.get(metric.lower())
        if distance is None:
            raise ValueError(f"metric must be one of {sorted(METRICS)}, got {metric!r}")
        body = {"vectors": {"size": int(dimension), "distance": distance}, **config}
        return self._result("PUT", f"/collections/{quote(name)}", body, idempotent=False)

    def delete_collection(self, name: str) -> bool:
        """Drops a collection; False when there was none."""
        return self._result("DELETE", f"/collections/{quote(name)}")

    def list_collections(self) -> List[str]:
        return [c["name"] for c in self._result("GET", "/collections")["collections"]]

    def collection_exists(self, name: str) -> bool:
        return self._result("GET", f"/collections/{quote(name)}/exists")["exists"]

    def collection_info(self, name: str) -> Dict[str, Any]:
        """The collection's description: points, config, memory per component."""
        return self._result("GET", f"/collections/{quote(name)}")

    # Points

    def upsert(self, collection: str, vectors: Any, ids: Optional[Sequence[PointId]] = None,
               payloads: Optional[Sequence[Optional[Dict[str, Any]]]] = None, wait: bool = True) -> List[PointId]:
        """Inserts or replaces points: a list (or 2-D array) of vectors, their ids (random UUIDs when
        None) and payloads. Sent in requests of ``batch_size`` points, ``parallel`` at a time; each
        request is all or nothing. Returns the ids."""
        rows = _rows(vectors)
        if ids is None:
            ids = [str(uuid.uuid4()) for _ in rows]
        ids = [_id(i) for i in ids]
        if len(ids) != len(rows) or payloads is not None and len(payloads) != len(rows):
            raise ValueError(f"got {len(rows)} vectors, {len(ids)} ids and "
                             f"{'no' if payloads is None else len(payloads)} payloads: they must match")
        points = [{"id": ids[i], "vector": rows[i], **({"payload": payloads[i]} if payloads and payloads[i] is not None else {})}
                  for i in range(len(rows))]
        path = f"/collections/{quote(collection)}/points?wait={'true' if wait else 'false'}"
        self._parallel([points[i:i + self.batch_size] for i in range(0, len(points), self.batch_size)],
                       lambda chunk: self._result("PUT", path, {"points": chunk}))
        return ids

    def get(self, collection: str, ids: Sequence[PointId], with_payload: bool = True,
            with_vector: bool = False) -> List[Record]:
        """The points of these ids that exist."""
        body = {"ids": [_id(i) for i in ids], "with_payload": with_payload, "with_vector": with_vector}
        return [_record(p) for p in self._result("POST", f"/collections/{quote(collection)}/points", body)]

    def delete(self, collection: str, ids: Optional[Sequence[PointId]] = None, filter: Optional[Dict[str, Any]] = None,
               wait: bool = True) -> None:
        """Deletes points by id, or those matching a filter (Qdrant's filter JSON)."""
        if (ids is None) == (filter is None):
            raise ValueError("give either ids or filter")
        body = {"points": [_id(i) for i in ids]} if ids is not None else {"filter": filter}
        self._result("POST", f"/collections/{quote(collection)}/points/delete?wait={'true' if wait else 'false'}", body)

    def count(self, collection: str, filter: Optional[Dict[str, Any]] = None) -> int:
        body = {"exact": True, **({"filter": filter} if filter is not None else {})}
        return self._result("POST", f"/collections/{quote(collection)}/points/count", body)["count"]

    def scroll(self, collection: str, filter: Optional[Dict[str, Any]] = None, page_size: int = 256,
               with_payload: bool = True, with_vector: bool = False) -> Iterator[Record]:
        """Every point (matching the filter), in id order, fetched a page at a time as it is read."""
        offset = None
        while True:
            body = {"limit": page_size, "with_payload": with_payload, "with_vector": with_vector}
            if filter is not None:
                body["filter"] = filter
            if offset is not None:
                body["offset"] = offset
            page = self._result("POST", f"/collections/{quote(collection)}/points/scroll", body)
            for p in page["points"]:
                yield _record(p)
            offset = page.get("next_page_offset")
            if offset is None:
                return

    # Search

    def search(self, collection: str, vectors: Any, k: int = 10, filter: Optional[Dict[str, Any]] = None,
               timeout: Optional[float] = None, with_payload: bool = True, with_vector: bool = False,
               ef: Optional[int] = None, exact: bool = False) -> Union[SearchResults, SearchBatch]:
        """The ``k`` nearest points to each query vector.

        A single vector (a list of numbers, or a 1-D array) answers one ``SearchResults``; several
        (a list of vectors, or a 2-D array) answer a ``SearchBatch`` with one ``SearchResults`` per
        vector, in order. Several vectors go as batch requests of ``batch_size``, ``parallel`` at
        a time. Each ``SearchResults`` carries the server's ``performance`` of its search (latency,
        vectors scanned, strategy, estimated recall…).
        """
        single = _is_vector(vectors)
        rows = [_vector(vectors)] if single else _rows(vectors)
        params = {**({"hnsw_ef": int(ef)} if ef is not None else {}), **({"exact": True} if exact else {})}
        search = {"limit": int(k), "with_payload": with_payload, "with_vector": with_vector,
                  **({"filter": filter} if filter is not None else {}), **({"params": params} if params else {})}
        path = f"/collections/{quote(collection)}/points/search/batch"

        def send(chunk):
            answer = self._http.call("POST", path, {"searches": [{**search, "vector": v} for v in chunk]}, timeout=timeout)
            performance = answer.get("performance") or {}
            each = performance.get("searches") or []  # the server's object per search of the batch
            return [SearchResults([_scored(h) for h in hits], each[i] if i < len(each) else performance)
                    for i, hits in enumerate(answer["result"])]

        chunks = self._parallel([rows[i:i + self.batch_size] for i in range(0, len(rows), self.batch_size)], send)
        results = SearchBatch(r for chunk in chunks for r in chunk)
        return results[0] if single else results

    # Snapshots

    def create_snapshot(self, collection: str) -> str:
        """Takes a snapshot; returns its name."""
        return self._result("POST", f"/collections/{quote(collection)}/snapshots", idempotent=False)["name"]

    def list_snapshots(self, collection: str) -> List[str]:
        return [s["name"] for s in self._result("GET", f"/collections/{quote(collection)}/snapshots")]

    def delete_snapshot(self, collection: str, name: str) -> None:
        self._result("DELETE", f"/collections/{quote(collection)}/snapshots/{quote(name)}")

    def download_snapshot(self, collection: str, name: str, path: str) -> None:
        """Writes the snapshot archive to ``path``."""
        data = self._http.call("GET", f"/collections/{quote(collection)}/snapshots/{quote(name)}", raw=True)
        with open(path, "wb") as f:
            f.write(data)

    # Plumbing

    def _result(self, method: str, path: str, body: Any = None, idempotent: bool = True):
        return self._http.call(method, path, body, idempotent=idempotent)["result"]

    def _parallel(self, chunks: List[Any], send):
        if len(chunks) <= 1 or self.parallel == 1:
            return [send(c) for c in chunks]
        with ThreadPoolExecutor(min(self.parallel, len(chunks))) as pool:
            return list(pool.map(send, chunks))


def _is_vector(v: Any) -> bool:
    shape = getattr(v, "shape", None)
    if shape is not None:
        return len(shape) == 1
    return isinstance(v, (list, tuple)) and (len(v) == 0 or not isinstance(v[0], (list, tuple)) and not hasattr(v[0], "shape"))


def _vector(v: Any) -> List[float]:
    return v.tolist() if hasattr(v, "tolist") else [float(x) for x in v]


def _rows(vectors: Any) -> List[List[float]]:
    if hasattr(vectors, "tolist") and getattr(vectors, "ndim", 2) == 2:
        return vectors.tolist()
    if _is_vector(vectors) and len(vectors) > 0:
        raise ValueError("expected several vectors (a list of lists or a 2-D array), got one vector")
    return [_vector(v) for v in vectors]


def _id(i: Any) -> PointId:
    if isinstance(i, bool):
        raise ValueError(f"an id is a non-negative integer or a UUID string, got {i!r}")
    if hasattr(i, "item"):  # a numpy integer
        i = i.item()
    if isinstance(i, (int, str)):
        return i
    raise ValueError(f"an id is a non-negative integer or a UUID string, got {i!r}")


def _record(p: Dict[str, Any]) -> Record:
    return Record(p["id"], p.get("payload"), p.get("vector"))


def _scored(h: Dict[str, Any]) -> ScoredPoint:
    return ScoredPoint(h["id"], h["score"], h.get("payload"), h.get("vector"))


__all__ = ["Client"]
