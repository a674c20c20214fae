package org.brokkr.broker.templates.tera;

import java.util.List;
import java.util.Map;

/**
 * A stack template in the Tera language (the subset a single stored template can use: output,
 * {@code if/elif/else}, {@code for} with {@code loop.*}, {@code set}, {@code raw}, comments,
 * whitespace control, the filters of {@link Filters}, the tests of {@link Predicates} and
 * {@code range}). No HTML escaping. Parsing checks everything that can be known without the
 * parameters; rendering is bounded in output size and steps.
 */
public final class TeraTemplate {
  private final List<Node> nodes;

  private TeraTemplate(List<Node> nodes) {
    this.nodes = nodes;
  }

  /** Parses template text, or throws {@link TemplateSyntaxException} naming the line. */
  public static TeraTemplate parse(String source) {
    return new TeraTemplate(Parser.parse(source));
  }

  /**
   * Renders with the top-level keys of {@code parameters} as variables (a JSON object; anything
   * else gives an empty context), or throws {@link TemplateRenderException}.
   */
  @SuppressWarnings("unchecked")
  public String render(Object parameters, long maxChars, long maxSteps) {
    Object context = Values.of(parameters);
    Map<String, Object> variables = context instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    return new Renderer(variables, new Budget(maxChars, maxSteps)).render(nodes);
  }
}
