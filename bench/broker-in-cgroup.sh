#!/usr/bin/env bash
# Starts our broker jar inside a cgroup v1 memory controller, as k8s would limit it, on a fresh
# database, and prints the variables the other scripts take. Stop it with `kill $BENCH_PID`.
# Usage: bench/broker-in-cgroup.sh DB PORT [LIMIT_MIB]   (default 512)
# BENCH_JAR picks another jar (default broker-verticles/target/brokkr-broker.jar).
# JAVA_OPTS defaults to the options of k8s/broker-deployment.yaml (JAVA_TOOL_OPTIONS there, and its
# MALLOC_ARENA_MAX unless that is set), with
# the class-data archive beside the jar. Prints BENCH_PID, URL, ADMIN_PAK and the cgroup path; the
# broker's log is in $WORK/broker.log (WORK is printed too and is left in place).
set -euo pipefail
cd "$(dirname "$0")/.."
DB=$1
PORT=$2
LIMIT=${3:-512}
SERVER=${BENCH_DATABASE_URL:-postgres://brokkr:brokkr@127.0.0.1:5432/postgres}
MANIFEST_OPTS=$(grep -A1 'name: JAVA_TOOL_OPTIONS' k8s/broker-deployment.yaml | sed -n 's/.*value: "\(.*\)"/\1/p' \
  | sed 's|-XX:SharedArchiveFile=[^ ]*|-XX:SharedArchiveFile=broker-verticles/target/brokkr-broker.jsa|')
JAVA_OPTS=${JAVA_OPTS:-$MANIFEST_OPTS}
# the manifest's C heap arena count too, unless MALLOC_ARENA_MAX is set
ARENAS=${MALLOC_ARENA_MAX:-$(grep -A1 'name: MALLOC_ARENA_MAX' k8s/broker-deployment.yaml | sed -n 's/.*value: "\(.*\)"/\1/p')}
JAR=${BENCH_JAR:-broker-verticles/target/brokkr-broker.jar}
CG=/sys/fs/cgroup/memory/brokkr-bench-$PORT
WORK=$(mktemp -d)
psql "$SERVER" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >&2
mkdir -p "$CG"
echo $((LIMIT * 1024 * 1024)) > "$CG/memory.limit_in_bytes"
# the shell enters the cgroup first, so the JVM is limited from its first allocation
( echo $BASHPID > "$CG/cgroup.procs"
  exec env MALLOC_ARENA_MAX="$ARENAS" BROKKR__DATABASE__URL="${SERVER%/*}/$DB" BROKKR__BROKER__PORT="$PORT" BROKKR__LOG__LEVEL=warn \
    BROKKR__BROKER__ADMIN_PAK_FILE="$WORK/key.txt" java $JAVA_OPTS -jar "$JAR" ) \
  > "$WORK/broker.log" 2>&1 &
PID=$!
for _ in $(seq 1 240); do curl -sf "localhost:$PORT/readyz" >/dev/null && break; sleep 0.5; done
curl -sf "localhost:$PORT/readyz" >/dev/null || { cat "$WORK/broker.log" >&2; exit 1; }
echo "BENCH_PID=$PID"
echo "URL=http://localhost:$PORT"
echo "ADMIN_PAK=$(cat "$WORK/key.txt")"
echo "CGROUP=$CG"
echo "WORK=$WORK"
echo "JAVA_OPTS=\"$JAVA_OPTS\""
echo "MALLOC_ARENA_MAX=$ARENAS"
