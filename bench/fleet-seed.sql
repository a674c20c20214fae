-- A fleet for the GET /fleet benchmark, written straight into a migrated broker database.
-- psql -v agents=5000 -v groups=20 -v per_group=10 -f bench/fleet-seed.sql
-- Every agent is registered with one generator and carries one of :groups labels; each label is
-- on :per_group stacks (two objects each), so an agent is associated with :per_group stacks by
-- label, plus one explicit target and sometimes an annotation match. It reported SUCCESS for
-- about 8 in 10 of its latest objects and FAILURE for 1 in 10, has a health row for each
-- reported object (1 in 20 failing, 2 in 20 degraded), and sees pending and claimed work orders.
\set ON_ERROR_STOP on
BEGIN;

INSERT INTO generators (name, description) VALUES ('bench-fleet-gen', 'fleet benchmark');

INSERT INTO stacks (name, generator_id)
SELECT 'bench-stack-' || k, (SELECT id FROM generators WHERE name = 'bench-fleet-gen')
  FROM generate_series(0, :groups * :per_group - 1) AS k;
INSERT INTO stack_labels (stack_id, label)
SELECT s.id, 'group-' || (substring(s.name from 13)::int % :groups) FROM stacks s WHERE s.name LIKE 'bench-stack-%';
INSERT INTO stack_annotations (stack_id, key, value)
SELECT s.id, 'zone', 'z-' || substring(s.name from 13) FROM stacks s
 WHERE s.name LIKE 'bench-stack-%' AND substring(s.name from 13)::int < 5;
-- two versions per stack: the older one superseded, the newer one the latest
INSERT INTO deployment_objects (stack_id, yaml_content, yaml_checksum)
SELECT s.id, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ' || s.name || '-v' || v || '\n', md5(s.name || v)
  FROM stacks s CROSS JOIN generate_series(1, 2) AS v
 WHERE s.name LIKE 'bench-stack-%'
 ORDER BY v, s.name;

INSERT INTO agents (name, cluster_name, status, last_heartbeat, k8s_reachable, k8s_api_latency_ms, k8s_reported_at)
SELECT 'bench-agent-' || i, 'cluster-' || (i % 50), 'ACTIVE', now() - (i % 300) * interval '1 second',
       i % 17 <> 0, 5 + i % 40, now()
  FROM generate_series(0, :agents - 1) AS i;
CREATE TEMP TABLE bench_agents AS
SELECT a.id, substring(a.name from 13)::int AS i FROM agents a WHERE a.name LIKE 'bench-agent-%';
INSERT INTO agent_generator_registrations (agent_id, generator_id)
SELECT id, (SELECT id FROM generators WHERE name = 'bench-fleet-gen') FROM bench_agents;
INSERT INTO agent_labels (agent_id, label) SELECT id, 'group-' || (i % :groups) FROM bench_agents;
INSERT INTO agent_annotations (agent_id, key, value) SELECT id, 'zone', 'z-' || (i % 5) FROM bench_agents;
INSERT INTO agent_targets (agent_id, stack_id)
SELECT a.id, s.id FROM bench_agents a
  JOIN stacks s ON s.name = 'bench-stack-' || ((a.i * 7) % (:groups * :per_group));

-- results for the latest object of each label-matched stack
CREATE TEMP TABLE bench_served AS
SELECT a.id AS agent_id, a.i, d.id AS object_id, substring(s.name from 13)::int AS k
  FROM bench_agents a
  JOIN stack_labels sl ON sl.label = 'group-' || (a.i % :groups)
  JOIN stacks s ON s.id = sl.stack_id
  JOIN LATERAL (SELECT id FROM deployment_objects WHERE stack_id = s.id ORDER BY sequence_id DESC LIMIT 1) d ON TRUE;
INSERT INTO agent_events (agent_id, deployment_object_id, event_type, status, message, created_at)
SELECT agent_id, object_id, 'DEPLOY', CASE WHEN (i + k) % 10 < 8 THEN 'SUCCESS' ELSE 'FAILURE' END, 'applied',
       now() - ((i + k) % 3600) * interval '1 second'
  FROM bench_served WHERE (i + k) % 10 < 9;
INSERT INTO deployment_health (agent_id, deployment_object_id, status, summary, checked_at)
SELECT agent_id, object_id,
       CASE WHEN (i + k) % 20 = 0 THEN 'failing' WHEN (i + k) % 20 < 3 THEN 'degraded' ELSE 'healthy' END,
       '{"pods_ready":1,"pods_total":1,"conditions":[]}', now()
  FROM bench_served WHERE (i + k) % 10 < 9;

-- work orders: some for a label group, some for explicit agents, some claimed
INSERT INTO work_orders (work_type, yaml_content, status)
SELECT 'custom', 'kind: Job', 'PENDING' FROM generate_series(1, 300);
CREATE TEMP TABLE bench_orders AS SELECT id, row_number() OVER (ORDER BY id) AS j FROM work_orders;
INSERT INTO work_order_labels (work_order_id, label) SELECT id, 'group-' || (j % :groups) FROM bench_orders WHERE j <= 200;
INSERT INTO work_order_targets (work_order_id, agent_id)
SELECT o.id, a.id FROM bench_orders o JOIN bench_agents a ON a.i = (o.j * 37) % :agents WHERE o.j > 200;
INSERT INTO work_orders (work_type, yaml_content, status, claimed_by, claimed_at)
SELECT 'custom', 'kind: Job', 'CLAIMED', a.id, now() FROM bench_agents a WHERE a.i % 10 = 0;

COMMIT;
ANALYZE;
SELECT (SELECT count(*) FROM agents) AS agents, (SELECT count(*) FROM stacks) AS stacks,
       (SELECT count(*) FROM deployment_objects) AS objects, (SELECT count(*) FROM agent_events) AS events,
       (SELECT count(*) FROM deployment_health) AS health_rows, (SELECT count(*) FROM work_orders) AS work_orders;
