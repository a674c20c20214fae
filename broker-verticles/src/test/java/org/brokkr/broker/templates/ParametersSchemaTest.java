package org.brokkr.broker.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import java.util.List;
import org.brokkr.codecs.ApiError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ParametersSchemaTest {
  static Vertx vertx;
  static ParametersSchema schemas;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    schemas = new ParametersSchema(vertx.fileSystem());
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static void refused(String schema) {
    ApiError e = assertThrows(ApiError.class, () -> schemas.compile(schema), schema);
    assertEquals("invalid_parameters_schema", e.code());
  }

  private static List<String> errors(String schema, String parameters) {
    return schemas.compile(schema).errors(Json.decodeValue(parameters));
  }

  @Test
  void schemasThatAreNotJsonSchemasAreRefused() {
    refused("not json");
    refused("");
    refused("[1, 2]");
    refused("\"a string\"");
    refused("{\"type\": 5}");
    refused("{\"type\": \"nonsense\"}");
    refused("{\"required\": \"name\"}");
    refused("{\"minimum\": \"three\"}");
    refused("{\"$schema\": \"http://example.com/my-draft\"}");
  }

  @Test
  void validSchemasOfEveryDraft() {
    schemas.compile("{}");
    schemas.compile("true");
    schemas.compile("{\"type\": \"object\", \"required\": [\"name\"], \"properties\": {\"name\": {\"type\": \"string\"}}}");
    schemas.compile("{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\"}");
    schemas.compile("{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", \"type\": \"object\"}");
    schemas.compile("{\"$schema\": \"https://json-schema.org/draft/2019-09/schema\", \"type\": \"object\"}");
    schemas.compile("{\"$schema\": \"http://json-schema.org/draft-04/schema#\", \"type\": \"object\"}");
  }

  @Test
  void parameterErrorsNameTheirPath() {
    String schema = """
        {"type": "object", "required": ["database_name", "storage_size"],
         "properties": {"database_name": {"type": "string", "minLength": 1},
                        "storage_size": {"type": "string", "pattern": "^[0-9]+[GMK]i$"},
                        "replicas": {"type": "integer", "minimum": 1, "default": 1}}}""";
    assertEquals(List.of(), errors(schema, "{\"database_name\": \"db\", \"storage_size\": \"10Gi\", \"replicas\": 3}"));
    List<String> e = errors(schema, "{\"database_name\": \"db\", \"storage_size\": \"10GB\", \"replicas\": 0}");
    assertTrue(e.stream().anyMatch(s -> s.startsWith("/storage_size: ")), e.toString());
    assertTrue(e.stream().anyMatch(s -> s.startsWith("/replicas: ")), e.toString());
    assertEquals(2, e.size(), "only the failing keywords, not the properties that contain them: " + e);
    List<String> missing = errors(schema, "{\"database_name\": \"db\"}");
    assertEquals(1, missing.size(), missing.toString());
    assertTrue(missing.get(0).contains("storage_size") && !missing.get(0).startsWith("/"), "a root error has no path: " + missing);
    assertEquals(1, errors(schema, "[1]").size());
    assertEquals(List.of(), errors("true", "[1]"));
    assertEquals(1, errors("false", "{}").size());
  }
}
