-- An agent that cannot collect diagnostics says why: the request becomes `failed` and the result
-- row keeps the agent's error text (NULL for a completed collection).
ALTER TABLE diagnostic_results ADD COLUMN error TEXT;
