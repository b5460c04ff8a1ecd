package io.messagingkit.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.port.PushGateway;
import io.messagingkit.tck.push.FakeHttpProvider;
import io.messagingkit.tck.push.FakeHttpProvider.Request;
import io.messagingkit.tck.push.FakeHttpProvider.Response;
import io.messagingkit.tck.push.PushGatewayContract;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link WebPushGateway} against a local push service that checks what a real one does: the
 * subscription's path, TTL, Urgency, Topic, the aes128gcm coding, the VAPID token (ES256, signed by
 * the key in {@code k}, audience = the service's origin, expiry within 24 h, a contact subject),
 * and that the body decrypts with the subscription's keys.
 */
class WebPushGatewayContractTest extends PushGatewayContract {

  private static final Pattern VAPID = Pattern.compile("vapid t=([^,\\s]+),\\s*k=([A-Za-z0-9_-]+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The fake push service runs on this machine: an explicit, test-only opt-in. */
  static final WebPushEndpoints LOCAL_PUSH_SERVICE =
      WebPushEndpoints.defaults().unsafeAllowLoopbackForTesting();

  private static FakeHttpProvider service;
  private static VapidKeys vapid;
  private static ECPrivateKey uaPrivate;
  private static byte[] uaPublic;
  private static byte[] auth;

  @BeforeAll
  static void startService() throws Exception {
    service = new FakeHttpProvider(r -> Response.of(201)).start();
    vapid = VapidKeys.generate();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(EcKeys.P256);
    KeyPair ua = g.generateKeyPair();
    uaPrivate = (ECPrivateKey) ua.getPrivate();
    uaPublic = EcKeys.uncompressed((ECPublicKey) ua.getPublic());
    auth = new byte[16];
    new SecureRandom().nextBytes(auth);
  }

  @AfterAll
  static void stopService() {
    service.close();
  }

  @BeforeEach
  void resetService() {
    service.reset();
  }

  @Override
  protected PushGateway createGateway() {
    return WebPushGateway.builder(vapid, "mailto:ops@messagingkit.test")
        .endpoints(LOCAL_PUSH_SERVICE)
        .build();
  }

  @Override
  protected PushGateway createGatewayWithRequestTimeout(Duration timeout) {
    return WebPushGateway.builder(vapid, "mailto:ops@messagingkit.test")
        .endpoints(LOCAL_PUSH_SERVICE)
        .requestTimeout(timeout)
        .build();
  }

  @Override
  protected PushGateway createGatewayToUnreachableProvider() {
    // every request goes through a proxy nothing listens on
    HttpClient viaDeadProxy =
        HttpClient.newBuilder()
            .proxy(
                ProxySelector.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), ClosedPort.find())))
            .build();
    return WebPushGateway.builder(vapid, "mailto:ops@messagingkit.test")
        .endpoints(LOCAL_PUSH_SERVICE)
        .httpClient(viaDeadProxy)
        .build();
  }

  @Override
  protected PushTarget target() {
    return new PushTarget(
        PushTarget.Platform.WEB_PUSH,
        service.baseUri() + "/push/v2/sub-4711",
        Map.of(
            "p256dh", VapidKeys.Base64Url.encode(uaPublic),
            "auth", VapidKeys.Base64Url.encode(auth)));
  }

  @Override
  protected void answerNext(Answer answer) {
    service.answerNext(
        switch (answer) {
          case ACCEPT -> Response.of(201);
          case TARGET_GONE -> Response.of(410);
          case THROTTLE ->
              new Response(
                  429, Map.of("Retry-After", Long.toString(RETRY_AFTER.toSeconds())), "slow down");
          case SERVER_ERROR -> Response.of(503);
          case BAD_REQUEST -> Response.of(400);
        });
  }

  @Override
  protected void holdAnswers(CountDownLatch release) {
    service.holdAnswers(release);
  }

  @Override
  protected int requestsReceived() {
    return service.received().size();
  }

  @Override
  protected String verifyLastRequest(PushTarget target, PushNotification notification) {
    Request r = service.lastRequest();
    try {
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/push/v2/sub-4711");
      assertThat(r.header("TTL")).isEqualTo(Long.toString(notification.timeToLive().toSeconds()));
      assertThat(r.header("Urgency")).isEqualTo("high");
      assertThat(r.header("Topic"))
          .matches("[A-Za-z0-9_-]{1,32}")
          .isEqualTo(WebPushGateway.topic(notification.collapseKey()));
      assertThat(r.header("Content-Encoding")).isEqualTo("aes128gcm");

      Matcher m = VAPID.matcher(String.valueOf(r.header("Authorization")));
      assertThat(m.matches()).as("Authorization: " + r.header("Authorization")).isTrue();
      assertThat(m.group(2)).isEqualTo(vapid.publicKey());
      SignedJWT jwt = SignedJWT.parse(m.group(1));
      assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
      ECPublicKey k = EcKeys.publicKey(VapidKeys.Base64Url.decode(m.group(2)));
      assertThat(jwt.verify(new ECDSAVerifier(k))).as("VAPID signature").isTrue();
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      assertThat(claims.getAudience()).containsExactly(service.baseUri().toString());
      Instant exp = claims.getExpirationTime().toInstant();
      assertThat(exp).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofHours(24)));
      assertThat(claims.getSubject()).startsWith("mailto:");

      byte[] plain = WebPushDecrypter.decrypt(r.body(), uaPrivate, uaPublic, auth);
      String payload = new String(plain, StandardCharsets.UTF_8);
      JsonNode json = JSON.readTree(payload);
      assertThat(json.path("type").asText()).isEqualTo("messages");
      assertThat(json.path("pending").asLong()).isEqualTo(notification.pending());
      if (notification.preview() == null) {
        assertThat(json.has("preview")).isFalse();
      } else {
        assertThat(json.path("preview").asText()).isEqualTo(notification.preview());
      }
      return payload;
    } catch (Exception e) {
      throw new AssertionError("the push service would refuse this request: " + e, e);
    }
  }
}
