package org.brokkr.broker.deployments;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.brokkr.codecs.ApiError;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.parser.Parser;

/**
 * Sits between the YAML parser and the (recursive) composer and refuses, as each event passes, a
 * document nested too deeply or whose aliases would expand to far more nodes than were written.
 * The composer therefore never recurses past {@link YamlDocuments#MAX_DEPTH}, and a consumer
 * that expands aliases (as agents do) never meets an alias bomb or an unbounded depth.
 */
final class BoundedEvents implements Parser {
  private final Parser events;
  private final Deque<OpenNode> open = new ArrayDeque<>();
  // what every completed anchored node of the current document becomes once its aliases are expanded
  private final Map<Anchor, Shape> anchored = new HashMap<>();
  private long written;
  private long expandedByAliases;
  private int aliases;

  BoundedEvents(Parser events) {
    this.events = events;
  }

  /** Expanded size of a node: how many nodes it holds (itself included) and how many collections deep it goes. */
  private record Shape(long nodes, int height) {}

  /** A mapping or sequence not yet closed, and the expanded shape of what it holds so far. */
  private static final class OpenNode {
    final Anchor anchor;
    long nodes = 1;
    int childHeight;

    OpenNode(Optional<Anchor> anchor) {
      this.anchor = anchor.orElse(null);
    }
  }

  @Override
  public boolean checkEvent(Event.ID choice) {
    return events.checkEvent(choice);
  }

  @Override
  public Event peekEvent() {
    return events.peekEvent();
  }

  @Override
  public boolean hasNext() {
    return events.hasNext();
  }

  @Override
  public Event next() {
    Event event = events.next();
    switch (event.getEventId()) {
      case DocumentStart -> anchored.clear();
      case MappingStart, SequenceStart -> enter((NodeEvent) event);
      case MappingEnd, SequenceEnd -> leave();
      case Scalar -> scalar((NodeEvent) event);
      case Alias -> alias((AliasEvent) event);
      default -> { }
    }
    return event;
  }

  private void enter(NodeEvent start) {
    if (open.size() >= YamlDocuments.MAX_DEPTH) {
      throw tooDeep();
    }
    written++;
    open.push(new OpenNode(start.getAnchor()));
  }

  private void leave() {
    OpenNode done = open.pop();
    Shape shape = new Shape(done.nodes, done.childHeight + 1);
    if (done.anchor != null) {
      anchored.put(done.anchor, shape);
    }
    addToParent(shape);
  }

  private void scalar(NodeEvent scalar) {
    written++;
    Shape shape = new Shape(1, 0);
    scalar.getAnchor().ifPresent(anchor -> anchored.put(anchor, shape));
    addToParent(shape);
  }

  private void alias(AliasEvent alias) {
    if (++aliases > YamlDocuments.MAX_ALIASES) {
      throw refused("YAML has more than " + YamlDocuments.MAX_ALIASES + " aliases");
    }
    Anchor anchor = alias.getAlias();
    for (OpenNode node : open) {
      if (anchor.equals(node.anchor)) {
        throw refused("YAML alias *" + anchor.getValue() + " refers to a node that contains it");
      }
    }
    Shape shape = anchored.get(anchor);
    if (shape == null) {
      return; // the composer reports an undefined alias as a syntax error
    }
    if (open.size() + shape.height() > YamlDocuments.MAX_DEPTH) {
      throw tooDeep();
    }
    expandedByAliases += shape.nodes();
    long allowance = Math.max(YamlDocuments.ALIAS_NODE_ALLOWANCE, written);
    if (expandedByAliases > allowance) {
      throw refused("YAML aliases expand to more than " + allowance + " nodes");
    }
    addToParent(shape);
  }

  private void addToParent(Shape child) {
    OpenNode parent = open.peek();
    if (parent != null) {
      parent.nodes += child.nodes();
      parent.childHeight = Math.max(parent.childHeight, child.height());
    }
  }

  private static ApiError tooDeep() {
    return refused("YAML is nested deeper than " + YamlDocuments.MAX_DEPTH + " levels");
  }

  private static ApiError refused(String message) {
    return ApiError.invalid("invalid_yaml", message);
  }
}
