package io.messagingkit.adversarial.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.SendRequest;
import io.messagingkit.store.jdbc.JdbcStores;
import io.messagingkit.tck.RecordingConnection;
import io.messagingkit.transport.websocket.ChatWebSocket;
import io.messagingkit.transport.websocket.JwtAuthenticator;
import io.messagingkit.transport.websocket.JwtIssuer;
import io.messagingkit.transport.websocket.tyrus.TyrusChatServerHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A device that comes back to a large queue drains it over the wire with cumulative
 * acknowledgements (one {@code ACK {upTo}} frame per batch), under the default per-connection rate
 * limit, on the JDBC store (H2): every message arrives once, in order, and the queue is empty
 * afterwards. The drain time is measured by {@code messaging-bench backlog}, not asserted here.
 */
class BacklogDrainIT {

  private static final byte[] SECRET =
      "backlog-drain-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final int BACKLOG = 10_000;
  private static final int ACK_EVERY = 200;
  private static final DeviceAddress ALICE = DeviceAddress.of("alice", "phone");
  private static final DeviceAddress BOB = DeviceAddress.of("bob", "phone");

  private final ObjectMapper json = new ObjectMapper();
  private JdbcStores stores;
  private ChatServer server;
  private ChatWebSocket endpoint;
  private TyrusChatServerHost host;

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    if (endpoint != null) {
      endpoint.close();
    }
    if (server != null) {
      server.close();
    }
    if (stores != null) {
      stores.close();
    }
  }

  @Test
  @DisplayName(
      "a device reconnecting to 10,000 queued messages receives all of them once, in order, with"
          + " one ACK frame per batch, and its queue is empty afterwards")
  void drainsTenThousandInOrder() throws Exception {
    stores =
        JdbcStores.fromUrl(
            "jdbc:h2:mem:backlog-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
    server =
        ChatServer.builder()
            .offlineStore(stores.offlineStore())
            .idempotencyStore(stores.idempotencyStore())
            .deviceDirectory(stores.deviceDirectory())
            .noArchive()
            .build()
            .start();
    JwtAuthenticator auth =
        JwtAuthenticator.builder().hmacSecret(SECRET).issuer("test").audience("chat").build();
    endpoint =
        ChatWebSocket.builder(server::connect, auth)
            .containerSupport(TyrusChatServerHost.support())
            .build();
    host = TyrusChatServerHost.builder(endpoint).port(0).build().start();

    server.connect(BOB, new RecordingConnection()).close(); // a known device, now offline
    DeviceSession alice = server.connect(ALICE, new RecordingConnection());
    List<String> sent = new ArrayList<>(BACKLOG);
    List<CompletableFuture<?>> accepted = new ArrayList<>(BACKLOG);
    for (int i = 0; i < BACKLOG; i++) {
      String id = String.format("m%05d", i);
      sent.add(id);
      accepted.add(alice.send(SendRequest.text(id, Recipient.user(BOB.user()), "backlog " + i)));
      if (accepted.size() % 500 == 0) {
        CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new))
            .get(60, TimeUnit.SECONDS);
      }
    }
    CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(60)).until(() -> stores.offlineStore().depth(BOB) == BACKLOG);

    String token =
        JwtIssuer.hs256(SECRET, "test", "chat", Duration.ofMinutes(5), Clock.systemUTC())
            .issue(BOB);
    Receiver receiver = new Receiver();
    long connectedAt = System.nanoTime();
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .subprotocols("messagingkit.v1")
            .header("Authorization", "Bearer " + token)
            .buildAsync(URI.create("ws://127.0.0.1:" + host.port() + "/ws"), receiver)
            .get(10, TimeUnit.SECONDS);
    receiver.ws = ws;

    assertThat(receiver.all.await(120, TimeUnit.SECONDS))
        .as("all %d messages arrived (got %d)", BACKLOG, receiver.ids.size())
        .isTrue();
    long drainMillis = (System.nanoTime() - connectedAt) / 1_000_000;
    await().atMost(Duration.ofSeconds(30)).until(() -> stores.offlineStore().depth(BOB) == 0);
    // a figure for docs/benchmarks.md, not a pass criterion
    System.out.printf(
        "BacklogDrainIT: %d messages drained over the wire in %d ms with %d ACK frames%n",
        BACKLOG, drainMillis, receiver.ackFrames);
    assertThat(receiver.ids).containsExactlyElementsOf(sent);
    assertThat(receiver.errors).isEmpty();
    assertThat(receiver.ackFrames).isLessThanOrEqualTo(BACKLOG / ACK_EVERY + 1);
    ws.sendClose(1000, "done").get(5, TimeUnit.SECONDS);
  }

  /** A raw JDK client: records MESSAGE ids in arrival order, ACKs {upTo} every 200 messages. */
  private final class Receiver implements WebSocket.Listener {
    final List<String> ids = new CopyOnWriteArrayList<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final CountDownLatch all = new CountDownLatch(BACKLOG);
    volatile WebSocket ws;
    int ackFrames;
    private final StringBuilder text = new StringBuilder();
    private CompletableFuture<?> writes = CompletableFuture.completedFuture(null);

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String frame = text.toString();
        text.setLength(0);
        onFrame(webSocket, frame);
      }
      webSocket.request(1);
      return null;
    }

    private void onFrame(WebSocket webSocket, String frame) {
      JsonNode node;
      try {
        node = json.readTree(frame);
      } catch (Exception e) {
        errors.add("unparsable frame: " + frame);
        return;
      }
      String type = node.path("type").asText();
      if (type.equals("ERROR")) {
        errors.add(frame);
      } else if (type.equals("MESSAGE")) {
        ids.add(node.path("id").asText());
        long position = node.path("queueSeq").asLong();
        if (position <= 0) {
          errors.add("MESSAGE without queueSeq: " + frame);
        }
        if (ids.size() % ACK_EVERY == 0 || ids.size() == BACKLOG) {
          ackFrames++;
          String ack = "{\"type\":\"ACK\",\"upTo\":" + position + "}";
          writes = writes.thenCompose(x -> webSocket.sendText(ack, true));
        }
        all.countDown();
      }
    }
  }
}
