#!/usr/bin/env python3
"""Seed any running broker through its REST API only, and write wrk's request list.

Usage: seed.py BASE_URL ADMIN_PAK AGENTS STACKS OUT_LUA [conditional]
Creates one generator, STACKS stacks (each labelled `bench`, one ConfigMap object each) and
AGENTS agents (ACTIVE, registered with the generator, labelled `bench`, each with its own PAK),
so every agent's target state holds STACKS objects; nothing is written to the database directly,
so BASE_URL may be any broker. Agents are made 8 at a time. With `conditional`, each request
carries the agent's current ETag in If-None-Match (an agent polling an unchanged target state).
The Lua script rotates over the agents, each request with that agent's own PAK. Progress goes
to stderr.
"""
import concurrent.futures
import json
import sys
import urllib.request


def call(base, pak, method, path, body=None, ctype="application/json"):
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(base + "/api/v1" + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + pak)
    if data is not None:
        req.add_header("Content-Type", ctype)
    with urllib.request.urlopen(req) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def main():
    base, admin, agents, stacks, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    conditional = len(sys.argv) > 6 and sys.argv[6] == "conditional"
    gen = call(base, admin, "POST", "/generators", {"name": "bench-gen"})
    gid, gpak = gen["generator"]["id"], gen["pak"]
    for i in range(stacks):
        sid = call(base, gpak, "POST", "/stacks", {"name": "bench-stack-%d" % i, "generator_id": gid})["id"]
        call(base, gpak, "POST", "/stacks/%s/labels" % sid, '"bench"')
        yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: default\ndata:\n  k: v%d\n" % (i, i)
        call(base, gpak, "POST", "/stacks/%s/deployment-objects" % sid, {"yaml_content": yaml})
    print("seeded %d stacks" % stacks, file=sys.stderr)

    def agent(i):
        a = call(base, admin, "POST", "/agents", {"name": "bench-agent-%d" % i, "cluster_name": "bench", "generator_ids": [gid]})
        aid, apak = a["agent"]["id"], a["initial_pak"]
        call(base, admin, "POST", "/agents/%s/labels" % aid, {"agent_id": aid, "label": "bench"})
        call(base, admin, "PUT", "/agents/%s" % aid, {"status": "ACTIVE"})
        if (i + 1) % 200 == 0:
            print("seeded %d/%d agents" % (i + 1, agents), file=sys.stderr)
        return [aid, apak, ""]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        rows = list(pool.map(agent, range(agents)))
    if conditional:
        for row in rows:
            req = urllib.request.Request(base + "/api/v1/agents/%s/target-state?mode=full" % row[0])
            req.add_header("Authorization", "Bearer " + row[1])
            with urllib.request.urlopen(req) as resp:
                row[2] = resp.headers.get("ETag", "")
    with open(out, "w") as f:
        f.write("requests = {\n")
        for aid, apak, etag in rows:
            f.write('  {path = "/api/v1/agents/%s/target-state?mode=full", pak = "Bearer %s", etag = %s},\n'
                    % (aid, apak, json.dumps(etag)))
        f.write("}\n")
        f.write("""
local n = 0
request = function()
  n = n + 1
  local r = requests[(n % #requests) + 1]
  local headers = {["Authorization"] = r.pak}
  if r.etag ~= "" then
    headers["If-None-Match"] = r.etag
  end
  return wrk.format("GET", r.path, headers)
end
""")
    print("wrote %s" % out, file=sys.stderr)


if __name__ == "__main__":
    main()
