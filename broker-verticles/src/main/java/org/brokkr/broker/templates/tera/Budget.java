package org.brokkr.broker.templates.tera;

/**
 * What one rendering may cost: its output (and every string it builds) stays within a number of
 * characters, and it takes at most a number of steps (nodes rendered plus loop iterations), so
 * parameters and loops cannot make it run away with a thread or the heap.
 */
final class Budget {
  private final long maxChars;
  private long stepsLeft;
  private int line;

  Budget(long maxChars, long maxSteps) {
    this.maxChars = maxChars;
    this.stepsLeft = maxSteps;
  }

  void at(int line) {
    this.line = line;
  }

  int line() {
    return line;
  }

  void step() {
    if (--stepsLeft < 0) {
      throw new TemplateRenderException(line, "the template takes too many steps to render", true);
    }
  }

  void steps(long n) {
    stepsLeft -= n;
    step();
  }

  /** Refuses a string (or output so far) longer than the limit. */
  <T extends CharSequence> T text(T s) {
    if (s.length() > maxChars) {
      throw new TemplateRenderException(line, "the rendered text would be longer than " + maxChars + " characters", true);
    }
    return s;
  }

  TemplateRenderException error(String message) {
    return new TemplateRenderException(line, message);
  }
}
