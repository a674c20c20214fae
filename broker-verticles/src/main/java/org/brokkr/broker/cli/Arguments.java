package org.brokkr.broker.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command line split into words ({@code create agent}) and long options ({@code --name x},
 * {@code --name=x}); a word after {@code --} is never an option. Shared by both CLIs.
 */
public final class Arguments {
  private final List<String> words;
  private final Map<String, List<String>> options;

  private Arguments(List<String> words, Map<String, List<String>> options) {
    this.words = words;
    this.options = options;
  }

  /**
   * @param switches options that take no value (such as {@code help})
   * @param shortNames one-letter aliases: {@code 'f'} for {@code filename}
   */
  public static Arguments parse(String[] args, Set<String> switches, Map<Character, String> shortNames) {
    List<String> words = new ArrayList<>();
    Map<String, List<String>> options = new LinkedHashMap<>();
    boolean onlyWords = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name;
      String value = null;
      if (onlyWords || arg.equals("-") || !arg.startsWith("-")) {
        words.add(arg);
        continue;
      }
      if (arg.equals("--")) {
        onlyWords = true;
        continue;
      }
      if (arg.startsWith("--")) {
        name = arg.substring(2);
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
      } else if (arg.length() == 2 && shortNames.containsKey(arg.charAt(1))) {
        name = shortNames.get(arg.charAt(1));
      } else {
        throw new UsageException("unknown option '" + arg + "'");
      }
      if (name.isEmpty()) {
        throw new UsageException("unknown option '" + arg + "'");
      }
      if (switches.contains(name)) {
        if (value != null) {
          throw new UsageException("--" + name + " takes no value");
        }
        value = "";
      } else if (value == null) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new UsageException("--" + name + " needs a value");
        }
        value = args[++i];
      }
      options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return new Arguments(List.copyOf(words), options);
  }

  public List<String> words() {
    return words;
  }

  public boolean has(String name) {
    return options.containsKey(name);
  }

  /** Refuses any option not named here. */
  public Arguments allow(String... names) {
    Set<String> allowed = Set.of(names);
    for (String name : options.keySet()) {
      if (!allowed.contains(name)) {
        throw new UsageException("unknown option --" + name);
      }
    }
    return this;
  }

  /** The value of an option given at most once. */
  public Optional<String> option(String name) {
    List<String> values = options.get(name);
    if (values == null) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      throw new UsageException("--" + name + " given more than once");
    }
    return Optional.of(values.get(0));
  }

  public String required(String name) {
    return option(name).orElseThrow(() -> new UsageException("--" + name + " is required"));
  }

  /** Every value of a repeatable option, in order. */
  public List<String> all(String name) {
    return options.getOrDefault(name, List.of());
  }
}
