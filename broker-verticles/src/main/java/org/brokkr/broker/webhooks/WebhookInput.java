package org.brokkr.broker.webhooks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.brokkr.broker.support.Labels;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Failure;

/**
 * The bodies of {@code POST /webhooks} and {@code PUT /webhooks/{id}}, checked in the reference's
 * order: removed fields (422 {@code unsupported_field}), shape (422 {@code invalid_request_body}),
 * the URL (400 {@code url_required}, {@code invalid_url_scheme}), the rules of the model (400
 * {@code invalid_webhook}), then ranges (422 {@code invalid_webhook}). Stricter than the reference
 * where its laxness fails later: the URL must name a host, an auth header may hold no line breaks,
 * target labels follow the label rule, and an update re-checks what a creation checks.
 */
final class WebhookInput {
  static final int DEFAULT_MAX_RETRIES = 5;
  static final int DEFAULT_TIMEOUT_SECONDS = 30;
  private static final int MAX_URL = 2048;
  private static final int MAX_AUTH_HEADER = 8192;
  private static final int MAX_PATTERNS = 100;
  private static final int MAX_PATTERN = 100;
  private static final int MAX_TARGET_LABELS = 50;
  private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** A field of an update: absent (leave it), or present with a value (null clears where allowed). */
  record Field<T>(boolean present, T value) {
    static <T> Field<T> absent() {
      return new Field<>(false, null);
    }

    static <T> Field<T> of(T value) {
      return new Field<>(true, value);
    }
  }

  /** A subscription to create. {@code filters} is the stored JSON text (or null). */
  record Creation(String name, String url, String authHeader, List<String> eventTypes, String filters,
      List<String> targetLabels, int maxRetries, int timeoutSeconds, String signingSecret) {}

  /** The changes of an update; a field that is not present keeps its stored value. */
  record Changes(Field<String> name, Field<String> url, Field<String> authHeader, Field<List<String>> eventTypes,
      Field<String> filters, Field<Boolean> enabled, Field<Integer> maxRetries, Field<Integer> timeoutSeconds,
      Field<List<String>> targetLabels, Field<String> signingSecret) {}

  private WebhookInput() {}

  static Creation creation(JsonObject body) {
    if (body.containsKey("validate")) {
      throw removed("validate", "`validate` is not accepted: it never sent a test request. Create the subscription,"
          + " then call POST /webhooks/{id}/test", "POST /webhooks/{id}/test");
    }
    rejectFilterLabels(body);
    String name = requiredString(body, "name");
    String url = requiredString(body, "url");
    String authHeader = optionalString(body, "auth_header");
    List<String> eventTypes = strings(body, "event_types");
    if (eventTypes == null) {
      throw shape("event_types is required");
    }
    String filters = filters(body.getValue("filters"));
    Integer maxRetries = integer(body, "max_retries");
    Integer timeout = integer(body, "timeout_seconds");
    List<String> targetLabels = strings(body, "target_labels");
    String secret = optionalString(body, "signing_secret");
    checkUrl(url);
    checkName(name);
    checkEventTypes(eventTypes);
    checkAuthHeader(authHeader);
    checkTargetLabels(targetLabels);
    checkSecret(secret);
    checkRanges(maxRetries, timeout);
    return new Creation(name, url, authHeader, eventTypes, filters, targetLabels,
        maxRetries == null ? DEFAULT_MAX_RETRIES : maxRetries, timeout == null ? DEFAULT_TIMEOUT_SECONDS : timeout, secret);
  }

  static Changes changes(JsonObject body) {
    rejectFilterLabels(body);
    // null for these means "unchanged" (the reference's Option<T>)
    Field<String> name = keep(optionalString(body, "name"));
    Field<String> url = keep(optionalString(body, "url"));
    Field<List<String>> eventTypes = keep(strings(body, "event_types"));
    Field<Boolean> enabled = keep(bool(body, "enabled"));
    Field<Integer> maxRetries = keep(integer(body, "max_retries"));
    Field<Integer> timeout = keep(integer(body, "timeout_seconds"));
    // and null for these clears them
    Field<String> authHeader = clearable(body, "auth_header", optionalString(body, "auth_header"));
    Field<String> filters = clearable(body, "filters", filters(body.getValue("filters")));
    Field<List<String>> targetLabels = clearable(body, "target_labels", strings(body, "target_labels"));
    Field<String> secret = clearable(body, "signing_secret", optionalString(body, "signing_secret"));
    if (url.present()) {
      checkUrl(url.value());
    }
    if (name.present()) {
      checkName(name.value());
    }
    if (eventTypes.present()) {
      checkEventTypes(eventTypes.value());
    }
    checkAuthHeader(authHeader.value());
    checkTargetLabels(targetLabels.value());
    checkSecret(secret.value());
    checkRanges(maxRetries.value(), timeout.value());
    return new Changes(name, url, authHeader, eventTypes, filters, enabled, maxRetries, timeout, targetLabels, secret);
  }

  private static <T> Field<T> keep(T value) {
    return value == null ? Field.absent() : Field.of(value);
  }

  private static <T> Field<T> clearable(JsonObject body, String key, T value) {
    return body.containsKey(key) ? Field.of(value) : Field.absent();
  }

  // --- removed fields and shape -------------------------------------------------------------------

  private static void rejectFilterLabels(JsonObject body) {
    if (body.getValue("filters") instanceof JsonObject filters && filters.containsKey("labels")) {
      throw removed("filters.labels", "`filters.labels` is not accepted: it was never evaluated. Route by labels"
          + " with `target_labels`, or filter on `filters.agent_id` / `filters.stack_id`", "target_labels");
    }
  }

  private static ApiError removed(String field, String message, String useInstead) {
    return new ApiError(Failure.UNPROCESSABLE, "unsupported_field", message,
        new JsonObject().put("field", field).put("use_instead", useInstead));
  }

  private static ApiError shape(String message) {
    return new ApiError(Failure.UNPROCESSABLE, "invalid_request_body", "invalid request body: " + message);
  }

  private static String requiredString(JsonObject body, String key) {
    String value = optionalString(body, key);
    if (value == null) {
      throw shape(key + " is required");
    }
    return value;
  }

  private static String optionalString(JsonObject body, String key) {
    Object raw = body.getValue(key);
    if (raw != null && !(raw instanceof String)) {
      throw shape(key + " must be a string");
    }
    return (String) raw;
  }

  private static Boolean bool(JsonObject body, String key) {
    Object raw = body.getValue(key);
    if (raw != null && !(raw instanceof Boolean)) {
      throw shape(key + " must be a boolean");
    }
    return (Boolean) raw;
  }

  private static Integer integer(JsonObject body, String key) {
    Object raw = body.getValue(key);
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof Integer || raw instanceof Long) || ((Number) raw).longValue() != ((Number) raw).intValue()) {
      throw shape(key + " must be a 32-bit integer");
    }
    return ((Number) raw).intValue();
  }

  private static List<String> strings(JsonObject body, String key) {
    Object raw = body.getValue(key);
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonArray array)) {
      throw shape(key + " must be an array of strings");
    }
    List<String> out = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String s)) {
        throw shape(key + " must be an array of strings");
      }
      out.add(s);
    }
    return out;
  }

  /** The stored form of {@code filters}: only the set fields, e.g. {@code {"agent_id":"..."}}; null when absent. */
  private static String filters(Object raw) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject json)) {
      throw shape("filters must be an object");
    }
    JsonObject stored = new JsonObject();
    for (String key : new String[] {"agent_id", "stack_id"}) {
      Object value = json.getValue(key);
      if (value == null) {
        continue;
      }
      if (!(value instanceof String s) || !UUID_TEXT.matcher(s).matches()) {
        throw shape("filters." + key + " must be a UUID");
      }
      stored.put(key, s.toLowerCase(java.util.Locale.ROOT));
    }
    return stored.encode();
  }

  // --- rules ---------------------------------------------------------------------------------------

  private static void checkUrl(String url) {
    if (url.trim().isEmpty()) {
      throw ApiError.invalid("url_required", "URL is required");
    }
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw ApiError.invalid("invalid_url_scheme", "URL must start with http:// or https://");
    }
    String host;
    try {
      host = url.length() > MAX_URL || url.chars().anyMatch(c -> c <= ' ' || c == 0x7f) ? null : new URI(url).getHost();
    } catch (URISyntaxException e) {
      host = null;
    }
    if (host == null || host.isEmpty()) {
      throw ApiError.invalid("invalid_url", "URL must be an absolute http(s) URL with a host, without spaces,"
          + " at most " + MAX_URL + " characters");
    }
  }

  private static void checkName(String name) {
    if (name.trim().isEmpty()) {
      throw ApiError.invalid("invalid_webhook", "Name cannot be empty");
    }
    if (name.length() > 255) {
      throw ApiError.invalid("invalid_webhook", "Name cannot exceed 255 characters");
    }
  }

  private static void checkEventTypes(List<String> patterns) {
    if (patterns.isEmpty()) {
      throw ApiError.invalid("invalid_webhook", "At least one event type is required");
    }
    if (patterns.size() > MAX_PATTERNS) {
      throw ApiError.invalid("invalid_webhook", "at most " + MAX_PATTERNS + " event types");
    }
    for (String p : patterns) {
      if (p.isBlank() || p.length() > MAX_PATTERN || p.codePoints().anyMatch(Character::isWhitespace)) {
        throw ApiError.invalid("invalid_webhook", "an event type pattern must be 1-" + MAX_PATTERN
            + " characters without whitespace (`*`, `prefix.*` or an exact type)");
      }
    }
  }

  private static void checkAuthHeader(String header) {
    if (header == null) {
      return;
    }
    if (header.length() > MAX_AUTH_HEADER || header.chars().anyMatch(c -> (c < ' ' && c != '\t') || c == 0x7f)) {
      throw ApiError.invalid("invalid_webhook", "auth_header must be at most " + MAX_AUTH_HEADER
          + " characters without line breaks or control characters");
    }
  }

  private static void checkTargetLabels(List<String> labels) {
    if (labels == null) {
      return;
    }
    if (labels.size() > MAX_TARGET_LABELS) {
      throw ApiError.invalid("invalid_webhook", "at most " + MAX_TARGET_LABELS + " target labels");
    }
    for (String label : labels) {
      if (!label.equals(Labels.check(label, "target label", "invalid_webhook"))) {
        throw ApiError.invalid("invalid_webhook", "target label cannot have leading or trailing whitespace");
      }
    }
  }

  private static void checkSecret(String secret) {
    if (secret != null && WebhookSignature.keyOf(secret) == null) {
      throw ApiError.invalid("invalid_webhook", "signing_secret must be `whsec_` followed by the base64 of "
          + WebhookSignature.MIN_KEY_BYTES + " to " + WebhookSignature.MAX_KEY_BYTES + " random bytes");
    }
  }

  private static void checkRanges(Integer maxRetries, Integer timeout) {
    if (maxRetries != null && (maxRetries < 0 || maxRetries > 10)) {
      throw new ApiError(Failure.UNPROCESSABLE, "invalid_webhook", "max_retries must be between 0 and 10");
    }
    if (timeout != null && (timeout < 1 || timeout > 300)) {
      throw new ApiError(Failure.UNPROCESSABLE, "invalid_webhook", "timeout_seconds must be between 1 and 300");
    }
  }
}
