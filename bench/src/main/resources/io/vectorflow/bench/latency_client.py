"""One client's view of a vector database: latency, throughput and a steady run.

Run by `vectorflow server --client python`; talks to one target with the client a Python user
would use: VectorFlow's REST API with http.client (keep-alive, TCP_NODELAY, the request sent in
one write), VectorFlow's gRPC API (vectorflow.v1) with grpcio, or PostgreSQL with pgvector with
psycopg (one connection, a server-side prepared statement). Every target gets the same queries,
serialised before the clock starts, and answers the same way: the ids of the k nearest.

The specification is one JSON object on the command line (see `main`); the result is one JSON
object on standard output; progress goes to standard error.
"""
import http.client
import json
import multiprocessing
import socket
import statistics
import struct
import sys
import time


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def read_matrix(path, kind):
    """Rows of a little-endian file: int32 rows, int32 columns, then the values."""
    with open(path, "rb") as f:
        data = f.read()
    rows, cols = struct.unpack_from("<ii", data, 0)
    values = struct.unpack_from("<%d%s" % (rows * cols, kind), data, 8)
    return [list(values[r * cols:(r + 1) * cols]) for r in range(rows)]


class Rest:
    """VectorFlow's (Qdrant's) REST search, one keep-alive connection."""

    def __init__(self, spec):
        self.host, self.port = "127.0.0.1", spec["port"]
        self.path = "/collections/%s/points/search" % spec["collection"]
        self.k, self.ef = spec["k"], spec["ef"]
        self.conn = None
        self.connect()
        self.server_seconds = []   # the answer's own "time": from the request's arrival to the answer
        self.engine_millis = []    # performance.latency_ms: the engine's part

    def connect(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def prepare(self, vector):
        body = json.dumps({"vector": vector, "limit": self.k, "params": {"hnsw_ef": self.ef}},
                          separators=(",", ":")).encode()
        head = ("POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                "Content-Length: %d\r\n\r\n" % (self.path, self.host, self.port, len(body))).encode()
        return head + body

    def _send(self, raw):
        self.conn.sock.sendall(raw)
        r = http.client.HTTPResponse(self.conn.sock)
        r.begin()
        data = r.read()
        if r.status != 200:
            raise RuntimeError("HTTP %d: %s" % (r.status, data[:200]))
        return data

    def search(self, raw):
        answer = json.loads(self._send(raw))
        self.server_seconds.append(answer.get("time", 0.0))
        self.engine_millis.append(answer.get("performance", {}).get("latency_ms", 0.0))
        return [h["id"] for h in answer["result"]]

    def floor_request(self):
        return ("GET / HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (self.host, self.port)).encode()

    def floor(self, raw):
        self._send(raw)


class Grpc:
    """VectorFlow's own gRPC search (vectorflow.v1), stubs generated from the proto at run time."""

    def __init__(self, spec):
        import grpc
        sys.path.insert(0, spec["grpc_stubs"])
        import vectorflow_pb2 as pb
        import vectorflow_pb2_grpc as pbg
        self.pb = pb
        self.channel = grpc.insecure_channel("127.0.0.1:%d" % spec["grpc_port"])
        self.stub = pbg.VectorFlowStub(self.channel)
        self.collection, self.k, self.ef = spec["collection"], spec["k"], spec["ef"]
        self.server_seconds, self.engine_millis = [], []

    def prepare(self, vector):
        return self.pb.SearchRequest(collection=self.collection, vector=vector, limit=self.k, hnsw_ef=self.ef)

    def search(self, request):
        answer = self.stub.Search(request, timeout=30)
        self.engine_millis.append(answer.performance.latency_ms)
        return [h.id.num for h in answer.points]

    def floor_request(self):
        return self.pb.ListCollectionsRequest()

    def floor(self, request):
        self.stub.ListCollections(request, timeout=30)


class Pgvector:
    """pgvector through psycopg: one connection, one prepared statement, ef_search set once."""

    def __init__(self, spec):
        import psycopg
        self.conn = psycopg.connect(spec["dsn"], autocommit=True)
        self.conn.execute("SET hnsw.ef_search = %d" % spec["ef"])
        self.sql = "SELECT id FROM %s ORDER BY embedding %s %%s::vector LIMIT %d" % (spec["collection"], spec["op"], spec["k"])
        self.server_seconds, self.engine_millis = [], []

    def prepare(self, vector):
        return ("[" + ",".join(repr(float(x)) for x in vector) + "]",)

    def search(self, params):
        return [r[0] for r in self.conn.execute(self.sql, params, prepare=True).fetchall()]

    def floor_request(self):
        return ()

    def floor(self, _):
        self.conn.execute("SELECT 1", prepare=True).fetchall()


CLIENTS = {"rest": Rest, "grpc": Grpc, "pgvector": Pgvector}


def pct(sorted_values, p):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(p / 100.0 * len(sorted_values)))]


def recall(found, truth, k):
    hits = 0
    for f, t in zip(found, truth):
        hits += len(set(f[:k]) & set(t[:k]))
    return hits / float(k * len(found))


def latency_round(client, prepared, truth, n, k, start):
    times, found = [], []
    t0 = time.perf_counter()
    for i in range(n):
        j = (start + i) % len(prepared)
        a = time.perf_counter_ns()
        ids = client.search(prepared[j])
        times.append((time.perf_counter_ns() - a) / 1000.0)
        found.append((ids, truth[j]))
    wall = time.perf_counter() - t0
    times.sort()
    return {"qps": n / wall, "p50_us": pct(times, 50), "p99_us": pct(times, 99), "p999_us": pct(times, 99.9),
            "max_us": times[-1], "recall": recall([f for f, _ in found], [t for _, t in found], k)}


def throughput_worker(args):
    spec, queries, seconds, offset, start_at = args
    client = CLIENTS[spec["target"]](spec)
    prepared = [client.prepare(q) for q in queries]
    for p in prepared[:50]:
        client.search(p)
    time.sleep(max(0.0, start_at - time.time()))  # every worker measures the same window
    done, i = 0, offset
    end = time.time() + seconds
    while time.time() < end:
        client.search(prepared[i % len(prepared)])
        i += 1
        done += 1
    return done


def main():
    spec = json.loads(sys.argv[1])
    queries = read_matrix(spec["queries"], "f")
    truth = read_matrix(spec["truth"], "i")
    k = spec["k"]
    client = CLIENTS[spec["target"]](spec)
    prepared = [client.prepare(q) for q in queries]
    out = {"target": spec["target"], "rounds": []}
    for r in range(spec["rounds"]):
        res = latency_round(client, prepared, truth, spec["queries_per_round"], k, r * spec["queries_per_round"])
        log("  %s round %d: %.0f QPS, p50 %.0f us, p99 %.0f us, recall %.3f"
            % (spec["target"], r + 1, res["qps"], res["p50_us"], res["p99_us"], res["recall"]))
        out["rounds"].append(res)
    if client.server_seconds:
        s = sorted(x * 1e6 for x in client.server_seconds[-spec["queries_per_round"]:])
        out["server_p50_us"], out["server_p99_us"] = pct(s, 50), pct(s, 99)
    if client.engine_millis:
        e = sorted(x * 1e3 for x in client.engine_millis[-spec["queries_per_round"]:])
        out["engine_p50_us"], out["engine_p99_us"] = pct(e, 50), pct(e, 99)
    floor = client.floor_request()
    times = []
    for _ in range(spec["queries_per_round"]):
        a = time.perf_counter_ns()
        client.floor(floor)
        times.append((time.perf_counter_ns() - a) / 1000.0)
    times.sort()
    out["floor_p50_us"], out["floor_p99_us"] = pct(times, 50), pct(times, 99)
    if spec.get("steady_seconds", 0) > 0:
        times, i = [], 0
        end = time.perf_counter() + spec["steady_seconds"]
        while time.perf_counter() < end:
            a = time.perf_counter_ns()
            client.search(prepared[i % len(prepared)])
            times.append((time.perf_counter_ns() - a) / 1000.0)
            i += 1
        times.sort()
        out["steady"] = {"queries": len(times), "p50_us": pct(times, 50), "p99_us": pct(times, 99),
                         "p999_us": pct(times, 99.9), "max_us": times[-1]}
        log("  %s steady %ds: p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us"
            % (spec["target"], spec["steady_seconds"], out["steady"]["p50_us"], out["steady"]["p99_us"],
               out["steady"]["p999_us"], out["steady"]["max_us"]))
    if spec.get("clients", 0) > 1:
        n, seconds = spec["clients"], spec["seconds"]
        with multiprocessing.get_context("spawn").Pool(n) as pool:
            counts = pool.map(throughput_worker, [(spec, queries, seconds, i * 997, time.time() + 5 + n * 0.5) for i in range(n)])
        out["throughput_qps"] = sum(counts) / float(seconds)
        log("  %s %d clients: %.0f QPS" % (spec["target"], n, out["throughput_qps"]))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
