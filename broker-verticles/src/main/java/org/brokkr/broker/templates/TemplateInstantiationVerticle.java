package org.brokkr.broker.templates;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.deployments.DeploymentObjectRepository;
import org.brokkr.broker.deployments.YamlDocuments;
import org.brokkr.broker.stacks.StackAccess;
import org.brokkr.broker.stacks.StackRepository;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.broker.support.Tags;
import org.brokkr.broker.templates.tera.TemplateRenderException;
import org.brokkr.broker.templates.tera.TemplateSyntaxException;
import org.brokkr.broker.templates.tera.TeraTemplate;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Pak;

/**
 * Turns a template into a deployment object of a stack, in the reference's order of checks:
 * stack access, template existence and read access, template labels and annotations present on
 * the stack, parameters valid against the schema, rendering. The rendering must be a deployment
 * object the broker would accept if it were posted (valid YAML within the hostile-input limits);
 * it is stored through the same code as a posted object, with a record of its template version.
 */
public final class TemplateInstantiationVerticle extends ResourceVerticle {
  /** Most steps (nodes rendered, loop iterations) one rendering may take. */
  static final long MAX_RENDER_STEPS = 5_000_000;

  private final Pool pool;
  private final long maxRenderedChars;
  private final TemplateRepository repo = new TemplateRepository();
  private final TemplateAccess templates = new TemplateAccess(repo);
  private final StackAccess stacks = new StackAccess(new StackRepository());
  private final DeploymentObjectRepository deployments = new DeploymentObjectRepository();
  private final Tags templateTags = new Tags("template");
  private final Tags stackTags = new Tags("stack");
  private WorkerExecutor workers;
  private ParametersSchema schemas;

  /** {@code maxRenderedChars}: the longest rendering kept (the request body limit of a posted object). */
  public TemplateInstantiationVerticle(Pool pool, long maxRenderedChars) {
    this.pool = pool;
    this.maxRenderedChars = maxRenderedChars;
  }

  @Override
  public String address() {
    return Addresses.TEMPLATE_INSTANTIATION;
  }

  @Override
  public Future<?> start() {
    workers = vertx.createSharedWorkerExecutor(TemplatesVerticle.WORKERS, TemplatesVerticle.WORKER_THREADS);
    schemas = new ParametersSchema(vertx.fileSystem());
    return super.start();
  }

  @Override
  public Future<?> stop() {
    return workers == null ? Future.succeededFuture() : workers.close();
  }

  @Override
  protected void defineOperations() {
    on("instantiate_template", this::instantiate);
  }

  private record Rendering(String content, String checksum) {}

  private Future<ApiResponse> instantiate(ApiRequest req) {
    UUID stackId = req.pathId("stack_id");
    JsonObject body = req.jsonObjectBody("invalid_request");
    UUID templateId = Fields.uuid(body.getValue("template_id"), "template_id", "invalid_request");
    if (templateId == null) {
      throw ApiError.invalid("invalid_request", "template_id is required");
    }
    if (!body.containsKey("parameters")) {
      throw ApiError.invalid("invalid_parameters", "parameters is required (an object of template variables)");
    }
    Object parameters = body.getValue("parameters");
    return stacks.owned(pool, req.caller(), stackId)
        .compose(stack -> templates.readable(pool, req.caller(), templateId))
        .compose(template -> requireMatch(template, stackId).map(template))
        .compose(template -> workers.executeBlocking(() -> render(template, parameters), false)
            .compose(rendering -> pool.withTransaction(conn -> stacks.owned(conn, req.caller(), stackId)
                .compose(stack -> templates.readable(conn, req.caller(), templateId))
                .compose(live -> deployments.submit(conn, req, stackId, rendering.content(), rendering.checksum(), false,
                    new JsonObject().put("template_id", templateId.toString()).put("template_version", live.getInteger("version"))))
                .compose(obj -> repo.recordRendering(conn, UUID.fromString(obj.getString("id")), templateId,
                    template.getInteger("version"), Json.encode(parameters)).map(obj)))))
        .map(ApiResponse::created);
  }

  /** Every label and every annotation (key and value) of the template must be on the stack. */
  private Future<Void> requireMatch(JsonObject template, UUID stackId) {
    UUID id = UUID.fromString(template.getString("id"));
    return templateTags.labels(pool, id).compose(wantedLabels -> templateTags.annotations(pool, id)
        .compose(wantedAnnotations -> {
          if (wantedLabels.isEmpty() && wantedAnnotations.isEmpty()) {
            return Future.succeededFuture();
          }
          return stackTags.labels(pool, stackId).compose(labels -> stackTags.annotations(pool, stackId).map(annotations -> {
            JsonArray missingLabels = new JsonArray();
            List<String> present = labels.stream().map(l -> ((JsonObject) l).getString("label")).toList();
            wantedLabels.forEach(l -> {
              String label = ((JsonObject) l).getString("label");
              if (!present.contains(label)) {
                missingLabels.add(label);
              }
            });
            JsonArray missingAnnotations = new JsonArray();
            wantedAnnotations.forEach(a -> {
              JsonObject want = (JsonObject) a;
              boolean found = annotations.stream().map(JsonObject.class::cast).anyMatch(have ->
                  have.getString("key").equals(want.getString("key")) && have.getString("value").equals(want.getString("value")));
              if (!found) {
                missingAnnotations.add(new JsonArray().add(want.getString("key")).add(want.getString("value")));
              }
            });
            if (!missingLabels.isEmpty() || !missingAnnotations.isEmpty()) {
              throw new ApiError(Failure.UNPROCESSABLE, "template_stack_mismatch",
                  "the stack lacks labels or annotations the template requires",
                  new JsonObject().put("missing_labels", missingLabels).put("missing_annotations", missingAnnotations));
            }
            return null;
          }));
        }));
  }

  /** Schema check, rendering and the deployment-object checks: CPU work, on the template workers. */
  private Rendering render(JsonObject template, Object parameters) {
    List<String> errors = schemas.compile(template.getString("parameters_schema")).errors(parameters);
    if (!errors.isEmpty()) {
      throw new ApiError(Failure.INVALID, "invalid_parameters", "the parameters do not match the template's parameters_schema",
          new JsonObject().put("validation_errors", new JsonArray(errors)));
    }
    String content;
    try {
      content = TeraTemplate.parse(template.getString("template_content")).render(parameters, maxRenderedChars, MAX_RENDER_STEPS);
    } catch (TemplateSyntaxException | TemplateRenderException e) {
      throw ApiError.invalid("template_render_failed", "rendering the template failed: " + e.getMessage());
    }
    try {
      YamlDocuments.validate(content, false);
    } catch (ApiError e) {
      if (!e.code().equals("invalid_deployment_object")) {
        throw e;
      }
      throw ApiError.invalid("template_render_failed", "the rendered template is not a valid deployment object: " + e.getMessage());
    }
    return new Rendering(content, Pak.sha256Hex(content));
  }
}
