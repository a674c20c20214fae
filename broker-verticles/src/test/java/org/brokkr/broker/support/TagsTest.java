package org.brokkr.broker.support;

import static org.brokkr.broker.testing.MigratedDatabase.await;
import static org.brokkr.broker.testing.MigratedDatabase.failure;
import static org.brokkr.broker.testing.MigratedDatabase.sqlState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.brokkr.broker.testing.MigratedDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The labels and annotations of every kind of parent, against the real tables. */
class TagsTest {
  static MigratedDatabase db;

  @BeforeAll
  static void start() {
    db = MigratedDatabase.create();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static UUID parent(String kind) {
    return switch (kind) {
      case "agent" -> db.agent();
      case "stack" -> db.stack(db.generator());
      case "template" -> (UUID) db.scalar("""
          INSERT INTO stack_templates (name, template_content, parameters_schema, checksum)
          VALUES ($1, 'x', '{}', 'c') RETURNING id""", "t-" + UUID.randomUUID());
      case "work_order" -> (UUID) db.scalar("INSERT INTO work_orders (work_type, yaml_content) VALUES ('custom', 'x') RETURNING id");
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static List<String> column(JsonArray rows, String name) {
    return rows.stream().map(o -> ((JsonObject) o).getString(name)).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"agent", "stack", "template", "work_order"})
  void labelsAddListRemove(String kind) {
    Tags tags = new Tags(kind);
    UUID p = parent(kind);
    JsonObject added = await(tags.addLabel(db.pool, p, "zone:b"));
    assertEquals("zone:b", added.getString("label"));
    assertEquals(p.toString(), added.getString(kind + "_id"));
    assertNotNull(added.getString("id"));
    await(tags.addLabel(db.pool, p, "env:prod"));
    assertEquals("23505", sqlState(failure(tags.addLabel(db.pool, p, "env:prod"))), "a label is unique per parent");
    assertEquals(List.of("env:prod", "zone:b"), column(await(tags.labels(db.pool, p)), "label"), "sorted by label");

    assertTrue(await(tags.removeLabel(db.pool, p, "env:prod")));
    assertFalse(await(tags.removeLabel(db.pool, p, "env:prod")), "already removed");
    assertEquals(List.of("zone:b"), column(await(tags.labels(db.pool, p)), "label"));
    assertTrue(await(tags.labels(db.pool, UUID.randomUUID())).isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"agent", "stack", "template", "work_order"})
  void annotationsAddListRemove(String kind) {
    Tags tags = new Tags(kind);
    UUID p = parent(kind);
    JsonObject added = await(tags.addAnnotation(db.pool, p, "team", "blue"));
    assertEquals(List.of("team", "blue", p.toString()),
        List.of(added.getString("key"), added.getString("value"), added.getString(kind + "_id")));
    await(tags.addAnnotation(db.pool, p, "owner", "ops"));
    if (kind.equals("work_order")) {
      // a work order may target several values of one key; only the exact pair is unique
      await(tags.addAnnotation(db.pool, p, "team", "red"));
      assertEquals("23505", sqlState(failure(tags.addAnnotation(db.pool, p, "team", "red"))));
      assertEquals(List.of("owner", "team", "team"), column(await(tags.annotations(db.pool, p)), "key"));
    } else {
      assertEquals("23505", sqlState(failure(tags.addAnnotation(db.pool, p, "team", "red"))), "one value per key");
      assertEquals(List.of("owner", "team"), column(await(tags.annotations(db.pool, p)), "key"));
    }

    assertTrue(await(tags.removeAnnotation(db.pool, p, "team")));
    assertFalse(await(tags.removeAnnotation(db.pool, p, "team")));
    assertEquals(List.of("ops"), column(await(tags.annotations(db.pool, p)), "value"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"agent", "stack", "template", "work_order"})
  void manyAtOnce(String kind) {
    Tags tags = new Tags(kind);
    UUID p = parent(kind);
    await(tags.addLabels(db.pool, p, List.of("b", "a", "c")));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("k2", "v2");
    annotations.put("k1", "v1");
    await(tags.addAnnotations(db.pool, p, annotations));
    await(tags.addLabels(db.pool, p, List.of()));
    assertEquals(List.of("a", "b", "c"), column(await(tags.labels(db.pool, p)), "label"));
    assertEquals(List.of("v1", "v2"), column(await(tags.annotations(db.pool, p)), "value"));
  }
}
