package org.brokkr.broker.workorders;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.support.Labels;
import org.brokkr.codecs.ApiError;

/**
 * A checked {@code CreateWorkOrderRequest}: the order and who may claim it. Agent ids of
 * {@code targeting.agent_ids} and the legacy {@code target_agent_ids} are merged; repeated
 * targets count once.
 */
public record NewWorkOrder(
    String workType,
    String yamlContent,
    int maxRetries,
    int backoffSeconds,
    int claimTimeoutSeconds,
    Set<UUID> agentIds,
    Set<String> labels,
    Map<String, String> annotations) {

  static final String INVALID = "invalid_work_order";
  static final int MAX_WORK_TYPE_LENGTH = 50;
  static final int DEFAULT_MAX_RETRIES = 3;
  static final int DEFAULT_BACKOFF_SECONDS = 60;
  static final int DEFAULT_CLAIM_TIMEOUT_SECONDS = 3600;

  /**
   * Shapes first (400 {@code invalid_work_order}), then the targeting (400
   * {@code no_targeting_specified} when all of it is empty), then the values.
   */
  public static NewWorkOrder parse(JsonObject body) {
    Object workType = body.getValue("work_type");
    Object yaml = body.getValue("yaml_content");
    if (!(workType instanceof String)) {
      throw ApiError.invalid(INVALID, "work_type must be a string");
    }
    if (!(yaml instanceof String)) {
      throw ApiError.invalid(INVALID, "yaml_content must be a string");
    }
    Integer maxRetries = integer(body.getValue("max_retries"), "max_retries");
    Integer backoff = integer(body.getValue("backoff_seconds"), "backoff_seconds");
    Integer claimTimeout = integer(body.getValue("claim_timeout_seconds"), "claim_timeout_seconds");
    JsonObject targeting = object(body.getValue("targeting"), "targeting");
    Set<UUID> agentIds = new LinkedHashSet<>();
    JsonArray direct = array(targeting.getValue("agent_ids"), "targeting.agent_ids");
    JsonArray legacy = array(body.getValue("target_agent_ids"), "target_agent_ids");
    addAgentIds(agentIds, direct, "targeting.agent_ids");
    addAgentIds(agentIds, legacy, "target_agent_ids");
    JsonArray labels = array(targeting.getValue("labels"), "targeting.labels");
    JsonObject annotations = object(targeting.getValue("annotations"), "targeting.annotations");
    if (agentIds.isEmpty() && labels.isEmpty() && annotations.isEmpty()) {
      throw ApiError.invalid("no_targeting_specified",
          "at least one of targeting.agent_ids, targeting.labels or targeting.annotations must be given");
    }

    String type = Fields.requiredText(workType, "work_type", MAX_WORK_TYPE_LENGTH, INVALID);
    if (((String) yaml).isBlank()) {
      throw ApiError.invalid(INVALID, "yaml_content must be a non-empty string");
    }
    int retries = maxRetries == null ? DEFAULT_MAX_RETRIES : maxRetries;
    int backoffSeconds = backoff == null ? DEFAULT_BACKOFF_SECONDS : backoff;
    int timeout = claimTimeout == null ? DEFAULT_CLAIM_TIMEOUT_SECONDS : claimTimeout;
    if (retries < 0) {
      throw ApiError.invalid(INVALID, "max_retries must not be negative");
    }
    if (backoffSeconds <= 0) {
      throw ApiError.invalid(INVALID, "backoff_seconds must be positive");
    }
    if (timeout <= 0) {
      throw ApiError.invalid(INVALID, "claim_timeout_seconds must be positive");
    }
    Set<String> labelSet = new LinkedHashSet<>();
    for (Object label : labels) {
      if (!(label instanceof String text)) {
        throw ApiError.invalid(INVALID, "targeting.labels must hold strings");
      }
      labelSet.add(Labels.check(text, "a targeting label", INVALID));
    }
    Map<String, String> annotationMap = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : annotations) {
      if (!(e.getValue() instanceof String value)) {
        throw ApiError.invalid(INVALID, "targeting.annotations values must be strings");
      }
      annotationMap.put(Labels.check(e.getKey(), "a targeting annotation key", INVALID),
          Labels.check(value, "a targeting annotation value", INVALID));
    }
    return new NewWorkOrder(type, (String) yaml, retries, backoffSeconds, timeout,
        Collections.unmodifiableSet(agentIds), Collections.unmodifiableSet(labelSet),
        Collections.unmodifiableMap(annotationMap));
  }

  private static void addAgentIds(Set<UUID> out, JsonArray ids, String field) {
    for (Object id : ids) {
      if (!(id instanceof String text)) {
        throw ApiError.invalid(INVALID, field + " must hold agent ids (UUID strings)");
      }
      out.add(Fields.uuid(text, field, INVALID));
    }
  }

  /** Absent or null, or an integer of 32 bits (3.0 or 1e2 are not integers here). */
  private static Integer integer(Object raw, String field) {
    if (raw == null) {
      return null;
    }
    boolean integral = raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof BigInteger;
    if (!integral) {
      throw ApiError.invalid(INVALID, field + " must be an integer");
    }
    BigInteger value = raw instanceof BigInteger b ? b : BigInteger.valueOf(((Number) raw).longValue());
    if (value.bitLength() > 31) {
      throw ApiError.invalid(INVALID, field + " is out of range");
    }
    return value.intValue();
  }

  private static JsonObject object(Object raw, String field) {
    if (raw == null) {
      return new JsonObject();
    }
    if (raw instanceof JsonObject obj) {
      return obj;
    }
    throw ApiError.invalid(INVALID, field + " must be an object");
  }

  private static JsonArray array(Object raw, String field) {
    if (raw == null) {
      return new JsonArray();
    }
    if (raw instanceof JsonArray arr) {
      return arr;
    }
    throw ApiError.invalid(INVALID, field + " must be an array");
  }
}
