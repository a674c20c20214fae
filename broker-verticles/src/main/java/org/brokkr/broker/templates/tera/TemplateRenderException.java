package org.brokkr.broker.templates.tera;

/** Rendering failed: an undefined variable, a value of the wrong type, or a limit reached. */
public final class TemplateRenderException extends RuntimeException {
  private final boolean limit;

  TemplateRenderException(int line, String message) {
    this(line, message, false);
  }

  TemplateRenderException(int line, String message, boolean limit) {
    super(line > 0 ? "line " + line + ": " + message : message, null, false, false);
    this.limit = limit;
  }

  /** True when a limit of {@link TeraTemplate#render} was reached (never treated as a falsy condition). */
  public boolean limitReached() {
    return limit;
  }
}
