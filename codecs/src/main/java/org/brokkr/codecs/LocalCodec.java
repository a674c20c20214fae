package org.brokkr.codecs;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Codec for a message record that only travels inside one JVM: delivery passes the instance
 * without copying (records are immutable). Its name is the record's class name.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {
  private final Class<T> type;

  private LocalCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers the codecs of every message record; call once per {@code Vertx}. */
  public static void registerAll(EventBus bus) {
    bus.registerDefaultCodec(ApiRequest.class, new LocalCodec<>(ApiRequest.class));
    bus.registerDefaultCodec(ApiResponse.class, new LocalCodec<>(ApiResponse.class));
    bus.registerDefaultCodec(Identity.class, new LocalCodec<>(Identity.class));
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException(type.getName() + " is a local-only message");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(type.getName() + " is a local-only message");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
