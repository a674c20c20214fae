#!/usr/bin/env bash
# The telemetry uplink under load: bench/telemetry.sh [AGENTS] [RATE] [SECONDS]
# (default 500 agents x 10 frames/s x 60 s). One broker jar (-Xmx256m) on a fresh database,
# AGENTS agents registered through the REST API, each with its own PAK, stack and socket, sending
# RATE frames/s (k8s_event and pod_log_line in turn) from bench/TelemetryLoad.java (one JVM, one
# event loop). Reports frames sent, rows stored, drops by reason, dropped connections, the broker's
# CPU over the sending window (from /proc) and its RSS (peak and at the end).
# Needs: built jars (mvn -B -q package -DskipTests), PostgreSQL at $BENCH_DATABASE_URL, psql, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS=${1:-500}
RATE=${2:-10}
SECONDS_=${3:-60}
PORT=${BENCH_PORT:-3197}
. bench/broker.sh
bench_broker brokkr_bench_telemetry "$PORT"
cpu() { awk '{print $14 + $15}' "/proc/$BROKER_PID/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$BROKER_PID/status"; }
# the broker's jar carries every class the client needs (Vert.x core and web client)
java -Xmx512m -cp broker-verticles/target/brokkr-broker.jar bench/TelemetryLoad.java "$PORT" "$ADMIN_PAK" "$AGENTS" \
  "$RATE" "$SECONDS_" > "$WORK/load.json" 2> "$WORK/load.err" &
LOAD_PID=$!
# the sending window starts once every socket is open
until grep -q '^connected' "$WORK/load.err" 2>/dev/null; do
  kill -0 "$LOAD_PID" 2>/dev/null || { cat "$WORK/load.err"; exit 1; }
  sleep 0.2
done
CPU0=$(cpu); T0=$(date +%s.%N); PEAK=0
while kill -0 "$LOAD_PID" 2>/dev/null; do
  R=$(rss); [ "$R" -gt "$PEAK" ] && PEAK=$R
  sleep 1
done
CPU1=$(cpu); T1=$(date +%s.%N)
wait "$LOAD_PID" || { cat "$WORK/load.err"; exit 1; }
sleep 2
TICKS=$(getconf CLK_TCK)
EVENTS=$(psql "$DB_URL" -tAc "SELECT count(*) FROM agent_k8s_events")
LOGS=$(psql "$DB_URL" -tAc "SELECT count(*) FROM agent_pod_logs")
echo "load: $(cat "$WORK/load.json")"
echo "rows stored: agent_k8s_events=$EVENTS agent_pod_logs=$LOGS"
echo "frames by result:"
curl -s "localhost:$PORT/metrics" | grep '^brokkr_ws_telemetry' | sed 's/^/  /'
awk -v c0="$CPU0" -v c1="$CPU1" -v t0="$T0" -v t1="$T1" -v hz="$TICKS" \
  'BEGIN { printf "broker CPU over the run: %.0f %% of one core (%.1f s CPU in %.1f s)\n", 100*(c1-c0)/hz/(t1-t0), (c1-c0)/hz, t1-t0 }'
echo "broker RSS: peak $((PEAK / 1024)) MiB, at the end $(( $(rss) / 1024 )) MiB"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
