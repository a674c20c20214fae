-- Notification channels are per database, not per schema: brokers of different schemas on one
-- database (BROKKR__DATABASE__SCHEMA) would wake each other's dispatchers and clear each other's
-- caches. brokkr_channel(base) names a channel for the schema in use: the base name itself in
-- public (as before), else the base name and a short digest of the schema's name (channel names
-- are limited to 63 bytes, schema names are not much shorter). Brokers ask PostgreSQL for the
-- names they LISTEN to, so both sides always agree.

CREATE OR REPLACE FUNCTION brokkr_channel(base text) RETURNS text AS $$
  SELECT CASE WHEN current_schema() = 'public' THEN base
              ELSE base || '_' || left(md5(current_schema()), 12) END
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION notify_target_state_all() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify(brokkr_channel('brokkr_target_state'), '*');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION notify_target_state_agent() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify(brokkr_channel('brokkr_target_state'), OLD.agent_id::text);
  ELSE
    PERFORM pg_notify(brokkr_channel('brokkr_target_state'), NEW.agent_id::text);
    IF TG_OP = 'UPDATE' AND OLD.agent_id IS DISTINCT FROM NEW.agent_id THEN
      PERFORM pg_notify(brokkr_channel('brokkr_target_state'), OLD.agent_id::text);
    END IF;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION notify_target_state_agent_row() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify(brokkr_channel('brokkr_target_state'), COALESCE(NEW.id, OLD.id)::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
