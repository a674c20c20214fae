package org.brokkr.broker.deployments;

import java.util.UUID;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Identity;

/**
 * The answer to {@code get_target_state} when the target state is cached, given by the HTTP
 * front itself: an unchanged target state is the hot path of every agent's poll, and there it
 * costs no event-bus hop, no encoding and no copy of the body. Anything else (a miss, the cache
 * bypassed while nothing listens, a caller who must be refused) goes to the operation's verticle
 * as every other operation does.
 */
public final class CachedTargetStates {
  public static final String OPERATION = "get_target_state";

  private CachedTargetStates() {}

  /**
   * The response for a cached target state, or null when the verticle must answer. {@code agentId}
   * and {@code mode} are the request's path and query parameters, already checked by the contract.
   */
  public static ApiResponse answer(TargetStateCache cache, Identity caller, String agentId, String mode, String ifNoneMatch) {
    if (caller == null || agentId == null) {
      return null;
    }
    UUID agent;
    try {
      agent = UUID.fromString(agentId);
    } catch (IllegalArgumentException e) {
      return null;
    }
    // the same rule as Access.requireAdminOrAgent; a refusal is left to the verticle, which words it
    if (!caller.isAdmin() && !caller.isAgent(agent)) {
      return null;
    }
    TargetStateCache.Entry entry = cache.hit(agent, "full".equals(mode));
    return entry == null ? null : respond(entry, ifNoneMatch);
  }

  /** 304 for a client presenting the current tag (strong or weak), else the body with its tag. */
  static ApiResponse respond(TargetStateCache.Entry entry, String presented) {
    if (presented != null && (presented.equals(entry.etag()) || presented.equals("W/" + entry.etag()))) {
      return ApiResponse.notModified(entry.etag());
    }
    return ApiResponse.ok(entry.body()).withEtag(entry.etag());
  }
}
