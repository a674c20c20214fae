package org.brokkr.broker.deployments;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.Pak;

/**
 * A deployment object as submitted, decoded from either body form, validated and checksummed.
 * Building one is CPU work proportional to the body, so large bodies are built on a worker.
 */
record Submission(String content, String checksum, boolean deletionMarker) {

  /** Reads and checks the request body, or throws the 400 that describes what is wrong with it. */
  static Submission of(ApiRequest req) {
    String content;
    boolean marker;
    if (DeploymentObjectsVerticle.isYaml(req.contentType())) {
      content = utf8(req);
      marker = req.queryParam("deletion_marker").map(Submission::flag).orElse(false);
    } else {
      JsonObject body = req.jsonObjectBody("invalid_deployment_object");
      if (!(body.getValue("yaml_content") instanceof String s)) {
        throw ApiError.invalid("invalid_deployment_object", "yaml_content must be a string");
      }
      content = s;
      Object flag = body.getValue("is_deletion_marker");
      if (flag != null && !(flag instanceof Boolean)) {
        throw ApiError.invalid("invalid_deployment_object", "is_deletion_marker must be a boolean");
      }
      marker = Boolean.TRUE.equals(flag);
    }
    YamlDocuments.validate(content, marker);
    return new Submission(content, Pak.sha256Hex(content), marker);
  }

  private static boolean flag(String raw) {
    if (raw.equalsIgnoreCase("true")) {
      return true;
    }
    if (raw.equalsIgnoreCase("false")) {
      return false;
    }
    throw ApiError.invalid("invalid_query_parameter", "deletion_marker must be true or false");
  }

  private static String utf8(ApiRequest req) {
    if (!req.hasBody()) {
      return "";
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(req.body().getBytes()))
          .toString();
    } catch (CharacterCodingException e) {
      throw ApiError.invalid("invalid_deployment_object", "the YAML body is not valid UTF-8");
    }
  }
}
