#!/usr/bin/env bash
# Instructions the server spends per request on one query, counted by callgrind: unlike
# wrk's rates, the count does not move with whatever else the machine is doing.
#
#   bash bench/callgrind.sh BINARY 'query Directory { ... }' [REQUESTS]
#
# BINARY is a release build of `api`; the database is the benchmark's (`cuf_bench`, loaded by
# bench/run.sh) unless CUF_BENCH_PG/CUF_BENCH_DB say otherwise. The server runs under
# valgrind with one HTTP worker; 20 requests warm it up, then REQUESTS more (100 by default)
# are sent with curl. It prints the HTTP worker thread's instructions, which include the
# worker's start: run it with two numbers of requests and divide the difference, e.g. 50
# and 150. The profiles stay in bench/callgrind.out-* for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")"
binary=$(realpath "$1")
document=$2
requests=${3:-100}
pg=${CUF_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
db=${CUF_BENCH_DB:-cuf_bench}
port=${CUF_BENCH_PORT:-18081}
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
body=$(python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1]}))' "$document")
rm -f callgrind.out.*
# The allocator's options are set here, as the server's re-exec would under valgrind.
env DATABASE_URL="$pg/$db" CUF_BIND="127.0.0.1:$port" CUF_ENV=production \
  CUF_JWT_SECRET=bench-signing-secret-0123456789-abcdefghijklmnop \
  CUF_RATE_LIMIT_CAPACITY=0 CUF_REQUEST_TIMEOUT_SECONDS=300 CUF_WORKERS=1 RUST_LOG=error \
  CUF_ALLOCATOR_TUNED=1 MIMALLOC_PURGE_DELAY=25 MIMALLOC_ARENA_EAGER_COMMIT=0 \
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file=callgrind.out \
  "$binary" >callgrind.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done
send() {
  for _ in $(seq 1 "$1"); do
    curl -sf -o /dev/null -X POST -H 'content-type: application/json' -d "$body" \
      "http://127.0.0.1:$port/graphql"
  done
}
send 20
send "$requests"
kill "$server"
wait "$server" 2>/dev/null || true
trap - EXIT
# The HTTP worker's thread, which also runs the DataLoaders' tasks, is the one that
# dispatched HTTP requests.
for file in callgrind.out-*; do
  profile=$(callgrind_annotate --inclusive=yes "$file" 2>/dev/null)
  if [[ $profile == *actix_http::h1::dispatcher* ]]; then
    total=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    echo "$total instructions on the HTTP worker's thread ($file) for $((requests + 20)) requests"
  fi
done
