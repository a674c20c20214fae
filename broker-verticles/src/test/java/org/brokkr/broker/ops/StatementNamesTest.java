package org.brokkr.broker.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Statement names: verb, first table, hash of the text; stable for one text, distinct across texts. */
class StatementNamesTest {
  @Test
  void verbTableAndHash() {
    String get = "SELECT id, name FROM agents WHERE id = $1 AND deleted_at IS NULL";
    assertTrue(StatementNames.of(get).matches("select_agents_[0-9a-f]{6}"), StatementNames.of(get));
    assertTrue(StatementNames.of("INSERT INTO event_outbox (id) VALUES ($1)").matches("insert_event_outbox_[0-9a-f]{6}"));
    assertTrue(StatementNames.of("UPDATE ONLY stacks SET name = $2").matches("update_stacks_[0-9a-f]{6}"));
    assertTrue(StatementNames.of("SELECT 1").matches("select_[0-9a-f]{6}"));
    assertEquals(StatementNames.of(get), StatementNames.of(get));
    assertNotEquals(StatementNames.of(get), StatementNames.of(get + " FOR UPDATE"));
  }
}
