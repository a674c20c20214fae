package org.brokkr.broker.support;

import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.Identity;

/** One audit_logs row: who (the identity that really acted), did what, to which resource. */
public record AuditEntry(
    String actorType,
    UUID actorId,
    String action,
    String resourceType,
    UUID resourceId,
    JsonObject details,
    String ipAddress,
    String userAgent) {

  public static AuditEntry of(ApiRequest request, String action, String resourceType, UUID resourceId, JsonObject details) {
    Identity caller = request.caller();
    return new AuditEntry(caller.kind().wire(), caller.id(), action, resourceType, resourceId, details,
        request.remoteAddress(), request.userAgent());
  }
}
