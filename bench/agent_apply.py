#!/usr/bin/env python3
"""Agent throughput on a real API server, with the real jars.

Usage: bench/agent_apply.py [STACKS] [OBJECTS_PER_STACK]   (defaults 50 10: 500 ConfigMaps)

Starts the broker jar on a fresh PostgreSQL database and the agent jar against the API server of
scripts/k8s-test-env, seeds STACKS stacks of OBJECTS_PER_STACK ConfigMaps each, and measures, all
from the agent's own /metrics (watched every 50 ms, so the broker is not polled meanwhile):
  - objects applied per second, from the agent's first target-state poll until its applied
    counter covers every stack and no deployment event is left to deliver; and the same from the
    agent's launch (JVM start, broker and Kubernetes handshakes included);
  - the CPU seconds the agent and the API server spent over that time (utime+stime of /proc/<pid>/stat:
    they share the machine's cores, so wall time alone hides who worked), and the load average;
  - the agent's resident memory (VmRSS of /proc/<pid>/status) once everything is applied;
  - what a no-op poll costs: Kubernetes calls and writes per poll once everything is applied
    (from the agent's /metrics counters, over several polls);
  - pruning: every stack deleted at the broker (a deletion marker each), until the agent's pruned
    counter covers every object (the wait includes up to one polling interval, 2 s); the agent's
    CPU seconds over that time. BENCH_PRUNE=0 leaves this out.
Needs: built jars (mvn -B -q package -DskipTests), PostgreSQL at $BENCH_DATABASE_URL
(default postgres://brokkr:brokkr@127.0.0.1:5432/postgres). Progress goes to stderr. The agent's
environment passes through, e.g. BROKKR__AGENT__APPLY_CONCURRENCY=1 for strictly one call at a time;
BENCH_AGENT_JVM_OPTIONS are JVM options for the agent (e.g. "-XX:+UseSerialGC -Xmx96m"),
BENCH_AGENT_JAR another agent jar to compare with.
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://brokkr:brokkr@127.0.0.1:5432/postgres")
BROKER_PORT, AGENT_PORT = 3910, 3911


def log(msg):
    print("[agent-bench] " + msg, file=sys.stderr, flush=True)


def call(pak, method, path, body=None, ctype="application/json"):
    data = None if body is None else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    req = urllib.request.Request("http://127.0.0.1:%d/api/v1%s" % (BROKER_PORT, path), data=data, method=method)
    req.add_header("Authorization", "Bearer " + pak)
    if data is not None:
        req.add_header("Content-Type", ctype)
    with urllib.request.urlopen(req) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def wait_http(url, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.5)
    raise SystemExit("timed out waiting for " + url)


def metrics(timeout=None):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % AGENT_PORT, timeout=timeout) as r:
        out = {}
        for line in r.read().decode().splitlines():
            if line and not line.startswith("#") and " " in line:
                k, v = line.rsplit(" ", 1)
                out[k] = float(v)
        return out


def polls(sample):
    return sum(v for k, v in sample.items() if k.startswith("brokkr_agent_poll_requests_total"))


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def apiserver_pid():
    state = os.path.join(os.environ.get("BROKKR_K8S_RUN", "/tmp/brokkr-k8s-test-env"), "state")
    try:
        with open(state) as f:
            for line in f:
                if line.startswith("APISERVER_PID="):
                    return int(line.split("=", 1)[1].strip().strip("'\""))
    except (OSError, ValueError):
        pass
    return None


def delta(after, before):
    return None if after is None or before is None else round(after - before, 2)


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def main():
    stacks = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    per_stack = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    work = tempfile.mkdtemp(prefix="agent-bench-")
    kubeconfig = subprocess.run(["bash", os.path.join(ROOT, "scripts/k8s-test-env"), "up"], check=True,
                                capture_output=True, text=True).stdout.strip().splitlines()[-1]
    ns = "bench-" + uuid.uuid4().hex[:8]
    subprocess.run(["bash", os.path.join(ROOT, "scripts/k8s-test-env"), "kubectl", "create", "namespace", ns],
                   check=True, capture_output=True)
    subprocess.run(["psql", SERVER, "-qc", "DROP DATABASE IF EXISTS brokkr_agent_bench", "-c", "CREATE DATABASE brokkr_agent_bench"],
                   check=True, capture_output=True)
    env = dict(os.environ, BROKKR__DATABASE__URL=SERVER.rsplit("/", 1)[0] + "/brokkr_agent_bench",
               BROKKR__BROKER__PORT=str(BROKER_PORT), BROKKR__BROKER__ADMIN_PAK_FILE=work + "/key.txt",
               BROKKR__LOG__LEVEL="warn")
    broker = subprocess.Popen(["java", "-jar", os.path.join(ROOT, "broker-verticles/target/brokkr-broker.jar")], env=env,
                              stdout=open(work + "/broker.log", "w"), stderr=subprocess.STDOUT)
    agent = None
    try:
        wait_http("http://127.0.0.1:%d/readyz" % BROKER_PORT, 60)
        admin = open(work + "/key.txt").read().strip()
        gen = call(admin, "POST", "/generators", {"name": "bench"})
        gid, gpak = gen["generator"]["id"], gen["pak"]
        ag = call(admin, "POST", "/agents", {"name": "bench-agent", "cluster_name": "bench", "generator_ids": [gid]})
        aid, apak = ag["agent"]["id"], ag["initial_pak"]
        call(admin, "PUT", "/agents/" + aid, {"status": "ACTIVE"})
        call(admin, "POST", "/agents/%s/labels" % aid, {"agent_id": aid, "label": "bench"})
        log("seeding %d stacks x %d ConfigMaps in namespace %s" % (stacks, per_stack, ns))
        stack_ids = []
        for s in range(stacks):
            sid = call(gpak, "POST", "/stacks", {"name": "bench-%d" % s, "generator_id": gid})["id"]
            stack_ids.append(sid)
            call(gpak, "POST", "/stacks/%s/labels" % sid, '"bench"')
            docs = ["apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s%d-c%d\n  namespace: %s\ndata:\n  k: v\n" % (s, c, ns)
                    for c in range(per_stack)]
            call(gpak, "POST", "/stacks/%s/deployment-objects" % sid, "---\n".join(docs), "application/yaml")
        aenv = dict(os.environ, BROKKR__AGENT__BROKER_URL="http://127.0.0.1:%d" % BROKER_PORT, BROKKR__AGENT__PAK=apak,
                    BROKKR__AGENT__AGENT_NAME="bench-agent", BROKKR__AGENT__CLUSTER_NAME="bench",
                    BROKKR__AGENT__KUBECONFIG_PATH=kubeconfig, BROKKR__AGENT__POLLING_INTERVAL="2",
                    BROKKR__AGENT__HEALTH_PORT=str(AGENT_PORT), BROKKR__AGENT__STATE_DIR=work + "/state",
                    BROKKR__LOG__LEVEL="warn")
        jar = os.environ.get("BENCH_AGENT_JAR", os.path.join(ROOT, "agent-verticles/target/brokkr-agent.jar"))
        jvm = shlex.split(os.environ.get("BENCH_AGENT_JVM_OPTIONS", ""))
        api_pid = apiserver_pid()
        api_cpu_launch = cpu_seconds(api_pid) if api_pid else None
        started = time.time()
        agent = subprocess.Popen(["java"] + jvm + ["-jar", jar], env=aenv,
                                 stdout=open(work + "/agent.log", "w"), stderr=subprocess.STDOUT)
        # the first poll: the agent's /metrics counts it once the target state has arrived
        first_poll = None
        while first_poll is None:
            try:
                if polls(metrics(timeout=1)) >= 1:
                    first_poll = time.time()
                    agent_cpu_poll, api_cpu_poll = cpu_seconds(agent.pid), cpu_seconds(api_pid) if api_pid else None
            except Exception:
                pass
            if agent.poll() is not None or time.time() - started > 600:
                raise SystemExit("the agent never polled; see %s" % work)
            time.sleep(0.02)
        # done: every stack counted as applied and no deployment event left to deliver (an agent
        # without the pending gauge is asked nothing more; its events are then checked once at the broker)
        while True:
            sample = metrics(timeout=5)
            applied = sample.get("brokkr_agent_objects_applied_total", 0)
            pending = sample.get("brokkr_agent_deployment_events_pending")
            if applied >= stacks and (pending == 0 or pending is None):
                break
            if time.time() - started > 600:
                raise SystemExit("timed out: %d/%d stacks applied; see %s" % (applied, stacks, work))
            time.sleep(0.05)
        while pending is None:
            events = call(admin, "GET", "/agents/%s/events" % aid)
            if sum(1 for e in events if e["status"] == "SUCCESS") >= stacks:
                break
            time.sleep(0.05)
        finished = time.time()
        agent_cpu_done, api_cpu_done = cpu_seconds(agent.pid), cpu_seconds(api_pid) if api_pid else None
        load = load_average()
        elapsed, applying = finished - started, finished - first_poll
        total = stacks * per_stack
        rss_applied = rss_mib(agent.pid)
        log("applied %d objects in %.2f s from the first poll, %.2f s from the agent's launch" % (total, applying, elapsed))
        time.sleep(3)
        before = metrics()
        polls_before = polls(before)
        time.sleep(10)
        after = metrics()
        polls_seen = polls(after) - polls_before
        calls = after["brokkr_agent_kubernetes_calls_total"] - before["brokkr_agent_kubernetes_calls_total"]
        writes = after["brokkr_agent_kubernetes_writes_total"] - before["brokkr_agent_kubernetes_writes_total"]
        heartbeats = after["brokkr_agent_heartbeat_sent_total"] - before["brokkr_agent_heartbeat_sent_total"]
        prune = {}
        if os.environ.get("BENCH_PRUNE", "1") == "1":
            pruned_before = after.get("brokkr_agent_objects_pruned_total", 0)
            deleted_at, agent_cpu_delete = time.time(), cpu_seconds(agent.pid)
            for sid in stack_ids:
                call(gpak, "DELETE", "/stacks/" + sid)
            while metrics(timeout=5).get("brokkr_agent_objects_pruned_total", 0) - pruned_before < total:
                if time.time() - deleted_at > 300:
                    raise SystemExit("timed out pruning; see %s" % work)
                time.sleep(0.05)
            pruning = time.time() - deleted_at
            log("pruned %d objects in %.2f s from the stacks' deletion" % (total, pruning))
            prune = {"seconds_to_prune_from_delete": round(pruning, 2), "objects_pruned_per_second": round(total / pruning, 1),
                     "agent_cpu_seconds_pruning": delta(cpu_seconds(agent.pid), agent_cpu_delete)}
        print(json.dumps({
            "objects": total, "stacks": stacks,
            "apply_concurrency": os.environ.get("BROKKR__AGENT__APPLY_CONCURRENCY", "default"),
            "seconds_from_first_poll": round(applying, 2),
            "objects_per_second": round(total / applying, 1),
            "seconds_from_agent_launch": round(elapsed, 2),
            "objects_per_second_agent_start_included": round(total / elapsed, 1),
            "agent_cpu_seconds_from_first_poll": delta(agent_cpu_done, agent_cpu_poll),
            "agent_cpu_seconds_from_launch": agent_cpu_done,
            "apiserver_cpu_seconds_from_first_poll": delta(api_cpu_done, api_cpu_poll),
            "apiserver_cpu_seconds_from_agent_launch": delta(api_cpu_done, api_cpu_launch),
            "load_average_at_done": load,
            "agent_jvm_options": " ".join(jvm), "agent_jar": os.path.relpath(jar, ROOT),
            "agent_rss_mib_after_apply": rss_applied, "agent_rss_mib_at_end": rss_mib(agent.pid),
            "noop_polls_observed": polls_seen, "kubernetes_writes_during_noop_polls": writes,
            "kubernetes_calls_during_noop_polls": calls, "heartbeats_in_window": heartbeats,
            "kubernetes_calls_per_noop_poll_excluding_heartbeat_probes": (calls - heartbeats) / polls_seen if polls_seen else None,
            **prune,
        }, indent=2))
    finally:
        for p in (agent, broker):
            if p is not None:
                p.terminate()
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
        subprocess.run(["bash", os.path.join(ROOT, "scripts/k8s-test-env"), "kubectl", "delete", "namespace", ns, "--wait=false"],
                       capture_output=True)


if __name__ == "__main__":
    main()
