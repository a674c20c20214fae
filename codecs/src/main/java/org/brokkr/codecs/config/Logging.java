package org.brokkr.codecs.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/** Console logging: our own packages at the configured level, libraries at INFO; text or JSON. */
public final class Logging {
  private Logging() {}

  /** Our own packages' level, changed in place (a configuration reload); the appenders stay. */
  public static void level(String level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.getLogger("org.brokkr").setLevel("off".equals(level) ? Level.OFF : Level.toLevel(level, Level.INFO));
    }
  }

  public static void configure(String level, String format) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    ctx.reset();
    Encoder<ILoggingEvent> encoder;
    if ("json".equals(format)) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(ctx);
      json.start();
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(ctx);
      text.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level [%thread] %logger{20} - %msg%n");
      text.start();
      encoder = text;
    }
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(ctx);
    appender.setEncoder(encoder);
    appender.start();
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(appender);
    level(level);
    ctx.getLogger("io.netty").setLevel(Level.WARN);
    ctx.getLogger("org.flywaydb").setLevel(Level.INFO);
    ctx.getLogger("io.zonky").setLevel(Level.WARN);
    // the Kafka client prints its whole configuration at INFO, and a warning per reconnect while a
    // server is down; the dispatcher reports an outage once, in its own words
    ctx.getLogger("org.apache.kafka").setLevel(Level.WARN);
    ctx.getLogger("org.apache.kafka.clients.NetworkClient").setLevel(Level.ERROR);
  }
}
