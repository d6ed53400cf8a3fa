#!/usr/bin/python3
"""FAISS peer harness for the VectorFlow peer comparison.

Builds FAISS's IndexHNSWFlat, or IndexHNSWSQ with 8-bit scalar codes (--index sq8), over an fvecs
file and measures it the way VectorFlow's AnnBenchmark measures
every engine: per ef, one pass for recall@k and distance computations, then single-query latency
repeated for --seconds (one query per call, so Python's call overhead of a few microseconds is
included), then QPS on --threads OpenMP threads with whole-batch calls, FAISS's natural
multi-threaded mode. Prints the result as JSON on stdout, progress on stderr.

Run it with the faiss-cpu wheel's virtualenv that bench/peers/setup makes (kernels for this CPU's
AVX2/AVX-512), or with /usr/bin/python3 and Debian's python3-faiss (a generic build without AVX);
the report's kernels line says which.
"""
import argparse
import json
import sys
import time

import numpy as np
import faiss


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    if raw.size == 0:
        raise SystemExit(f"faiss_bench: empty file {path}")
    dim = int(raw[0])
    rows = raw.reshape(-1, dim + 1)
    return np.ascontiguousarray(rows[:, 1:]).view(dtype)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--truth", required=True)
    p.add_argument("--dataset", default="dataset")
    p.add_argument("--space", choices=["l2", "ip"], default="l2")
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=100)
    p.add_argument("--efs", default="10,16,32,64,128")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seconds", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--index", choices=["flat", "sq8"], default="flat")
    a = p.parse_args()

    base = read_vecs(a.base, np.float32)
    queries = read_vecs(a.queries, np.float32)
    truth = read_vecs(a.truth, np.int32)[:, : a.k]
    n, dim = base.shape
    nq = queries.shape[0]

    metric = faiss.METRIC_L2 if a.space == "l2" else faiss.METRIC_INNER_PRODUCT
    if a.index == "sq8":
        index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, a.m, metric)
    else:
        index = faiss.IndexHNSWFlat(dim, a.m, metric)
    index.hnsw.efConstruction = a.ef_construction
    faiss.omp_set_num_threads(a.threads)
    start = time.perf_counter()
    if a.index == "sq8":
        index.train(base[: min(n, 100_000)])
    chunk = max(1, n // 20)
    for lo in range(0, n, chunk):
        index.add(base[lo: lo + chunk])
        done = min(n, lo + chunk)
        secs = time.perf_counter() - start
        log(f"faiss building: {100 * done // n}% ({done:,}/{n:,}) {secs:.0f} s, {done / secs:,.0f} vectors/s")
    build_seconds = time.perf_counter() - start

    # Memory as FAISS holds it: the flat vectors plus the HNSW neighbour table, offsets and levels.
    hnsw = index.hnsw
    graph_bytes = hnsw.neighbors.size() * 4 + hnsw.offsets.size() * 8 + hnsw.levels.size() * 4
    code_bytes = dim if a.index == "sq8" else dim * 4
    bytes_per_vector = (n * code_bytes + graph_bytes) / n
    log(f"faiss built {n:,} x {dim} in {build_seconds:.2f} s, {bytes_per_vector:.0f} bytes/vector")

    rows = []
    stats = faiss.cvar.hnsw_stats
    for ef in [int(x) for x in a.efs.split(",")]:
        index.hnsw.efSearch = ef
        faiss.omp_set_num_threads(1)
        warm = time.perf_counter()
        while time.perf_counter() - warm < 0.2:
            index.search(queries, a.k)

        stats.reset()
        hits = 0
        for i in range(nq):
            _, ids = index.search(queries[i: i + 1], a.k)
            hits += len(np.intersect1d(ids[0], truth[i]))
        recall = hits / (nq * a.k)
        # FAISS 1.7 counts level-0 distance computations in n3; later versions count all in ndis
        dist_evals = (stats.ndis if hasattr(stats, "ndis") else stats.n3) / nq

        lat = []
        t0 = time.perf_counter()
        while True:
            for i in range(nq):
                s = time.perf_counter()
                index.search(queries[i: i + 1], a.k)
                lat.append((time.perf_counter() - s) * 1e6)
            if time.perf_counter() - t0 >= a.seconds:
                break
        qps1 = len(lat) / (time.perf_counter() - t0)
        lat.sort()

        faiss.omp_set_num_threads(a.threads)
        total = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < a.seconds:
            index.search(queries, a.k)
            total += nq
        qps_all = total / (time.perf_counter() - t0)

        def pct(p):
            return lat[max(0, min(len(lat) - 1, int(np.ceil(p * len(lat))) - 1))]

        log(f"faiss ef={ef} recall@{a.k}={recall:.4f} qps(1t)={qps1:,.0f}")
        rows.append({"ef": ef, "recall": recall, "qps_1t": qps1, "qps_all": qps_all, "p50_us": pct(0.50),
                     "p99_us": pct(0.99), "p999_us": pct(0.999), "dist_evals": dist_evals})

    simd = faiss.get_compile_options() if hasattr(faiss, "get_compile_options") else ""
    build = (f"faiss {faiss.__version__} wheel ({simd.strip() or 'generic'})" if "site-packages" in faiss.__file__
             else f"faiss {faiss.__version__} generic build (Debian python3-faiss, no AVX)")
    json.dump({"engine": "faiss" if a.index == "flat" else "faiss-sq8", "dataset": a.dataset, "n": n, "dim": dim, "metric": a.space, "m": a.m,
               "ef_construction": a.ef_construction, "threads": a.threads, "k": a.k,
               "build_seconds": build_seconds, "bytes_per_vector": bytes_per_vector,
               "kernels": build,
               "results": rows}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
