package org.brokkr.broker.support;

import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Failure;

/** The one answer for "the database cannot be reached right now": 503, with a retry hint. */
public final class Unavailable {
  public static final String DATABASE_UNAVAILABLE = "database_unavailable";
  /** Seconds a client should wait before retrying (the Retry-After header of every 503). */
  public static final int RETRY_AFTER_SECONDS = 1;

  private Unavailable() {}

  public static ApiError database() {
    return new ApiError(Failure.UNAVAILABLE, DATABASE_UNAVAILABLE, "the database is unavailable; retry shortly");
  }
}
