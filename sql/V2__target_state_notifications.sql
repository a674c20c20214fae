-- Every change that can alter an agent's target state sends a notification after commit on
-- channel brokkr_target_state: the agent id when only that agent is concerned, '*' otherwise.
-- Brokers cache target states and drop them on these notifications (PostgreSQL folds identical
-- notifications of one transaction into one).

CREATE OR REPLACE FUNCTION notify_target_state_all() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('brokkr_target_state', '*');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION notify_target_state_agent() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('brokkr_target_state', OLD.agent_id::text);
  ELSE
    PERFORM pg_notify('brokkr_target_state', NEW.agent_id::text);
    IF TG_OP = 'UPDATE' AND OLD.agent_id IS DISTINCT FROM NEW.agent_id THEN
      PERFORM pg_notify('brokkr_target_state', OLD.agent_id::text);
    END IF;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER target_state_stacks AFTER INSERT OR UPDATE OR DELETE ON stacks
  FOR EACH STATEMENT EXECUTE FUNCTION notify_target_state_all();
CREATE TRIGGER target_state_stack_labels AFTER INSERT OR UPDATE OR DELETE ON stack_labels
  FOR EACH STATEMENT EXECUTE FUNCTION notify_target_state_all();
CREATE TRIGGER target_state_stack_annotations AFTER INSERT OR UPDATE OR DELETE ON stack_annotations
  FOR EACH STATEMENT EXECUTE FUNCTION notify_target_state_all();
CREATE TRIGGER target_state_deployment_objects AFTER INSERT OR UPDATE OR DELETE ON deployment_objects
  FOR EACH STATEMENT EXECUTE FUNCTION notify_target_state_all();
CREATE TRIGGER target_state_generators AFTER UPDATE OR DELETE ON generators
  FOR EACH STATEMENT EXECUTE FUNCTION notify_target_state_all();

CREATE TRIGGER target_state_agent_events AFTER INSERT OR UPDATE OR DELETE ON agent_events
  FOR EACH ROW EXECUTE FUNCTION notify_target_state_agent();
CREATE TRIGGER target_state_agent_labels AFTER INSERT OR UPDATE OR DELETE ON agent_labels
  FOR EACH ROW EXECUTE FUNCTION notify_target_state_agent();
CREATE TRIGGER target_state_agent_annotations AFTER INSERT OR UPDATE OR DELETE ON agent_annotations
  FOR EACH ROW EXECUTE FUNCTION notify_target_state_agent();
CREATE TRIGGER target_state_agent_targets AFTER INSERT OR UPDATE OR DELETE ON agent_targets
  FOR EACH ROW EXECUTE FUNCTION notify_target_state_agent();
CREATE TRIGGER target_state_registrations AFTER INSERT OR UPDATE OR DELETE ON agent_generator_registrations
  FOR EACH ROW EXECUTE FUNCTION notify_target_state_agent();
CREATE TRIGGER target_state_pending_deletions AFTER INSERT OR UPDATE OR DELETE ON agent_pending_deletions
  FOR EACH ROW EXECUTE FUNCTION notify_target_state_agent();

CREATE OR REPLACE FUNCTION notify_target_state_agent_row() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('brokkr_target_state', COALESCE(NEW.id, OLD.id)::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- an agent's deletion (soft or hard) changes what it may read
CREATE TRIGGER target_state_agents AFTER UPDATE OF deleted_at OR DELETE ON agents
  FOR EACH ROW EXECUTE FUNCTION notify_target_state_agent_row();
