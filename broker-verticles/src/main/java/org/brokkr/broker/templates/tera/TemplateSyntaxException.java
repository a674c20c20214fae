package org.brokkr.broker.templates.tera;

/** The template text is not valid in the supported Tera subset; the message names the line. */
public final class TemplateSyntaxException extends RuntimeException {
  public TemplateSyntaxException(int line, String message) {
    super("line " + line + ": " + message, null, false, false);
  }
}
