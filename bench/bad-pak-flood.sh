#!/usr/bin/env bash
# What a flood of requests with unknown PAKs costs the audit log: sends N requests, each with a
# different well-formed but unknown PAK, then counts the auth.failed rows and their total count.
# Usage: bench/bad-pak-flood.sh [REQUESTS] [CONNECTIONS]   (defaults 10000 32)
# Needs: a built broker jar, wrk, and a PostgreSQL reachable at $BENCH_DATABASE_URL
# (default postgres://brokkr:brokkr@127.0.0.1:5432/postgres; a database brokkr_bench_auth is recreated).
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-10000}
CONNECTIONS=${2:-32}
SERVER=${BENCH_DATABASE_URL:-postgres://brokkr:brokkr@127.0.0.1:5432/postgres}
DB_URL="${SERVER%/*}/brokkr_bench_auth"
PORT=${BENCH_PORT:-3901}
WORK=$(mktemp -d)
trap 'kill "$BROKER_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== recreating database brokkr_bench_auth" >&2
psql "$SERVER" -qc "DROP DATABASE IF EXISTS brokkr_bench_auth" -c "CREATE DATABASE brokkr_bench_auth"
echo "== starting broker on :$PORT" >&2
BROKKR__DATABASE__URL="$DB_URL" BROKKR__BROKER__PORT=$PORT BROKKR__LOG__LEVEL=warn \
BROKKR__BROKER__ADMIN_PAK_FILE="$WORK/key.txt" \
  java -Xmx256m -jar broker-verticles/target/brokkr-broker.jar > "$WORK/broker.log" 2>&1 &
BROKER_PID=$!
for _ in $(seq 1 60); do curl -sf "localhost:$PORT/readyz" >/dev/null && break; sleep 0.5; done
curl -sf "localhost:$PORT/readyz" >/dev/null || { cat "$WORK/broker.log"; exit 1; }

# every request carries a fresh random long token (a valid shape, never a known PAK), and stops
# after REQUESTS requests in all (one wrk thread, so one counter)
cat > "$WORK/flood.lua" <<LUA
local alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
local budget = $REQUESTS
local sent = 0
local function token(n)
  local t = {}
  for i = 1, n do local k = math.random(1, #alphabet); t[i] = alphabet:sub(k, k) end
  return table.concat(t)
end
function init(args) math.randomseed(os.time() + math.random(1, 100000)) end
request = function()
  sent = sent + 1
  if sent > budget then wrk.thread:stop() end
  return wrk.format("GET", "/api/v1/agents", {["Authorization"] = "Bearer brokkr_BR" .. token(6) .. "_" .. token(32),
    ["User-Agent"] = "flood/" .. string.rep("x", 7000)})
end
LUA
echo "== sending about $REQUESTS requests with unknown PAKs" >&2
wrk -t1 -c"$CONNECTIONS" -d60s --latency -s "$WORK/flood.lua" "http://localhost:$PORT" | tee "$WORK/wrk.txt"
sleep 2   # one flush interval (1 s) and then some
echo "== audit rows"
psql "$DB_URL" -At -c "SELECT count(*) AS rows, coalesce(sum((details->>'count')::bigint), 0) AS failures,
  max(length(user_agent)) AS longest_user_agent FROM audit_logs WHERE action = 'auth.failed'" \
  | awk -F'|' '{printf "auth.failed rows: %s, failures counted: %s, longest stored user agent: %s\n", $1, $2, $3}'
