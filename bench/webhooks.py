#!/usr/bin/env python3
"""Webhook latency and throughput against the real broker jar.

Usage: bench/webhooks.py [LATENCY_EVENTS] [THROUGHPUT_EVENTS] [RATE_PER_S]   (defaults 500 20000 50)

Starts the broker jar on a fresh PostgreSQL database with a webhook encryption key, and a receiver
(asyncio, HTTP/1.1 keep-alive, answers 204 at once) on this machine, then measures:
  - latency: API changes (POST /stacks) at RATE_PER_S, one at a time; for each, the time from the
    event's own timestamp (taken inside the committing transaction, same clock) to the receiver
    reading the request; also from the API's 201 to the receiver;
  - throughput: THROUGHPUT_EVENTS events committed in one transaction straight into the outbox;
    deliveries per second from the commit until the receiver has them all (dispatch included).
Needs: a built broker jar (mvn -B -q package -DskipTests), PostgreSQL at $BENCH_DATABASE_URL
(default postgres://brokkr:brokkr@127.0.0.1:5432/postgres; database brokkr_bench_webhooks is
recreated). Progress goes to stderr, the figures to stdout as JSON.
"""
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://brokkr:brokkr@127.0.0.1:5432/postgres")
DB = SERVER.rsplit("/", 1)[0] + "/brokkr_bench_webhooks"
BROKER_PORT = int(os.environ.get("BENCH_PORT", "3920"))
KEY = "6b" * 32


def log(msg):
    print("[webhooks-bench] " + msg, file=sys.stderr, flush=True)


def call(pak, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/api/v1%s" % (BROKER_PORT, path), data=data, method=method)
    req.add_header("Authorization", "Bearer " + pak)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def wait_ready(seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % BROKER_PORT, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.2)
    raise SystemExit("broker not ready")


class Receiver:
    """Records (arrival time, envelope) of every POST; answers 204 with keep-alive."""

    def __init__(self):
        self.arrivals = []
        self.loop = asyncio.new_event_loop()
        self.port = None
        started = threading.Event()
        threading.Thread(target=self._run, args=(started,), daemon=True).start()
        started.wait()

    def _run(self, started):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024))
        self.port = server.sockets[0].getsockname()[1]
        started.set()
        self.loop.run_forever()

    async def _serve(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length) if length else b""
                self.arrivals.append((time.time(), body))
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def count(self):
        return len(self.arrivals)


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def epoch(ts):
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def main():
    latency_events = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    throughput_events = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 50.0
    work = tempfile.mkdtemp(prefix="webhooks-bench-")
    subprocess.run(["psql", SERVER, "-qc", "DROP DATABASE IF EXISTS brokkr_bench_webhooks",
                    "-c", "CREATE DATABASE brokkr_bench_webhooks"], check=True, capture_output=True)
    env = dict(os.environ, BROKKR__DATABASE__URL=DB, BROKKR__BROKER__PORT=str(BROKER_PORT),
               BROKKR__BROKER__ADMIN_PAK_FILE=work + "/key.txt", BROKKR__LOG__LEVEL="warn",
               BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY=KEY)
    broker = subprocess.Popen(["java", "-Xmx256m", "-jar", os.path.join(ROOT, "broker-verticles/target/brokkr-broker.jar")],
                              env=env, stdout=open(work + "/broker.log", "w"), stderr=subprocess.STDOUT)
    try:
        wait_ready(60)
        admin = open(work + "/key.txt").read().strip()
        receiver = Receiver()
        url = "http://127.0.0.1:%d/hook" % receiver.port
        call(admin, "POST", "/webhooks", {"name": "bench", "url": url, "event_types": ["stack.*", "bench.*"]})
        gen = call(admin, "POST", "/generators", {"name": "bench"})
        gid, gpak = gen["generator"]["id"], gen["pak"]

        # warm-up: JIT, connections
        for i in range(100):
            call(gpak, "POST", "/stacks", {"name": "warm-%d" % i, "generator_id": gid})
        while receiver.count() < 100:
            time.sleep(0.05)

        log("latency: %d stack creations at %.0f/s" % (latency_events, rate))
        answered = {}
        base = receiver.count()
        for i in range(latency_events):
            t0 = time.time()
            sid = call(gpak, "POST", "/stacks", {"name": "lat-%d" % i, "generator_id": gid})["id"]
            answered[sid] = time.time()
            pause = 1.0 / rate - (time.time() - t0)
            if pause > 0:
                time.sleep(pause)
        deadline = time.time() + 60
        while receiver.count() < base + latency_events and time.time() < deadline:
            time.sleep(0.05)
        commit_to_receiver, answer_to_receiver = [], []
        for arrived, body in receiver.arrivals[base:]:
            envelope = json.loads(body)
            commit_to_receiver.append((arrived - epoch(envelope["timestamp"])) * 1000)
            sid = envelope["data"]["stack_id"]
            if sid in answered:
                answer_to_receiver.append((arrived - answered[sid]) * 1000)

        log("throughput: %d events committed in one transaction" % throughput_events)
        base = receiver.count()
        sql = ("INSERT INTO event_outbox (id, event_type, payload) SELECT id, 'bench.load', "
               "jsonb_build_object('id', id, 'event_type', 'bench.load', 'timestamp', now(), 'data', jsonb_build_object('n', n)) "
               "FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, %d) n) x; "
               "SELECT pg_notify('brokkr_outbox', 'bench.load');" % throughput_events)
        committed = time.time()
        subprocess.run(["psql", DB, "-qc", "BEGIN; " + sql + " COMMIT;"], check=True, capture_output=True)
        committed = (committed + time.time()) / 2
        deadline = time.time() + 600
        while receiver.count() < base + throughput_events and time.time() < deadline:
            time.sleep(0.02)
        last = receiver.arrivals[-1][0]
        got = receiver.count() - base
        elapsed = last - committed
        states = subprocess.run(["psql", DB, "-At", "-c", "SELECT status, count(*) FROM webhook_deliveries GROUP BY 1 ORDER BY 1"],
                                check=True, capture_output=True, text=True).stdout.split()
        rss = None
        try:
            with open("/proc/%d/status" % broker.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) // 1024
        except OSError:
            pass
        print(json.dumps({
            "latency_events": len(commit_to_receiver),
            "commit_to_receiver_ms": {"p50": round(percentile(commit_to_receiver, 50), 2),
                                      "p90": round(percentile(commit_to_receiver, 90), 2),
                                      "p99": round(percentile(commit_to_receiver, 99), 2),
                                      "max": round(max(commit_to_receiver), 2)},
            "api_answer_to_receiver_ms": {"p50": round(percentile(answer_to_receiver, 50), 2),
                                          "p99": round(percentile(answer_to_receiver, 99), 2)},
            "throughput_events": got,
            "throughput_seconds": round(elapsed, 2),
            "deliveries_per_second": round(got / elapsed, 0),
            "delivery_states": states,
            "broker_rss_mib": rss,
        }, indent=2))
    finally:
        broker.terminate()
        try:
            broker.wait(30)
        except subprocess.TimeoutExpired:
            broker.kill()


if __name__ == "__main__":
    main()
