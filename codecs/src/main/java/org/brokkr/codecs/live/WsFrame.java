package org.brokkr.codecs.live;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * One frame of the agent live channel: {@code {"type": <variant>, "body": {...}}}, JSON text.
 * A parsed frame's body is canonical: the variant's fields only, in wire order, timestamps in UTC,
 * absent optional fields as null; so {@link #encode()} writes what the reference writes.
 */
public record WsFrame(WsVariant variant, JsonObject body) {
  public WsFrame {
    body = WsField.canonical(variant.fields(), body, variant.wire());
  }

  /** Parses and checks a frame; anything that is not a well-formed frame of a known variant is refused. */
  public static WsFrame parse(String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new MalformedFrameException("a frame must be a JSON object");
    }
    if (!(json.getValue("type") instanceof String type)) {
      throw new MalformedFrameException("a frame needs a string type");
    }
    WsVariant variant = WsVariant.ofWire(type).orElseThrow(() -> new MalformedFrameException("unknown frame type " + type));
    if (!(json.getValue("body") instanceof JsonObject body)) {
      throw new MalformedFrameException(type + " needs an object body");
    }
    return new WsFrame(variant, body);
  }

  public String encode() {
    return new JsonObject().put("type", variant.wire()).put("body", body).encode();
  }

  /** The body's {@code agent_id}, for the variants that carry one (null otherwise). */
  public String agentId() {
    return body.getString("agent_id");
  }
}
