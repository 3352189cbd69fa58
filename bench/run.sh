#!/usr/bin/env bash
# The benchmark: a release build of the API on PostgreSQL with the scale-1 synthetic dataset,
# loaded with wrk at 64 connections, each query compared with the ideal rate computed in the
# same run (the rate of `{ __typename }` and the pgbench rate of the query's own SQL, each
# query and its SQL measured in turn three times). It prints a Markdown table and the targets
# of issue 7; bench/RESULTS.md keeps what it printed.
#
#   bash bench/run.sh                      # scale 1, 10 s per run
#   CUF_BENCH_SECONDS=20 bash bench/run.sh
#   CUF_BENCH_ROUNDS=5 bash bench/run.sh   # rounds of the query then its SQL (3 by default)
#   CUF_BENCH_RESEED=1 bash bench/run.sh   # rebuild the database (kept between runs)
#
# Needs PostgreSQL 15 on 127.0.0.1:5432 with trust authentication for `postgres` (as on CI);
# CUF_BENCH_PG points elsewhere. Installs wrk from Debian when missing. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."

export CUF_BENCH_PG="${CUF_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
for tool in pgbench psql python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
done
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  cluster=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
fi

cargo build --release -p api
target_dir="${CARGO_TARGET_DIR:-target}"
export CUF_BENCH_BIN="$target_dir/release/api"
exec python3 bench/bench.py
