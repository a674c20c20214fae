#!/usr/bin/env bash
# Push propagation: deployment object created (the 201) -> stack_changed frame at the agent's socket,
# with one broker and with two brokers on one database (the agent's socket on the other replica).
# Usage: bench/push.sh [AGENTS] [SAMPLES]   (defaults 500 1000)
# Needs: a built broker jar and a PostgreSQL reachable at $BENCH_DATABASE_URL
# (default postgres://brokkr:brokkr@127.0.0.1:5432/postgres; a database brokkr_bench_push is recreated).
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS=${1:-500}
SAMPLES=${2:-1000}
PORT=${BENCH_PORT:-3950}
. bench/broker.sh
bench_broker brokkr_bench_push "$PORT"

echo "== starting a second broker on :$((PORT + 1)), same database" >&2
B_PID=""
trap 'kill "$BROKER_PID" "$B_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
env BROKKR__DATABASE__URL="$DB_URL" BROKKR__BROKER__PORT="$((PORT + 1))" BROKKR__LOG__LEVEL=warn \
  BROKKR__BROKER__ADMIN_PAK_FILE="$WORK/key-b.txt" \
  java -Xmx256m -jar broker-verticles/target/brokkr-broker.jar > "$WORK/broker-b.log" 2>&1 &
B_PID=$!
for _ in $(seq 1 120); do curl -sf "localhost:$((PORT + 1))/readyz" >/dev/null && break; sleep 0.5; done
curl -sf "localhost:$((PORT + 1))/readyz" >/dev/null || { cat "$WORK/broker-b.log"; exit 1; }

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java bench/PushPropagation.java "http://localhost:$PORT" "http://localhost:$((PORT + 1))" "$ADMIN_PAK" "$AGENTS" "$SAMPLES"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "broker RSS: A $(ps -o rss= -p "$BROKER_PID" | awk '{printf "%.0f MiB", $1/1024}'), B $(ps -o rss= -p "$B_PID" | awk '{printf "%.0f MiB", $1/1024}')"
