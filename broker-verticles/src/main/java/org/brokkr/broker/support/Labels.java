package org.brokkr.broker.support;

import org.brokkr.codecs.ApiError;

/**
 * The model rule for labels, annotation keys and values: once trimmed, 1-64 characters (code
 * points, as PostgreSQL counts them) and no whitespace.
 */
public final class Labels {
  public static final int MAX_LENGTH = 64;

  private Labels() {}

  public static String label(String value, String errorCode) {
    return check(value, "label", errorCode);
  }

  public static String check(String value, String what, String errorCode) {
    if (value == null) {
      throw ApiError.invalid(errorCode, what + " is required");
    }
    String trimmed = value.trim();
    if (trimmed.isEmpty()) {
      throw ApiError.invalid(errorCode, what + " cannot be empty");
    }
    if (trimmed.codePointCount(0, trimmed.length()) > MAX_LENGTH) {
      throw ApiError.invalid(errorCode, what + " cannot be longer than " + MAX_LENGTH + " characters");
    }
    if (trimmed.codePoints().anyMatch(Character::isWhitespace)) {
      throw ApiError.invalid(errorCode, what + " cannot contain whitespace");
    }
    return trimmed;
  }
}
