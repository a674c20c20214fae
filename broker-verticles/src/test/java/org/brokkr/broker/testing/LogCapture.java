package org.brokkr.broker.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Records what the broker logs while it is open (every logger, at the configured levels), so a
 * test can check that a refused request left no stack trace or multi-line entry in the log.
 */
public final class LogCapture implements AutoCloseable {
  private final List<Entry> entries = new CopyOnWriteArrayList<>();
  private final Logger root;
  private final AppenderBase<ILoggingEvent> appender;

  /** One log entry: level, logger, message, and the class of its throwable if it has one. */
  public record Entry(String level, String logger, String message, String throwable) {
    public boolean hasStackTrace() {
      return throwable != null || message.contains("\n");
    }

    @Override
    public String toString() {
      return level + " " + logger + " " + message.lines().findFirst().orElse("") + (throwable == null ? "" : " [" + throwable + "]");
    }
  }

  public LogCapture() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        entries.add(new Entry(event.getLevel().toString(), event.getLoggerName(), event.getFormattedMessage(),
            event.getThrowableProxy() == null ? null : event.getThrowableProxy().getClassName()));
      }
    };
    appender.setContext(ctx);
    appender.start();
    root.addAppender(appender);
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** Entries that carry a throwable or span several lines. */
  public List<Entry> entriesWithStackTraces() {
    return entries.stream().filter(Entry::hasStackTrace).toList();
  }

  /** Entries at ERROR level. */
  public List<Entry> errors() {
    return entries.stream().filter(e -> e.level().equals("ERROR")).toList();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
