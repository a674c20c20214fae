#!/usr/bin/env python3
"""Figures of one schemathesis pass from its NDJSON event files.

Usage: contract_fuzz_summary.py KIND EVENTS.ndjson...
Prints one Markdown table row: the PAK kind, the requests sent, how many got 2xx/3xx, 4xx and
5xx, and the failed checks (per check, the operations that failed it).
"""
import collections
import json
import sys


def events(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


def main():
    kind, paths = sys.argv[1], sys.argv[2:]
    requests, classes, failures = 0, collections.Counter(), collections.Counter()
    seen = set()
    for event in events(paths):
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder", {})
        for interaction in recorder.get("interactions", {}).values():
            requests += 1
            status = (interaction.get("response") or {}).get("status_code")
            classes["%dxx" % (status // 100) if status else "no answer"] += 1
        for checks in recorder.get("checks", {}).values():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                failure = (check.get("failure_info") or {}).get("failure") or {}
                key = (check["name"], failure.get("operation"), failure.get("code"))
                if key not in seen:
                    seen.add(key)
                    failures[check["name"]] += 1
    failed = ", ".join("%s %d" % item for item in sorted(failures.items())) or "none"
    print("| %s | %d | %d | %d | %d | %s |" % (kind, requests, classes["2xx"] + classes["3xx"], classes["4xx"],
                                             classes["5xx"], failed))


if __name__ == "__main__":
    main()
