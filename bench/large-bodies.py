#!/usr/bin/env python3
"""Large bodies against any broker: does its memory return to where it was?

Usage: large-bodies.py BASE_URL ADMIN_PAK [OBJECTS] [MIB] [PID]   (defaults 10 objects of 5 MiB)
Through the REST API only: one generator, one stack labelled `burst` and one agent labelled
`burst`, then OBJECTS deployment objects of MIB MiB each (ConfigMaps), 4 uploads at a time; then
the agent's full target state (all of them, OBJECTS x MIB MiB) read 4 times at once, twice. With
the broker's PID, prints its RSS (and, through jcmd, the heap in use after a full collection)
before, right after, and 30 s after the burst. BENCH_NO_GC=1 reads the heap without asking for a
full collection first, to see what the broker gives back by itself.
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request


BUSY = {"count": 0}


def call(base, pak, method, path, body=None):
    """One request; a 503 with Retry-After (the broker's body budget full) is retried after the pause it asks for."""
    data = None if body is None else json.dumps(body).encode()
    while True:
        req = urllib.request.Request(base + "/api/v1" + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + pak)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=300) as resp:
                return resp.read()
        except urllib.error.HTTPError as e:
            if e.code != 503 or e.headers.get("Retry-After") is None:
                raise
            BUSY["count"] += 1
            time.sleep(float(e.headers.get("Retry-After")))


def memory(pid):
    if pid is None:
        return "n/a"
    rss = [l for l in open("/proc/%d/status" % pid) if l.startswith("VmRSS")][0].split()[1]
    heap = "?"
    try:
        if os.environ.get("BENCH_NO_GC") != "1":
            subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60)
        info = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
        heap = " | ".join(l.strip() for l in info.splitlines() if "total" in l)
    except Exception as e:
        heap = str(e)
    return "RSS %.0f MiB; heap%s: %s" % (int(rss) / 1024, "" if os.environ.get("BENCH_NO_GC") == "1" else " after GC", heap)


def main():
    base, admin = sys.argv[1], sys.argv[2]
    objects = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    mib = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    pid = int(sys.argv[5]) if len(sys.argv) > 5 else None
    print("before: " + memory(pid))
    gen = json.loads(call(base, admin, "POST", "/generators", {"name": "burst-gen-%d" % time.time_ns()}))
    gid, gpak = gen["generator"]["id"], gen["pak"]
    sid = json.loads(call(base, gpak, "POST", "/stacks", {"name": "burst-%d" % time.time_ns(), "generator_id": gid}))["id"]
    call(base, gpak, "POST", "/stacks/%s/labels" % sid, "burst")
    a = json.loads(call(base, admin, "POST", "/agents", {"name": "burst-%d" % time.time_ns(), "cluster_name": "burst",
                                                      "generator_ids": [gid]}))
    aid, apak = a["agent"]["id"], a["initial_pak"]
    call(base, admin, "POST", "/agents/%s/labels" % aid, {"agent_id": aid, "label": "burst"})
    filler = "x" * (mib * 1024 * 1024 - 200)

    def upload(i):
        yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big-%d\n  namespace: default\ndata:\n  k: %s%d\n" % (i, filler, i)
        call(base, gpak, "POST", "/stacks/%s/deployment-objects" % sid, {"yaml_content": yaml})

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(upload, range(objects)))
    print("uploaded %d x %d MiB in %.1f s (%d answers 503 server_busy, retried)" % (objects, mib, time.monotonic() - started, BUSY["count"]))

    def read(_):
        return len(call(base, apak, "GET", "/agents/%s/target-state?mode=full" % aid))

    for _ in range(2):
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            sizes = list(pool.map(read, range(4)))
    print("target state read 8 times, %.0f MiB each" % (sizes[0] / 1024 / 1024))
    print("right after: " + memory(pid))
    time.sleep(30)
    print("30 s after: " + memory(pid))


if __name__ == "__main__":
    main()
