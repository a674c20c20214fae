-- Brokkr data model: every table, index, partial unique index and trigger of the reference
-- schema, so later features add behaviour rather than schema churn. PostgreSQL 14+.

CREATE OR REPLACE FUNCTION update_timestamp() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- ---------------------------------------------------------------------------------------------
-- agents
CREATE TABLE agents (
  id                 UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  deleted_at         TIMESTAMPTZ,
  name               VARCHAR(255) NOT NULL,
  cluster_name       VARCHAR(255) NOT NULL,
  last_heartbeat     TIMESTAMPTZ,
  status             VARCHAR(50) NOT NULL DEFAULT 'INACTIVE',
  pak_hash           TEXT NOT NULL DEFAULT '',
  k8s_reachable      BOOLEAN,
  k8s_api_latency_ms INTEGER,
  k8s_reported_at    TIMESTAMPTZ
);
CREATE INDEX idx_agent_id ON agents (id);
CREATE INDEX idx_agent_name ON agents (name);
CREATE INDEX idx_agent_cluster_name ON agents (cluster_name);
CREATE INDEX idx_agent_status ON agents (status);
CREATE INDEX idx_agents_deleted_at ON agents (deleted_at);
CREATE UNIQUE INDEX unique_agent_cluster ON agents (name, cluster_name) WHERE deleted_at IS NULL;
CREATE INDEX idx_agents_pak_hash ON agents (pak_hash)
  WHERE deleted_at IS NULL AND pak_hash IS NOT NULL AND pak_hash <> '';
CREATE TRIGGER update_agent_timestamp BEFORE UPDATE ON agents
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TABLE agent_labels (
  id       UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  label    VARCHAR(64) NOT NULL,
  CONSTRAINT unique_agent_label UNIQUE (agent_id, label)
);
CREATE INDEX idx_agent_labels_agent_id ON agent_labels (agent_id);
CREATE INDEX idx_agent_labels_label ON agent_labels (label);

CREATE TABLE agent_annotations (
  id       UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  key      VARCHAR(64) NOT NULL,
  value    VARCHAR(64) NOT NULL,
  CONSTRAINT unique_agent_annotation UNIQUE (agent_id, key)
);
CREATE INDEX idx_agent_annotations_agent_id ON agent_annotations (agent_id);
CREATE INDEX idx_agent_annotations_key ON agent_annotations (key);

-- ---------------------------------------------------------------------------------------------
-- generators
CREATE TABLE generators (
  id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  deleted_at     TIMESTAMPTZ,
  name           VARCHAR(255) NOT NULL,
  description    TEXT,
  pak_hash       TEXT,
  last_active_at TIMESTAMPTZ,
  is_active      BOOLEAN NOT NULL DEFAULT TRUE,
  is_system      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX idx_generators_name ON generators (name);
CREATE INDEX idx_generators_deleted_at ON generators (deleted_at);
CREATE INDEX idx_generators_pak_hash ON generators (pak_hash)
  WHERE deleted_at IS NULL AND pak_hash IS NOT NULL;
CREATE UNIQUE INDEX unique_generator_name ON generators (name) WHERE deleted_at IS NULL;
CREATE TRIGGER update_generator_timestamp BEFORE UPDATE ON generators
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

-- ---------------------------------------------------------------------------------------------
-- stacks
CREATE TABLE stacks (
  id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  deleted_at   TIMESTAMPTZ,
  name         VARCHAR(255) NOT NULL,
  description  TEXT,
  generator_id UUID NOT NULL REFERENCES generators (id)
);
CREATE INDEX idx_stack_id ON stacks (id);
CREATE INDEX idx_stack_name ON stacks (name);
CREATE INDEX idx_stacks_generator_id ON stacks (generator_id);
CREATE UNIQUE INDEX unique_stack_name ON stacks (name) WHERE deleted_at IS NULL;
CREATE TRIGGER update_stack_timestamp BEFORE UPDATE ON stacks
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TABLE stack_labels (
  id       UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  stack_id UUID NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
  label    VARCHAR(64) NOT NULL,
  CONSTRAINT unique_stack_label UNIQUE (stack_id, label)
);
CREATE INDEX idx_stack_labels_stack_id ON stack_labels (stack_id);
CREATE INDEX idx_stack_labels_label ON stack_labels (label);

CREATE TABLE stack_annotations (
  id       UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  stack_id UUID NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
  key      VARCHAR(64) NOT NULL,
  value    VARCHAR(64) NOT NULL,
  CONSTRAINT unique_stack_annotation UNIQUE (stack_id, key)
);
CREATE INDEX idx_stack_annotations_stack_id ON stack_annotations (stack_id);
CREATE INDEX idx_stack_annotations_key ON stack_annotations (key);

CREATE TABLE agent_targets (
  id       UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  stack_id UUID NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
  CONSTRAINT unique_agent_stack UNIQUE (agent_id, stack_id)
);
CREATE INDEX idx_agent_targets_agent_id ON agent_targets (agent_id);
CREATE INDEX idx_agent_targets_stack_id ON agent_targets (stack_id);

CREATE TABLE agent_generator_registrations (
  id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id      UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  generator_id  UUID NOT NULL REFERENCES generators (id) ON DELETE CASCADE,
  registered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT unique_agent_generator_registration UNIQUE (agent_id, generator_id)
);
CREATE INDEX idx_agr_agent_id ON agent_generator_registrations (agent_id);
CREATE INDEX idx_agr_generator_id ON agent_generator_registrations (generator_id);

-- ---------------------------------------------------------------------------------------------
-- deployment objects: an immutable, globally sequenced history per stack
CREATE TABLE deployment_objects (
  id                 UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  deleted_at         TIMESTAMPTZ,
  sequence_id        BIGSERIAL,
  stack_id           UUID NOT NULL REFERENCES stacks (id),
  yaml_content       TEXT NOT NULL,
  yaml_checksum      TEXT NOT NULL,
  submitted_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  is_deletion_marker BOOLEAN NOT NULL DEFAULT FALSE,
  CONSTRAINT deployment_objects_sequence_id_key UNIQUE (sequence_id)
);
CREATE INDEX idx_deployment_objects_id ON deployment_objects (id);
CREATE INDEX idx_deployment_objects_stack_id ON deployment_objects (stack_id);
CREATE INDEX idx_deployment_objects_yaml_checksum ON deployment_objects (yaml_checksum);
CREATE INDEX idx_deployment_objects_deleted_at ON deployment_objects (deleted_at);
CREATE INDEX idx_deployment_objects_is_deletion_marker ON deployment_objects (is_deletion_marker);
-- latest live object of a stack: the target-state hot path
CREATE INDEX idx_deployment_objects_stack_live_seq ON deployment_objects (stack_id, sequence_id DESC)
  WHERE deleted_at IS NULL;
CREATE TRIGGER update_deployment_object_timestamp BEFORE UPDATE ON deployment_objects
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE OR REPLACE FUNCTION prevent_deployment_object_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
    RETURN NEW;
  END IF;
  IF OLD.is_deletion_marker AND NEW.is_deletion_marker THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'deployment objects are immutable (only soft delete is allowed)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER prevent_deployment_object_update BEFORE UPDATE ON deployment_objects
  FOR EACH ROW EXECUTE FUNCTION prevent_deployment_object_change();

-- ---------------------------------------------------------------------------------------------
-- agent events (deployment results)
CREATE TABLE agent_events (
  id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  deleted_at           TIMESTAMPTZ,
  agent_id             UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  deployment_object_id UUID NOT NULL REFERENCES deployment_objects (id),
  event_type           VARCHAR(50) NOT NULL,
  status               VARCHAR(10) NOT NULL,
  message              TEXT
);
CREATE INDEX idx_agent_events_id ON agent_events (id);
CREATE INDEX idx_agent_events_agent_id ON agent_events (agent_id);
CREATE INDEX idx_agent_events_deployment_object_id ON agent_events (deployment_object_id);
CREATE INDEX idx_agent_events_event_type ON agent_events (event_type);
CREATE INDEX idx_agent_events_status ON agent_events (status);
CREATE INDEX idx_agent_events_created_at ON agent_events (created_at);
CREATE INDEX idx_agent_events_deleted_at ON agent_events (deleted_at);
-- "has this agent applied this object?": the incremental target-state check
CREATE INDEX idx_agent_events_success ON agent_events (agent_id, deployment_object_id)
  WHERE deleted_at IS NULL AND upper(status) = 'SUCCESS';
CREATE TRIGGER update_agent_event_timestamp BEFORE UPDATE ON agent_events
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

-- Deletion markers owed to agents: a stack deleted while an agent held it stays in that agent's
-- target state (as its marker) until the agent reports the marker applied.
CREATE TABLE agent_pending_deletions (
  agent_id             UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  stack_id             UUID NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
  deployment_object_id UUID NOT NULL REFERENCES deployment_objects (id) ON DELETE CASCADE,
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, stack_id)
);
CREATE INDEX idx_agent_pending_deletions_stack ON agent_pending_deletions (stack_id);

-- The agents a stack is associated with (explicit targets, or a label / annotation match with a
-- generator the agent is registered with). Mirrors the broker's matching query.
CREATE OR REPLACE FUNCTION stack_associated_agents(p_stack_id UUID) RETURNS TABLE (agent_id UUID) AS $$
  SELECT t.agent_id FROM agent_targets t WHERE t.stack_id = p_stack_id
  UNION
  SELECT al.agent_id
    FROM stack_labels sl
    JOIN agent_labels al ON al.label = sl.label
    JOIN stacks s ON s.id = sl.stack_id
    JOIN agent_generator_registrations r ON r.agent_id = al.agent_id AND r.generator_id = s.generator_id
   WHERE sl.stack_id = p_stack_id
  UNION
  SELECT aa.agent_id
    FROM stack_annotations sa
    JOIN agent_annotations aa ON aa.key = sa.key AND aa.value = sa.value
    JOIN stacks s ON s.id = sa.stack_id
    JOIN agent_generator_registrations r ON r.agent_id = aa.agent_id AND r.generator_id = s.generator_id
   WHERE sa.stack_id = p_stack_id
$$ LANGUAGE sql STABLE;

-- ---------------------------------------------------------------------------------------------
-- cascades
CREATE OR REPLACE FUNCTION handle_stack_soft_delete() RETURNS trigger AS $$
DECLARE
  marker_id UUID;
BEGIN
  IF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
    UPDATE deployment_objects SET deleted_at = NEW.deleted_at
     WHERE stack_id = NEW.id AND deleted_at IS NULL;
    INSERT INTO deployment_objects (stack_id, yaml_content, yaml_checksum, submitted_at, is_deletion_marker)
    VALUES (NEW.id, '', md5(''), NEW.deleted_at, TRUE)
    RETURNING id INTO marker_id;
    INSERT INTO agent_pending_deletions (agent_id, stack_id, deployment_object_id)
    SELECT a.agent_id, NEW.id, marker_id
      FROM stack_associated_agents(NEW.id) a
      JOIN agents ag ON ag.id = a.agent_id AND ag.deleted_at IS NULL
    ON CONFLICT (agent_id, stack_id) DO UPDATE SET deployment_object_id = EXCLUDED.deployment_object_id;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trigger_handle_stack_soft_delete AFTER UPDATE OF deleted_at ON stacks
  FOR EACH ROW EXECUTE FUNCTION handle_stack_soft_delete();

CREATE OR REPLACE FUNCTION handle_stack_hard_delete() RETURNS trigger AS $$
BEGIN
  DELETE FROM agent_targets WHERE stack_id = OLD.id;
  DELETE FROM agent_events WHERE deployment_object_id IN (SELECT id FROM deployment_objects WHERE stack_id = OLD.id);
  DELETE FROM deployment_objects WHERE stack_id = OLD.id;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trigger_stack_hard_delete BEFORE DELETE ON stacks
  FOR EACH ROW EXECUTE FUNCTION handle_stack_hard_delete();

CREATE OR REPLACE FUNCTION cascade_soft_delete_agent_events() RETURNS trigger AS $$
BEGIN
  IF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
    UPDATE agent_events SET deleted_at = NEW.deleted_at WHERE agent_id = NEW.id AND deleted_at IS NULL;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cascade_soft_delete_agents AFTER UPDATE ON agents
  FOR EACH ROW EXECUTE FUNCTION cascade_soft_delete_agent_events();

CREATE OR REPLACE FUNCTION handle_agent_hard_delete() RETURNS trigger AS $$
BEGIN
  DELETE FROM agent_targets WHERE agent_id = OLD.id;
  DELETE FROM agent_events WHERE agent_id = OLD.id;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trigger_agent_hard_delete BEFORE DELETE ON agents
  FOR EACH ROW EXECUTE FUNCTION handle_agent_hard_delete();

-- ---------------------------------------------------------------------------------------------
-- bootstrap
CREATE TABLE app_initialization (
  id             SERIAL PRIMARY KEY,
  initialized_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE admin_role (
  id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  pak_hash   TEXT NOT NULL
);
CREATE INDEX idx_admin_role_id ON admin_role (id);
CREATE TRIGGER update_admin_role_timestamp BEFORE UPDATE ON admin_role
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();
CREATE OR REPLACE FUNCTION prevent_admin_role_delete() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the admin role cannot be deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER prevent_admin_role_delete BEFORE DELETE ON admin_role
  FOR EACH ROW EXECUTE FUNCTION prevent_admin_role_delete();

-- ---------------------------------------------------------------------------------------------
-- templates
CREATE TABLE stack_templates (
  id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  deleted_at        TIMESTAMPTZ,
  generator_id      UUID REFERENCES generators (id) ON DELETE CASCADE,
  name              VARCHAR(255) NOT NULL,
  description       TEXT,
  version           INTEGER NOT NULL DEFAULT 1,
  template_content  TEXT NOT NULL,
  parameters_schema TEXT NOT NULL,
  checksum          VARCHAR(64) NOT NULL
);
CREATE INDEX idx_stack_templates_generator ON stack_templates (generator_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_stack_templates_name ON stack_templates (name) WHERE deleted_at IS NULL;
CREATE INDEX idx_stack_templates_deleted_at ON stack_templates (deleted_at);
CREATE UNIQUE INDEX unique_template_version ON stack_templates (generator_id, name, version)
  NULLS NOT DISTINCT WHERE deleted_at IS NULL;
CREATE TRIGGER update_stack_template_timestamp BEFORE UPDATE ON stack_templates
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TABLE template_labels (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  template_id UUID NOT NULL REFERENCES stack_templates (id) ON DELETE CASCADE,
  label       VARCHAR(64) NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT unique_template_label UNIQUE (template_id, label)
);
CREATE INDEX idx_template_labels_template_id ON template_labels (template_id);

CREATE TABLE template_annotations (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  template_id UUID NOT NULL REFERENCES stack_templates (id) ON DELETE CASCADE,
  key         VARCHAR(64) NOT NULL,
  value       VARCHAR(64) NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT unique_template_annotation UNIQUE (template_id, key)
);
CREATE INDEX idx_template_annotations_template_id ON template_annotations (template_id);

CREATE TABLE template_targets (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  template_id UUID NOT NULL REFERENCES stack_templates (id) ON DELETE CASCADE,
  stack_id    UUID NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT unique_template_stack UNIQUE (template_id, stack_id)
);

CREATE OR REPLACE FUNCTION handle_stack_template_hard_delete() RETURNS trigger AS $$
BEGIN
  DELETE FROM template_labels WHERE template_id = OLD.id;
  DELETE FROM template_annotations WHERE template_id = OLD.id;
  DELETE FROM template_targets WHERE template_id = OLD.id;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trigger_stack_template_hard_delete BEFORE DELETE ON stack_templates
  FOR EACH ROW EXECUTE FUNCTION handle_stack_template_hard_delete();

CREATE TABLE rendered_deployment_objects (
  id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  deployment_object_id UUID NOT NULL UNIQUE REFERENCES deployment_objects (id) ON DELETE CASCADE,
  template_id          UUID NOT NULL REFERENCES stack_templates (id),
  template_version     INTEGER NOT NULL,
  template_parameters  TEXT NOT NULL,
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_rendered_do_template ON rendered_deployment_objects (template_id, template_version);
CREATE INDEX idx_rendered_do_deployment_object ON rendered_deployment_objects (deployment_object_id);

-- generator soft delete cascades to its stacks (and so their objects) and templates
CREATE OR REPLACE FUNCTION cascade_soft_delete_generator() RETURNS trigger AS $$
BEGIN
  IF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
    UPDATE stacks SET deleted_at = NEW.deleted_at WHERE generator_id = NEW.id AND deleted_at IS NULL;
    UPDATE stack_templates SET deleted_at = NEW.deleted_at WHERE generator_id = NEW.id AND deleted_at IS NULL;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cascade_soft_delete_generators AFTER UPDATE ON generators
  FOR EACH ROW EXECUTE FUNCTION cascade_soft_delete_generator();

-- ---------------------------------------------------------------------------------------------
-- work orders
CREATE TABLE work_orders (
  id                    UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  work_type             VARCHAR(50) NOT NULL,
  yaml_content          TEXT NOT NULL,
  status                VARCHAR(20) NOT NULL DEFAULT 'PENDING',
  claimed_by            UUID REFERENCES agents (id) ON DELETE SET NULL,
  claimed_at            TIMESTAMPTZ,
  claim_timeout_seconds INTEGER NOT NULL DEFAULT 3600,
  max_retries           INTEGER NOT NULL DEFAULT 3,
  retry_count           INTEGER NOT NULL DEFAULT 0,
  backoff_seconds       INTEGER NOT NULL DEFAULT 60,
  next_retry_after      TIMESTAMPTZ,
  last_error            TEXT,
  last_error_at         TIMESTAMPTZ,
  CONSTRAINT valid_retry_count CHECK (retry_count >= 0 AND retry_count <= max_retries),
  CONSTRAINT valid_max_retries CHECK (max_retries >= 0),
  CONSTRAINT valid_backoff CHECK (backoff_seconds > 0),
  CONSTRAINT valid_claim_timeout CHECK (claim_timeout_seconds > 0),
  CONSTRAINT claimed_requires_agent CHECK (status <> 'CLAIMED' OR (claimed_by IS NOT NULL AND claimed_at IS NOT NULL))
);
CREATE INDEX idx_work_orders_status ON work_orders (status);
CREATE INDEX idx_work_orders_work_type ON work_orders (work_type);
CREATE INDEX idx_work_orders_claimed_by ON work_orders (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX idx_work_orders_claim_expiry ON work_orders (claimed_at, claim_timeout_seconds) WHERE status = 'CLAIMED';
CREATE INDEX idx_work_orders_retry ON work_orders (next_retry_after) WHERE status = 'RETRY_PENDING';
CREATE INDEX idx_work_orders_pending ON work_orders (work_type, created_at) WHERE status = 'PENDING';
CREATE INDEX idx_work_orders_last_error ON work_orders (last_error_at) WHERE last_error IS NOT NULL;
CREATE TRIGGER update_work_order_timestamp BEFORE UPDATE ON work_orders
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TABLE work_order_log (
  id                UUID PRIMARY KEY,
  work_type         VARCHAR(50) NOT NULL,
  created_at        TIMESTAMPTZ NOT NULL,
  claimed_at        TIMESTAMPTZ,
  completed_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  claimed_by        UUID REFERENCES agents (id) ON DELETE SET NULL,
  success           BOOLEAN NOT NULL,
  retries_attempted INTEGER NOT NULL DEFAULT 0 CHECK (retries_attempted >= 0),
  result_message    TEXT,
  yaml_content      TEXT NOT NULL
);
CREATE INDEX idx_work_order_log_work_type ON work_order_log (work_type);
CREATE INDEX idx_work_order_log_success ON work_order_log (success);
CREATE INDEX idx_work_order_log_completed_at ON work_order_log (completed_at);
CREATE INDEX idx_work_order_log_claimed_by ON work_order_log (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX idx_work_order_log_type_completed ON work_order_log (work_type, completed_at DESC);

CREATE TABLE work_order_targets (
  id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  work_order_id UUID NOT NULL REFERENCES work_orders (id) ON DELETE CASCADE,
  agent_id      UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT unique_work_order_target UNIQUE (work_order_id, agent_id)
);
CREATE INDEX idx_work_order_targets_agent ON work_order_targets (agent_id);

CREATE TABLE work_order_labels (
  id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  work_order_id UUID NOT NULL REFERENCES work_orders (id) ON DELETE CASCADE,
  label         VARCHAR(64) NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT unique_work_order_label UNIQUE (work_order_id, label)
);
CREATE INDEX idx_work_order_labels_label ON work_order_labels (label);

CREATE TABLE work_order_annotations (
  id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  work_order_id UUID NOT NULL REFERENCES work_orders (id) ON DELETE CASCADE,
  key           VARCHAR(64) NOT NULL,
  value         VARCHAR(64) NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT unique_work_order_annotation UNIQUE (work_order_id, key, value)
);
CREATE INDEX idx_work_order_annotations_kv ON work_order_annotations (key, value);

-- ---------------------------------------------------------------------------------------------
-- health and diagnostics
CREATE TABLE deployment_health (
  id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id             UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  deployment_object_id UUID NOT NULL REFERENCES deployment_objects (id) ON DELETE CASCADE,
  status               VARCHAR(20) NOT NULL,
  summary              TEXT,
  checked_at           TIMESTAMPTZ NOT NULL,
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT valid_health_status CHECK (status IN ('healthy', 'degraded', 'failing', 'unknown')),
  CONSTRAINT unique_agent_deployment_health UNIQUE (agent_id, deployment_object_id)
);
CREATE INDEX idx_deployment_health_agent ON deployment_health (agent_id);
CREATE INDEX idx_deployment_health_deployment ON deployment_health (deployment_object_id);
CREATE INDEX idx_deployment_health_status ON deployment_health (status);
CREATE INDEX idx_deployment_health_checked_at ON deployment_health (checked_at);
CREATE TRIGGER update_deployment_health_timestamp BEFORE UPDATE ON deployment_health
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TABLE diagnostic_requests (
  id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id             UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  deployment_object_id UUID NOT NULL REFERENCES deployment_objects (id) ON DELETE CASCADE,
  status               VARCHAR(20) NOT NULL DEFAULT 'pending',
  requested_by         VARCHAR(255),
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  claimed_at           TIMESTAMPTZ,
  completed_at         TIMESTAMPTZ,
  expires_at           TIMESTAMPTZ NOT NULL,
  CONSTRAINT valid_diagnostic_status CHECK (status IN ('pending', 'claimed', 'completed', 'failed', 'expired'))
);
CREATE INDEX idx_diagnostic_requests_pending ON diagnostic_requests (agent_id) WHERE status = 'pending';
CREATE INDEX idx_diagnostic_requests_expires_at ON diagnostic_requests (expires_at);
CREATE INDEX idx_diagnostic_requests_deployment ON diagnostic_requests (deployment_object_id);

CREATE TABLE diagnostic_results (
  id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id   UUID NOT NULL REFERENCES diagnostic_requests (id) ON DELETE CASCADE,
  pod_statuses TEXT NOT NULL,
  events       TEXT NOT NULL,
  log_tails    TEXT,
  collected_at TIMESTAMPTZ NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_diagnostic_results_request ON diagnostic_results (request_id);

-- ---------------------------------------------------------------------------------------------
-- webhooks
CREATE TABLE webhook_subscriptions (
  id                    UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name                  VARCHAR(255) NOT NULL,
  url_encrypted         BYTEA NOT NULL,
  auth_header_encrypted BYTEA,
  event_types           TEXT[] NOT NULL,
  filters               TEXT,
  target_labels         TEXT[],
  enabled               BOOLEAN NOT NULL DEFAULT TRUE,
  max_retries           INTEGER NOT NULL DEFAULT 5,
  timeout_seconds       INTEGER NOT NULL DEFAULT 30,
  created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_by            VARCHAR(255)
);
CREATE INDEX idx_webhook_subscriptions_enabled ON webhook_subscriptions (enabled) WHERE enabled = TRUE;
CREATE TRIGGER update_webhook_subscription_timestamp BEFORE UPDATE ON webhook_subscriptions
  FOR EACH ROW EXECUTE FUNCTION update_timestamp();

CREATE TABLE webhook_deliveries (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  subscription_id UUID NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  event_type      VARCHAR(100) NOT NULL,
  event_id        UUID NOT NULL,
  payload         TEXT NOT NULL,
  target_labels   TEXT[],
  status          VARCHAR(20) NOT NULL DEFAULT 'pending',
  acquired_by     UUID REFERENCES agents (id) ON DELETE SET NULL,
  acquired_until  TIMESTAMPTZ,
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_attempt_at TIMESTAMPTZ,
  next_retry_at   TIMESTAMPTZ,
  last_error      TEXT,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at    TIMESTAMPTZ,
  CONSTRAINT valid_delivery_status CHECK (status IN ('pending', 'acquired', 'success', 'failed', 'dead'))
);
CREATE INDEX idx_webhook_deliveries_pending ON webhook_deliveries (created_at) WHERE status = 'pending';
CREATE INDEX idx_webhook_deliveries_acquired ON webhook_deliveries (acquired_until) WHERE status = 'acquired';
CREATE INDEX idx_webhook_deliveries_retry ON webhook_deliveries (next_retry_at) WHERE status = 'failed';
CREATE INDEX idx_webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at DESC);
CREATE INDEX idx_webhook_deliveries_terminal ON webhook_deliveries (created_at) WHERE status IN ('success', 'dead');

-- ---------------------------------------------------------------------------------------------
-- audit log (immutable)
CREATE TABLE audit_logs (
  id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  timestamp     TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor_type    VARCHAR(20) NOT NULL,
  actor_id      UUID,
  action        VARCHAR(100) NOT NULL,
  resource_type VARCHAR(50) NOT NULL,
  resource_id   UUID,
  details       JSONB,
  ip_address    TEXT,
  user_agent    TEXT,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT valid_actor_type CHECK (actor_type IN ('admin', 'agent', 'generator', 'system'))
);
CREATE INDEX idx_audit_logs_timestamp ON audit_logs (timestamp DESC);
CREATE INDEX idx_audit_logs_actor ON audit_logs (actor_type, actor_id, timestamp DESC);
CREATE INDEX idx_audit_logs_resource ON audit_logs (resource_type, resource_id, timestamp DESC);
CREATE INDEX idx_audit_logs_action ON audit_logs (action, timestamp DESC);
CREATE INDEX idx_audit_logs_created_at ON audit_logs (created_at);

-- ---------------------------------------------------------------------------------------------
-- telemetry buffers (at most 6 h)
CREATE TABLE agent_k8s_events (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id        UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  stack_id        UUID NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
  observed_at     TIMESTAMPTZ NOT NULL,
  reason          TEXT NOT NULL,
  message         TEXT NOT NULL,
  event_type      TEXT NOT NULL,
  source          TEXT,
  involved_object JSONB NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_agent_k8s_events_stack ON agent_k8s_events (stack_id, created_at DESC);
CREATE INDEX idx_agent_k8s_events_created ON agent_k8s_events (created_at);

CREATE TABLE agent_pod_logs (
  id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id   UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  stack_id   UUID NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
  namespace  TEXT NOT NULL,
  pod        TEXT NOT NULL,
  container  TEXT NOT NULL,
  ts         TIMESTAMPTZ NOT NULL,
  line       TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_agent_pod_logs_stack ON agent_pod_logs (stack_id, created_at DESC);
CREATE INDEX idx_agent_pod_logs_created ON agent_pod_logs (created_at);

-- ---------------------------------------------------------------------------------------------
-- transactional outbox: written in the same transaction as the change it describes; the event
-- dispatcher claims rows with FOR UPDATE SKIP LOCKED and turns them into webhook deliveries.
CREATE TABLE event_outbox (
  id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  event_type    VARCHAR(100) NOT NULL,
  payload       JSONB NOT NULL,
  agent_id      UUID,
  stack_id      UUID,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  dispatched_at TIMESTAMPTZ
);
CREATE INDEX idx_event_outbox_undispatched ON event_outbox (created_at) WHERE dispatched_at IS NULL;
