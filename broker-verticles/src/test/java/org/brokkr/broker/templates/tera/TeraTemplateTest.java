package org.brokkr.broker.templates.tera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.Json;
import org.junit.jupiter.api.Test;

/**
 * Each construct as a Tera user writes it, with the exact text Tera 1.x produces for it (no
 * autoescaping, no trimming of the newline after a tag, whitespace control by dashes only).
 */
class TeraTemplateTest {
  private static final long CHARS = 1_000_000;
  private static final long STEPS = 1_000_000;

  private static String render(String template, String parametersJson) {
    return TeraTemplate.parse(template).render(Json.decodeValue(parametersJson), CHARS, STEPS);
  }

  private static TemplateRenderException renderFails(String template, String parametersJson) {
    return assertThrows(TemplateRenderException.class, () -> render(template, parametersJson));
  }

  private static TemplateSyntaxException syntaxFails(String template) {
    return assertThrows(TemplateSyntaxException.class, () -> TeraTemplate.parse(template));
  }

  @Test
  void variablesAndFields() {
    assertEquals("Hello, World!", render("Hello, {{ name }}!", "{\"name\":\"World\"}"));
    assertEquals("host: localhost", render("host: {{ config.host }}", "{\"config\":{\"host\":\"localhost\"}}"));
    assertEquals("b c", render("{{ items.1 }} {{ items[2] }}", "{\"items\":[\"a\",\"b\",\"c\"]}"));
    assertEquals("v", render("{{ m[\"k\"] }}", "{\"m\":{\"k\":\"v\"}}"));
    assertEquals("name: my-app\nreplicas: 3", render("name: {{ name }}\nreplicas: {{ replicas }}",
        "{\"name\":\"my-app\",\"replicas\":3}"));
  }

  @Test
  void undefinedInOutputIsAnError() {
    assertTrue(renderFails("Hello, {{ name }}!", "{}").getMessage().contains("name"));
    renderFails("{{ config.port }}", "{\"config\":{}}");
    renderFails("{{ items.5 }}", "{\"items\":[1]}");
    // parameters that are not an object give an empty context
    renderFails("{{ x }}", "[1, 2]");
  }

  @Test
  void valuesPrintAsTeraPrintsThem() {
    assertEquals("3|2.5|1|true|", render("{{ i }}|{{ f }}|{{ g }}|{{ b }}|{{ n }}",
        "{\"i\":3,\"f\":2.5,\"g\":1.0,\"b\":true,\"n\":null}"));
    assertEquals("[1, a, [true]]|[object]", render("{{ l }}|{{ o }}", "{\"l\":[1,\"a\",[true]],\"o\":{\"k\":1}}"));
    assertEquals("100000000000000000000|0.0000001", render("{{ big }}|{{ small }}", "{\"big\":1e20,\"small\":1e-7}"));
  }

  @Test
  void noHtmlEscaping() {
    assertEquals("<a href=\"x\">&'</a>", render("{{ html }}", "{\"html\":\"<a href=\\\"x\\\">&'</a>\"}"));
  }

  @Test
  void defaultFilter() {
    assertEquals("a", render("{{ x | default(value=\"a\") }}", "{}"));
    assertEquals("a", render("{{ x | default(value=\"a\") }}", "{\"x\":null}"));
    assertEquals("b", render("{{ x | default(value=\"a\") }}", "{\"x\":\"b\"}"));
    assertEquals("replicas: 1", render("replicas: {{ replicas | default(value=1) }}", "{}"));
    assertEquals("x", render("{{ cfg.missing | default(value=\"x\") }}", "{\"cfg\":{}}"));
    assertEquals("A", render("{{ x | default(value=\"a\") | upper }}", "{}"));
    // default only helps as the first filter of a variable
    renderFails("{{ x | upper | default(value=\"z\") }}", "{}");
    renderFails("{{ x | default(value=y) }}", "{}");
    assertEquals("dflt", render("{{ x | default(value=y) }}", "{\"y\":\"dflt\"}"));
  }

  @Test
  void stringFilters() {
    assertEquals("Name: TEST", render("Name: {{ name | upper }}", "{\"name\":\"test\"}"));
    assertEquals("mixed", render("{{ s | lower }}", "{\"s\":\"MiXeD\"}"));
    assertEquals("[padded]", render("[{{ s | trim }}]", "{\"s\":\" \\t padded\\n \\u00a0\"}"));
    assertEquals("my_app_name", render("{{ s | replace(from=\"-\", to=\"_\") }}", "{\"s\":\"my-app-name\"}"));
    assertEquals("Hello world", render("{{ s | capitalize }}", "{\"s\":\"hELLO WORLD\"}"));
    assertEquals("STRASSE", render("{{ s | upper }}", "{\"s\":\"straße\"}"));
    renderFails("{{ n | upper }}", "{\"n\":1}");
    renderFails("{{ s | replace(from=1, to=\"x\") }}", "{\"s\":\"a\"}");
  }

  @Test
  void joinFilter() {
    assertEquals("a, b, c", render("{{ items | join(sep=\", \") }}", "{\"items\":[\"a\",\"b\",\"c\"]}"));
    assertEquals("abc", render("{{ items | join }}", "{\"items\":[\"a\",\"b\",\"c\"]}"));
    assertEquals("1-2.5-true-", render("{{ items | join(sep=\"-\") }}", "{\"items\":[1,2.5,true,null]}"));
    // a "\n" written in the template is a backslash and an n; join turns it into a newline
    assertEquals("a\nb", render("{{ items | join(sep=\"\\n\") }}", "{\"items\":[\"a\",\"b\"]}"));
    renderFails("{{ s | join(sep=\",\") }}", "{\"s\":\"abc\"}");
  }

  @Test
  void otherFilters() {
    assertEquals("3 5 2", render("{{ items | length }} {{ s | length }} {{ o | length }}",
        "{\"items\":[1,2,3],\"s\":\"héllo\",\"o\":{\"a\":1,\"b\":2}}"));
    assertEquals("a c", render("{{ items | first }} {{ items | last }}", "{\"items\":[\"a\",\"b\",\"c\"]}"));
    assertEquals("{\"a\":[1,\"x\\\"y\"],\"b\":null}", render("{{ o | json_encode }}", "{\"o\":{\"b\":null,\"a\":[1,\"x\\\"y\"]}}"));
    assertEquals("<b>", render("{{ s | safe }}", "{\"s\":\"<b>\"}"));
  }

  @Test
  void ifElifElse() {
    String t = "{% if env == \"prod\" %}replicas: 3{% elif env == \"staging\" %}replicas: 2{% else %}replicas: 1{% endif %}";
    assertEquals("replicas: 3", render(t, "{\"env\":\"prod\"}"));
    assertEquals("replicas: 2", render(t, "{\"env\":\"staging\"}"));
    assertEquals("replicas: 1", render(t, "{\"env\":\"dev\"}"));
    assertEquals("on", render("{% if enabled %}on{% else %}off{% endif %}", "{\"enabled\":true}"));
    assertEquals("off", render("{% if enabled %}on{% else %}off{% endif %}", "{\"enabled\":0}"));
    assertEquals("yes", render("{% if a and not b or c %}yes{% endif %}", "{\"a\":true,\"b\":false,\"c\":false}"));
    assertEquals("in", render("{% if \"b\" in items %}in{% endif %}", "{\"items\":[\"a\",\"b\"]}"));
    assertEquals("out", render("{% if \"z\" not in items %}out{% endif %}", "{\"items\":[\"a\",\"b\"]}"));
    assertEquals("big", render("{% if n > 2 and n <= 10 %}big{% endif %}", "{\"n\":3}"));
  }

  @Test
  void undefinedInIfIsFalse() {
    assertEquals("", render("{% if missing %}yes{% endif %}", "{}"));
    assertEquals("no", render("{% if missing %}yes{% else %}no{% endif %}", "{}"));
    assertEquals("no", render("{% if cfg.flag %}yes{% else %}no{% endif %}", "{\"cfg\":{}}"));
    assertEquals("yes", render("{% if not missing %}yes{% endif %}", "{}"));
    assertEquals("no", render("{% if missing and other %}yes{% else %}no{% endif %}", "{}"));
    assertEquals("yes", render("{% if missing is not defined %}yes{% endif %}", "{}"));
    // a comparison still needs its operands
    renderFails("{% if missing == \"a\" %}yes{% endif %}", "{}");
  }

  @Test
  void newlinesAfterTagsAreKept() {
    String t = "{% if enabled %}\nfeature: on\n{% else %}\nfeature: off\n{% endif %}\n";
    assertEquals("\nfeature: on\n\n", render(t, "{\"enabled\":true}"));
    assertEquals("\nfeature: off\n\n", render(t, "{\"enabled\":false}"));
  }

  @Test
  void forLoops() {
    String t = "{% for item in items %}\n- {{ item }}\n{% endfor %}\n";
    assertEquals("\n- a\n\n- b\n\n", render(t, "{\"items\":[\"a\",\"b\"]}"));
    assertEquals("1:a(first) 2:b 3:c(last) ", render(
        "{% for x in items %}{{ loop.index }}:{{ x }}{% if loop.first %}(first){% endif %}{% if loop.last %}(last){% endif %} {% endfor %}",
        "{\"items\":[\"a\",\"b\",\"c\"]}"));
    assertEquals("0,1,", render("{% for x in items %}{{ loop.index0 }},{% endfor %}", "{\"items\":[5,6]}"));
    assertEquals("a=1;b=2;", render("{% for k, v in labels %}{{ k }}={{ v }};{% endfor %}", "{\"labels\":{\"b\":2,\"a\":1}}"));
    assertEquals("none", render("{% for x in items %}{{ x }}{% else %}none{% endfor %}", "{\"items\":[]}"));
    assertEquals("1 3 ", render("{% for x in items %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }} {% endfor %}",
        "{\"items\":[1,2,3,4,5]}"));
    assertEquals("0 1 2 ", render("{% for i in range(end=3) %}{{ i }} {% endfor %}", "{}"));
    renderFails("{% for x in missing %}{% endfor %}", "{}");
    renderFails("{% for x in n %}{% endfor %}", "{\"n\":1}");
  }

  @Test
  void whitespaceControl() {
    String t = "items:\n{%- for i in items %}\n  - {{ i }}\n{%- endfor %}\n";
    assertEquals("items:\n  - a\n  - b\n", render(t, "{\"items\":[\"a\",\"b\"]}"));
    assertEquals("a|b", render("a  {{- \"|\" -}}  \n b", "{}"));
    assertEquals("ab", render("a\n{%- if true -%}\n  b\n{%- endif -%}\n", "{}"));
    assertEquals("ab", render("a  {#- comment -#}  b", "{}"));
  }

  @Test
  void setCommentsRawAndConcat() {
    assertEquals("MY-APP", render("{% set n = name | upper %}{{ n }}", "{\"name\":\"my-app\"}"));
    assertEquals("ab", render("a{# ignored {{ x }} #}b", "{}"));
    assertEquals("{{ not rendered }}", render("{% raw %}{{ not rendered }}{% endraw %}", "{}"));
    assertEquals("app-1", render("{{ name ~ \"-\" ~ n }}", "{\"name\":\"app\",\"n\":1}"));
    assertEquals("7 2 3.5 1", render("{{ 1 + 2 * 3 }} {{ 4 / 2 }} {{ 7 / 2 }} {{ 7 % 3 }}", "{}"));
    assertEquals("last", render("{% for x in items %}{% set_global seen = x %}{% endfor %}{{ seen }}", "{\"items\":[\"first\",\"last\"]}"));
  }

  @Test
  void aKubernetesManifest() {
    String t = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ name }}
          labels:
        {%- for k, v in labels %}
            {{ k }}: {{ v }}
        {%- endfor %}
        spec:
          replicas: {{ replicas | default(value=1) }}
          template:
            spec:
              containers:
                - name: {{ name | lower }}
                  image: "{{ image }}:{{ tag | default(value="latest") }}"
        {%- if env %}
                  env:
        {%- for e in env %}
                    - name: {{ e.name | upper }}
                      value: "{{ e.value }}"
        {%- endfor %}
        {%- endif %}
        """;
    String expected = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: Web
          labels:
            app: web
            tier: front
        spec:
          replicas: 1
          template:
            spec:
              containers:
                - name: web
                  image: "nginx:latest"
                  env:
                    - name: MODE
                      value: "fast"
        """;
    assertEquals(expected, render(t, "{\"name\":\"Web\",\"image\":\"nginx\",\"labels\":{\"tier\":\"front\",\"app\":\"web\"},"
        + "\"env\":[{\"name\":\"mode\",\"value\":\"fast\"}]}"));
  }

  @Test
  void syntaxErrors() {
    syntaxFails("Hello, {{ name !");
    syntaxFails("Hello, {{ name");
    syntaxFails("{% if true %} hello");
    syntaxFails("{% endif %}");
    syntaxFails("{% for x in items %}");
    syntaxFails("{% if a %}{% else %}{% elif b %}{% endif %}");
    syntaxFails("{{ }}");
    syntaxFails("{{ x | nosuch }}");
    syntaxFails("{{ x | replace(from=\"a\") }}");
    syntaxFails("{{ x | default(\"a\") }}");
    syntaxFails("{% include \"other\" %}");
    syntaxFails("{% break %}");
    syntaxFails("{{ \"unterminated }}");
    syntaxFails("{% raw %}never closed");
    assertTrue(syntaxFails("ok\n\n{{ x | nosuch }}").getMessage().startsWith("line 3:"));
    syntaxFails("{% if a %}".repeat(100) + "{% endif %}".repeat(100));
    syntaxFails("{{ " + "(".repeat(200) + "x" + ")".repeat(200) + " }}");
  }

  @Test
  void limitsStopRunawayRenders() {
    String nested = "{% for a in items %}{% for b in items %}{% for c in items %}{% endfor %}{% endfor %}{% endfor %}";
    StringBuilder items = new StringBuilder("{\"items\":[0");
    for (int i = 1; i < 1000; i++) {
      items.append(",").append(i);
    }
    items.append("]}");
    TemplateRenderException e = renderFails(nested, items.toString());
    assertTrue(e.limitReached(), e.getMessage());
    TemplateRenderException big = assertThrows(TemplateRenderException.class,
        () -> TeraTemplate.parse("{% for a in items %}{{ s }}{% endfor %}").render(
            Json.decodeValue("{\"items\":[1,2,3,4,5,6,7,8,9,10],\"s\":\"" + "x".repeat(200) + "\"}"), 1000, STEPS));
    assertTrue(big.limitReached(), big.getMessage());
    // a limit is never taken for a false condition
    assertTrue(assertThrows(TemplateRenderException.class, () -> TeraTemplate.parse("{% if s | replace(from=\"\", to=\"xxxxxxxxxx\") %}y{% endif %}")
        .render(Json.decodeValue("{\"s\":\"" + "x".repeat(200) + "\"}"), 1000, STEPS)).limitReached());
  }
}
