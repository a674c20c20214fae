package org.brokkr.codecs.live;

/** A live-channel frame that is not JSON, names no known variant, or whose body does not fit its variant. */
public final class MalformedFrameException extends RuntimeException {
  public MalformedFrameException(String message) {
    super(message, null, false, false);
  }
}
