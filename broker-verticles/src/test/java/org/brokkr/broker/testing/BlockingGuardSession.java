package org.brokkr.broker.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Installs BlockHound before any test class is loaded, so static set-up is guarded too. */
public final class BlockingGuardSession implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    BlockingCalls.install();
  }
}
