-- Refused authentications are audited as one row per client address per minute, with a count.
-- This table is the per-window key every broker replica upserts, so concurrent replicas add to
-- the same audit row instead of writing one row per request.
CREATE TABLE auth_failure_windows (
  client_address TEXT NOT NULL,
  window_start   TIMESTAMPTZ NOT NULL,
  audit_log_id   UUID NOT NULL,
  failures       BIGINT NOT NULL,
  PRIMARY KEY (client_address, window_start)
);
CREATE INDEX idx_auth_failure_windows_start ON auth_failure_windows (window_start);
