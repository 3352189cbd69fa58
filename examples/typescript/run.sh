#!/usr/bin/env bash
# The typed client example, from scratch: install the pinned packages (package-lock.json),
# generate the types from ../../schema.graphql (src/gql/, not committed), type-check in strict
# mode, then run it against a live server. CI runs this through .ci/integrations; by hand:
#
#   cargo run    # prints the demo users and their passwords
#   CUF_API_URL=http://127.0.0.1:8080 CUF_EMAIL=staff@demo.example.org CUF_PASSWORD=… \
#     examples/typescript/run.sh
#
# The example changes the internal notes of the first fiche it reads.
set -euo pipefail
cd "$(dirname "$0")"
: "${CUF_EMAIL:?set CUF_EMAIL and CUF_PASSWORD to a CUF staff or administrator account}"
: "${CUF_PASSWORD:?set CUF_PASSWORD}"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent codegen
npm run --silent typecheck
npm start --silent
