package org.brokkr.broker.templates;

import io.vertx.core.file.FileSystem;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.List;
import org.brokkr.codecs.ApiError;

/**
 * A template's {@code parameters_schema}: JSON Schema text that must parse, name a known draft
 * (by {@code $schema}; Draft 7 when absent) and be valid against that draft's meta-schema; and
 * the check of instantiation parameters against it. Schema defaults are not filled in. Blocking
 * (the meta-schemas are read from the classpath once): call on a worker thread.
 */
final class ParametersSchema {
  private static final String BASE_URI = "urn:brokkr:parameters-schema";
  /** Most validation errors listed in one response. */
  static final int MAX_ERRORS = 50;

  private final FileSystem files;
  private volatile SchemaRepository metaSchemas;

  ParametersSchema(FileSystem files) {
    this.files = files;
  }

  /** A checked schema, ready to validate parameters. */
  record Compiled(Validator validator) {
    /** Each problem as {@code "<instance path>: <message>"} (the path is a JSON pointer; the root has none). */
    List<String> errors(Object parameters) {
      OutputUnit result;
      try {
        result = validator.validate(parameters);
      } catch (RuntimeException e) {
        return List.of("the parameters schema cannot be applied: " + e.getMessage());
      }
      if (Boolean.TRUE.equals(result.getValid())) {
        return List.of();
      }
      return describe(result, MAX_ERRORS);
    }
  }

  /**
   * The leaf problems of a failed validation, as {@code "<JSON pointer>: <message>"}: an error that
   * only says a nested schema failed is left out when the nested error is listed.
   */
  static List<String> describe(OutputUnit result, int max) {
    List<OutputUnit> units = result.getErrors() == null || result.getErrors().isEmpty() ? List.of(result) : result.getErrors();
    List<String> out = new ArrayList<>();
    for (OutputUnit u : units) {
      if (out.size() == max) {
        break;
      }
      String keyword = u.getKeywordLocation() == null ? "" : u.getKeywordLocation();
      boolean wrapper = !keyword.isEmpty() && units.stream().anyMatch(other -> other != u
          && other.getKeywordLocation() != null && other.getKeywordLocation().startsWith(keyword + "/"));
      if (wrapper) {
        continue;
      }
      String path = pointer(u.getInstanceLocation());
      String message = u.getError() == null ? "invalid" : u.getError();
      out.add(path.isEmpty() ? message : path + ": " + message);
    }
    return out;
  }

  /** {@code #/a/b%20c} (the validator's fragment form) as the JSON pointer {@code /a/b c}. */
  private static String pointer(String location) {
    if (location == null) {
      return "";
    }
    String p = location.startsWith("#") ? location.substring(1) : location;
    try {
      return java.net.URLDecoder.decode(p.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return p;
    }
  }

  /** Parses and checks schema text, or throws 400 {@code invalid_parameters_schema}. */
  Compiled compile(String text) {
    Object json;
    try {
      json = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw invalid("parameters_schema is not valid JSON: " + firstLine(e.getMessage()));
    }
    if (json instanceof Boolean b) {
      return new Compiled(Validator.create(JsonSchema.of(b), options(Draft.DRAFT7)));
    }
    if (!(json instanceof JsonObject schema)) {
      throw invalid("parameters_schema must be a JSON object (or true / false)");
    }
    Draft draft = draft(schema);
    OutputUnit check;
    try {
      check = repository().validator(draft.getIdentifier().replaceFirst("#$", ""), options(draft)).validate(schema);
    } catch (RuntimeException e) {
      throw invalid("parameters_schema cannot be checked: " + firstLine(e.getMessage()));
    }
    if (!Boolean.TRUE.equals(check.getValid())) {
      List<String> problems = describe(check, 5);
      throw invalid("parameters_schema is not a valid JSON Schema: " + String.join("; ", problems));
    }
    try {
      return new Compiled(Validator.create(JsonSchema.of(schema), options(draft)));
    } catch (RuntimeException e) {
      throw invalid("parameters_schema cannot be compiled: " + firstLine(e.getMessage()));
    }
  }

  private static Draft draft(JsonObject schema) {
    Object declared = schema.getValue("$schema");
    if (declared == null) {
      return Draft.DRAFT7;
    }
    if (!(declared instanceof String uri)) {
      throw invalid("$schema must be a string");
    }
    try {
      return Draft.fromIdentifier(uri);
    } catch (RuntimeException e) {
      throw invalid("unsupported $schema " + uri + " (supported: draft-04, draft-07, 2019-09, 2020-12)");
    }
  }

  private SchemaRepository repository() {
    SchemaRepository r = metaSchemas;
    if (r == null) {
      synchronized (this) {
        if (metaSchemas == null) {
          SchemaRepository repo = SchemaRepository.create(options(Draft.DRAFT7));
          for (Draft d : Draft.values()) {
            repo.preloadMetaSchema(files, d);
          }
          metaSchemas = repo;
        }
        r = metaSchemas;
      }
    }
    return r;
  }

  private static JsonSchemaOptions options(Draft draft) {
    return new JsonSchemaOptions().setDraft(draft).setBaseUri(BASE_URI).setOutputFormat(OutputFormat.Basic);
  }

  private static ApiError invalid(String message) {
    return ApiError.invalid("invalid_parameters_schema", message);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    return message.lines().findFirst().orElse("");
  }
}
