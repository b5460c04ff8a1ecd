package io.messagingkit.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What one connection or one user can cost the server, tried from outside with raw JDK WebSocket
 * clients: outbound memory held for readers that stop reading (bounded in bytes, per connection and
 * per server), the per-user rate limits (shared by connections, kept across reconnects, in frames
 * and in bytes, with acknowledgments and heartbeats in their own bucket), binary frames, and error
 * texts that carry no internals. Each container runs it: {@code TyrusTransportBoundsTest}, {@code
 * JettyTransportBoundsTest}.
 */
abstract class TransportBoundsContract {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  /** Deploys {@link #ws} on this container on a free port. */
  protected abstract ChatTransportContract.Host host(ChatWebSocket ws);

  /** Builds the {@link ChatWebSocket} with this container's support. */
  protected abstract ChatWebSocket.Builder configure(ChatWebSocket.Builder builder);

  ChatServer server;
  ChatWebSocket ws;
  ChatTransportContract.Host host;
  JwtIssuer issuer;
  final List<WireClient> clients = new ArrayList<>();

  void start(WebSocketSettings settings) {
    // A core that sends without waiting for acknowledgments (an unbounded delivery window), so that
    // the transport's own byte bounds are what stop a flood to a reader that stopped reading.
    server =
        ChatServer.builder()
            .settings(
                io.messagingkit.core.ChatServerSettings.defaults()
                    .withDelivery(200, 100_000)
                    .withDeliveryWindowBytes(1L << 40))
            .build()
            .start();
    server.registerDevice(io.messagingkit.core.DeviceAddress.of("bob", "phone"));
    JwtAuthenticator auth =
        JwtAuthenticator.builder().hmacSecret(SECRET).issuer("test").audience("chat").build();
    issuer = JwtIssuer.hs256(SECRET, "test", "chat", Duration.ofMinutes(5), Clock.systemUTC());
    ws = configure(ChatWebSocket.builder(server::connect, auth).settings(settings)).build();
    host = host(ws);
  }

  static WebSocketSettings.Builder defaults() {
    return WebSocketSettings.builder()
        .rateLimit(500, 1000)
        .inboundByteRate(64L << 20, 64L << 20)
        .maxConnectionsPerAddress(50);
  }

  @AfterEach
  void stop() {
    clients.forEach(WireClient::close);
    clients.clear();
    if (host != null) {
      host.close();
    }
    if (ws != null) {
      ws.close();
    }
    if (server != null) {
      server.close();
    }
  }

  URI uri() {
    return URI.create("ws://127.0.0.1:" + host.port() + "/ws");
  }

  Map<String, String> auth(String user, String device) {
    return Map.of("Authorization", "Bearer " + issuer.issue(DeviceAddress.of(user, device)));
  }

  WireClient connect(String user, String device) {
    WireClient c = WireClient.connect(uri(), auth(user, device), "messagingkit.v1");
    clients.add(c);
    c.next("WELCOME");
    return c;
  }

  /** A client that reads its WELCOME and then stops reading. */
  WireClient connectStuck(String user, String device) {
    WireClient c = WireClient.connectNotReading(uri(), auth(user, device), "messagingkit.v1");
    clients.add(c);
    return c;
  }

  static Map<String, Object> text(String id, String to, String text) {
    return ChatTransportContract.text(id, to, text);
  }

  static Map<String, Object> frame(Object... kv) {
    return ChatTransportContract.frame(kv);
  }

  @Nested
  @DisplayName("outbound memory for readers that stop reading")
  class SlowReaders {
    @Test
    @DisplayName(
        "the bytes held for a device that stops reading stay under its per-connection bound,"
            + " and it is closed with 4004")
    void perConnection() {
      long bound = 256 * 1024;
      start(defaults().maxOutboundBytesPerConnection(bound).build());
      WireClient alice = connect("alice", "phone");
      WireClient bob = connectStuck("bob", "phone");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 2);
      String body = "x".repeat(16 * 1024);
      long maxHeld = 0;
      int sent = 0;
      for (; sent < 2_000 && server.connectionCount() == 2; sent++) {
        alice.send(text("s" + sent, "bob", body));
        alice.next("SENT_ACK");
        maxHeld = Math.max(maxHeld, ws.outboundBytes());
      }
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> server.connectionCount() == 1);
      assertThat(sent).as("messages sent before bob was closed").isLessThan(2_000);
      // Alice's own replies (SENT_ACKs, a few hundred bytes) may be in flight too.
      assertThat(maxHeld).as("bytes held at most").isLessThanOrEqualTo(bound + 4096);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.outboundBytes() == 0);
      bob.resume();
      assertThat(bob.awaitClose()).isEqualTo(CloseCodes.SLOW_CONSUMER);
      alice.send(frame("type", "HEARTBEAT"));
      alice.next("HEARTBEAT_ACK");
    }

    @Test
    @DisplayName(
        "the bytes held for all connections stay under the server's budget; readers are not"
            + " harmed and every byte is released")
    void perServer() {
      long budget = 384 * 1024;
      start(
          defaults()
              .maxOutboundBytesPerConnection(1 << 20)
              .maxOutboundBytes(budget)
              .maxTextFrameBytes(64 * 1024)
              .build());
      WireClient alice = connect("alice", "phone");
      WireClient carol = connect("carol", "phone");
      List<WireClient> stuck = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        stuck.add(connectStuck("bob", "d" + i));
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 5);
      String body = "y".repeat(16 * 1024);
      long maxHeld = 0;
      for (int sent = 0; sent < 500 && server.connectionCount() > 2; sent++) {
        alice.send(text("p" + sent, "bob", body));
        alice.next("SENT_ACK");
        maxHeld = Math.max(maxHeld, ws.outboundBytes());
      }
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> server.connectionCount() == 2);
      assertThat(maxHeld).as("bytes held at most").isLessThanOrEqualTo(budget);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.outboundBytes() == 0);
      for (WireClient s : stuck) {
        s.resume();
        assertThat(s.awaitClose()).isEqualTo(CloseCodes.SLOW_CONSUMER);
      }
      alice.send(text("after", "carol", "still served"));
      alice.next("SENT_ACK");
      assertThat(carol.next("MESSAGE").path("id").asText()).isEqualTo("after");
    }
  }

  @Nested
  @DisplayName("per-user rate limits")
  class RateLimits {
    @Test
    @DisplayName("reconnecting does not restart the limit: raw clients in a reconnect loop")
    void reconnectLoop() {
      start(defaults().rateLimit(5, 10).maxRateViolations(1_000).build());
      long started = System.nanoTime();
      int accepted = 0;
      for (int round = 0; round < 8; round++) {
        WireClient c = connect("mallory", "phone");
        for (int i = 0; i < 10; i++) {
          c.send(text("r" + round + "-" + i, "mallory", "flood"));
        }
        for (int i = 0; i < 10; i++) {
          JsonNode answer =
              c.next(f -> f.path("type").asText().matches("SENT_ACK|ERROR"), "SENT_ACK or ERROR");
          if (answer.path("type").asText().equals("SENT_ACK")) {
            accepted++;
          } else {
            assertThat(answer.path("code").asText()).isEqualTo("rate_limited");
          }
        }
        c.close();
        clients.remove(c);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      // Burst 10 plus 5/s for the time the loop took; 80 when each connection had its own bucket.
      assertThat(accepted).isLessThanOrEqualTo(10 + (int) Math.ceil(5 * seconds) + 1);
      assertThat(accepted).isLessThan(80);
    }

    @Test
    @DisplayName("a user's devices share one limit")
    void sharedByDevices() {
      start(defaults().rateLimit(1, 6).maxRateViolations(1_000).build());
      WireClient phone = connect("mallory", "phone");
      WireClient laptop = connect("mallory", "laptop");
      WireClient other = connect("olivia", "phone");
      int accepted = 0;
      for (int i = 0; i < 6; i++) {
        String rid = "g" + i;
        for (WireClient c : List.of(phone, laptop)) {
          c.send(frame("type", "GROUP_LIST", "rid", rid));
          JsonNode f =
              c.next(
                  x -> x.path("rid").asText().equals(rid) || x.path("ref").asText().equals(rid),
                  "answer to " + rid);
          if (f.path("type").asText().equals("RESULT")) {
            accepted++;
          }
        }
      }
      assertThat(accepted).isBetween(6, 7);
      other.send(frame("type", "GROUP_LIST", "rid", "o1"));
      assertThat(other.next("RESULT").path("rid").asText()).isEqualTo("o1");
    }

    @Test
    @DisplayName("ACK and HEARTBEAT frames have their own generous bucket, not the send limit")
    void controlFramesSeparate() {
      start(defaults().rateLimit(1, 2).controlRateLimit(1_000, 200).build());
      WireClient c = connect("alice", "phone");
      for (int i = 0; i < 100; i++) {
        c.send(frame("type", "HEARTBEAT"));
      }
      for (int i = 0; i < 100; i++) {
        c.next("HEARTBEAT_ACK");
      }
      for (int i = 0; i < 100; i++) {
        c.send(frame("type", "ACK", "from", "bob", "id", "m" + i));
      }
      c.send(frame("type", "HEARTBEAT"));
      c.next("HEARTBEAT_ACK");
      c.assertNo("ERROR", Duration.ofMillis(200));
      c.send(text("a", "bob", "1"));
      c.send(text("b", "bob", "2"));
      c.send(text("c", "bob", "3"));
      c.next("SENT_ACK");
      c.next("SENT_ACK");
      assertThat(c.next("ERROR").path("code").asText()).isEqualTo("rate_limited");
    }

    @Test
    @DisplayName("a flood of ACK and HEARTBEAT frames is bounded too")
    void controlFramesBounded() {
      start(defaults().controlRateLimit(1, 5).maxRateViolations(3).build());
      WireClient c = connect("alice", "phone");
      WireClient bob = connect("bob", "phone");
      for (int i = 0; i < 12; i++) {
        c.send(frame("type", "HEARTBEAT"));
      }
      assertThat(c.next("ERROR").path("code").asText()).isEqualTo("rate_limited");
      assertThat(c.awaitClose()).isEqualTo(1008);
      bob.send(frame("type", "HEARTBEAT"));
      bob.next("HEARTBEAT_ACK");
    }

    @Test
    @DisplayName("inbound bytes are limited per user, not only frames")
    void bytes() {
      start(
          defaults()
              .maxTextFrameBytes(64 * 1024)
              .inboundByteRate(1_024, 100 * 1024)
              .maxRateViolations(1_000)
              .build());
      WireClient c = connect("alice", "phone");
      String big = "z".repeat(40 * 1024);
      c.send(text("b1", "bob", big));
      c.send(text("b2", "bob", big));
      c.send(text("b3", "bob", big));
      assertThat(c.next("SENT_ACK").path("id").asText()).isEqualTo("b1");
      assertThat(c.next("SENT_ACK").path("id").asText()).isEqualTo("b2");
      assertThat(c.next("ERROR").path("code").asText()).isEqualTo("rate_limited");
    }
  }

  @Nested
  @DisplayName("protocol details")
  class Protocol {
    @Test
    @DisplayName("a 4 KiB binary frame is closed with 1003, like any binary frame")
    void binary4k() {
      start(defaults().build());
      WireClient c = connect("alice", "phone");
      c.sendBinary(new byte[4096]);
      assertThat(c.awaitClose()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    }

    @Test
    @DisplayName("a binary frame over the text limit is closed with 1003 too")
    void binaryHuge() {
      start(defaults().build());
      WireClient c = connect("alice", "phone");
      try {
        c.sendBinary(new byte[200 * 1024]);
      } catch (java.util.concurrent.CompletionException closedWhileSending) {
        // The server closes on the first fragment, possibly before the client finished writing.
      }
      assertThat(c.awaitClose()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    }

    @Test
    @DisplayName(
        "a history cursor with an out-of-range time gets invalid_request, not retryable,"
            + " with no internals")
    void cursorOutOfRange() {
      start(defaults().build());
      WireClient c = connect("alice", "phone");
      for (String raw :
          List.of(
              "99999999999999999:0:1:alice:x",
              "-99999999999999999:0:1:alice:x",
              "1:-5:1:alice:x",
              "1:99999999999:1:alice:x",
              "nope")) {
        String cursor =
            "m1." + Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes());
        c.send(frame("type", "HISTORY", "rid", "h1", "with", "bob", "cursor", cursor));
        JsonNode e = c.next("ERROR");
        assertThat(e.path("code").asText()).as(raw).isEqualTo("invalid_request");
        assertThat(e.path("retryable").asBoolean()).isFalse();
        assertNoInternals(e);
      }
    }

    @Test
    @DisplayName(
        "the sender gets one DELIVERED_ACK and one READ_ACK per recipient user, not one per"
            + " device, naming the first device")
    void receiptsPerUser() {
      start(defaults().build());
      WireClient alice = connect("alice", "phone");
      WireClient phone = connect("bob", "phone");
      WireClient laptop = connect("bob", "laptop");
      alice.send(text("m1", "bob", "hi"));
      alice.next("SENT_ACK");
      for (WireClient d : List.of(phone, laptop)) {
        assertThat(d.next("MESSAGE").path("id").asText()).isEqualTo("m1");
        d.send(frame("type", "ACK", "from", "alice", "id", "m1"));
        d.send(frame("type", "READ", "from", "alice", "id", "m1"));
      }
      JsonNode delivered = alice.next("DELIVERED_ACK");
      assertThat(delivered.path("id").asText()).isEqualTo("m1");
      assertThat(delivered.path("by").asText()).isEqualTo("bob");
      assertThat(delivered.path("byDevice").asText()).isIn("phone", "laptop");
      assertThat(alice.next("READ_ACK").path("id").asText()).isEqualTo("m1");
      // A later message's receipts arrive after any second copy would have.
      alice.send(text("m2", "bob", "again"));
      phone.next(f -> f.path("id").asText().equals("m2"), "MESSAGE m2");
      phone.send(frame("type", "ACK", "from", "alice", "id", "m2"));
      alice.next(
          f ->
              f.path("type").asText().equals("DELIVERED_ACK") && f.path("id").asText().equals("m2"),
          "DELIVERED_ACK m2");
      alice.assertNo("DELIVERED_ACK", Duration.ofMillis(300));
      alice.assertNo("READ_ACK", Duration.ofMillis(1));
    }

    @Test
    @DisplayName(
        "an unpaired surrogate echoed back (as a rid) comes back as U+FFFD and the connection"
            + " keeps answering")
    void unpairedSurrogate() {
      start(defaults().build());
      WireClient c = connect("alice", "phone");
      c.sendText("{\"type\":\"GROUP_LIST\",\"rid\":\"a\\ud800b\"}");
      assertThat(c.next("RESULT").path("rid").asText()).isEqualTo("a\ufffdb");
      c.sendText("{\"type\":\"FLY\",\"rid\":\"\\udc00\"}");
      assertThat(c.next("ERROR").path("ref").asText()).isEqualTo("\ufffd");
      c.send(frame("type", "HEARTBEAT"));
      c.next("HEARTBEAT_ACK");
    }

    @Test
    @DisplayName("malformed JSON and out-of-range numbers get errors without parser internals")
    void noParserInternals() {
      start(defaults().build());
      WireClient c = connect("alice", "phone");
      c.sendText("{\"type\":\"SEND\",\"id\":\"x\"," + "[".repeat(40));
      assertNoInternals(c.next("ERROR"));
      c.sendText("{" + "\"a\":{".repeat(40) + "}".repeat(41));
      assertNoInternals(c.next("ERROR"));
      c.sendText("{\"type\":\"SEND\",\"id\":\"t1\",\"to\":\"bob\",\"text\":\"x\",\"ts\":1e400}");
      assertNoInternals(c.next("ERROR"));
      c.sendText(
          "{\"type\":\"SEND\",\"id\":\"t2\",\"to\":\"bob\",\"text\":\"x\",\"ts\":"
              + "9".repeat(30)
              + "}");
      assertNoInternals(c.next("ERROR"));
      c.sendText("\"\\ud800\"");
      assertNoInternals(c.next("ERROR"));
    }
  }

  private static final Pattern INTERNALS =
      Pattern.compile(
          "Exception|\\bat [a-z]+\\.|java\\.|com\\.fasterxml|jackson|org\\.|io\\.messagingkit"
              + "|StreamReadConstraints|For input string");

  static void assertNoInternals(JsonNode error) {
    assertThat(error.path("type").asText()).isEqualTo("ERROR");
    assertThat(error.path("message").asText()).doesNotContainPattern(INTERNALS);
  }
}
