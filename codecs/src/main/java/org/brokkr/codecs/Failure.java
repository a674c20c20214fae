package org.brokkr.codecs;

/**
 * Request/reply failure classes carried as the numeric failure code of an event-bus reply. The
 * numbers are fixed wire values (never {@code ordinal()}); HTTP status mapping lives here only.
 */
public enum Failure {
  INVALID(1, 400),
  UNAUTHORIZED(2, 401),
  FORBIDDEN(3, 403),
  NOT_FOUND(4, 404),
  CONFLICT(5, 409),
  TOO_LARGE(6, 413),
  UNSUPPORTED_MEDIA_TYPE(7, 415),
  UNPROCESSABLE(8, 422),
  INTERNAL(9, 500),
  UNAVAILABLE(10, 503),
  METHOD_NOT_ALLOWED(11, 405);

  private final int number;
  private final int httpStatus;

  Failure(int number, int httpStatus) {
    this.number = number;
    this.httpStatus = httpStatus;
  }

  public int number() {
    return number;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public static Failure fromNumber(int number) {
    for (Failure f : values()) {
      if (f.number == number) {
        return f;
      }
    }
    return INTERNAL;
  }
}
