#!/usr/bin/env bash
# Where one query's work goes under load: the server's and PostgreSQL's CPU per request.
#
#   bash bench/load.sh 'query Load { ... }' BINARY [BINARY ...]
#
# For each BINARY (a release build of `api`) in turn: starts it as bench.py does, on the
# benchmark's database (`cuf_bench`, loaded by bench/run.sh), warms it up for 2 s, then runs
# wrk at 64 connections for CUF_LOAD_SECONDS (10 by default). It prints requests per second,
# the CPU time (user + system, from /proc) the server and every PostgreSQL process spent per
# request, the statements per request (from /metrics) and the server's peak resident memory.
# The document must be one operation named `Load`. Give two binaries, or the same ones
# again, to alternate them: on two cores a run's rate moves by ±20 %, and only alternated
# runs compare two builds.
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: load.sh DOCUMENT BINARY [BINARY ...]" >&2; exit 2; }
document=$1
shift
grep -q 'query Load' <<<"$document" || { echo "name the operation Load: 'query Load { ... }'" >&2; exit 2; }
binaries=()
for binary in "$@"; do binaries+=("$(realpath "$binary")"); done
seconds=${CUF_LOAD_SECONDS:-10}
pg=${CUF_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
db=${CUF_BENCH_DB:-cuf_bench}
port=${CUF_BENCH_PORT:-18080}
url="http://127.0.0.1:$port"
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
server=
python3 - "$document" >"$work/post.lua" <<'PY'
import json, sys
body = json.dumps({"query": sys.argv[1], "operationName": "Load"})
print('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"')
print("wrk.body = [==[" + body + "]==]")
PY
ticks=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
postgres_cpu() {
  local total=0 pid
  for pid in $(pgrep -u postgres); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
statements() {
  curl -sf "$url/metrics" | awk '/^cuf_graphql_statements_total\{operation="Load"\}/ { print $2 }' | grep . || echo 0
}
for binary in "${binaries[@]}"; do
  env DATABASE_URL="$pg/$db" CUF_BIND="127.0.0.1:$port" CUF_ENV=production \
    CUF_JWT_SECRET=bench-signing-secret-0123456789-abcdefghijklmnop \
    CUF_CORS_ORIGINS=https://spa.example.org CUF_RATE_LIMIT_CAPACITY=0 \
    CUF_DB_MAX_CONNECTIONS="${CUF_BENCH_POOL:-8}" CUF_SLOW_QUERY_MS=1000 RUST_LOG=warn \
    "$binary" >/dev/null 2>"$work/server.log" &
  server=$!
  for _ in $(seq 1 200); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.05; done
  wrk -t2 -c64 -d2s -s "$work/post.lua" "$url/graphql" >/dev/null
  before_api=$(cpu "$server") before_pg=$(postgres_cpu) before_statements=$(statements)
  out=$(wrk -t2 -c64 -d"${seconds}s" -s "$work/post.lua" "$url/graphql")
  after_api=$(cpu "$server") after_pg=$(postgres_cpu) after_statements=$(statements)
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  rate=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  peak=$(awk '/VmHWM/ { print $2 }' "/proc/$server/status")
  python3 - "$binary" "$rate" "$requests" "$ticks" "$before_api" "$after_api" "$before_pg" \
    "$after_pg" "$before_statements" "$after_statements" "$peak" <<'PY'
import sys
name, rate, requests, ticks = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
api0, api1, pg0, pg1, st0, st1 = map(float, sys.argv[5:11])
peak = int(sys.argv[11]) / 1024
per = lambda a, b: (b - a) * 1000 / ticks / requests
print(f"{name}: {rate:.0f} req/s, API CPU {per(api0, api1):.3f} ms/req, PostgreSQL CPU "
      f"{per(pg0, pg1):.3f} ms/req, {(st1 - st0) / requests:.2f} statements/req, peak {peak:.1f} MiB")
PY
  grep -E "Non-2xx|Socket errors" <<<"$out" || true
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=
done
