package org.brokkr.broker.templates.tera;

import java.util.List;

/** A statement of the supported Tera subset, as parsed. */
sealed interface Node {
  /** Literal text (whitespace control already applied). */
  record Text(String text) implements Node {}

  /** {@code {{ expr }}}. */
  record Output(Expr expr, int line) implements Node {}

  /** {@code {% if %}} with its {@code elif} branches and optional {@code else}. */
  record If(List<Branch> branches, List<Node> otherwise) implements Node {}

  record Branch(Expr condition, List<Node> body, int line) {}

  /** {@code {% for [key,] value in container %} body {% else %} empty {% endfor %}}. */
  record For(String key, String value, Expr container, List<Node> body, List<Node> empty, int line) implements Node {}

  /** {@code {% set name = value %}} (this scope) or {@code {% set_global %}} (the template's scope). */
  record Set(String name, Expr value, boolean global, int line) implements Node {}

  record Break() implements Node {}

  record Continue() implements Node {}
}
