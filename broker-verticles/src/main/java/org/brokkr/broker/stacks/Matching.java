package org.brokkr.broker.stacks;

/**
 * The agent <-> stack association, computed per request and never materialized: live stacks that
 * share a label or an exact annotation pair with the agent and belong to a generator the agent is
 * registered with, plus the agent's explicit targets. {@code $1} is the agent id.
 */
public final class Matching {
  public static final String ASSOCIATED_STACK_IDS = """
      SELECT s.id FROM stacks s
        JOIN agent_generator_registrations r ON r.generator_id = s.generator_id AND r.agent_id = $1
       WHERE s.deleted_at IS NULL
         AND (EXISTS (SELECT 1 FROM stack_labels sl JOIN agent_labels al ON al.label = sl.label
                       WHERE sl.stack_id = s.id AND al.agent_id = $1)
           OR EXISTS (SELECT 1 FROM stack_annotations sa
                        JOIN agent_annotations aa ON aa.key = sa.key AND aa.value = sa.value
                       WHERE sa.stack_id = s.id AND aa.agent_id = $1))
      UNION
      SELECT t.stack_id FROM agent_targets t JOIN stacks s ON s.id = t.stack_id
       WHERE t.agent_id = $1 AND s.deleted_at IS NULL""";

  private Matching() {}
}
