package io.messagingkit.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.port.PushGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends wake-ups through Firebase Cloud Messaging's HTTP v1 API: {@code POST
 * /v1/projects/{project}/messages:send} with an OAuth 2.0 access token obtained for a service
 * account (a signed JWT exchanged at the account's token endpoint, cached until it expires).
 *
 * <p>The message is a data message ({@code type}, {@code pending}, and {@code preview} only when
 * opted in) with, per platform: {@code android} collapse key, HIGH priority and TTL; {@code apns} a
 * background push ({@code content-available}) with {@code apns-collapse-id} and expiration; {@code
 * webpush} TTL, Urgency and Topic.
 *
 * <p>Verdicts: 200 is {@code ACCEPTED}; 404 or the error code {@code UNREGISTERED} is {@code
 * TARGET_GONE}; 429 and 5xx are {@code RETRY} with the {@code Retry-After} sent; 401 drops the
 * cached access token and is {@code RETRY}; other statuses are {@code FAILED}. Never throws, never
 * blocks. Thread-safe.
 */
public final class FcmPushGateway implements PushGateway {

  /** FCM's production base URI. */
  public static final URI FCM_BASE_URI = URI.create("https://fcm.googleapis.com");

  private static final Logger log = LoggerFactory.getLogger(FcmPushGateway.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REGISTRATION_TOKEN = Pattern.compile("[A-Za-z0-9_:.-]{1,4096}");

  private final URI sendUri;
  private final FcmAccessTokens tokens;
  private final HttpClient http;
  private final Clock clock;
  private final Duration requestTimeout;

  private FcmPushGateway(Builder b) {
    this.http = b.httpClientOrDefault();
    this.clock = b.clock;
    this.requestTimeout = b.requestTimeout;
    String base = b.baseUri.toString().replaceAll("/+$", "");
    this.sendUri = URI.create(base + "/v1/projects/" + b.account.projectId() + "/messages:send");
    this.tokens = new FcmAccessTokens(b.account, http, clock, b.requestTimeout);
  }

  /** A builder sending as {@code account}. */
  public static Builder builder(FcmServiceAccount account) {
    return new Builder(account);
  }

  @Override
  public boolean supports(PushTarget.Platform platform) {
    return platform == PushTarget.Platform.FCM;
  }

  /**
   * Refuses a registration token with characters FCM tokens never contain (they are sent in the
   * JSON body to the configured FCM host only, never used as an address).
   */
  @Override
  public void checkTarget(PushTarget target) {
    if (target.platform() == PushTarget.Platform.FCM
        && !REGISTRATION_TOKEN.matcher(target.token()).matches()) {
      throw new InvalidRequestException(
          "an FCM registration token must be 1 to 4096 characters of A-Z a-z 0-9 - _ : .");
    }
  }

  @Override
  public CompletableFuture<PushResult> send(PushTarget target, PushNotification notification) {
    try {
      if (target.platform() != PushTarget.Platform.FCM) {
        return CompletableFuture.completedFuture(
            ProviderResponses.failed("not an FCM target: " + target.platform()));
      }
      byte[] body =
          JSON.writeValueAsBytes(message(target, notification, clock.instant().getEpochSecond()));
      return tokens
          .get()
          .thenCompose(token -> post(token, body))
          .handle(
              (result, failure) -> {
                if (failure == null) {
                  return result;
                }
                Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                if (cause instanceof FcmAccessTokens.TokenException t) {
                  log.warn("no FCM access token: {}", t.getMessage());
                  return new PushResult(
                      t.retryable ? Outcome.RETRY : Outcome.FAILED,
                      null,
                      "no access token: " + t.getMessage());
                }
                return ProviderResponses.unreachable(cause);
              });
    } catch (IOException | RuntimeException e) {
      log.warn("cannot send an FCM message to {}", notification.device(), e);
      return CompletableFuture.completedFuture(
          ProviderResponses.failed("cannot build the request: " + e));
    }
  }

  private CompletableFuture<PushResult> post(String token, byte[] body) {
    HttpRequest request =
        HttpRequest.newBuilder(sendUri)
            .timeout(requestTimeout)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json; charset=UTF-8")
            .version(ProviderResponses.version(sendUri))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> verdict(response, token));
  }

  /** The FCM v1 message for one wake-up. */
  static ObjectNode message(PushTarget target, PushNotification n, long nowEpochSeconds) {
    long ttl = Math.max(0, n.timeToLive().toSeconds());
    ObjectNode root = JSON.createObjectNode();
    ObjectNode message = root.putObject("message");
    message.put("token", target.token());
    ObjectNode data = message.putObject("data");
    for (Map.Entry<String, Object> field : ProviderResponses.wakeUpFields(n).entrySet()) {
      data.put(field.getKey(), String.valueOf(field.getValue())); // FCM data values are strings
    }
    ObjectNode android = message.putObject("android");
    android.put("collapse_key", n.collapseKey());
    android.put("priority", "HIGH");
    android.put("ttl", ttl + "s");
    ObjectNode apns = message.putObject("apns");
    ObjectNode apnsHeaders = apns.putObject("headers");
    apnsHeaders.put("apns-push-type", "background");
    apnsHeaders.put("apns-priority", "5");
    apnsHeaders.put("apns-collapse-id", ProviderResponses.apnsCollapseId(n.collapseKey()));
    apnsHeaders.put("apns-expiration", Long.toString(nowEpochSeconds + ttl));
    apns.putObject("payload").putObject("aps").put("content-available", 1);
    ObjectNode webpush = message.putObject("webpush").putObject("headers");
    webpush.put("TTL", Long.toString(ttl));
    webpush.put("Urgency", "high");
    webpush.put("Topic", WebPushGateway.topic(n.collapseKey()));
    return root;
  }

  private PushResult verdict(HttpResponse<String> response, String token) {
    int status = response.statusCode();
    String detail = "HTTP " + status + " " + ProviderResponses.truncate(response.body());
    if (status == 200) {
      return PushResult.accepted();
    }
    String errorCode = errorCode(response.body());
    if (status == 404 || "UNREGISTERED".equals(errorCode)) {
      return new PushResult(Outcome.TARGET_GONE, null, detail);
    }
    if (status == 401) {
      tokens.invalidate(token);
      return new PushResult(Outcome.RETRY, null, detail);
    }
    if (status == 429 || status >= 500) {
      return new PushResult(
          Outcome.RETRY,
          ProviderResponses.retryAfter(response.headers().firstValue("Retry-After"), clock),
          detail);
    }
    return new PushResult(Outcome.FAILED, null, detail);
  }

  /** The {@code FcmError} code in an error answer's details, or null. */
  private static @Nullable String errorCode(String body) {
    try {
      for (JsonNode detail : JSON.readTree(body).path("error").path("details")) {
        if (detail.has("errorCode")) {
          return detail.get("errorCode").asText();
        }
      }
    } catch (IOException unreadable) {
      // not JSON: the status alone decides
    }
    return null;
  }

  /** Configures an {@link FcmPushGateway}. */
  public static final class Builder extends HttpGatewayBuilder<Builder> {
    private final FcmServiceAccount account;
    private URI baseUri = FCM_BASE_URI;

    private Builder(FcmServiceAccount account) {
      this.account = Objects.requireNonNull(account, "account");
    }

    /** FCM's base URI; default {@link #FCM_BASE_URI}. */
    public Builder baseUri(URI baseUri) {
      this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
      return this;
    }

    /** The gateway; fails fast on a malformed setting. */
    public FcmPushGateway build() {
      checkRequestTimeout();
      String scheme = baseUri.getScheme();
      if (scheme == null || !scheme.equals("https") && !scheme.equals("http")) {
        throw new IllegalArgumentException("baseUri must be an http(s) URI, got " + baseUri);
      }
      return new FcmPushGateway(this);
    }
  }
}
