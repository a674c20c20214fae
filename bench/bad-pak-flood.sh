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
PORT=${BENCH_PORT:-3901}
. bench/broker.sh
bench_broker brokkr_bench_auth "$PORT"

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
