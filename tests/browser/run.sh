#!/usr/bin/env bash
# The playground in headless Chromium against a live server (see playground.mjs). Needs Node 20
# and the Debian packages chromium and chromium-driver; fails if they are missing. By hand:
#
#   cargo run
#   CUF_API_URL=http://127.0.0.1:8080 tests/browser/run.sh
set -euo pipefail
cd "$(dirname "$0")"
exec node playground.mjs
