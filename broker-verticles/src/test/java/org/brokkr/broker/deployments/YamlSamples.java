package org.brokkr.broker.deployments;

/** YAML texts for the parser-limit tests: hostile ones, and legitimate ones near real-world extremes. */
final class YamlSamples {
  private YamlSamples() {}

  /** {@code [[[...]]]}, nested {@code depth} levels. */
  static String nestedSequences(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  /** {@code {a: {a: ... 1}}}, nested {@code depth} levels. */
  static String nestedMappings(int depth) {
    return "{a: ".repeat(depth) + "1" + "}".repeat(depth);
  }

  /** Block-style sequences on one line: {@code - - - x} is {@code depth} nested sequences. */
  static String nestedBlockSequences(int depth) {
    return "- ".repeat(depth) + "x\n";
  }

  /**
   * The classic "billion laughs" shape: one scalar, then {@code levels} anchored lists of
   * {@code width} aliases to the previous one; the last expands to width^levels scalars.
   */
  static String aliasBomb(int width, int levels) {
    StringBuilder out = new StringBuilder("l0: &l0 lol\n");
    for (int level = 1; level <= levels; level++) {
      out.append('l').append(level).append(": &l").append(level).append(" [");
      for (int i = 0; i < width; i++) {
        out.append(i == 0 ? "" : ", ").append("*l").append(level - 1);
      }
      out.append("]\n");
    }
    return out.toString();
  }

  /** A custom resource definition whose schema nests {@code depth} mappings in total. */
  static String deepCrd(int depth) {
    StringBuilder out = new StringBuilder("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets}
          scope: Namespaced
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
        """);
    // root mapping, spec, versions item, schema and openAPIV3Schema: 6 levels so far (the list counts too)
    String indent = " ".repeat(10);
    int levels = 6;
    while (levels + 2 <= depth) {
      out.append(indent).append("type: object\n").append(indent).append("properties:\n");
      indent += "  ";
      out.append(indent).append("child:\n");
      indent += "  ";
      levels += 2;
    }
    out.append(indent).append("type: string\n");
    return out.toString();
  }

  /** Two documents that share labels through anchors and aliases, as hand-written manifests do. */
  static String bundleWithAnchors() {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: &labels
            app: web
            tier: frontend
        spec:
          replicas: 2
          selector:
            matchLabels: *labels
          template:
            metadata:
              labels: *labels
            spec:
              containers:
                - name: web
                  image: nginx:1.27
                  env: &env
                    - {name: MODE, value: production}
                    - {name: REGION, value: eu-west-1}
                - name: sidecar
                  image: busybox:1.36
                  env: *env
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          labels: &svc {app: web}
        spec:
          selector: *svc
          ports: [{port: 80, targetPort: 8080}]
        """;
  }

  /** A single ConfigMap of at least {@code bytes} characters. */
  static String bigConfigMap(int bytes) {
    StringBuilder out = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n");
    String value = "v".repeat(100);
    for (int i = 0; out.length() < bytes; i++) {
      out.append("  key-").append(i).append(": ").append(value).append('\n');
    }
    return out.toString();
  }
}
