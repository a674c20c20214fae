package org.brokkr.broker.templates;

import io.vertx.core.json.JsonObject;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.templates.tera.TemplateSyntaxException;
import org.brokkr.broker.templates.tera.TeraTemplate;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Pak;

/** The fields of a template version about to be stored, read from a create or update body. */
record TemplateDraft(String name, String description, String content, String parametersSchema) {
  static final int MAX_NAME = 255;

  /** {@code {"name", "description"?, "template_content", "parameters_schema"}}. */
  static TemplateDraft forCreate(JsonObject body) {
    String name = Fields.requiredText(body.getValue("name"), "name", MAX_NAME, "invalid_template");
    return new TemplateDraft(name, description(body), content(body), schema(body));
  }

  /** {@code {"description"?, "template_content", "parameters_schema"}}: same name, description kept unless given. */
  static TemplateDraft forUpdate(JsonObject body, JsonObject current) {
    String description = description(body);
    return new TemplateDraft(current.getString("name"), description != null ? description : current.getString("description"),
        content(body), schema(body));
  }

  private static String description(JsonObject body) {
    String d = Fields.optionalString(body.getValue("description"), "description", "invalid_template");
    if (d != null && d.isBlank()) {
      throw ApiError.invalid("invalid_template", "description cannot be blank (leave it out instead)");
    }
    return d;
  }

  private static String content(JsonObject body) {
    Object raw = body.getValue("template_content");
    if (!(raw instanceof String s) || s.isBlank()) {
      throw ApiError.invalid("invalid_template", "template_content must be a non-empty string");
    }
    return s;
  }

  private static String schema(JsonObject body) {
    Object raw = body.getValue("parameters_schema");
    if (!(raw instanceof String s)) {
      throw ApiError.invalid("invalid_parameters_schema", "parameters_schema must be a string holding a JSON Schema");
    }
    return s;
  }

  /** Parses the content (400 {@code invalid_template_syntax}) and the schema (400 {@code invalid_parameters_schema}); CPU work. */
  void check(ParametersSchema schemas) {
    try {
      TeraTemplate.parse(content);
    } catch (TemplateSyntaxException e) {
      throw ApiError.invalid("invalid_template_syntax", "invalid template: " + e.getMessage());
    }
    schemas.compile(parametersSchema);
  }

  String checksum() {
    return Pak.sha256Hex(content);
  }
}
