package io.messagingkit.push;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.port.PushGateway;
import java.io.IOException;
import java.io.InputStream;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends wake-ups to Apple devices through APNs over HTTP/2 (Pushy), authenticated with a token
 * signing key (the {@code .p8} file, its key id and the team id).
 *
 * <p>Each notification carries the app's bundle id as {@code apns-topic}, the collapse key as
 * {@code apns-collapse-id}, an expiration of now + time to live, and either (default) an {@code
 * alert} push at priority 10 whose text is a fixed, content-free line ("New messages"; the opt-in
 * preview when there is one), or, with {@link Builder#background(boolean)}, a {@code background}
 * push ({@code content-available}) at priority 5. The custom keys {@code type} and {@code pending}
 * (and {@code preview} when opted in) sit beside {@code aps}.
 *
 * <p>Verdicts: accepted is {@code ACCEPTED}; 410 or {@code Unregistered} is {@code TARGET_GONE};
 * 429 and 5xx are {@code RETRY}; a connection failure, or no answer within the request timeout, is
 * {@code RETRY}; other rejections are {@code FAILED}. Never throws, never blocks. Thread-safe;
 * {@link #close()} it.
 */
public final class ApnsPushGateway implements PushGateway, AutoCloseable {

  /** APNs production host. */
  public static final String PRODUCTION_HOST = ApnsClientBuilder.PRODUCTION_APNS_HOST;

  /** APNs development (sandbox) host. */
  public static final String DEVELOPMENT_HOST = ApnsClientBuilder.DEVELOPMENT_APNS_HOST;

  private static final Logger log = LoggerFactory.getLogger(ApnsPushGateway.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DEVICE_TOKEN = Pattern.compile("([0-9a-fA-F]{2}){32,100}");
  private static final Set<String> GONE = Set.of("Unregistered", "ExpiredToken");

  private final ApnsClient client;
  private final String topic;
  private final boolean background;
  private final String alertText;
  private final Clock clock;
  private final Duration requestTimeout;

  private ApnsPushGateway(Builder b, ApnsClient client) {
    this.client = client;
    this.topic = b.topic;
    this.background = b.background;
    this.alertText = b.alertText;
    this.clock = b.clock;
    this.requestTimeout = b.requestTimeout;
  }

  /**
   * A builder.
   *
   * @param p8 the token signing key as downloaded from Apple ({@code AuthKey_XXXXXXXXXX.p8})
   * @param teamId the Apple developer team id
   * @param keyId the signing key's id
   * @param topic the app's bundle id
   */
  public static Builder builder(InputStream p8, String teamId, String keyId, String topic) {
    return new Builder(p8, teamId, keyId, topic);
  }

  @Override
  public boolean supports(PushTarget.Platform platform) {
    return platform == PushTarget.Platform.APNS;
  }

  /** Refuses a device token that is not hexadecimal (APNs tokens are 32 bytes, or up to 100). */
  @Override
  public void checkTarget(PushTarget target) {
    if (target.platform() == PushTarget.Platform.APNS
        && !DEVICE_TOKEN.matcher(target.token()).matches()) {
      throw new InvalidRequestException(
          "an APNs device token must be 64 to 200 hexadecimal digits, an even number of them");
    }
  }

  @Override
  public CompletableFuture<PushResult> send(PushTarget target, PushNotification notification) {
    try {
      if (target.platform() != PushTarget.Platform.APNS) {
        return CompletableFuture.completedFuture(
            ProviderResponses.failed("not an APNs target: " + target.platform()));
      }
      SimpleApnsPushNotification push =
          new SimpleApnsPushNotification(
              target.token(),
              topic,
              payload(notification),
              clock.instant().plus(notification.timeToLive()),
              background ? DeliveryPriority.CONSERVE_POWER : DeliveryPriority.IMMEDIATE,
              background ? PushType.BACKGROUND : PushType.ALERT,
              ProviderResponses.apnsCollapseId(notification.collapseKey()));
      CompletableFuture<PushResult> result = new CompletableFuture<>();
      client
          .sendNotification(push)
          .whenComplete(
              (response, failure) -> {
                try {
                  result.complete(
                      failure != null ? ProviderResponses.unreachable(failure) : verdict(response));
                } catch (RuntimeException e) {
                  result.complete(ProviderResponses.unreachable(e));
                }
              });
      // a server that never answers must not hold the send forever
      return result.completeOnTimeout(
          new PushResult(
              Outcome.RETRY,
              null,
              "APNs did not answer within " + requestTimeout.toMillis() + " ms"),
          requestTimeout.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (JsonProcessingException | RuntimeException e) {
      log.warn("cannot send an APNs notification to {}", notification.device(), e);
      return CompletableFuture.completedFuture(
          ProviderResponses.failed("cannot build the notification: " + e));
    }
  }

  private String payload(PushNotification n) throws JsonProcessingException {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode aps = root.putObject("aps");
    if (background) {
      aps.put("content-available", 1);
    } else {
      ObjectNode alert = aps.putObject("alert");
      alert.put("body", n.preview() != null ? n.preview() : alertText);
      aps.put("sound", "default");
      aps.put("thread-id", n.collapseKey());
    }
    for (Map.Entry<String, Object> field : ProviderResponses.wakeUpFields(n).entrySet()) {
      root.putPOJO(field.getKey(), field.getValue());
    }
    return JSON.writeValueAsString(root);
  }

  private static PushResult verdict(PushNotificationResponse<?> response) {
    if (response.isAccepted()) {
      return PushResult.accepted();
    }
    int status = response.getStatusCode();
    String reason = response.getRejectionReason().orElse("");
    String detail = "HTTP " + status + " " + reason;
    if (status == 410 || GONE.contains(reason)) {
      return new PushResult(Outcome.TARGET_GONE, null, detail);
    }
    if (status == 429 || status >= 500) {
      return new PushResult(Outcome.RETRY, null, detail);
    }
    return new PushResult(Outcome.FAILED, null, detail);
  }

  /** Closes the HTTP/2 connections, waiting up to 10 s for notifications in flight. */
  @Override
  public void close() {
    try {
      client.close().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("closing the APNs client failed", e);
    }
  }

  /** Configures an {@link ApnsPushGateway}. */
  public static final class Builder {
    private final InputStream p8;
    private final String teamId;
    private final String keyId;
    private final String topic;
    private String host = PRODUCTION_HOST;
    private int port = ApnsClientBuilder.DEFAULT_APNS_PORT;
    private boolean background;
    private String alertText = "New messages";
    private Clock clock = Clock.systemUTC();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private X509Certificate @Nullable [] trustedServerCertificates;

    private Builder(InputStream p8, String teamId, String keyId, String topic) {
      this.p8 = Objects.requireNonNull(p8, "p8");
      this.teamId = Objects.requireNonNull(teamId, "teamId");
      this.keyId = Objects.requireNonNull(keyId, "keyId");
      this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** The APNs server; default {@link #PRODUCTION_HOST} on port 443. */
    public Builder server(String host, int port) {
      this.host = Objects.requireNonNull(host, "host");
      this.port = port;
      return this;
    }

    /** Background pushes ({@code content-available}, priority 5) instead of alerts. */
    public Builder background(boolean background) {
      this.background = background;
      return this;
    }

    /** The alert's fixed text when there is no opted-in preview; default "New messages". */
    public Builder alertText(String text) {
      this.alertText = Objects.requireNonNull(text, "text");
      return this;
    }

    /** The clock for expirations; default system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long connecting may take before a send is a {@code RETRY}; default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** How long one notification may wait for APNs' answer before it is a {@code RETRY}; 10 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Trusts only these server certificates (a private APNs test server); default the JDK's. */
    public Builder trustedServerCertificates(X509Certificate... certificates) {
      this.trustedServerCertificates = certificates.clone();
      return this;
    }

    /** The gateway; fails fast on a malformed key or setting. */
    public ApnsPushGateway build() {
      if (teamId.isBlank() || keyId.isBlank() || topic.isBlank()) {
        throw new IllegalArgumentException("teamId, keyId and topic must not be blank");
      }
      if (requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new IllegalArgumentException(
            "requestTimeout must be positive, got " + requestTimeout);
      }
      if (alertText.isBlank()) {
        throw new IllegalArgumentException("alertText must not be blank");
      }
      ApnsSigningKey key;
      try {
        key = ApnsSigningKey.loadFromInputStream(p8, teamId, keyId);
      } catch (IOException | NoSuchAlgorithmException | InvalidKeyException e) {
        throw new IllegalArgumentException("the .p8 signing key cannot be read: " + e, e);
      }
      ApnsClientBuilder client =
          new ApnsClientBuilder()
              .setApnsServer(host, port)
              .setSigningKey(key)
              .setConnectionTimeout(connectTimeout);
      if (trustedServerCertificates != null) {
        client.setTrustedServerCertificateChain(trustedServerCertificates);
      }
      try {
        return new ApnsPushGateway(this, client.build());
      } catch (SSLException e) {
        throw new IllegalStateException("cannot set up TLS for APNs: " + e, e);
      }
    }
  }
}
