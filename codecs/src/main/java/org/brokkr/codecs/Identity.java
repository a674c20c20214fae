package org.brokkr.codecs;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Who is calling: exactly one of admin, an agent or a generator. */
public record Identity(Kind kind, UUID id) {
  public enum Kind {
    ADMIN("admin"),
    AGENT("agent"),
    GENERATOR("generator");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  public static final Identity ADMIN = new Identity(Kind.ADMIN, null);

  public static Identity agent(UUID id) {
    return new Identity(Kind.AGENT, id);
  }

  public static Identity generator(UUID id) {
    return new Identity(Kind.GENERATOR, id);
  }

  public boolean isAdmin() {
    return kind == Kind.ADMIN;
  }

  public boolean isAgent(UUID agentId) {
    return kind == Kind.AGENT && id.equals(agentId);
  }

  public boolean isGenerator(UUID generatorId) {
    return kind == Kind.GENERATOR && id.equals(generatorId);
  }

  /** The {@code AuthResponse} body of {@code POST /auth/pak}. */
  public JsonObject toAuthResponse() {
    return new JsonObject()
        .put("admin", kind == Kind.ADMIN)
        .put("agent", kind == Kind.AGENT ? id.toString() : null)
        .put("generator", kind == Kind.GENERATOR ? id.toString() : null)
        .put("readonly", false);
  }

  public JsonObject toJson() {
    return new JsonObject().put("kind", kind.name()).put("id", id == null ? null : id.toString());
  }

  public static Identity fromJson(JsonObject json) {
    String id = json.getString("id");
    return new Identity(Kind.valueOf(json.getString("kind")), id == null ? null : UUID.fromString(id));
  }
}
