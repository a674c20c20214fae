#!/usr/bin/env bash
# Rough throughput of GET /agents/{id}/target-state (PAK auth, full mode) with wrk.
# Usage: bench/target-state.sh [AGENTS] [STACKS] [DURATION] [conditional]   (defaults 200 20 30s)
# With "conditional" every poll presents the agent's current ETag (answered 304).
# Needs: a built broker jar, wrk, and a PostgreSQL reachable at $BENCH_DATABASE_URL
# (default postgres://brokkr:brokkr@127.0.0.1:5432/postgres; a database brokkr_bench is recreated).
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS=${1:-200}
STACKS=${2:-20}
DURATION=${3:-30s}
MODE=${4:-}
SERVER=${BENCH_DATABASE_URL:-postgres://brokkr:brokkr@127.0.0.1:5432/postgres}
DB_URL="${SERVER%/*}/brokkr_bench"
PORT=${BENCH_PORT:-3900}
WORK=$(mktemp -d)
trap 'kill "$BROKER_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== recreating database brokkr_bench" >&2
psql "$SERVER" -qc "DROP DATABASE IF EXISTS brokkr_bench" -c "CREATE DATABASE brokkr_bench"

echo "== starting broker on :$PORT" >&2
BROKKR__DATABASE__URL="$DB_URL" BROKKR__BROKER__PORT=$PORT BROKKR__LOG__LEVEL=warn \
BROKKR__BROKER__ADMIN_PAK_FILE="$WORK/key.txt" \
  java -Xmx256m -jar broker-verticles/target/brokkr-broker.jar > "$WORK/broker.log" 2>&1 &
BROKER_PID=$!
for _ in $(seq 1 60); do curl -sf "localhost:$PORT/readyz" >/dev/null && break; sleep 0.5; done
curl -sf "localhost:$PORT/readyz" >/dev/null || { cat "$WORK/broker.log"; exit 1; }

echo "== seeding $AGENTS agents x $STACKS stacks" >&2
python3 bench/seed.py "http://localhost:$PORT" "$(cat "$WORK/key.txt")" "$AGENTS" "$STACKS" "$WORK/requests.lua" $MODE

echo "== warm-up 10s" >&2
wrk -t2 -c32 -d10s -s "$WORK/requests.lua" "http://localhost:$PORT" > /dev/null
echo "== measuring $DURATION" >&2
wrk -t2 -c64 -d"$DURATION" --latency -s "$WORK/requests.lua" "http://localhost:$PORT"
echo "broker RSS: $(ps -o rss= -p "$BROKER_PID" | awk '{printf "%.0f MiB", $1/1024}')"
