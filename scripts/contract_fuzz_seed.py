#!/usr/bin/env python3
"""Seed a running broker with what the contract fuzzer needs and print the ids.

Usage: contract_fuzz_seed.py BASE_URL ADMIN_PAK SUFFIX
Creates a generator, an agent registered with it (with a label, an annotation and an explicit
target), a stack of that generator (with a label, an annotation and a deployment object) and one
event of the agent about that object; plus a spare generator, agent and stack for the deleting
and PAK-rotating operations, so those do not take the main objects (and PAKs) away mid-run.
SUFFIX keeps names unique across passes. Prints shell assignments (FUZZ_GENERATOR_ID=... etc.,
PAKs included) for `eval`.
"""
import json
import sys
import urllib.request


def call(base, pak, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + "/api/v1" + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + pak)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def main():
    base, admin, suffix = sys.argv[1], sys.argv[2], sys.argv[3]
    gen = call(base, admin, "POST", "/generators", {"name": "fuzz-generator-" + suffix, "description": "contract fuzzing"})
    gid, gpak = gen["generator"]["id"], gen["pak"]
    spare_gid = call(base, admin, "POST", "/generators", {"name": "fuzz-spare-generator-" + suffix})["generator"]["id"]
    agent = call(base, admin, "POST", "/agents",
                 {"name": "fuzz-agent-" + suffix, "cluster_name": "fuzz", "generator_ids": [gid]})
    aid, apak = agent["agent"]["id"], agent["initial_pak"]
    spare_aid = call(base, admin, "POST", "/agents",
                     {"name": "fuzz-spare-agent-" + suffix, "cluster_name": "fuzz"})["agent"]["id"]
    call(base, admin, "POST", "/agents/%s/labels" % aid, {"agent_id": aid, "label": "fuzz"})
    call(base, admin, "POST", "/agents/%s/annotations" % aid, {"agent_id": aid, "key": "fuzz", "value": "yes"})
    sid = call(base, gpak, "POST", "/stacks", {"name": "fuzz-stack-" + suffix, "generator_id": gid})["id"]
    spare_sid = call(base, gpak, "POST", "/stacks", {"name": "fuzz-spare-stack-" + suffix, "generator_id": gid})["id"]
    call(base, gpak, "POST", "/stacks/%s/labels" % sid, "fuzz")
    call(base, gpak, "POST", "/stacks/%s/annotations" % sid, {"stack_id": sid, "key": "fuzz", "value": "yes"})
    yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fuzz\n  namespace: default\ndata:\n  k: v\n"
    did = call(base, gpak, "POST", "/stacks/%s/deployment-objects" % sid, {"yaml_content": yaml})["id"]
    call(base, admin, "POST", "/agents/%s/targets" % aid, {"agent_id": aid, "stack_id": sid})
    eid = call(base, apak, "POST", "/agents/%s/events" % aid,
               {"agent_id": aid, "deployment_object_id": did, "event_type": "DEPLOY", "status": "SUCCESS"})["id"]
    for name, value in (("GENERATOR_ID", gid), ("GENERATOR_PAK", gpak), ("SPARE_GENERATOR_ID", spare_gid),
                        ("AGENT_ID", aid), ("AGENT_PAK", apak), ("SPARE_AGENT_ID", spare_aid),
                        ("STACK_ID", sid), ("SPARE_STACK_ID", spare_sid),
                        ("DEPLOYMENT_OBJECT_ID", did), ("EVENT_ID", eid)):
        print("FUZZ_%s=%s" % (name, value))


if __name__ == "__main__":
    main()
