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
PORT=${BENCH_PORT:-3900}
. bench/broker.sh
bench_broker brokkr_bench "$PORT"

echo "== seeding $AGENTS agents x $STACKS stacks" >&2
python3 bench/seed.py "http://localhost:$PORT" "$ADMIN_PAK" "$AGENTS" "$STACKS" "$WORK/requests.lua" $MODE

echo "== warm-up 10s" >&2
wrk -t2 -c32 -d10s -s "$WORK/requests.lua" "http://localhost:$PORT" > /dev/null
echo "== measuring $DURATION" >&2
wrk -t2 -c64 -d"$DURATION" --latency -s "$WORK/requests.lua" "http://localhost:$PORT"
echo "broker RSS: $(ps -o rss= -p "$BROKER_PID" | awk '{printf "%.0f MiB", $1/1024}')"
