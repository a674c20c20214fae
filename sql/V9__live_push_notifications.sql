-- Live-channel pushes. After commit, channel brokkr_push tells every replica what changed, by id
-- (payloads stay far below NOTIFY's 8000 bytes); only a replica holding a concerned agent's socket
-- reads more and builds the frame. PostgreSQL folds identical notifications of one transaction,
-- so a deregistration that drops several targets is one 'targets_removed' per agent.
--   target_added <agent_target id> <agent id> <stack id>
--   targets_removed <agent id>            (a target removed, or a generator registration dropped)
--   stack_changed <stack id>              (a deployment object inserted)
--   work_order <work order id>            (a work order created; its targeting rows come in the same transaction)

CREATE OR REPLACE FUNCTION notify_push_agent_target() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM pg_notify(brokkr_channel('brokkr_push'),
      'target_added ' || NEW.id::text || ' ' || NEW.agent_id::text || ' ' || NEW.stack_id::text);
  ELSE
    PERFORM pg_notify(brokkr_channel('brokkr_push'), 'targets_removed ' || OLD.agent_id::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION notify_push_registration_removed() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify(brokkr_channel('brokkr_push'), 'targets_removed ' || OLD.agent_id::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION notify_push_deployment_object() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify(brokkr_channel('brokkr_push'), 'stack_changed ' || NEW.stack_id::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION notify_push_work_order() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify(brokkr_channel('brokkr_push'), 'work_order ' || NEW.id::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER push_agent_targets AFTER INSERT OR DELETE ON agent_targets
  FOR EACH ROW EXECUTE FUNCTION notify_push_agent_target();
CREATE TRIGGER push_registrations_removed AFTER DELETE ON agent_generator_registrations
  FOR EACH ROW EXECUTE FUNCTION notify_push_registration_removed();
CREATE TRIGGER push_deployment_objects AFTER INSERT ON deployment_objects
  FOR EACH ROW EXECUTE FUNCTION notify_push_deployment_object();
CREATE TRIGGER push_work_orders AFTER INSERT ON work_orders
  FOR EACH ROW EXECUTE FUNCTION notify_push_work_order();
