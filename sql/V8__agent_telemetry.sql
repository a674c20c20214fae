-- The telemetry buffers (agent_k8s_events, agent_pod_logs, V1) hold up to six hours of every
-- agent's frames: tens of millions of rows at the reference's load. Deleting an agent cascades
-- into both; without an index on agent_id each such delete would scan the whole table.
CREATE INDEX idx_agent_k8s_events_agent ON agent_k8s_events (agent_id);
CREATE INDEX idx_agent_pod_logs_agent ON agent_pod_logs (agent_id);
