package io.messagingkit.push;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the builders of the HTTP push gateways ({@link FcmPushGateway}, {@link WebPushGateway})
 * share: the clock, the HTTP client and the request timeout.
 *
 * @param <B> the concrete builder
 */
public abstract class HttpGatewayBuilder<B extends HttpGatewayBuilder<B>> {
  Clock clock = Clock.systemUTC();
  @Nullable HttpClient http;
  Duration requestTimeout = Duration.ofSeconds(10);

  HttpGatewayBuilder() {}

  /** The clock for token expiry and Retry-After dates; default system UTC. */
  public B clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /** The HTTP client; default a new JDK client preferring HTTP/2. */
  public B httpClient(HttpClient http) {
    this.http = Objects.requireNonNull(http, "http");
    return self();
  }

  /** How long one request may take before it is a {@code RETRY}; default 10 s. */
  public B requestTimeout(Duration timeout) {
    this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
    return self();
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** Fails fast on a timeout that is not positive. */
  void checkRequestTimeout() {
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
    }
  }

  /** The configured client, or a new one preferring HTTP/2. */
  HttpClient httpClientOrDefault() {
    return http != null
        ? http
        : HttpClient.newBuilder()
            .connectTimeout(requestTimeout)
            .version(HttpClient.Version.HTTP_2)
            .build();
  }
}
