#!/usr/bin/env bash
# Events per second through the dispatcher with the Kafka stream on, against an in-JVM KRaft Kafka.
# Usage: bench/kafka.sh [EVENTS] [PARTITIONS] [off]   (defaults 20000 3)
# Commits EVENTS outbox rows in one transaction (keyed over 100 stacks), then times from the commit
# until every row is dispatched, which with the stream on means every record was acknowledged
# (acks=all); then checks the topic holds EVENTS records. With "off" the same run without Kafka
# (the dispatcher alone, no webhook subscriptions), for comparison. BENCH_BATCH sets
# BROKKR__BROKER__EVENT_DISPATCH_BATCH_SIZE (default 200).
# Needs: built jars and test classes (mvn -B -q package -DskipTests), PostgreSQL at
# $BENCH_DATABASE_URL (default postgres://brokkr:brokkr@127.0.0.1:5432/postgres; database
# brokkr_bench_kafka is recreated).
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-20000}
PARTITIONS=${2:-3}
MODE=${3:-on}
PORT=${BENCH_PORT:-3930}
TOPIC=brokkr.events
. bench/broker.sh

KAFKA_DIR=$(mktemp -d)
KAFKA_PID=""
cleanup() {
  kill "$BROKER_PID" 2>/dev/null || true
  [ -n "$KAFKA_PID" ] && kill "$KAFKA_PID" 2>/dev/null && wait "$KAFKA_PID" 2>/dev/null || true
  rm -rf "$KAFKA_DIR" "${WORK:-}"
}
EXTRA=(BROKKR__BROKER__EVENT_DISPATCH_BATCH_SIZE="${BENCH_BATCH:-200}")
if [ "$MODE" != off ]; then
  echo "== starting in-JVM Kafka ($PARTITIONS partitions)" >&2
  (cd broker-verticles && mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$KAFKA_DIR/cp" >/dev/null)
  # its standard input is a pipe this script holds open: when the script ends, the harness does too
  mkfifo "$KAFKA_DIR/alive"
  exec 3<>"$KAFKA_DIR/alive"
  java -Xmx512m -cp "broker-verticles/target/test-classes:$(cat "$KAFKA_DIR/cp")" bench/InJvmKafka.java \
    "$KAFKA_DIR" "$TOPIC" "$PARTITIONS" < "$KAFKA_DIR/alive" 3>&- > "$KAFKA_DIR/kafka.log" 2>&1 &
  KAFKA_PID=$!
  trap cleanup EXIT
  for _ in $(seq 1 240); do [ -f "$KAFKA_DIR/bootstrap" ] && break; sleep 0.5; done
  [ -f "$KAFKA_DIR/bootstrap" ] || { tail -50 "$KAFKA_DIR/kafka.log"; exit 1; }
  EXTRA+=(BROKKR__KAFKA__BOOTSTRAP_SERVERS="$(cat "$KAFKA_DIR/bootstrap")")
fi
bench_broker brokkr_bench_kafka "$PORT" "${EXTRA[@]}"
trap cleanup EXIT

undispatched() { psql "$DB_URL" -At -c "SELECT count(*) FROM event_outbox WHERE dispatched_at IS NULL"; }
echo "== $EVENTS events committed in one transaction (kafka $MODE)" >&2
start=$(date +%s.%N)
psql "$DB_URL" -q -c "BEGIN;
  INSERT INTO event_outbox (id, event_type, payload)
  SELECT id, 'deployment.created', jsonb_build_object('id', id, 'event_type', 'deployment.created', 'timestamp', now(),
    'data', jsonb_build_object('stack_id', 'aaaaaaaa-0000-4000-8000-' || lpad((n % 100)::text, 12, '0'), 'n', n))
  FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $EVENTS) n) x;
  SELECT pg_notify('brokkr_outbox', 'deployment.created');
  COMMIT;" >/dev/null
committed=$(date +%s.%N)
while [ "$(undispatched)" != 0 ]; do sleep 0.05; done
done_at=$(date +%s.%N)
records=0
if [ "$MODE" != off ]; then
  sleep 0.5
  records=$(cat "$KAFKA_DIR/records")
fi
awk -v s="$committed" -v d="$done_at" -v n="$EVENTS" -v r="$records" -v m="$MODE" -v c="$start" -v b="${BENCH_BATCH:-200}" 'BEGIN {
  printf "{\"events\": %d, \"kafka\": \"%s\", \"commit_s\": %.2f, \"dispatch_s\": %.2f, \"events_per_s\": %.0f, \"records_on_topic\": %d, \"batch\": %d}\n",
    n, m, s - c, d - s, n / (d - s), r, b }'
echo "broker RSS: $(ps -o rss= -p "$BROKER_PID" | awk '{printf "%.0f MiB", $1/1024}')" >&2
