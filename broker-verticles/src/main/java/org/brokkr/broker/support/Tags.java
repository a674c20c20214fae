package org.brokkr.broker.support;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;

/**
 * Labels and annotations of one kind of parent (agents, stacks, templates, work orders): the
 * queries over {@code <kind>_labels} / {@code <kind>_annotations} and the six API operations
 * {@code <kind>s_list_labels} ... {@code <kind>s_remove_annotation}, with the parent's own access
 * rules and label body shape plugged in. Every change is audited in its transaction.
 */
public final class Tags {
  /** Finds the parent and checks the caller may act on it (404 before 403), failing otherwise. */
  @FunctionalInterface
  public interface Guard {
    Future<?> check(SqlClient db, ApiRequest req, UUID parentId);
  }

  /** How a label arrives in a POST body. */
  public enum LabelBody {
    /** A bare JSON string: {@code "env:prod"} (stacks, templates). */
    JSON_STRING,
    /** An object {@code {"<kind>_id": ..., "label": ...}} (agents). */
    OBJECT
  }

  private final String kind;
  private final String parentColumn;
  private final String labelsSql;
  private final String addLabelSql;
  private final String removeLabelSql;
  private final String annotationsSql;
  private final String addAnnotationSql;
  private final String removeAnnotationSql;

  /** {@code kind}: {@code agent}, {@code stack}, {@code template} or {@code work_order}. */
  public Tags(String kind) {
    this.kind = kind;
    this.parentColumn = kind + "_id";
    String labels = kind + "_labels";
    String annotations = kind + "_annotations";
    labelsSql = "SELECT * FROM " + labels + " WHERE " + parentColumn + " = $1 ORDER BY label";
    addLabelSql = "INSERT INTO " + labels + " (" + parentColumn + ", label) VALUES ($1, $2) RETURNING *";
    removeLabelSql = "DELETE FROM " + labels + " WHERE " + parentColumn + " = $1 AND label = $2";
    annotationsSql = "SELECT * FROM " + annotations + " WHERE " + parentColumn + " = $1 ORDER BY key, value";
    addAnnotationSql = "INSERT INTO " + annotations + " (" + parentColumn + ", key, value) VALUES ($1, $2, $3) RETURNING *";
    removeAnnotationSql = "DELETE FROM " + annotations + " WHERE " + parentColumn + " = $1 AND key = $2";
  }

  // ---- queries ---------------------------------------------------------------------------------

  public Future<JsonArray> labels(SqlClient db, UUID parent) {
    return db.preparedQuery(labelsSql).execute(Tuple.of(parent)).map(Rows::jsonArray);
  }

  public Future<JsonObject> addLabel(SqlClient db, UUID parent, String label) {
    return db.preparedQuery(addLabelSql).execute(Tuple.of(parent, label)).map(Rows::first);
  }

  public Future<Boolean> removeLabel(SqlClient db, UUID parent, String label) {
    return db.preparedQuery(removeLabelSql).execute(Tuple.of(parent, label)).map(r -> r.rowCount() > 0);
  }

  public Future<JsonArray> annotations(SqlClient db, UUID parent) {
    return db.preparedQuery(annotationsSql).execute(Tuple.of(parent)).map(Rows::jsonArray);
  }

  public Future<JsonObject> addAnnotation(SqlClient db, UUID parent, String key, String value) {
    return db.preparedQuery(addAnnotationSql).execute(Tuple.of(parent, key, value)).map(Rows::first);
  }

  public Future<Boolean> removeAnnotation(SqlClient db, UUID parent, String key) {
    return db.preparedQuery(removeAnnotationSql).execute(Tuple.of(parent, key)).map(r -> r.rowCount() > 0);
  }

  /** Many labels at once (a new work order's or template version's), in one round trip. */
  public Future<Void> addLabels(SqlClient db, UUID parent, List<String> labels) {
    if (labels.isEmpty()) {
      return Future.succeededFuture();
    }
    return db.preparedQuery(addLabelSql).executeBatch(labels.stream().map(l -> Tuple.of(parent, l)).toList()).mapEmpty();
  }

  public Future<Void> addAnnotations(SqlClient db, UUID parent, Map<String, String> annotations) {
    if (annotations.isEmpty()) {
      return Future.succeededFuture();
    }
    return db.preparedQuery(addAnnotationSql)
        .executeBatch(annotations.entrySet().stream().map(e -> Tuple.of(parent, e.getKey(), e.getValue())).toList())
        .mapEmpty();
  }

  // ---- the six operations ------------------------------------------------------------------------

  /**
   * Registers the operations with a resource verticle ({@code register} is its {@code on}).
   * {@code prefix} is the operation-id prefix ({@code agents}, {@code stacks}, {@code templates}).
   */
  public void operations(String prefix, BiConsumer<String, Function<ApiRequest, Future<ApiResponse>>> register,
      Pool pool, Guard read, Guard write, LabelBody labelBody) {
    String resource = kind;
    register.accept(prefix + "_list_labels", req -> {
      UUID id = req.pathId("id");
      return read.check(pool, req, id).compose(v -> labels(pool, id)).map(ApiResponse::ok);
    });
    register.accept(prefix + "_list_annotations", req -> {
      UUID id = req.pathId("id");
      return read.check(pool, req, id).compose(v -> annotations(pool, id)).map(ApiResponse::ok);
    });
    register.accept(prefix + "_add_label", req -> {
      UUID id = req.pathId("id");
      String label = label(req, id, labelBody);
      return pool.withTransaction(conn -> write.check(conn, req, id)
          .compose(v -> addLabel(conn, id, label))
          .compose(created -> Journal.audit(conn, AuditEntry.of(req, resource + ".label_added", resource, id,
              new JsonObject().put("label", label))).map(v -> ApiResponse.created(created))));
    });
    register.accept(prefix + "_remove_label", req -> {
      UUID id = req.pathId("id");
      String label = req.pathParam("label");
      return pool.withTransaction(conn -> write.check(conn, req, id)
          .compose(v -> removeLabel(conn, id, label))
          .compose(removed -> {
            if (!removed) {
              throw ApiError.notFound(resource + "_label_not_found", "label not found on " + resource);
            }
            return Journal.audit(conn, AuditEntry.of(req, resource + ".label_removed", resource, id,
                new JsonObject().put("label", label))).map(v -> ApiResponse.noContent());
          }));
    });
    register.accept(prefix + "_add_annotation", req -> {
      UUID id = req.pathId("id");
      JsonObject body = req.jsonObjectBody("invalid_annotation");
      requireSameParent(body, id);
      String key = Labels.check(Fields.optionalString(body.getValue("key"), "key", "invalid_annotation"),
          "annotation key", "invalid_annotation");
      String value = Labels.check(Fields.optionalString(body.getValue("value"), "value", "invalid_annotation"),
          "annotation value", "invalid_annotation");
      return pool.withTransaction(conn -> write.check(conn, req, id)
          .compose(v -> addAnnotation(conn, id, key, value))
          .compose(created -> Journal.audit(conn, AuditEntry.of(req, resource + ".annotation_added", resource, id,
              new JsonObject().put("key", key).put("value", value))).map(v -> ApiResponse.created(created))));
    });
    register.accept(prefix + "_remove_annotation", req -> {
      UUID id = req.pathId("id");
      String key = req.pathParam("key");
      return pool.withTransaction(conn -> write.check(conn, req, id)
          .compose(v -> removeAnnotation(conn, id, key))
          .compose(removed -> {
            if (!removed) {
              throw ApiError.notFound(resource + "_annotation_not_found", "annotation not found on " + resource);
            }
            return Journal.audit(conn, AuditEntry.of(req, resource + ".annotation_removed", resource, id,
                new JsonObject().put("key", key))).map(v -> ApiResponse.noContent());
          }));
    });
  }

  private String label(ApiRequest req, UUID id, LabelBody shape) {
    if (shape == LabelBody.JSON_STRING) {
      if (!(req.jsonBody("invalid_label") instanceof String text)) {
        throw ApiError.invalid("invalid_label", "the body must be a JSON string");
      }
      return Labels.label(text, "invalid_label");
    }
    JsonObject body = req.jsonObjectBody("invalid_label");
    requireSameParent(body, id);
    return Labels.label(Fields.optionalString(body.getValue("label"), "label", "invalid_label"), "invalid_label");
  }

  private void requireSameParent(JsonObject body, UUID id) {
    Object raw = body.getValue(parentColumn);
    if (raw != null && !id.toString().equalsIgnoreCase(raw.toString())) {
      throw ApiError.invalid(parentColumn + "_mismatch", parentColumn + " in the body does not match the path");
    }
  }
}
