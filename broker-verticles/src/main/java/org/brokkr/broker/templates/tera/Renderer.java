package org.brokkr.broker.templates.tera;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders parsed nodes against a context. Tera's rules: an undefined variable in output, math,
 * comparisons or loops is an error, but a bare variable used as a condition ({@code {% if x %}},
 * {@code not x}, {@code x and y}) is false when undefined; {@code default} applies when it is the
 * first filter of a variable that is undefined or null.
 */
final class Renderer {
  private enum Flow { NORMAL, BREAK, CONTINUE }

  private final Deque<Map<String, Object>> frames = new ArrayDeque<>();
  private final Budget budget;
  private final StringBuilder out = new StringBuilder();
  private final Evaluator eval;

  Renderer(Map<String, Object> context, Budget budget) {
    this.budget = budget;
    frames.push(new HashMap<>(context));
    this.eval = new Evaluator(this::lookupRoot, budget);
  }

  String render(List<Node> nodes) {
    run(nodes);
    return out.toString();
  }

  private Object lookupRoot(String name) {
    for (Map<String, Object> frame : frames) {
      if (frame.containsKey(name)) {
        return frame.get(name);
      }
    }
    return Values.UNDEFINED;
  }

  private Flow run(List<Node> nodes) {
    for (Node node : nodes) {
      budget.step();
      Flow flow = node(node);
      if (flow != Flow.NORMAL) {
        return flow;
      }
    }
    return Flow.NORMAL;
  }

  private Flow node(Node node) {
    if (node instanceof Node.Text t) {
      out.append(t.text());
      budget.text(out);
    } else if (node instanceof Node.Output o) {
      budget.at(o.line());
      Values.render(eval.value(o.expr()), out);
      budget.text(out);
    } else if (node instanceof Node.If f) {
      for (Node.Branch b : f.branches()) {
        budget.at(b.line());
        if (eval.condition(b.condition())) {
          return run(b.body());
        }
      }
      return run(f.otherwise());
    } else if (node instanceof Node.For f) {
      return loop(f);
    } else if (node instanceof Node.Set s) {
      budget.at(s.line());
      Object value = eval.value(s.value());
      (s.global() ? frames.peekLast() : frames.peek()).put(s.name(), value);
    } else if (node instanceof Node.Break) {
      return Flow.BREAK;
    } else if (node instanceof Node.Continue) {
      return Flow.CONTINUE;
    }
    return Flow.NORMAL;
  }

  private Flow loop(Node.For f) {
    budget.at(f.line());
    Object container = eval.value(f.container());
    List<Object[]> items = items(f, container);
    if (items.isEmpty()) {
      return run(f.empty());
    }
    Map<String, Object> frame = new HashMap<>();
    frames.push(frame);
    try {
      for (int i = 0; i < items.size(); i++) {
        budget.step();
        Object[] item = items.get(i);
        if (f.key() != null) {
          frame.put(f.key(), item[0]);
        }
        frame.put(f.value(), item[1]);
        Map<String, Object> loop = new LinkedHashMap<>();
        loop.put("index", (long) i + 1);
        loop.put("index0", (long) i);
        loop.put("first", i == 0);
        loop.put("last", i == items.size() - 1);
        frame.put("loop", loop);
        if (run(f.body()) == Flow.BREAK) {
          break;
        }
      }
    } finally {
      frames.pop();
    }
    return Flow.NORMAL;
  }

  /** (key, value) pairs to iterate: array items, object entries in key order, or a string's characters. */
  private List<Object[]> items(Node.For f, Object container) {
    List<Object[]> items = new ArrayList<>();
    if (container instanceof Map<?, ?> map) {
      if (f.key() == null) {
        throw budget.error("iterating over an object needs two names: {% for key, value in ... %}");
      }
      new TreeMap<>(map).forEach((k, v) -> items.add(new Object[] {k, v}));
    } else if (f.key() != null) {
      throw budget.error("'for " + f.key() + ", " + f.value() + "' needs an object, not " + Values.typeName(container));
    } else if (container instanceof List<?> list) {
      list.forEach(v -> items.add(new Object[] {null, v}));
    } else if (container instanceof String s) {
      s.codePoints().forEach(c -> items.add(new Object[] {null, new String(Character.toChars(c))}));
    } else {
      throw budget.error("cannot iterate over " + Values.typeName(container));
    }
    return items;
  }
}
