package org.brokkr.broker.support;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verticle that owns one event-bus address and the API operations sent to it. Every request
 * gets a reply: the operation's response, or a failure whose code is a {@link Failure} number
 * and whose message is the JSON ErrorResponse.
 */
public abstract class ResourceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceVerticle.class);

  private final Map<String, Function<ApiRequest, Future<ApiResponse>>> operations = new HashMap<>();
  private MessageConsumer<ApiRequest> consumer;

  /** The event-bus address this verticle owns (a constant of {@code Addresses}). */
  public abstract String address();

  /** Registers the operations with {@link #on}. */
  protected abstract void defineOperations();

  protected final void on(String operationId, Function<ApiRequest, Future<ApiResponse>> handler) {
    operations.put(operationId, handler);
  }

  public final Set<String> operations() {
    if (operations.isEmpty()) {
      defineOperations();
    }
    return Collections.unmodifiableSet(operations.keySet());
  }

  @Override
  public Future<?> start() {
    if (operations.isEmpty()) {
      defineOperations();
    }
    consumer = vertx.eventBus().consumer(address(), this::handle);
    return consumer.completion();
  }

  private void handle(Message<ApiRequest> message) {
    ApiRequest request = message.body();
    Function<ApiRequest, Future<ApiResponse>> handler = operations.get(request.operation());
    Future<ApiResponse> result;
    if (handler == null) {
      result = Future.failedFuture(new ApiError(Failure.INTERNAL, "operation_not_implemented",
          "operation " + request.operation() + " has no handler at " + address()));
    } else {
      try {
        result = handler.apply(request);
      } catch (Throwable e) {
        // an Error too (a StackOverflowError, say) must end in a reply, not in the event loop's handler
        result = Future.failedFuture(e);
      }
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
        return;
      }
      ApiError error = PgFailures.toApiError(ar.cause());
      if (error.failure() == Failure.INTERNAL) {
        FailureLog.unexpected(LOG, "operation=" + request.operation(), ar.cause());
      } else if (error.failure() == Failure.UNAVAILABLE) {
        LOG.warn("operation={} database unavailable: {}", request.operation(), FailureLog.oneLine(ar.cause().toString()));
      } else {
        FailureLog.refused(LOG, "operation=" + request.operation(), error.failure().httpStatus(), error.code());
      }
      message.fail(error.failure().number(), error.toJson().encode());
    });
  }
}
