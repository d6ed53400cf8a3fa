#!/usr/bin/env bash
# Migration rate from PostgreSQL with pgvector: loads an fvecs file into a table
# (id bigint, embedding vector(D), meta jsonb) of a throwaway PostgreSQL cluster, then times
# `vectorflow migrate --source pgvector` into a fresh server, verification included.
#   bench/scripts/migrate-pgvector.sh FILE.fvecs [rounds]
# Needs PostgreSQL (initdb, pg_ctl, psql on PATH or under /usr/lib/postgresql/*/bin) with the
# pgvector extension installed; run as root, the cluster runs as the user postgres.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FILE="$1"; ROUNDS="${2:-1}"
PGBIN="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1 || command -v initdb)")"
WORK="$(mktemp -d /tmp/vf-migrate-pg.XXXXXX)"; chmod 755 "$WORK"
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() { kill $(jobs -p) 2>/dev/null || true; as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" stop -m immediate >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir "$WORK/pg" "$WORK/sock" "$WORK/log"; [[ $EUID -eq 0 ]] && chown postgres "$WORK/pg" "$WORK/sock" "$WORK/log"
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres --auth=trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -o "-p 5439 -k $WORK/sock -c listen_addresses=127.0.0.1 -c fsync=off" -l "$WORK/log/pg.log" start >/dev/null
PSQL=("$PGBIN/psql" -h 127.0.0.1 -p 5439 -U postgres -v ON_ERROR_STOP=1 -q)
DIM="$(python3 -c "import struct,sys; print(struct.unpack('<i', open(sys.argv[1],'rb').read(4))[0])" "$FILE")"
"${PSQL[@]}" -c "CREATE EXTENSION vector; CREATE TABLE items (id bigint PRIMARY KEY, embedding vector($DIM), meta jsonb)"
echo "loading $FILE into PostgreSQL ..." >&2
load_start=$(date +%s.%N)
python3 - "$FILE" "$DIM" <<'PY' | "${PSQL[@]}" -c "\\copy items FROM STDIN WITH (FORMAT csv)"
import struct, sys
path, dim = sys.argv[1], int(sys.argv[2])
rec = 4 + 4 * dim
out = sys.stdout
with open(path, 'rb') as f:
    i = 0
    while True:
        b = f.read(rec * 4096)
        if not b:
            break
        for off in range(0, len(b), rec):
            v = struct.unpack_from('<%df' % dim, b, off + 4)
            out.write('%d,"[%s]","{""group"": ""g%d"", ""n"": %d}"\n' % (i, ','.join('%r' % x for x in v), i % 10, i))
            i += 1
PY
printf 'loaded %s rows in %.0f s\n' "$("${PSQL[@]}" -Atc 'SELECT count(*) FROM items')" "$(echo "$(date +%s.%N) - $load_start" | bc)"
printf '%5s %9s %10s\n' round seconds points/s
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK/data"
  "$ROOT/vectorflow" serve --data-dir "$WORK/data" --port 6392 --grpc-port -1 >"$WORK/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do curl -sf http://127.0.0.1:6392/readyz >/dev/null && break; sleep 0.2; done
  start=$(date +%s.%N)
  "$ROOT/vectorflow" migrate --source pgvector --source-url 'jdbc:postgresql://127.0.0.1:5439/postgres?user=postgres' \
      --table items --payload-column meta --metric Euclid --target http://127.0.0.1:6392 --collection items \
      --restart --checkpoint "$WORK/progress" >"$WORK/migrate.log" 2>&1
  end=$(date +%s.%N)
  grep -q "verified" "$WORK/migrate.log" || { cat "$WORK/migrate.log"; exit 1; }
  n="$("${PSQL[@]}" -Atc 'SELECT count(*) FROM items')"
  awk -v r="$round" -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "%5d %9.1f %10.0f\n", r, e - s, n / (e - s) }'
  grep "copied in\|verified" "$WORK/migrate.log" >&2
  kill "$server"; wait "$server" 2>/dev/null || true
done
