#!/usr/bin/env bash
# GET /agents/{id}/target-state against any running broker: seeded through its REST API only
# (bench/seed.py), then wrk with a Lua script that rotates over the agents, each with its own PAK.
# Usage: bench/target-state-at.sh URL ADMIN_PAK [AGENTS] [STACKS] [DURATION] [conditional]   (defaults 2000 20 30s)
# BENCH_PID=<broker pid> adds the broker's RSS (idle after seeding, and after the run);
# BENCH_JFR=<file> (with BENCH_PID) records the measured run only with JFR (jcmd JFR.start, profile
# settings), for bench/jfr-top.py; BENCH_LUA=<file> keeps the seeded wrk script; BENCH_CONNECTIONS (64) and BENCH_THREADS (2) are wrk's -c and -t. Prints wrk's report (req/s,
# latency distribution with p50/p99) and the load average. Needs wrk and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
URL=$1
ADMIN_PAK=$2
AGENTS=${3:-2000}
STACKS=${4:-20}
DURATION=${5:-30s}
MODE=${6:-}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
rss() { [ -n "${BENCH_PID:-}" ] && awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$BENCH_PID/status" || echo "n/a (no BENCH_PID)"; }

echo "== seeding $AGENTS agents x $STACKS stacks through $URL" >&2
python3 bench/seed.py "$URL" "$ADMIN_PAK" "$AGENTS" "$STACKS" "$WORK/requests.lua" $MODE
# BENCH_LUA=<file> keeps the wrk script (the seeded agents and their PAKs) for further runs
[ -n "${BENCH_LUA:-}" ] && cp "$WORK/requests.lua" "$BENCH_LUA"
echo "broker RSS after seeding: $(rss)"
echo "== warm-up 10s" >&2
wrk -t"${BENCH_THREADS:-2}" -c32 -d10s -s "$WORK/requests.lua" "$URL" > /dev/null
echo "== measuring $DURATION (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
if [ -n "${BENCH_JFR:-}" ] && [ -n "${BENCH_PID:-}" ]; then
  jcmd "$BENCH_PID" JFR.start name=bench settings=profile filename="$BENCH_JFR" > /dev/null
fi
wrk -t"${BENCH_THREADS:-2}" -c"${BENCH_CONNECTIONS:-64}" -d"$DURATION" --latency -s "$WORK/requests.lua" "$URL"
if [ -n "${BENCH_JFR:-}" ] && [ -n "${BENCH_PID:-}" ]; then
  jcmd "$BENCH_PID" JFR.stop name=bench > /dev/null
  echo "JFR recording of the measured run: $BENCH_JFR"
fi
echo "broker RSS after the run: $(rss)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
