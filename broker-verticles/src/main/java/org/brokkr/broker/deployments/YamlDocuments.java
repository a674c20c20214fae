package org.brokkr.broker.deployments;

import java.util.Optional;
import org.brokkr.codecs.ApiError;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Checks a submitted multi-document YAML bundle the way the reference does (syntax only), within
 * limits that keep a hostile body from exhausting the stack or, once expanded, an agent's memory.
 */
public final class YamlDocuments {
  /**
   * Deepest nesting of mappings and sequences, aliases expanded. Real manifests, CRDs with a
   * deep openAPIV3Schema included, stay far below; the reference's parser stops at 128.
   */
  static final int MAX_DEPTH = 100;
  /** Most aliases in one body. */
  static final int MAX_ALIASES = 1_000;
  /**
   * Aliases may add at most this many nodes to a body, or as many as were written before them
   * when that is more: sharing is fine, multiplying is not.
   */
  static final long ALIAS_NODE_ALLOWANCE = 10_000;

  /**
   * Characters the reader takes from the body at a time. The scanner keeps a whole scalar in its
   * window and copies that window on every read, so a small read makes a long scalar cost the
   * square of its length (a 5 MiB value took seconds and hundreds of MiB of garbage with the
   * library's 1 KiB); 256 KiB keeps that to a few copies while a small body reads in one.
   */
  static final int READ_CHARS = 256 * 1024;
  /** Bodies shorter than this are read with a buffer of this size instead (one read, no large buffer). */
  private static final int SMALL_CHARS = 8 * 1024;

  private static final LoadSettings SETTINGS = settings(READ_CHARS);
  private static final LoadSettings SMALL = settings(SMALL_CHARS);

  private static LoadSettings settings(int readChars) {
    return LoadSettings.builder()
        .setAllowDuplicateKeys(true)
        .setMaxAliasesForCollections(MAX_ALIASES)
        .setCodePointLimit(Integer.MAX_VALUE)
        .setBufferSize(readChars)
        .build();
  }

  private YamlDocuments() {}

  /**
   * Refuses content that is not a deployment object: 400 {@code invalid_deployment_object} (blank,
   * not YAML, no documents) or {@code invalid_yaml} (past the limits above).
   */
  public static void validate(String content, boolean deletionMarker) {
    if (content.isBlank()) {
      if (deletionMarker) {
        return;
      }
      throw ApiError.invalid("invalid_deployment_object", "YAML content cannot be empty");
    }
    int documents = 0;
    try {
      // what Load.loadAllFromString does, with the limits applied to the events the composer consumes
      LoadSettings settings = content.length() < SMALL_CHARS ? SMALL : SETTINGS;
      Composer composer = new Composer(settings, new BoundedEvents(new ParserImpl(settings, new StreamReader(settings, content))));
      StandardConstructor constructor = new StandardConstructor(settings);
      while (composer.hasNext()) {
        if (constructor.constructSingleDocument(Optional.of(composer.next())) != null) {
          documents++;
        }
      }
    } catch (ApiError e) {
      throw e;
    } catch (RuntimeException e) {
      throw ApiError.invalid("invalid_deployment_object", "invalid YAML: " + firstLine(e));
    }
    if (documents == 0 && !deletionMarker) {
      throw ApiError.invalid("invalid_deployment_object", "YAML content has no documents");
    }
  }

  private static String firstLine(RuntimeException e) {
    if (e.getMessage() == null) {
      return e.getClass().getSimpleName();
    }
    return e.getMessage().lines().filter(line -> !line.isBlank()).findFirst().orElse(e.getClass().getSimpleName());
  }
}
