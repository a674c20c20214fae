package org.brokkr.broker.templates;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.brokkr.broker.support.Rows;

/** SQL for stack templates: versions per (generator, name), system templates with no generator. */
public final class TemplateRepository {
  static final String COLUMNS = "id, created_at, updated_at, deleted_at, generator_id, name, description, version, "
      + "template_content, parameters_schema, checksum";
  private static final String LIST_ALL = "SELECT " + COLUMNS
      + " FROM stack_templates WHERE deleted_at IS NULL ORDER BY generator_id NULLS FIRST, name, version";
  /** A generator sees the system templates and its own. */
  private static final String LIST_VISIBLE = "SELECT " + COLUMNS + """
       FROM stack_templates
      WHERE deleted_at IS NULL AND (generator_id IS NULL OR generator_id = $1)
      ORDER BY generator_id NULLS FIRST, name, version""";
  private static final String GET = "SELECT " + COLUMNS + " FROM stack_templates WHERE id = $1 AND deleted_at IS NULL";
  /** Serializes version numbering of one (generator, name) across replicas until the transaction ends. */
  private static final String LOCK_NAME = "SELECT pg_advisory_xact_lock(hashtext('stack_templates'), "
      + "hashtext(COALESCE($1::uuid::text, 'system') || '/' || $2::text))";
  /** The next version: one more than the highest live version of the same (generator, name). */
  private static final String INSERT_VERSION = """
      INSERT INTO stack_templates (generator_id, name, description, version, template_content, parameters_schema, checksum)
      SELECT $1::uuid, $2::varchar, $3::text, COALESCE(MAX(version), 0) + 1, $4::text, $5::text, $6::varchar
        FROM stack_templates
       WHERE generator_id IS NOT DISTINCT FROM $1::uuid AND name = $2::varchar AND deleted_at IS NULL
      RETURNING""" + " " + COLUMNS;
  private static final String SOFT_DELETE =
      "UPDATE stack_templates SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING deleted_at";
  private static final String INSERT_RENDERED = """
      INSERT INTO rendered_deployment_objects (deployment_object_id, template_id, template_version, template_parameters)
      VALUES ($1, $2, $3, $4)""";
  private static final String RENDERED_OF = """
      SELECT deployment_object_id, template_id, template_version, template_parameters
        FROM rendered_deployment_objects WHERE deployment_object_id = $1""";

  public Future<JsonArray> listAll(SqlClient db) {
    return db.query(LIST_ALL).execute().map(Rows::jsonArray);
  }

  public Future<JsonArray> listVisibleTo(SqlClient db, UUID generatorId) {
    return db.preparedQuery(LIST_VISIBLE).execute(Tuple.of(generatorId)).map(Rows::jsonArray);
  }

  /** A live template, or null. */
  public Future<JsonObject> find(SqlClient db, UUID id) {
    return db.preparedQuery(GET).execute(Tuple.of(id)).map(Rows::first);
  }

  /** Inserts the next version of (generator, name); {@code generatorId} null for a system template. */
  public Future<JsonObject> insertVersion(SqlConnection conn, UUID generatorId, String name, String description,
      String content, String parametersSchema, String checksum) {
    return conn.preparedQuery(LOCK_NAME).execute(Tuple.of(generatorId, name))
        .compose(locked -> conn.preparedQuery(INSERT_VERSION)
            .execute(Tuple.of(generatorId, name, description, content, parametersSchema, checksum)))
        .map(Rows::first);
  }

  /** Soft-deletes a live template; empty when it was not live. */
  public Future<OffsetDateTime> softDelete(SqlClient db, UUID id) {
    return db.preparedQuery(SOFT_DELETE).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? it.next().getOffsetDateTime(0) : null;
    });
  }

  /** Which template version a deployment object was rendered from, with the parameters (JSON text). */
  public Future<Void> recordRendering(SqlClient db, UUID deploymentObjectId, UUID templateId, int version, String parameters) {
    return db.preparedQuery(INSERT_RENDERED).execute(Tuple.of(deploymentObjectId, templateId, version, parameters)).mapEmpty();
  }

  public Future<JsonObject> renderingOf(SqlClient db, UUID deploymentObjectId) {
    return db.preparedQuery(RENDERED_OF).execute(Tuple.of(deploymentObjectId)).map(Rows::first);
  }
}
