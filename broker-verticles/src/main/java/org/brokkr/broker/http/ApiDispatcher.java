package org.brokkr.broker.http;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import org.brokkr.broker.auth.PakAuthProvider;
import org.brokkr.broker.deployments.CachedTargetStates;
import org.brokkr.broker.deployments.TargetStateCache;
import org.brokkr.broker.deployments.TargetStateImpact;
import org.brokkr.broker.ops.EventBusMetrics;
import org.brokkr.broker.support.Unavailable;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Identity;

/**
 * Turns an authenticated, contract-validated HTTP request into an {@link ApiRequest} for the
 * verticle that owns the operation, and its reply (or failure) into the HTTP response. This is
 * the one place where {@link Failure} codes become HTTP statuses and ErrorResponse bodies.
 */
public final class ApiDispatcher {
  private static final DeliveryOptions SEND = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;
  private final TargetStateCache targetStates;
  private final Readiness readiness;
  private final ClientInfo clients;
  private final Operations operations;
  private final EventBusMetrics busMetrics;

  public ApiDispatcher(Vertx vertx, Operations operations, TargetStateCache targetStates, Readiness readiness,
      ClientInfo clients, EventBusMetrics busMetrics) {
    this.busMetrics = busMetrics;
    this.vertx = vertx;
    this.operations = operations;
    this.targetStates = targetStates;
    this.readiness = readiness;
    this.clients = clients;
  }

  public void dispatch(RoutingContext ctx, String operationId, Identity caller) {
    if (CachedTargetStates.OPERATION.equals(operationId)) {
      ApiResponse cached = CachedTargetStates.answer(targetStates, caller, ctx.pathParam("id"), ctx.request().getParam("mode"),
          ctx.request().getHeader("If-None-Match"));
      if (cached != null) {
        write(ctx, cached);
        return;
      }
    }
    String address = operations.owner(operationId);
    if (address == null) {
      writeError(ctx, new ApiError(Failure.INTERNAL, "operation_not_implemented", "no handler for " + operationId));
      return;
    }
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    ApiRequest request = new ApiRequest(operationId, caller, Map.copyOf(ctx.pathParams()),
        firstValues(ctx.queryParams()), body, ctx.request().getHeader("Content-Type"),
        ctx.request().getHeader("Accept"), clients.address(ctx.request()), ClientInfo.userAgent(ctx.request()),
        ctx.request().getHeader("If-None-Match"));
    long sent = System.nanoTime();
    // a large body stays counted until its handler is done with it, even if the client hangs up first
    BodyAdmission.Share share = body == null ? null : BodyAdmission.share(ctx);
    if (share != null) {
      share.hold();
    }
    vertx.eventBus().<ApiResponse>request(address, request, SEND).onComplete(ar -> {
      if (share != null) {
        share.done();
      }
      busMetrics.record(address, sent, ar.cause());
      if (ar.succeeded()) {
        if (ar.result().body().status() < 300) {
          TargetStateImpact.of(request).ifPresent(targetStates::changed);
        }
        write(ctx, ar.result().body());
      } else {
        ApiError error = toApiError(ar.cause());
        if (Unavailable.DATABASE_UNAVAILABLE.equals(error.code())) {
          readiness.databaseFailed();
        }
        writeError(ctx, error);
      }
    });
  }

  public static Identity caller(RoutingContext ctx) {
    return PakAuthProvider.identityOf(ctx.user());
  }

  static void write(RoutingContext ctx, ApiResponse response) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(response.status());
    if (response.etag() != null) {
      ctx.response().putHeader("ETag", response.etag());
    }
    Object body = response.body();
    if (body == null) {
      ctx.response().end();
      return;
    }
    ctx.response().putHeader("Content-Type", response.contentType() == null ? ApiResponse.JSON : response.contentType());
    if (body instanceof JsonObject obj) {
      ctx.response().end(obj.toBuffer());
    } else if (body instanceof Buffer encoded) {
      ctx.response().end(encoded);
    } else if (body instanceof JsonArray arr) {
      ctx.response().end(arr.toBuffer());
    } else {
      ctx.response().end(body.toString());
    }
  }

  public static void writeError(RoutingContext ctx, ApiError error) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(error.failure().httpStatus()).putHeader("Content-Type", ApiResponse.JSON);
    if (error.failure() == Failure.UNAVAILABLE) {
      ctx.response().putHeader("Retry-After", String.valueOf(Unavailable.RETRY_AFTER_SECONDS));
    }
    ctx.response().end(error.toJson().toBuffer());
  }

  static ApiError toApiError(Throwable cause) {
    if (cause instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        return ApiError.fromJson(Failure.fromNumber(re.failureCode()), re.getMessage());
      }
      return new ApiError(Failure.UNAVAILABLE, "service_unavailable", "the broker could not serve the request in time");
    }
    if (cause instanceof ApiError e) {
      return e;
    }
    return new ApiError(Failure.INTERNAL, "internal_error", "internal error");
  }

  private static Map<String, String> firstValues(MultiMap params) {
    Map<String, String> out = new HashMap<>();
    for (String name : params.names()) {
      out.put(name, params.get(name));
    }
    return out;
  }
}
