package org.brokkr.broker.templates;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.UUID;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Identity;

/**
 * Who may see and change a template (404 before 403): admin everything; a generator reads the
 * system templates and its own and changes only its own; system templates are changed by admin
 * only; agents have no access to templates.
 */
final class TemplateAccess {
  private final TemplateRepository repo;

  TemplateAccess(TemplateRepository repo) {
    this.repo = repo;
  }

  Future<JsonObject> existing(SqlClient db, UUID id) {
    return repo.find(db, id).map(t -> {
      if (t == null) {
        throw ApiError.notFound("template_not_found", "template not found");
      }
      return t;
    });
  }

  Future<JsonObject> readable(SqlClient db, Identity caller, UUID id) {
    return existing(db, id).map(t -> {
      requireRead(caller, t);
      return t;
    });
  }

  Future<JsonObject> modifiable(SqlClient db, Identity caller, UUID id) {
    return existing(db, id).map(t -> {
      if (!mayModify(caller, t)) {
        throw ApiError.forbidden("template_not_owned", t.getString("generator_id") == null
            ? "system templates are changed by admin only" : "the template belongs to another generator");
      }
      return t;
    });
  }

  static void requireRead(Identity caller, JsonObject template) {
    if (caller.isAdmin()) {
      return;
    }
    String owner = template.getString("generator_id");
    if (caller.kind() == Identity.Kind.GENERATOR && (owner == null || owner.equals(caller.id().toString()))) {
      return;
    }
    throw ApiError.forbidden("template_not_accessible", "this PAK may not read that template");
  }

  static boolean mayModify(Identity caller, JsonObject template) {
    if (caller.isAdmin()) {
      return true;
    }
    String owner = template.getString("generator_id");
    return caller.kind() == Identity.Kind.GENERATOR && owner != null && owner.equals(caller.id().toString());
  }

  /** Listing and creating: admin or a generator. */
  static void requireAdminOrGenerator(Identity caller) {
    if (!caller.isAdmin() && caller.kind() != Identity.Kind.GENERATOR) {
      throw ApiError.forbidden("templates_not_accessible", "only admin and generators use templates");
    }
  }
}
