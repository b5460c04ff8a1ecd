package io.messagingkit.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.port.PushGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends wake-ups to browsers through their push service: RFC 8030 delivery (one POST to the
 * subscription's endpoint with {@code TTL}, {@code Urgency} and {@code Topic}), the payload
 * encrypted for the subscription (RFC 8291, {@code aes128gcm}), and the application server
 * identified with VAPID (RFC 8292: an ES256 JWT whose audience is the push service's origin).
 *
 * <p>Verdicts: 2xx is {@code ACCEPTED}; 404 and 410 are {@code TARGET_GONE}; 429 and 5xx are {@code
 * RETRY} (with the {@code Retry-After} the service sent); other statuses are {@code FAILED}; a
 * service that cannot be reached is {@code RETRY}. Never throws, never blocks: the name is looked
 * up on a small pool of its own and the request goes out on the JDK {@link HttpClient}'s own
 * threads. Thread-safe.
 *
 * <p>Only endpoints that {@link WebPushEndpoints} accepts are contacted (https on the browsers'
 * push services by default, each resolved address public): checked when a device registers ({@link
 * #checkTarget}, an {@code invalid_request} naming the rule) and again at every send ({@code
 * FAILED}). Redirects are never followed.
 */
public final class WebPushGateway implements PushGateway {

  private static final Logger log = LoggerFactory.getLogger(WebPushGateway.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final Duration JWT_LIFETIME = Duration.ofHours(12);
  private static final Duration JWT_RENEW_BEFORE = Duration.ofHours(1);

  /**
   * Where endpoint host names are looked up: a lookup blocks, so not on the caller's thread. Four
   * daemon threads for all gateways (idle ones end), and a bounded queue: a push that does not fit
   * is {@code RETRY}.
   */
  private static final Executor RESOLVER = resolverPool();

  private final VapidKeys keys;
  private final String subject;
  private final Clock clock;
  private final HttpClient http;
  private final Duration requestTimeout;
  private final String urgency;
  private final Map<String, VapidToken> tokens = new ConcurrentHashMap<>();
  private final WebPushEndpoints endpoints;

  private WebPushGateway(Builder b) {
    this.keys = b.keys;
    this.subject = b.subject;
    this.clock = b.clock;
    this.http = b.httpClientOrDefault();
    this.requestTimeout = b.requestTimeout;
    this.urgency = b.urgency;
    this.endpoints = b.endpoints;
  }

  /**
   * A builder.
   *
   * @param keys the application server's VAPID key pair
   * @param subject a contact for the push service's operator: {@code mailto:} or {@code https:} URI
   */
  public static Builder builder(VapidKeys keys, String subject) {
    return new Builder(keys, subject);
  }

  /** The VAPID public key browsers subscribe with ({@code applicationServerKey}). */
  public String applicationServerKey() {
    return keys.publicKey();
  }

  @Override
  public boolean supports(PushTarget.Platform platform) {
    return platform == PushTarget.Platform.WEB_PUSH;
  }

  /**
   * Refuses a subscription whose endpoint breaks the {@link WebPushEndpoints} rules, or whose keys
   * are not a P-256 public key ({@code p256dh}, 65 bytes) and a 16-byte {@code auth} secret.
   */
  @Override
  public void checkTarget(PushTarget target) {
    if (target.platform() != PushTarget.Platform.WEB_PUSH) {
      return;
    }
    endpoints.check(target.token());
    try {
      byte[] p256dh = VapidKeys.Base64Url.decode(target.keys().get("p256dh"));
      byte[] auth = VapidKeys.Base64Url.decode(target.keys().get("auth"));
      if (p256dh.length != 65 || p256dh[0] != 4 || auth.length != 16) {
        throw new InvalidRequestException(
            "a Web Push subscription needs keys.p256dh (an uncompressed P-256 point, 65 bytes)"
                + " and keys.auth (16 bytes), base64url");
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("the Web Push subscription's keys are not base64url", e);
    }
  }

  @Override
  public CompletableFuture<PushResult> send(PushTarget target, PushNotification notification) {
    try {
      if (target.platform() != PushTarget.Platform.WEB_PUSH) {
        return done(ProviderResponses.failed("not a Web Push target: " + target.platform()));
      }
      URI endpoint = endpoints.check(target.token());
      byte[] payload = JSON.writeValueAsBytes(ProviderResponses.wakeUpFields(notification));
      byte[] body =
          WebPushEncryption.encrypt(
              payload,
              VapidKeys.Base64Url.decode(target.keys().get("p256dh")),
              VapidKeys.Base64Url.decode(target.keys().get("auth")));
      HttpRequest.Builder request =
          HttpRequest.newBuilder(endpoint)
              .timeout(requestTimeout)
              .header("TTL", Long.toString(Math.max(0, notification.timeToLive().toSeconds())))
              .header("Urgency", urgency)
              .header("Topic", topic(notification.collapseKey()))
              .header("Content-Encoding", "aes128gcm")
              .header("Content-Type", "application/octet-stream")
              .header(
                  "Authorization",
                  "vapid t=" + vapidToken(origin(endpoint)) + ", k=" + keys.publicKey())
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      request.version(ProviderResponses.version(endpoint));
      HttpRequest built = request.build();
      // the name is looked up (blocking) off the caller's thread, and every address checked
      return CompletableFuture.supplyAsync(() -> endpoints.checkAddresses(endpoint), RESOLVER)
          .thenCompose(checked -> http.sendAsync(built, HttpResponse.BodyHandlers.ofString()))
          .handle(
              (response, failure) ->
                  failure != null ? failure(failure, notification) : verdict(response));
    } catch (InvalidRequestException e) {
      log.warn("not sending a Web Push to {}: {}", notification.device(), e.getMessage());
      return done(ProviderResponses.failed("refused: " + e.getMessage()));
    } catch (GeneralSecurityException | IllegalArgumentException | JsonProcessingException e) {
      log.warn("cannot send a Web Push to {}: {}", notification.device(), e.toString());
      return done(ProviderResponses.failed("cannot build the request: " + e.getMessage()));
    } catch (RuntimeException e) {
      log.warn("cannot send a Web Push to {}", notification.device(), e);
      return done(ProviderResponses.unreachable(e));
    }
  }

  private static PushResult failure(Throwable failure, PushNotification notification) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof InvalidRequestException refused) {
      log.warn("not sending a Web Push to {}: {}", notification.device(), refused.getMessage());
      return ProviderResponses.failed("refused: " + refused.getMessage());
    }
    return ProviderResponses.unreachable(cause);
  }

  private PushResult verdict(HttpResponse<String> response) {
    int status = response.statusCode();
    String detail = "HTTP " + status + " " + ProviderResponses.truncate(response.body());
    if (status >= 200 && status < 300) {
      return PushResult.accepted();
    }
    if (status == 404 || status == 410) {
      return new PushResult(Outcome.TARGET_GONE, null, detail);
    }
    if (status == 429 || status >= 500) {
      return new PushResult(
          Outcome.RETRY,
          ProviderResponses.retryAfter(response.headers().firstValue("Retry-After"), clock),
          detail);
    }
    return new PushResult(Outcome.FAILED, null, detail);
  }

  /** The RFC 8030 Topic: the collapse key if it fits the header's alphabet, else its digest. */
  static String topic(String collapseKey) {
    if (TOPIC.matcher(collapseKey).matches()) {
      return collapseKey;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(collapseKey.getBytes(StandardCharsets.UTF_8));
      return VapidKeys.Base64Url.encode(Arrays.copyOf(digest, 24));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  static String origin(URI endpoint) {
    String scheme = endpoint.getScheme().toLowerCase(Locale.ROOT);
    int port = endpoint.getPort();
    boolean defaultPort =
        port == -1 || scheme.equals("https") && port == 443 || scheme.equals("http") && port == 80;
    return scheme
        + "://"
        + endpoint.getHost().toLowerCase(Locale.ROOT)
        + (defaultPort ? "" : ":" + port);
  }

  private String vapidToken(String audience) {
    Instant now = clock.instant();
    VapidToken token = tokens.get(audience);
    if (token != null && now.isBefore(token.expires().minus(JWT_RENEW_BEFORE))) {
      return token.value();
    }
    Instant expires = now.plus(JWT_LIFETIME);
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build(),
              new JWTClaimsSet.Builder()
                  .audience(audience)
                  .expirationTime(Date.from(expires))
                  .subject(subject)
                  .build());
      jwt.sign(new ECDSASigner(keys.signingKey()));
      VapidToken fresh = new VapidToken(jwt.serialize(), expires);
      tokens.put(audience, fresh);
      return fresh.value();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign the VAPID token", e);
    }
  }

  private static Executor resolverPool() {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            4,
            4,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(10_000),
            r -> {
              Thread t = new Thread(r, "messagingkit-webpush-resolver-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static CompletableFuture<PushResult> done(PushResult result) {
    return CompletableFuture.completedFuture(result);
  }

  private record VapidToken(String value, Instant expires) {}

  /** Configures a {@link WebPushGateway}. */
  public static final class Builder extends HttpGatewayBuilder<Builder> {
    private final VapidKeys keys;
    private final String subject;
    private String urgency = "high";
    private WebPushEndpoints endpoints = WebPushEndpoints.defaults();

    private Builder(VapidKeys keys, String subject) {
      this.keys = Objects.requireNonNull(keys, "keys");
      this.subject = Objects.requireNonNull(subject, "subject");
    }

    /** The RFC 8030 Urgency: very-low, low, normal or high (default: a wake-up is urgent). */
    public Builder urgency(String urgency) {
      this.urgency = Objects.requireNonNull(urgency, "urgency");
      return this;
    }

    /**
     * Which endpoints may be contacted; default {@link WebPushEndpoints#defaults()}: https on the
     * browsers' push services only.
     */
    public Builder endpoints(WebPushEndpoints endpoints) {
      this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
      return this;
    }

    /**
     * The gateway; fails fast on a malformed setting, and on an HTTP client that follows redirects
     * (a redirect would reach an address that was not checked).
     */
    public WebPushGateway build() {
      if (http != null && http.followRedirects() != HttpClient.Redirect.NEVER) {
        throw new IllegalArgumentException(
            "httpClient must not follow redirects (Redirect.NEVER): a redirect from a push"
                + " service would reach an address that was not checked");
      }
      if (!subject.startsWith("mailto:") && !subject.startsWith("https:")) {
        throw new IllegalArgumentException(
            "subject must be a mailto: or https: URI (RFC 8292), got " + subject);
      }
      checkRequestTimeout();
      if (!java.util.Set.of("very-low", "low", "normal", "high").contains(urgency)) {
        throw new IllegalArgumentException(
            "urgency must be very-low, low, normal or high, got " + urgency);
      }
      return new WebPushGateway(this);
    }
  }
}
