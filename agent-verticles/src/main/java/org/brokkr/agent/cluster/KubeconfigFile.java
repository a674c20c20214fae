package org.brokkr.agent.cluster;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.brokkr.codecs.config.ConfigException;
import org.brokkr.codecs.config.Settings;

/**
 * The kubeconfig named by {@code BROKKR__AGENT__KUBECONFIG_PATH}: a file that cannot be used stops
 * startup with one line saying what is wrong with it, which setting named it and what to do.
 */
final class KubeconfigFile {
  static final String SETTING = Settings.envOf("agent.kubeconfig_path");
  private static final String ADVICE = "point it at a readable kubeconfig, or unset it to use the in-cluster"
      + " service account (or KUBECONFIG / ~/.kube/config)";

  private KubeconfigFile() {}

  /** The file's text; blocking. */
  static String read(String path) {
    String content;
    try {
      content = Files.readString(Path.of(path));
    } catch (NoSuchFileException e) {
      throw problem("kubeconfig not found", path, null);
    } catch (AccessDeniedException e) {
      throw problem("kubeconfig not readable", path, "permission denied");
    } catch (CharacterCodingException e) {
      throw problem("not a kubeconfig", path, "not UTF-8 text");
    } catch (IOException | InvalidPathException e) {
      throw problem("kubeconfig not readable", path, e.getMessage());
    }
    if (content.isBlank()) {
      throw problem("not a kubeconfig", path, "the file is empty");
    }
    return content;
  }

  static ConfigException problem(String what, String path, String detail) {
    return new ConfigException(what + ": " + path + " (" + SETTING + ")" + (detail == null ? "" : ": " + detail) + "; " + ADVICE);
  }
}
