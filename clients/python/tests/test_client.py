"""The Python client against a real VectorFlow server (started by the Java test that runs pytest:
VECTORFLOW_URL and VECTORFLOW_API_KEY say where and how)."""

import http.server
import json
import math
import os
import random
import threading
import time
import uuid

import pytest

import vectorflow as vf

URL = os.environ.get("VECTORFLOW_URL", "http://127.0.0.1:6333")
KEY = os.environ.get("VECTORFLOW_API_KEY")
DIM = 16


def vectors(n, seed=1):
    r = random.Random(seed)
    return [[r.gauss(0, 1) for _ in range(DIM)] for _ in range(n)]


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


@pytest.fixture
def client():
    return vf.Client(URL, api_key=KEY, batch_size=64, parallel=4)


@pytest.fixture
def collection(client):
    name = "py_" + uuid.uuid4().hex[:10]
    assert client.create_collection(name, DIM, metric="cosine")
    yield name
    client.delete_collection(name)


def test_points_go_in_and_come_back(client, collection):
    vs = vectors(500)
    ids = client.upsert(collection, vs, ids=list(range(500)), payloads=[{"n": i, "even": i % 2 == 0} for i in range(500)])
    assert ids == list(range(500))
    assert client.count(collection) == 500
    assert client.count(collection, filter={"must": [{"key": "even", "match": {"value": True}}]}) == 250
    got = client.get(collection, [3, 7, 12345], with_vector=True)
    assert sorted(r.id for r in got) == [3, 7]
    seven = next(r for r in got if r.id == 7)
    assert seven.payload == {"n": 7, "even": False}
    assert cosine(seven.vector, vs[7]) > 0.9999
    uuids = client.upsert(collection, vectors(3, seed=9))
    assert len(uuids) == 3 and all(uuid.UUID(u) for u in uuids)
    assert client.count(collection) == 503


def test_a_search_finds_each_vector_itself_and_a_batch_answers_as_single_searches(client, collection):
    vs = vectors(400)
    client.upsert(collection, vs, ids=list(range(400)), payloads=[{"n": i} for i in range(400)])
    one = client.search(collection, vs[5], k=3)
    assert isinstance(one, vf.SearchResults)
    assert one[0].id == 5 and one[0].payload == {"n": 5}
    assert one[0].score == pytest.approx(1.0, abs=1e-4)
    assert "latency_ms" in one.performance and one.performance["strategy"] in ("hnsw", "exact", "filtered_hnsw")
    queries = vectors(300, seed=2)
    batch = client.search(collection, queries, k=10)  # 5 requests of 64, four at a time
    assert isinstance(batch, vf.SearchBatch) and len(batch) == 300
    for q, hits in zip(queries[:20], batch[:20]):
        alone = client.search(collection, q, k=10)
        assert [h.id for h in hits] == [h.id for h in alone]
        exact = sorted(range(400), key=lambda i: -cosine(q, vs[i]))[:10]
        assert len(set(h.id for h in hits) & set(exact)) >= 9
        assert hits.performance
    ids = batch.ids()
    assert len(ids) == 300 and len(ids[0]) == 10


def test_filters_scroll_and_delete(client, collection):
    vs = vectors(300)
    client.upsert(collection, vs, ids=list(range(300)), payloads=[{"group": "a" if i < 100 else "b"} for i in range(300)])
    hits = client.search(collection, vs[150], k=20, filter={"must": [{"key": "group", "match": {"value": "a"}}]})
    assert hits and all(h.payload["group"] == "a" for h in hits)
    seen = [r.id for r in client.scroll(collection, page_size=37)]
    assert seen == list(range(300))
    assert [r.id for r in client.scroll(collection, filter={"must": [{"key": "group", "match": {"value": "a"}}]})] == list(range(100))
    client.delete(collection, ids=[0, 1, 2])
    client.delete(collection, filter={"must": [{"key": "group", "match": {"value": "b"}}]})
    assert client.count(collection) == 97
    assert client.search(collection, vs[0], k=1)[0].id != 0


def test_numpy_arrays_go_in_and_come_out():
    np = pytest.importorskip("numpy")
    c = vf.Client(URL, api_key=KEY, batch_size=50)
    name = "py_np_" + uuid.uuid4().hex[:8]
    c.create_collection(name, DIM, metric="euclid")
    try:
        data = np.random.default_rng(3).standard_normal((200, DIM)).astype("float32")
        c.upsert(name, data, ids=np.arange(200))
        batch = c.search(name, data[:120], k=5)
        ids, scores = batch.ids(), batch.scores()
        assert ids.shape == (120, 5) and scores.shape == (120, 5) and scores.dtype == np.float32
        assert (ids[:, 0] == np.arange(120)).all()
        assert c.search(name, data[7], k=1)[0].id == 7
    finally:
        c.delete_collection(name)


def test_errors_carry_the_servers_message(client, collection):
    with pytest.raises(vf.VectorFlowError) as e:
        client.upsert(collection, [[1.0, 2.0]], ids=[1])
    assert e.value.status in (400, 422)
    assert "points[0]" in e.value.message and ("dimension" in e.value.message or "16" in e.value.message)
    with pytest.raises(vf.VectorFlowError) as e:
        client.count("no_such_collection_" + uuid.uuid4().hex[:6])
    assert e.value.status == 404 and "does not exist" in e.value.message
    with pytest.raises(ValueError):
        client.create_collection("x", DIM, metric="hamming")
    with pytest.raises(ValueError):
        client.upsert(collection, vectors(2), ids=[1])


def test_snapshots_are_taken_listed_downloaded_and_deleted(client, collection, tmp_path):
    client.upsert(collection, vectors(50), ids=list(range(50)))
    name = client.create_snapshot(collection)
    assert name in client.list_snapshots(collection)
    target = tmp_path / "s.snapshot"
    client.download_snapshot(collection, name, str(target))
    assert target.stat().st_size > 1000
    client.delete_snapshot(collection, name)
    assert name not in client.list_snapshots(collection)


def test_without_the_key_the_server_refuses():
    if not KEY:
        pytest.skip("the server runs without keys")
    with pytest.raises(vf.VectorFlowError) as e:
        vf.Client(URL, retries=0).list_collections()
    assert e.value.status == 401 and "api-key" in e.value.message


def test_an_unreachable_server_is_reported_quickly():
    start = time.monotonic()
    with pytest.raises(vf.VectorFlowError) as e:
        vf.Client("http://127.0.0.1:9", retries=1, backoff=0.01, timeout=2).list_collections()
    assert e.value.status is None and "cannot reach" in e.value.message
    assert time.monotonic() - start < 5


class _Flaky(http.server.BaseHTTPRequestHandler):
    calls = 0

    def do_POST(self):  # noqa: N802 (the stdlib's name)
        _Flaky.calls += 1
        self.rfile.read(int(self.headers.get("content-length", 0)))
        if _Flaky.calls <= 2:
            self.send_response(503)
            self.send_header("Retry-After", "0")
            body = json.dumps({"status": {"error": "busy"}}).encode()
        else:
            self.send_response(200)
            body = json.dumps({"result": {"count": 42}, "status": "ok", "time": 0}).encode()
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_idempotent_calls_are_retried_after_503_with_retry_after():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        c = vf.Client(f"http://127.0.0.1:{server.server_address[1]}", retries=3)
        assert c.count("any") == 42
        assert _Flaky.calls == 3
        _Flaky.calls = 0
        with pytest.raises(vf.VectorFlowError) as e:
            vf.Client(f"http://127.0.0.1:{server.server_address[1]}", retries=1).count("any")
        assert e.value.status == 503 and e.value.message == "busy"
    finally:
        server.shutdown()
