package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.support.Labels;
import org.brokkr.codecs.ApiError;
import org.junit.jupiter.api.Test;

/**
 * The text rules written in openapi.yaml (read the way the contract validator reads them: a
 * java.util.regex search plus a length in code points) accept exactly what the broker's own
 * checks and the database accept, so a client can trust the contract either way.
 */
class ContractRulesTest {
  private static final JsonObject SCHEMAS = ApiContract.load().json().getJsonObject("components").getJsonObject("schemas");
  private static final int[] ODD = {0, 1, 0x09, 0x0A, 0x0B, 0x0D, 0x1C, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2007,
      0x200A, 0x202F, 0x2028, 0x3000, 0xFEFF, 0x1F600};

  private static boolean contractAccepts(String schema, String value) {
    JsonObject rule = SCHEMAS.getJsonObject(schema);
    Integer max = rule.getInteger("maxLength");
    return Pattern.compile(rule.getString("pattern")).matcher(value).find()
        && (max == null || value.codePointCount(0, value.length()) <= max);
  }

  private static boolean accepted(Runnable check) {
    try {
      check.run();
      return true;
    } catch (ApiError e) {
      return false;
    }
  }

  /** Fixed edge cases, then strings mixing letters with whitespace, controls and wide characters. */
  private static List<String> samples() {
    List<String> out = new ArrayList<>(List.of("", " ", "a", " a ", "\u0000a", "a\u0000", "a\u0000b", "\u3000",
        "a b", "\u00A0", "x".repeat(64), "x".repeat(65), " " + "x".repeat(64) + "\n", "\uD83D\uDE00".repeat(64),
        "y".repeat(255), "y".repeat(256), "\uD83D\uDE00".repeat(255)));
    Random random = new Random(20261202);
    int[] lengths = {1, 2, 3, 5, 63, 64, 65, 66, 254, 255, 256};
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      int length = lengths[random.nextInt(lengths.length)];
      for (int j = 0; j < length; j++) {
        s.appendCodePoint(random.nextInt(3) == 0 ? ODD[random.nextInt(ODD.length)] : 'k');
      }
      out.add(s.toString());
    }
    return out;
  }

  @Test
  void theNameRuleIsTheBrokersRule() {
    for (String s : samples()) {
      // the database refuses NUL characters (400 invalid_value)
      boolean broker = accepted(() -> Fields.requiredText(s, "name", 255, "invalid")) && s.indexOf('\u0000') < 0;
      assertEquals(broker, contractAccepts("Name", s), () -> "name " + s.codePoints().mapToObj(Integer::toHexString).toList());
    }
  }

  @Test
  void theLabelRuleIsTheBrokersRule() {
    for (String s : samples()) {
      boolean broker = accepted(() -> Labels.check(s, "label", "invalid")) && Labels.check(s, "l", "x").indexOf('\u0000') < 0;
      assertEquals(broker, contractAccepts("LabelText", s), () -> "label " + s.codePoints().mapToObj(Integer::toHexString).toList());
    }
  }

  @Test
  void theShorterRulesShareTheNamePattern() {
    for (String schema : List.of("EventType", "EventStatus", "AgentStatus")) {
      assertEquals(SCHEMAS.getJsonObject("Name").getString("pattern"), SCHEMAS.getJsonObject(schema).getString("pattern"), schema);
    }
    assertEquals(50, SCHEMAS.getJsonObject("EventType").getInteger("maxLength"));
    assertEquals(10, SCHEMAS.getJsonObject("EventStatus").getInteger("maxLength"));
    assertEquals(50, SCHEMAS.getJsonObject("AgentStatus").getInteger("maxLength"));
  }
}
