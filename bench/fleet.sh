#!/usr/bin/env bash
# Latency of GET /fleet (admin) on a seeded fleet, with wrk.
# Usage: bench/fleet.sh [AGENTS] [DURATION] [CONNECTIONS]   (defaults 5000 30s 1)
# The fleet is written by SQL (bench/fleet-seed.sql: AGENTS agents, 200 stacks, ~10 associated
# stacks per agent, events, health rows and work orders). Needs a built broker jar, wrk, psql and
# a PostgreSQL at $BENCH_DATABASE_URL (default postgres://brokkr:brokkr@127.0.0.1:5432/postgres);
# the database $BENCH_DATABASE (default brokkr_bench_fleet) is recreated.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS=${1:-5000}
DURATION=${2:-30s}
CONNECTIONS=${3:-1}
DB=${BENCH_DATABASE:-brokkr_bench_fleet}
. bench/broker.sh
PORT=${BENCH_PORT:-3910}
bench_broker "$DB" "$PORT"
ADMIN="Authorization: Bearer $ADMIN_PAK"

echo "== seeding $AGENTS agents" >&2
psql "$DB_URL" -q -v agents="$AGENTS" -v groups=20 -v per_group=10 -f bench/fleet-seed.sql

URL="http://localhost:$PORT/api/v1/fleet"
RECORDS=$(curl -sf -H "$ADMIN" "$URL" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
BYTES=$(curl -sf -H "$ADMIN" "$URL" | wc -c)
echo "== GET /fleet answers $RECORDS records, $BYTES bytes" >&2
echo "== database time of the fleet statement alone (psql, JIT off as the broker runs it; 10 runs)" >&2
for _ in 1 2 3; do curl -sf -o /dev/null -H "$ADMIN" "$URL"; done
python3 - "$DB_URL" <<'EOF2'
import re, subprocess, sys
src = open("broker-verticles/src/main/java/org/brokkr/broker/fleet/FleetRepository.java").read()
sql = re.search(r'RECORDS = """\n(.*?)""";', src, re.S).group(1)
sql = sql.replace("%s", "")  # the whole-fleet statement
script = "SET jit = off;\n\\o /dev/null\n\\timing on\n" + (sql + ";\n") * 10
out = subprocess.run(["psql", sys.argv[1], "-qAt"], input=script, capture_output=True, text=True, check=True).stdout
times = sorted(float(t) for t in re.findall(r"Time: ([0-9.]+) ms", out))
print("statement: min %.1f ms, median %.1f ms, max %.1f ms" % (times[0], times[len(times) // 2], times[-1]), file=sys.stderr)
EOF2
echo "== load average: $(cut -d" " -f1-3 /proc/loadavg)" >&2
echo "== warm-up 10s" >&2
wrk -t1 -c"$CONNECTIONS" -d10s -H "$ADMIN" "$URL" > /dev/null
echo "== measuring $DURATION with $CONNECTIONS connection(s)" >&2
wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "$ADMIN" "$URL"
echo "load average: $(cut -d" " -f1-3 /proc/loadavg)"
echo "broker RSS: $(ps -o rss= -p "$BROKER_PID" | awk '{printf "%.0f MiB", $1/1024}')"
