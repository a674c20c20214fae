package org.brokkr.codecs.live;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One field of a frame body: its wire name, its kind, whether it may be null or absent, and (for
 * an object) the fields of that object, in wire order.
 */
public record WsField(String name, Kind kind, boolean optional, List<WsField> fields, Set<String> values) {
  /** The wire kinds a body field can have. */
  public enum Kind { UUID, TIMESTAMP, TEXT, INT32, INT64, UINT64, BOOL, OBJECT, ENUM }

  static WsField required(String name, Kind kind) {
    return new WsField(name, kind, false, List.of(), Set.of());
  }

  static WsField optional(String name, Kind kind) {
    return new WsField(name, kind, true, List.of(), Set.of());
  }

  static WsField object(String name, WsField... fields) {
    return new WsField(name, Kind.OBJECT, false, List.of(fields), Set.of());
  }

  static WsField oneOf(String name, String... values) {
    return new WsField(name, Kind.ENUM, false, List.of(), Set.of(values));
  }

  /** The fields of {@code raw} in wire order, each checked and in its canonical form; unknown fields are left out. */
  static JsonObject canonical(List<WsField> fields, JsonObject raw, String where) {
    JsonObject out = new JsonObject();
    for (WsField f : fields) {
      out.put(f.name(), f.canonicalValue(raw.getValue(f.name()), where + "." + f.name()));
    }
    return out;
  }

  private Object canonicalValue(Object value, String where) {
    if (value == null) {
      if (optional) {
        return null;
      }
      throw new MalformedFrameException(where + " is required");
    }
    return switch (kind) {
      case UUID -> uuid(value, where);
      case TIMESTAMP -> timestamp(value, where);
      case TEXT -> text(value, where);
      case INT32 -> integer(value, where, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case INT64 -> integer(value, where, Long.MIN_VALUE, Long.MAX_VALUE);
      case UINT64 -> integer(value, where, 0, Long.MAX_VALUE);
      case BOOL -> {
        if (value instanceof Boolean b) {
          yield b;
        }
        throw new MalformedFrameException(where + " must be a boolean");
      }
      case OBJECT -> {
        if (value instanceof JsonObject obj) {
          yield canonical(fields, obj, where);
        }
        throw new MalformedFrameException(where + " must be an object");
      }
      case ENUM -> {
        String s = text(value, where);
        if (!values.contains(s)) {
          throw new MalformedFrameException(where + " must be one of " + values);
        }
        yield s;
      }
    };
  }

  private static String text(Object value, String where) {
    if (value instanceof String s) {
      return s;
    }
    throw new MalformedFrameException(where + " must be a string");
  }

  private static String uuid(Object value, String where) {
    String s = text(value, where);
    try {
      UUID id = UUID.fromString(s);
      if (s.length() != 36) {
        throw new IllegalArgumentException(s);
      }
      return id.toString();
    } catch (IllegalArgumentException e) {
      throw new MalformedFrameException(where + " must be a UUID");
    }
  }

  /** RFC 3339 with any offset, written back in UTC with 0, 3, 6 or 9 fraction digits (as the reference writes them). */
  private static String timestamp(Object value, String where) {
    String s = text(value, where);
    try {
      Instant at = OffsetDateTime.parse(s).toInstant();
      return at.toString();
    } catch (DateTimeParseException e) {
      throw new MalformedFrameException(where + " must be an RFC 3339 timestamp");
    }
  }

  private static long integer(Object value, String where, long min, long max) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      long n = ((Number) value).longValue();
      if (n >= min && n <= max) {
        return n;
      }
    }
    throw new MalformedFrameException(where + " must be an integer in [" + min + ", " + max + "]");
  }
}
