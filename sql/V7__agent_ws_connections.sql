-- Open agent live-channel sockets of the whole deployment: one row per connected agent, written
-- by the replica holding the socket and removed when it closes. Replicas refresh their rows on a
-- timer; a row not refreshed within the lease belongs to a replica that died and is not counted.
CREATE TABLE agent_ws_connections (
  agent_id        uuid PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
  connection_id   uuid        NOT NULL,
  replica_id      text        NOT NULL,
  connected_since timestamptz NOT NULL,
  refreshed_at    timestamptz NOT NULL DEFAULT now(),
  messages_in     bigint      NOT NULL DEFAULT 0,
  messages_out    bigint      NOT NULL DEFAULT 0
);

CREATE INDEX agent_ws_connections_replica ON agent_ws_connections (replica_id);
