#!/usr/bin/env python3
"""Process start -> first `/readyz` 200 of the broker jar on a migrated database.

Usage: startup.py DATABASE_URL [RUNS] [JAR] [JAVA_OPTION...]   (defaults 5, broker-verticles/target/brokkr-broker.jar)
The first start migrates the database (not counted); then RUNS starts are timed from spawning
`java` to the first 200 of `/readyz` (polled every 5 ms), and the broker is stopped (SIGTERM)
after each. Prints each run with the CPU time the broker used until then (user + system, less
sensitive than the wall time to other work on the machine), the medians and the load average; the broker's startup log line
(`broker ready ... startup_ms=`, and the phase summary when present) goes to stderr.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def start(jar, db, port, work, options):
    env = dict(os.environ, BROKKR__DATABASE__URL=db, BROKKR__BROKER__PORT=str(port),
               BROKKR__BROKER__ADMIN_PAK_FILE=os.path.join(work, "key.txt"))
    try:
        urllib.request.urlopen("http://127.0.0.1:%d/readyz" % port, timeout=1)
        sys.exit("port %d is already answering; set BENCH_PORT" % port)
    except urllib.error.HTTPError:
        sys.exit("port %d is already answering; set BENCH_PORT" % port)
    except Exception:
        pass
    log = open(os.path.join(work, "broker.log"), "w")
    began = time.monotonic()
    proc = subprocess.Popen(["java", *options, "-jar", jar], env=env, stdout=log, stderr=subprocess.STDOUT)
    while True:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % port, timeout=1) as resp:
                if resp.status == 200:
                    break
        except Exception:
            pass
        if proc.poll() is not None:
            sys.exit("broker exited: " + open(log.name).read())
        time.sleep(0.005)
    elapsed = time.monotonic() - began
    fields = open("/proc/%d/stat" % proc.pid).read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    proc.terminate()
    proc.wait()
    for line in open(log.name):
        if "broker ready" in line or "startup phases" in line:
            print("   " + line.strip(), file=sys.stderr)
    return elapsed, cpu


def main():
    db = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    jar = sys.argv[3] if len(sys.argv) > 3 else "broker-verticles/target/brokkr-broker.jar"
    options = sys.argv[4:]
    port = int(os.environ.get("BENCH_PORT", "47391"))
    with tempfile.TemporaryDirectory() as work:
        start(jar, db, port, work, options)  # migrates a fresh database; not counted
        times, cpus = [], []
        for i in range(runs):
            t, cpu = start(jar, db, port, work, options)
            times.append(t)
            cpus.append(cpu)
            print("run %d: %.3f s, broker CPU %.2f s  (load %s)" % (i + 1, t, cpu, load()))
        print("median %.3f s (CPU %.2f s) over %d runs; load average %s" % (statistics.median(times), statistics.median(cpus),
              runs, load()))


def load():
    return " ".join(open("/proc/loadavg").read().split()[:3])


if __name__ == "__main__":
    main()
