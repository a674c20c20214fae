package org.brokkr.broker.support;

import java.util.UUID;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Identity;

/** Authorization checks shared by the resource verticles; each failure is a 403 ErrorResponse. */
public final class Access {
  private Access() {}

  public static void requireAdmin(Identity caller) {
    if (!caller.isAdmin()) {
      throw ApiError.forbidden("admin_required", "admin access required");
    }
  }

  public static void requireAdminOrAgent(Identity caller, UUID agentId) {
    if (!caller.isAdmin() && !caller.isAgent(agentId)) {
      throw ApiError.forbidden("agent_pak_mismatch", "this PAK may not act for that agent");
    }
  }

  public static void requireAdminOrGenerator(Identity caller, UUID generatorId) {
    if (!caller.isAdmin() && !caller.isGenerator(generatorId)) {
      throw ApiError.forbidden("generator_not_owned", "this PAK may not act for that generator");
    }
  }
}
