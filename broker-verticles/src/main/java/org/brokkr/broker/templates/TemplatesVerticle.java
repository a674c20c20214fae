package org.brokkr.broker.templates;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Journal;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.broker.support.Tags;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Identity;

/**
 * Stack templates: versions per (generator, name), each version its own row; admin owns the system
 * templates. Content and schema are checked on the template workers before anything is stored.
 */
public final class TemplatesVerticle extends ResourceVerticle {
  /** The workers that parse, validate and render templates (shared with instantiation). */
  static final String WORKERS = "brokkr-templates";
  static final int WORKER_THREADS = 2;

  private final Pool pool;
  private final TemplateRepository repo = new TemplateRepository();
  private final TemplateAccess access = new TemplateAccess(repo);
  private final Tags tags = new Tags("template");
  private WorkerExecutor workers;
  private ParametersSchema schemas;

  public TemplatesVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public String address() {
    return Addresses.TEMPLATES;
  }

  @Override
  public Future<?> start() {
    workers = vertx.createSharedWorkerExecutor(WORKERS, WORKER_THREADS);
    schemas = new ParametersSchema(vertx.fileSystem());
    return super.start();
  }

  @Override
  public Future<?> stop() {
    return workers == null ? Future.succeededFuture() : workers.close();
  }

  @Override
  protected void defineOperations() {
    on("list_templates", this::list);
    on("create_template", this::create);
    on("get_template", req -> access.readable(pool, req.caller(), req.pathId("id")).map(ApiResponse::ok));
    on("update_template", this::update);
    on("delete_template", this::delete);
    tags.operations("templates", this::on, pool, (db, req, id) -> access.readable(db, req.caller(), id),
        (db, req, id) -> access.modifiable(db, req.caller(), id), Tags.LabelBody.JSON_STRING);
  }

  private Future<ApiResponse> list(ApiRequest req) {
    Identity caller = req.caller();
    TemplateAccess.requireAdminOrGenerator(caller);
    return (caller.isAdmin() ? repo.listAll(pool) : repo.listVisibleTo(pool, caller.id())).map(ApiResponse::ok);
  }

  private Future<ApiResponse> create(ApiRequest req) {
    Identity caller = req.caller();
    TemplateAccess.requireAdminOrGenerator(caller);
    TemplateDraft draft = TemplateDraft.forCreate(req.jsonObjectBody("invalid_template"));
    // admin creates system templates; a generator creates its own
    UUID owner = caller.isAdmin() ? null : caller.id();
    return checked(draft).compose(v -> pool.withTransaction(conn -> store(conn, req, owner, draft, "template.created")))
        .map(ApiResponse::created);
  }

  /** A new version of the template's (generator, name), carrying over its labels and annotations. */
  private Future<ApiResponse> update(ApiRequest req) {
    UUID id = req.pathId("id");
    JsonObject body = req.jsonObjectBody("invalid_template");
    return access.modifiable(pool, req.caller(), id).compose(current -> {
      TemplateDraft draft = TemplateDraft.forUpdate(body, current);
      return checked(draft).compose(v -> pool.withTransaction(conn -> access.modifiable(conn, req.caller(), id)
          .compose(stillLive -> {
            UUID owner = current.getString("generator_id") == null ? null : UUID.fromString(current.getString("generator_id"));
            return store(conn, req, owner, draft, "template.updated");
          })
          .compose(created -> copyTags(conn, id, UUID.fromString(created.getString("id"))).map(created))));
    }).map(ApiResponse::ok);
  }

  private Future<ApiResponse> delete(ApiRequest req) {
    UUID id = req.pathId("id");
    return pool.withTransaction(conn -> access.modifiable(conn, req.caller(), id)
        .compose(t -> repo.softDelete(conn, id).compose(deletedAt -> Journal.audit(conn, AuditEntry.of(req,
            "template.deleted", "template", id, new JsonObject().put("name", t.getString("name"))
                .put("version", t.getInteger("version")))))))
        .map(v -> ApiResponse.noContent());
  }

  private Future<Void> checked(TemplateDraft draft) {
    return workers.executeBlocking(() -> {
      draft.check(schemas);
      return null;
    }, false);
  }

  private Future<JsonObject> store(SqlConnection conn, ApiRequest req, UUID owner, TemplateDraft draft, String action) {
    return repo.insertVersion(conn, owner, draft.name(), draft.description(), draft.content(), draft.parametersSchema(),
            draft.checksum())
        .compose(t -> Journal.audit(conn, AuditEntry.of(req, action, "template", UUID.fromString(t.getString("id")),
            new JsonObject().put("name", t.getString("name")).put("version", t.getInteger("version")))).map(t));
  }

  private Future<Void> copyTags(SqlConnection conn, UUID from, UUID to) {
    return tags.labels(conn, from).compose(labels -> {
      List<String> names = new ArrayList<>();
      labels.forEach(l -> names.add(((JsonObject) l).getString("label")));
      return tags.addLabels(conn, to, names);
    }).compose(v -> tags.annotations(conn, from)).compose(annotations -> {
      Map<String, String> pairs = new LinkedHashMap<>();
      annotations.forEach(a -> pairs.put(((JsonObject) a).getString("key"), ((JsonObject) a).getString("value")));
      return tags.addAnnotations(conn, to, pairs);
    });
  }
}
