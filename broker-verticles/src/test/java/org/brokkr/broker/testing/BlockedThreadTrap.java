package org.brokkr.broker.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Vert.x reported a blocked event loop or worker while it ran: nothing
 * may block an event loop. Registered for every test class through extension auto-detection.
 */
public final class BlockedThreadTrap implements BeforeAllCallback, AfterAllCallback {
  private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
  private static volatile boolean installed;

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
    REPORTS.clear();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (!REPORTS.isEmpty()) {
      String first = REPORTS.get(0);
      REPORTS.clear();
      throw new AssertionError("an event loop was blocked during " + context.getDisplayName() + ": " + first);
    }
  }

  private static synchronized void install() {
    if (installed || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.contains("has been blocked for") && message.contains("eventloop")) {
          REPORTS.add(message);
        }
      }
    };
    appender.setContext(ctx);
    appender.start();
    Logger checker = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    checker.addAppender(appender);
    installed = true;
  }
}
