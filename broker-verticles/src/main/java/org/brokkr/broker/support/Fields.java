package org.brokkr.broker.support;

import java.util.UUID;
import org.brokkr.codecs.ApiError;

/** Checks of request values the handlers read themselves; every failure is a 400 with the given code. */
public final class Fields {
  private Fields() {}

  /** A non-blank string of at most {@code max} characters (code points, as PostgreSQL counts them). */
  public static String requiredText(Object raw, String field, int max, String code) {
    if (!(raw instanceof String s) || s.isBlank()) {
      throw ApiError.invalid(code, field + " must be a non-empty string");
    }
    if (s.codePointCount(0, s.length()) > max) {
      throw ApiError.invalid(code, field + " cannot be longer than " + max + " characters");
    }
    return s;
  }

  /** Absent (null), or a string. */
  public static String optionalString(Object raw, String field, String code) {
    if (raw != null && !(raw instanceof String)) {
      throw ApiError.invalid(code, field + " must be a string");
    }
    return (String) raw;
  }

  /** Absent (null), or a UUID. */
  public static UUID uuid(Object raw, String field, String code) {
    if (raw == null) {
      return null;
    }
    try {
      return UUID.fromString(raw.toString());
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(code, field + " must be a UUID");
    }
  }
}
