# Sourced by the bench scripts: a fresh database and a broker jar on it.
# bench_broker DB PORT [EXTRA_ENV...] recreates database DB on $BENCH_DATABASE_URL (default
# postgres://brokkr:brokkr@127.0.0.1:5432/postgres), starts broker-verticles/target/brokkr-broker.jar
# on PORT with -Xmx256m, waits for /readyz, and sets WORK (a temp dir removed on exit), DB_URL,
# BROKER_PID and ADMIN_PAK. EXTRA_ENV are NAME=VALUE pairs added to the broker's environment.
bench_broker() {
  local db=$1 port=$2
  shift 2
  local server=${BENCH_DATABASE_URL:-postgres://brokkr:brokkr@127.0.0.1:5432/postgres}
  DB_URL="${server%/*}/$db"
  WORK=$(mktemp -d)
  BROKER_PID=""
  trap 'kill "$BROKER_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
  echo "== recreating database $db" >&2
  psql "$server" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  echo "== starting broker on :$port" >&2
  env BROKKR__DATABASE__URL="$DB_URL" BROKKR__BROKER__PORT="$port" BROKKR__LOG__LEVEL=warn \
    BROKKR__BROKER__ADMIN_PAK_FILE="$WORK/key.txt" "$@" \
    java -Xmx256m -jar broker-verticles/target/brokkr-broker.jar > "$WORK/broker.log" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 1 120); do curl -sf "localhost:$port/readyz" >/dev/null && break; sleep 0.5; done
  curl -sf "localhost:$port/readyz" >/dev/null || { cat "$WORK/broker.log"; exit 1; }
  ADMIN_PAK=$(cat "$WORK/key.txt")
}
