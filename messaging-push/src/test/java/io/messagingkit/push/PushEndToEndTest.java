package io.messagingkit.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.messagingkit.core.ChatServer;
import io.messagingkit.core.ChatServerSettings;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.SendRequest;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.memory.InMemoryDeviceDirectory;
import io.messagingkit.core.memory.InMemoryOfflineStore;
import io.messagingkit.tck.RecordingConnection;
import io.messagingkit.tck.push.FakeHttpProvider;
import io.messagingkit.tck.push.FakeHttpProvider.Response;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A chat server wired to a {@link WebPushGateway} and a local push service: an offline device is
 * woken once for a burst of messages and drains them all when it reconnects; a push service that
 * fails loses nothing.
 */
class PushEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final DeviceAddress BOB = DeviceAddress.of("bob", "laptop");
  private static final DeviceAddress ALICE = DeviceAddress.of("alice", "phone");

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final InMemoryOfflineStore offline = new InMemoryOfflineStore();
  private final InMemoryDeviceDirectory devices = new InMemoryDeviceDirectory();
  private FakeHttpProvider pushService;
  private ChatServer server;
  private ECPrivateKey browserKey;
  private byte[] browserPublic;
  private byte[] browserAuth;
  private PushTarget subscription;

  @BeforeEach
  void start() throws Exception {
    pushService = new FakeHttpProvider(r -> Response.of(201)).start();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(EcKeys.P256);
    KeyPair browser = g.generateKeyPair();
    browserKey = (ECPrivateKey) browser.getPrivate();
    browserPublic = EcKeys.uncompressed((ECPublicKey) browser.getPublic());
    browserAuth = new byte[16];
    new SecureRandom().nextBytes(browserAuth);
    subscription =
        new PushTarget(
            PushTarget.Platform.WEB_PUSH,
            pushService.baseUri() + "/wpush/v2/bob-laptop",
            Map.of(
                "p256dh", VapidKeys.Base64Url.encode(browserPublic),
                "auth", VapidKeys.Base64Url.encode(browserAuth)));
    server =
        ChatServer.builder()
            .settings(
                ChatServerSettings.defaults()
                    .withPush(Duration.ofSeconds(30), Duration.ofMinutes(5)))
            .pushGateway(
                WebPushGateway.builder(VapidKeys.generate(), "mailto:ops@messagingkit.test")
                    .endpoints(WebPushEndpoints.defaults().unsafeAllowLoopbackForTesting())
                    .build())
            .offlineStore(offline)
            .deviceDirectory(devices)
            .meterRegistry(meters)
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    pushService.close();
  }

  private double pushes(String outcome) {
    Counter c = meters.find("messagingkit.push").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  /** Bob's browser subscribes, then goes away. */
  private void bobSubscribesAndLeaves() {
    DeviceSession bob = server.connect(BOB, new RecordingConnection());
    bob.registerPushTarget(subscription);
    bob.close();
  }

  private void aliceSends(String... texts) {
    DeviceSession alice = server.connect(ALICE, new RecordingConnection());
    for (int i = 0; i < texts.length; i++) {
      alice.send(SendRequest.text("m" + i, Recipient.user(BOB.user()), texts[i])).join();
    }
  }

  /** Bob comes back, drains and acknowledges; returns the texts in order. */
  private List<String> bobReconnectsAndDrains(int expected) {
    RecordingConnection connection = new RecordingConnection();
    DeviceSession bob = server.connect(BOB, connection);
    List<ServerEvent.Incoming> incoming =
        connection.awaitCount(ServerEvent.Incoming.class, e -> true, expected, WAIT);
    for (ServerEvent.Incoming in : incoming) {
      bob.acknowledge(in.envelope().sender().user(), in.envelope().id());
    }
    await().atMost(WAIT).until(() -> offline.depth(BOB) == 0);
    return incoming.stream()
        .map(in -> new String(in.envelope().body(), StandardCharsets.UTF_8))
        .toList();
  }

  @Test
  @DisplayName("offline device, three messages: exactly one push, then all three on reconnect")
  void onePushThenDrain() throws Exception {
    bobSubscribesAndLeaves();
    aliceSends("first", "second", "third");

    await().atMost(WAIT).until(() -> pushes("accepted") + pushes("coalesced") == 3);
    assertThat(pushes("accepted")).isEqualTo(1);
    assertThat(pushes("coalesced")).isEqualTo(2);
    assertThat(pushService.received()).hasSize(1);

    FakeHttpProvider.Request push = pushService.lastRequest();
    assertThat(push.path()).isEqualTo("/wpush/v2/bob-laptop");
    String payload =
        new String(
            WebPushDecrypter.decrypt(push.body(), browserKey, browserPublic, browserAuth),
            StandardCharsets.UTF_8);
    JsonNode json = new ObjectMapper().readTree(payload);
    assertThat(json.path("type").asText()).isEqualTo("messages");
    assertThat(json.path("pending").asLong()).isBetween(1L, 3L);
    assertThat(payload).doesNotContain("first").doesNotContain("alice");

    assertThat(bobReconnectsAndDrains(3)).containsExactly("first", "second", "third");
    assertThat(pushService.received()).hasSize(1);
  }

  @Test
  @DisplayName("a push service failing with 500s: bounded retries, and every message on reconnect")
  void outageLosesNothing() {
    pushService.answerByDefault(r -> Response.of(500));
    bobSubscribesAndLeaves();
    aliceSends("during", "the", "outage");

    // the first attempt and two retries with backoff, then the policy gives up
    await().atMost(WAIT).until(() -> pushes("retry") == 3);
    assertThat(pushService.received()).hasSize(3);
    assertThat(devices.pushTarget(BOB)).contains(subscription);

    pushService.answerByDefault(r -> Response.of(201));
    assertThat(bobReconnectsAndDrains(3)).containsExactly("during", "the", "outage");
  }

  @Test
  @DisplayName("a subscription the push service calls gone is removed from the device")
  void goneSubscriptionRemoved() {
    pushService.answerNext(Response.of(410));
    bobSubscribesAndLeaves();
    aliceSends("hello");
    await().atMost(WAIT).until(() -> devices.pushTarget(BOB).isEmpty());
    assertThat(pushes("target_gone")).isEqualTo(1);
    assertThat(bobReconnectsAndDrains(1)).containsExactly("hello");
  }
}
