"""The Python client's batch search against the same searches sent one request per vector.

Usage: python batch_vs_single.py URL COLLECTION QUERIES.fvecs [N] [EF]
Prints queries per second of both, three rounds, and their medians; checks both answer alike.
"""
import statistics
import struct
import sys
import time

import vectorflow as vf


def fvecs(path, n):
    out = []
    with open(path, "rb") as f:
        while len(out) < n:
            head = f.read(4)
            if not head:
                break
            d = struct.unpack("<i", head)[0]
            out.append(list(struct.unpack(f"<{d}f", f.read(4 * d))))
    return out


def main():
    url, collection, path = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    ef = int(sys.argv[5]) if len(sys.argv) > 5 else 64
    queries = fvecs(path, n)
    client = vf.Client(url, batch_size=100, parallel=2)
    client.search(collection, queries[:50], k=10, ef=ef)  # warm the connection and the server
    rounds = []
    for r in range(3):
        t = time.perf_counter()
        batch = client.search(collection, queries, k=10, ef=ef)
        batch_s = time.perf_counter() - t
        t = time.perf_counter()
        singles = [client.search(collection, q, k=10, ef=ef) for q in queries]
        single_s = time.perf_counter() - t
        same = sum(1 for a, b in zip(batch, singles) if [h.id for h in a] == [h.id for h in b])
        rounds.append((len(queries) / batch_s, len(queries) / single_s))
        print(f"round {r}: batch {rounds[-1][0]:,.0f} queries/s, one request per vector {rounds[-1][1]:,.0f} queries/s,"
              f" same answers {same}/{len(queries)}")
    print("median: batch %.0f queries/s, one request per vector %.0f queries/s, batch %.1fx" % (
        statistics.median(b for b, _ in rounds), statistics.median(s for _, s in rounds),
        statistics.median(b / s for b, s in rounds)))


if __name__ == "__main__":
    main()
