#!/usr/bin/env bash
# Runs `npm start` exactly as the README says (DATABASE_URL unset, so the embedded
# PostgreSQL starts), waits for a federated query to answer, then sends Ctrl-C (SIGINT)
# and checks that everything stopped: the process exited 0 and no PostgreSQL is left.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
data_dir=.data/ci-smoke-postgres
rm -rf "$data_dir"

env -u DATABASE_URL EMBEDDED_PG_DIR="$data_dir" EMBEDDED_PG_PORT=54359 PORT=4100 CLIENT_SUBGRAPH_PORT=4101 LEDGER_SUBGRAPH_PORT=4102 TRANSFER_SUBGRAPH_PORT=4103 \
  setsid npm start >"$log" 2>&1 &
pid=$!
cleanup() { kill -KILL -- -"$pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

for _ in $(seq 1 240); do
  grep -q "Bearer " "$log" && break
  if ! kill -0 "$pid" 2>/dev/null; then cat "$log"; echo "npm start exited early"; exit 1; fi
  sleep 0.5
done
token=$(grep -o 'Bearer [^ ]*' "$log" | head -1 | cut -d' ' -f2)
[ -n "$token" ] || { cat "$log"; echo "no token printed"; exit 1; }

answer=$(curl -sf http://localhost:4100/graphql -H 'content-type: application/json' -H "authorization: Bearer $token" \
  -d '{"query":"{ clients(first: 1) { totalCount pageInfo { hasNextPage } } availableCurrencies { code } }"}')
echo "federated query answered: $answer"
echo "$answer" | grep -q '"totalCount":0.*"code":"EUR"' || { cat "$log"; echo "unexpected answer"; exit 1; }
# A default start serves this machine only: every port on 127.0.0.1, none on another address.
listening=$(ss -ltnH | awk '{print $4}' | grep -E ':410[0-3]$' | sort)
echo "listening: $(echo $listening)"
[ "$(echo "$listening" | grep -c '^127\.0\.0\.1:')" -eq 4 ] && ! echo "$listening" | grep -vq '^127\.0\.0\.1:' ||
  { cat "$log"; echo "a default start must listen on 127.0.0.1 only"; exit 1; }
# Built into dist/, the gateway still finds the explorer's page, and serves what it loads.
asset=$(curl -sf http://localhost:4100/graphql -H 'accept: text/html' | grep -o '/assets/graphiql@[^"]*\.js' || true)
[ -n "$asset" ] && curl -sf -o /dev/null "http://localhost:4100$asset" || { cat "$log"; echo "no explorer page"; exit 1; }
echo "explorer served with $asset"

kill -INT -- -"$pid"
for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$pid" 2>/dev/null; then cat "$log"; echo "npm start did not stop on SIGINT"; exit 1; fi
wait "$pid" && status=0 || status=$?
echo "npm start exited with $status"
# npm itself reports Ctrl-C as 130 (128 + SIGINT); anything else is a failure.
[ "$status" -eq 0 ] || [ "$status" -eq 130 ] || { cat "$log"; echo "npm start exited with $status"; exit 1; }
if grep -q '"level":50' "$log"; then cat "$log"; echo "errors logged"; exit 1; fi
# In the order they stopped (their times): the log writes in chunks, so lines of one moment may
# reach the file in another order.
order=$(grep -o '"time":[0-9]*,"part":"[^"]*","msg":"stopped"' "$log" | sort -s -t: -k2,2n | cut -d'"' -f6 | paste -sd, -)
[ "$order" = "gateway,transfer subgraph,ledger subgraph,client subgraph,embedded PostgreSQL" ] || { cat "$log"; echo "stop order was: $order"; exit 1; }
echo "stopped in order: $order"
if pgrep -g "$pid" >/dev/null; then pgrep -a -g "$pid"; echo "processes of this run left behind"; exit 1; fi
if [ -e "$data_dir/postmaster.pid" ] || pgrep -f "$data_dir" >/dev/null; then echo "PostgreSQL still running"; exit 1; fi
echo "npm start stopped cleanly"
rm -rf "$data_dir"
