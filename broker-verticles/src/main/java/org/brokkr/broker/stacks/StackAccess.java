package org.brokkr.broker.stacks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.util.UUID;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Identity;

/** Loads a live stack and checks the caller may read or change it (404 before 403). */
public final class StackAccess {
  private final StackRepository repo;

  public StackAccess(StackRepository repo) {
    this.repo = repo;
  }

  public Future<JsonObject> existing(SqlClient db, UUID stackId) {
    return repo.find(db, stackId).map(stack -> {
      if (stack == null) {
        throw ApiError.notFound("stack_not_found", "stack not found");
      }
      return stack;
    });
  }

  /** Admin or the owning generator. */
  public Future<JsonObject> owned(SqlClient db, Identity caller, UUID stackId) {
    return existing(db, stackId).map(stack -> {
      requireOwner(caller, stack);
      return stack;
    });
  }

  /** Admin, the owning generator, or an agent with an explicit target on the stack. */
  public Future<JsonObject> readable(SqlClient db, Identity caller, UUID stackId) {
    return existing(db, stackId).compose(stack -> {
      if (caller.kind() != Identity.Kind.AGENT) {
        requireOwner(caller, stack);
        return Future.succeededFuture(stack);
      }
      return repo.hasExplicitTarget(db, caller.id(), stackId).map(targeted -> {
        if (!targeted) {
          throw ApiError.forbidden("stack_not_accessible", "this agent has no target on the stack");
        }
        return stack;
      });
    });
  }

  public static void requireOwner(Identity caller, JsonObject stack) {
    if (caller.isAdmin()) {
      return;
    }
    if (caller.kind() == Identity.Kind.GENERATOR && caller.id().toString().equals(stack.getString("generator_id"))) {
      return;
    }
    throw ApiError.forbidden("stack_not_owned", "the stack belongs to another generator");
  }
}
