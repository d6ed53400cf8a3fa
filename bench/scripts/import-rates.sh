#!/usr/bin/env bash
# Import rate of one fvecs file into a fresh server over each protocol `vectorflow import` speaks:
# REST (http://), vectorflow.v1 gRPC (grpc://) and Qdrant's gRPC API (qdrant+grpc://).
#   bench/scripts/import-rates.sh FILE.fvecs [rounds]
# Each run starts `./vectorflow serve` on an empty data directory, imports the file (batches of
# 1,000, 4 in flight), and prints wall time, points/s, and the CPU seconds of importer and server.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FILE="$1"; ROUNDS="${2:-1}"
WORK="$(mktemp -d /tmp/vf-import-rates.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
printf '%-14s %5s %9s %10s %12s %11s\n' protocol round seconds points/s importer-cpu server-cpu
for round in $(seq 1 "$ROUNDS"); do
  for proto in rest vectorflow.v1 qdrant-grpc; do
    rm -rf "$WORK/data"
    "$ROOT/vectorflow" serve --data-dir "$WORK/data" --port 6390 --grpc-port 6391 >"$WORK/server.log" 2>&1 &
    server=$!
    for _ in $(seq 1 300); do curl -sf http://127.0.0.1:6390/readyz >/dev/null && break; sleep 0.2; done
    java_pid="$(pgrep -P "$server" java || echo "$server")"
    case "$proto" in
      rest) url=http://127.0.0.1:6390 ;;
      vectorflow.v1) url=grpc://127.0.0.1:6391 ;;
      qdrant-grpc) url=qdrant+grpc://127.0.0.1:6391 ;;
    esac
    before="$(cpu "$java_pid")"
    start="$(date +%s.%N)"
    TIMEFORMAT='%U %S'
    { times=$( { time "$ROOT/vectorflow" import "$FILE" --url "$url" --collection bench --create --metric Euclid \
        --restart --checkpoint "$WORK/progress" >"$WORK/import.log" 2>&1; } 2>&1 ); }
    end="$(date +%s.%N)"
    after="$(cpu "$java_pid")"
    points="$(grep -o '[0-9,]* points sent' "$WORK/import.log" | tr -d , | awk '{print $1}')"
    awk -v p="$proto" -v r="$round" -v s="$start" -v e="$end" -v n="$points" -v t="$times" -v b="$before" -v a="$after" \
      'BEGIN { split(t, c, " "); printf "%-14s %5d %9.1f %10.0f %12.1f %11.1f\n", p, r, e - s, n / (e - s), c[1] + c[2], a - b }'
    kill "$server"; wait "$server" 2>/dev/null || true
  done
done
