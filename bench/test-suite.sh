#!/usr/bin/env bash
# `npm run bench:tests`: wall time of the README's test command (target: under 5 minutes
# on the 2-core machine). Runs it twice: the first run also warms the swc transform cache.
set -euo pipefail
cd "$(dirname "$0")/.."
for run in 1 2; do
  started=$(date +%s%N)
  npm test --silent >/dev/null 2>&1
  elapsed_ms=$((($(date +%s%N) - started) / 1000000))
  echo "npm test run $run: ${elapsed_ms} ms (target 300000 ms)"
done
