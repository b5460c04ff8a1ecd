package io.messagingkit.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.PushNotificationHandler;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.UnregisteredDeviceTokenException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.port.PushGateway;
import io.messagingkit.core.port.PushGateway.Outcome;
import io.messagingkit.tck.push.PushGatewayContract;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link ApnsPushGateway} against Pushy's {@link MockApnsServer} (HTTP/2 over TLS, with a
 * certificate made by keytool for the test), whose handler checks what APNs does: the device path,
 * the provider token (ES256 by the .p8 key, issuer = team id, kid = key id), topic, push type,
 * priority, collapse id, expiration, and the payload.
 */
class ApnsPushGatewayContractTest extends PushGatewayContract {

  static final String TEAM = "TEAM123456";
  static final String KEY_ID = "KEY7654321";
  static final String TOPIC = "io.messagingkit.example";
  static final String DEVICE_TOKEN =
      "8b1d1b0b0b6b3a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c";
  private static final ObjectMapper JSON = new ObjectMapper();

  static MockApnsServer server;
  static int port;
  static X509Certificate serverCertificate;
  static byte[] p8;
  static ECPublicKey verificationKey;
  static final List<Received> received = new ArrayList<>();
  static final Deque<RejectedNotificationException> script = new ArrayDeque<>();
  static volatile @Nullable CountDownLatch hold;

  record Received(Map<String, String> headers, String payload) {}

  @BeforeAll
  static void startServer() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(EcKeys.P256);
    KeyPair signing = g.generateKeyPair();
    verificationKey = (ECPublicKey) signing.getPublic();
    p8 =
        ("-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(signing.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n")
            .getBytes(StandardCharsets.US_ASCII);

    KeyStore store = serverKeyStore();
    serverCertificate = (X509Certificate) store.getCertificate("apns");
    PrivateKey serverKey = (PrivateKey) store.getKey("apns", "changeit".toCharArray());
    server =
        new MockApnsServerBuilder()
            .setServerCredentials(new X509Certificate[] {serverCertificate}, serverKey, null)
            .setHandlerFactory(session -> HANDLER)
            .build();
    port = ClosedPort.find();
    server.start(port).get(30, TimeUnit.SECONDS);
  }

  /** A self-signed certificate for localhost, made with the JDK's keytool. */
  static KeyStore serverKeyStore() throws Exception {
    Path file = Paths.get("target", "apns-test-server.p12").toAbsolutePath();
    Files.createDirectories(file.getParent());
    Files.deleteIfExists(file);
    Process keytool =
        new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "apns",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-sigalg",
                "SHA256withECDSA",
                "-dname",
                "CN=localhost",
                "-ext",
                "san=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                file.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(output).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, "changeit".toCharArray());
    }
    return store;
  }

  private static final PushNotificationHandler HANDLER =
      (Http2Headers headers, io.netty.buffer.ByteBuf payload) -> {
        Map<String, String> h = new HashMap<>();
        headers.forEach(e -> h.put(e.getKey().toString(), e.getValue().toString()));
        RejectedNotificationException answer;
        synchronized (received) {
          received.add(new Received(h, payload.toString(StandardCharsets.UTF_8)));
          answer = script.pollFirst();
        }
        CountDownLatch release = hold;
        if (release != null) {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        if (answer != null) {
          throw answer;
        }
        // what APNs itself refuses
        if (!h.getOrDefault("authorization", "").startsWith("bearer ")) {
          throw new RejectedNotificationException(RejectionReason.MISSING_PROVIDER_TOKEN);
        }
        if (!TOPIC.equals(h.get("apns-topic"))) {
          throw new RejectedNotificationException(RejectionReason.BAD_TOPIC);
        }
      };

  @AfterAll
  static void stopServer() throws Exception {
    server.shutdown().get(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void resetServer() {
    synchronized (received) {
      received.clear();
      script.clear();
    }
    hold = null;
  }

  static ApnsPushGateway.Builder builder(int serverPort) {
    return ApnsPushGateway.builder(new ByteArrayInputStream(p8), TEAM, KEY_ID, TOPIC)
        .server("localhost", serverPort)
        .trustedServerCertificates(serverCertificate)
        .connectTimeout(Duration.ofSeconds(3));
  }

  @Override
  protected PushGateway createGateway() {
    return builder(port).build();
  }

  @Override
  protected PushGateway createGatewayWithRequestTimeout(Duration timeout) {
    return builder(port).requestTimeout(timeout).build();
  }

  @Override
  protected PushGateway createGatewayToUnreachableProvider() {
    return builder(ClosedPort.find()).build();
  }

  @Override
  protected PushTarget target() {
    return new PushTarget(PushTarget.Platform.APNS, DEVICE_TOKEN, Map.of());
  }

  @Override
  protected boolean providerSendsRetryAfter() {
    return false;
  }

  @Override
  protected void answerNext(Answer answer) {
    RejectedNotificationException e =
        switch (answer) {
          case ACCEPT -> null;
          case TARGET_GONE -> new UnregisteredDeviceTokenException(Instant.now());
          case THROTTLE -> new RejectedNotificationException(RejectionReason.TOO_MANY_REQUESTS);
          case SERVER_ERROR ->
              new RejectedNotificationException(RejectionReason.SERVICE_UNAVAILABLE);
          case BAD_REQUEST ->
              new RejectedNotificationException(RejectionReason.BAD_EXPIRATION_DATE);
        };
    if (e != null) {
      synchronized (received) {
        script.addLast(e);
      }
    }
  }

  @Override
  protected void holdAnswers(CountDownLatch release) {
    hold = release;
  }

  @Override
  protected int requestsReceived() {
    synchronized (received) {
      return received.size();
    }
  }

  @Test
  @DisplayName("background mode: push type background, priority 5, content-available and no alert")
  void background() throws Exception {
    try (ApnsPushGateway quiet = builder(port).background(true).build()) {
      PushNotification n = wakeUp(4);
      assertThat(quiet.send(target(), n).get(20, TimeUnit.SECONDS).outcome())
          .isEqualTo(Outcome.ACCEPTED);
    }
    Received r;
    synchronized (received) {
      r = received.get(received.size() - 1);
    }
    assertThat(r.headers().get("apns-push-type")).isEqualTo("background");
    assertThat(r.headers().get("apns-priority")).isEqualTo("5");
    JsonNode payload = JSON.readTree(r.payload());
    assertThat(payload.path("aps").path("content-available").asInt()).isEqualTo(1);
    assertThat(payload.path("aps").has("alert")).isFalse();
    assertThat(payload.path("pending").asLong()).isEqualTo(4);
  }

  /** An ES256 signature, in the JOSE (r || s) or the DER encoding: APNs takes either. */
  private static boolean validSignature(SignedJWT jwt) throws Exception {
    byte[] signature = jwt.getSignature().decode();
    if (signature.length == 64) {
      return jwt.verify(new ECDSAVerifier(verificationKey));
    }
    java.security.Signature der = java.security.Signature.getInstance("SHA256withECDSA");
    der.initVerify(verificationKey);
    der.update(jwt.getSigningInput());
    return der.verify(signature);
  }

  @Override
  protected String verifyLastRequest(PushTarget target, PushNotification n) {
    Received r;
    synchronized (received) {
      r = received.get(received.size() - 1);
    }
    try {
      Map<String, String> h = r.headers();
      assertThat(h.get(":method")).isEqualTo("POST");
      assertThat(h.get(":path")).isEqualTo("/3/device/" + target.token());
      SignedJWT jwt = SignedJWT.parse(h.get("authorization").substring("bearer ".length()));
      assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
      assertThat(jwt.getHeader().getKeyID()).isEqualTo(KEY_ID);
      assertThat(validSignature(jwt)).as("provider token signed by the .p8 key").isTrue();
      assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(TEAM);
      assertThat(jwt.getJWTClaimsSet().getIssueTime().toInstant())
          .isAfter(Instant.now().minus(Duration.ofHours(1)));
      assertThat(h.get("apns-topic")).isEqualTo(TOPIC);
      assertThat(h.get("apns-push-type")).isEqualTo("alert");
      assertThat(h.get("apns-priority")).isEqualTo("10");
      assertThat(h.get("apns-collapse-id")).isEqualTo(n.collapseKey());
      long expiration = Long.parseLong(h.get("apns-expiration"));
      long ttl = n.timeToLive().toSeconds();
      assertThat(expiration - Instant.now().getEpochSecond()).isBetween(ttl - 60, ttl + 1);

      JsonNode payload = JSON.readTree(r.payload());
      assertThat(payload.path("type").asText()).isEqualTo("messages");
      assertThat(payload.path("pending").asLong()).isEqualTo(n.pending());
      JsonNode alert = payload.path("aps").path("alert");
      if (n.preview() == null) {
        assertThat(alert.path("body").asText()).isEqualTo("New messages");
        assertThat(payload.has("preview")).isFalse();
      } else {
        assertThat(alert.path("body").asText()).isEqualTo(n.preview());
      }
      assertThat(r.payload().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
      return r.payload();
    } catch (Exception e) {
      throw new AssertionError("APNs would refuse this request: " + e, e);
    }
  }
}
