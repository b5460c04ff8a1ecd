package io.messagingkit.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * End-to-end behaviour of the WebSocket transport with real WebSocket clients (the JDK's) through a
 * running container and a real {@link ChatServer}. Each container runs it: {@code
 * TyrusChatTransportTest}, {@code JettyChatTransportTest}.
 */
abstract class ChatTransportContract {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final String ORIGIN = "http://chat.example";

  /** Deploys {@code ws} on a container listening on a free port; returns the host. */
  protected abstract Host host(WebSocketSettings settings, DeviceConnectorAndAuth wiring);

  /** Builds the {@link ChatWebSocket} with this container's support. */
  protected abstract ChatWebSocket.Builder configure(ChatWebSocket.Builder builder);

  interface Host extends AutoCloseable {
    int port();

    @Override
    void close();
  }

  record DeviceConnectorAndAuth(DeviceConnector connector, JwtAuthenticator authenticator) {}

  ChatServer server;
  JwtAuthenticator auth;
  final List<AutoCloseable> extra = new ArrayList<>();
  ChatWebSocket ws;
  Host host;
  JwtIssuer issuer;
  final List<WireClient> clients = new ArrayList<>();

  @BeforeEach
  void startServer() {
    start(defaults().build());
  }

  static WebSocketSettings.Builder defaults() {
    return WebSocketSettings.builder()
        .allowOrigins(ORIGIN)
        .rateLimit(500, 1000)
        .inboundByteRate(64L << 20, 64L << 20)
        .maxConnectionsPerAddress(50);
  }

  void start(WebSocketSettings settings) {
    start(settings, io.messagingkit.core.ChatServerSettings.defaults());
  }

  void start(WebSocketSettings settings, io.messagingkit.core.ChatServerSettings serverSettings) {
    stopServer();
    server = ChatServer.builder().settings(serverSettings).build().start();
    auth = JwtAuthenticator.builder().hmacSecret(SECRET).issuer("test").audience("chat").build();
    issuer = JwtIssuer.hs256(SECRET, "test", "chat", Duration.ofMinutes(5), Clock.systemUTC());
    ws = configure(ChatWebSocket.builder(server::connect, auth).settings(settings)).build();
    host = host(settings, new DeviceConnectorAndAuth(server::connect, auth));
  }

  @AfterEach
  void stopServer() {
    clients.forEach(WireClient::close);
    clients.clear();
    for (AutoCloseable c : extra) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    extra.clear();
    if (host != null) {
      host.close();
      host = null;
    }
    if (ws != null) {
      ws.close();
    }
    if (server != null) {
      server.close();
      server = null;
    }
  }

  URI uri() {
    return URI.create("ws://127.0.0.1:" + host.port() + "/ws");
  }

  String token(String user, String device) {
    return issuer.issue(DeviceAddress.of(user, device));
  }

  WireClient connect(String user, String device) {
    WireClient c =
        WireClient.connect(
            uri(), Map.of("Authorization", "Bearer " + token(user, device)), "messagingkit.v1");
    clients.add(c);
    JsonNode welcome = c.next("WELCOME");
    assertThat(welcome.path("user").asText()).isEqualTo(user);
    return c;
  }

  static Map<String, Object> frame(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static Map<String, Object> text(String id, String to, String text) {
    return frame("type", "SEND", "id", id, "to", to, "kind", "TEXT", "text", text);
  }

  @Nested
  @DisplayName("handshake")
  class Handshake {
    @Test
    @DisplayName("a valid bearer token gets WELCOME with the authenticated device and subprotocol")
    void bearerToken() {
      WireClient c = connect("alice", "phone");
      assertThat(c.subprotocol()).isEqualTo("messagingkit.v1");
    }

    @Test
    @DisplayName("a token offered as a subprotocol (browsers) is accepted and never echoed")
    void subprotocolToken() {
      WireClient c =
          WireClient.connect(uri(), Map.of(), "messagingkit.v1", "bearer." + token("alice", "web"));
      clients.add(c);
      assertThat(c.next("WELCOME").path("device").asText()).isEqualTo("web");
      assertThat(c.subprotocol()).isEqualTo("messagingkit.v1");
    }

    @Test
    @DisplayName("a token in the access_token query parameter is accepted")
    void queryToken() {
      WireClient c =
          WireClient.connect(URI.create(uri() + "?access_token=" + token("alice", "q")), Map.of());
      clients.add(c);
      assertThat(c.next("WELCOME").path("device").asText()).isEqualTo("q");
    }

    @Test
    @DisplayName("no token, a bad signature or a wrong audience is HTTP 401 with no socket")
    void refused() {
      assertThat(WireClient.refusedStatus(uri(), Map.of())).isEqualTo(401);
      String forged =
          JwtIssuer.hs256(
                  "another-secret-another-secret-xx".getBytes(StandardCharsets.UTF_8),
                  "test",
                  "chat",
                  Duration.ofMinutes(1),
                  Clock.systemUTC())
              .issue(DeviceAddress.of("alice", "x"));
      assertThat(WireClient.refusedStatus(uri(), Map.of("Authorization", "Bearer " + forged)))
          .isEqualTo(401);
      String wrongAudience =
          JwtIssuer.hs256(SECRET, "test", "other", Duration.ofMinutes(1), Clock.systemUTC())
              .issue(DeviceAddress.of("alice", "x"));
      assertThat(
              WireClient.refusedStatus(uri(), Map.of("Authorization", "Bearer " + wrongAudience)))
          .isEqualTo(401);
      assertThat(ws.refusedHandshakes()).isGreaterThanOrEqualTo(3);
      assertThat(server.connectionCount()).isZero();
    }

    @Test
    @DisplayName("a connection is closed with 4005 when its token expires; a fresh token connects")
    void expiry() {
      String shortLived =
          JwtIssuer.hs256(SECRET, "test", "chat", Duration.ofSeconds(2), Clock.systemUTC())
              .issue(DeviceAddress.of("alice", "exp"));
      WireClient c =
          WireClient.connect(
              uri(), Map.of("Authorization", "Bearer " + shortLived), "messagingkit.v1");
      clients.add(c);
      c.next("WELCOME");
      assertThat(c.awaitClose()).isEqualTo(CloseCodes.CREDENTIALS_EXPIRED);
      connect("alice", "exp");
    }

    @Test
    @DisplayName("an Origin outside the allow-list is refused (403); an allowed one connects")
    void origin() {
      Map<String, String> auth = Map.of("Authorization", "Bearer " + token("alice", "o"));
      Map<String, String> evil = new LinkedHashMap<>(auth);
      evil.put("Origin", "http://evil.example");
      assertThat(WireClient.refusedStatus(uri(), evil)).isEqualTo(403);
      Map<String, String> good = new LinkedHashMap<>(auth);
      good.put("Origin", ORIGIN);
      WireClient c = WireClient.connect(uri(), good, "messagingkit.v1");
      clients.add(c);
      c.next("WELCOME");
    }

    @Test
    @DisplayName("offering only other subprotocols is refused with 400")
    void wrongSubprotocol() {
      assertThat(
              WireClient.refusedStatus(
                  uri(),
                  Map.of("Authorization", "Bearer " + token("alice", "s")),
                  "messagingkit.v0"))
          .isEqualTo(400);
    }

    @Test
    @DisplayName("concurrent handshakes each get their own identity")
    void concurrentHandshakes() {
      List<java.util.concurrent.CompletableFuture<String>> users = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String user = "u" + i;
        users.add(
            java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                  WireClient c =
                      WireClient.connect(
                          uri(),
                          Map.of("Authorization", "Bearer " + token(user, "d")),
                          "messagingkit.v1");
                  synchronized (clients) {
                    clients.add(c);
                  }
                  return c.next("WELCOME").path("user").asText();
                }));
      }
      for (int i = 0; i < 20; i++) {
        assertThat(users.get(i).join()).isEqualTo("u" + i);
      }
    }

    @Test
    @DisplayName("connections beyond the per-address cap are refused (429)")
    void perAddressCap() {
      start(defaults().maxConnectionsPerAddress(2).build());
      connect("alice", "d1");
      connect("alice", "d2");
      assertThat(
              WireClient.refusedStatus(
                  uri(), Map.of("Authorization", "Bearer " + token("alice", "d3"))))
          .isEqualTo(429);
    }
  }

  @Nested
  @DisplayName("messaging")
  class Messaging {
    @Test
    @DisplayName("online delivery: SENT_ACK, MESSAGE, DELIVERED_ACK after ACK, READ_ACK after READ")
    void online() {
      WireClient alice = connect("alice", "phone");
      WireClient bob = connect("bob", "phone");
      alice.send(text("m1", "bob", "hello bob"));
      JsonNode sent = alice.next("SENT_ACK");
      assertThat(sent.path("id").asText()).isEqualTo("m1");
      assertThat(sent.path("duplicate").asBoolean()).isFalse();

      JsonNode msg = bob.next("MESSAGE");
      assertThat(msg.path("id").asText()).isEqualTo("m1");
      assertThat(msg.path("from").asText()).isEqualTo("alice");
      assertThat(msg.path("fromDevice").asText()).isEqualTo("phone");
      assertThat(msg.path("to").asText()).isEqualTo("bob");
      assertThat(msg.path("text").asText()).isEqualTo("hello bob");
      bob.send(frame("type", "ACK", "from", "alice", "id", "m1"));

      JsonNode delivered = alice.next("DELIVERED_ACK");
      assertThat(delivered.path("id").asText()).isEqualTo("m1");
      assertThat(delivered.path("by").asText()).isEqualTo("bob");
      alice.send(frame("type", "ACK", "from", "bob", "id", delivered.path("receipt").asText()));

      bob.send(frame("type", "READ", "from", "alice", "id", "m1"));
      JsonNode read = alice.next("READ_ACK");
      assertThat(read.path("id").asText()).isEqualTo("m1");
      assertThat(read.path("by").asText()).isEqualTo("bob");
    }

    @Test
    @DisplayName("offline delivery: queued messages arrive in order when the device connects")
    void offlineInOrder() {
      WireClient alice = connect("alice", "phone");
      WireClient registering = connect("bob", "phone"); // messages go only to registered users
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 2);
      registering.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 1);
      for (int i = 1; i <= 5; i++) {
        alice.send(text("o" + i, "bob", "msg " + i));
        alice.next("SENT_ACK");
      }
      WireClient bob = connect("bob", "phone");
      for (int i = 1; i <= 5; i++) {
        JsonNode m = bob.next("MESSAGE");
        assertThat(m.path("id").asText()).isEqualTo("o" + i);
        bob.send(frame("type", "ACK", "from", "alice", "id", "o" + i));
      }
      for (int i = 1; i <= 5; i++) {
        assertThat(alice.next("DELIVERED_ACK").path("id").asText()).isEqualTo("o" + i);
      }
    }

    @Test
    @DisplayName(
        "one ACK {upTo} acknowledges every message up to that queue position: each sender gets"
            + " DELIVERED_ACK and nothing is delivered again; a bad upTo is refused")
    void cumulativeAck() {
      server.registerDevice(io.messagingkit.core.DeviceAddress.of("bob", "phone"));
      WireClient alice = connect("alice", "phone");
      for (int i = 1; i <= 5; i++) {
        alice.send(text("c" + i, "bob", "msg " + i));
        alice.next("SENT_ACK");
      }
      WireClient bob = connect("bob", "phone");
      long last = 0;
      for (int i = 1; i <= 5; i++) {
        JsonNode m = bob.next("MESSAGE");
        assertThat(m.path("id").asText()).isEqualTo("c" + i);
        assertThat(m.path("queueSeq").asLong()).isGreaterThan(last);
        last = m.path("queueSeq").asLong();
      }
      bob.sendText("{\"type\":\"ACK\",\"upTo\":0}");
      assertThat(bob.next("ERROR").path("code").asText()).isEqualTo("invalid_request");
      bob.sendText("{\"type\":\"ACK\",\"upTo\":" + last + ",\"from\":\"alice\",\"id\":\"c1\"}");
      assertThat(bob.next("ERROR").path("code").asText()).isEqualTo("invalid_request");
      bob.sendText("{\"type\":\"ACK\",\"upTo\":" + last + "}");
      for (int i = 1; i <= 5; i++) {
        assertThat(alice.next("DELIVERED_ACK").path("id").asText()).isEqualTo("c" + i);
      }
      bob.close();
      clients.remove(bob);
      alice.send(text("c6", "bob", "after"));
      alice.next("SENT_ACK");
      WireClient bob2 = connect("bob", "phone");
      assertThat(bob2.next("MESSAGE").path("id").asText()).isEqualTo("c6");
    }

    @Test
    @DisplayName("unacknowledged messages are delivered again after a reconnect")
    void redeliveredAfterReconnect() {
      WireClient alice = connect("alice", "phone");
      WireClient bob = connect("bob", "phone");
      alice.send(text("r1", "bob", "once"));
      alice.next("SENT_ACK");
      bob.next("MESSAGE");
      bob.close();
      clients.remove(bob);
      WireClient bob2 = connect("bob", "phone");
      assertThat(bob2.next("MESSAGE").path("id").asText()).isEqualTo("r1");
    }

    @Test
    @DisplayName("a resend with the same id is acknowledged as a duplicate and delivered once")
    void resendDeliveredOnce() {
      WireClient alice = connect("alice", "phone");
      WireClient bob = connect("bob", "phone");
      alice.send(text("dup", "bob", "one"));
      assertThat(alice.next("SENT_ACK").path("duplicate").asBoolean()).isFalse();
      alice.send(text("dup", "bob", "one"));
      assertThat(alice.next("SENT_ACK").path("duplicate").asBoolean()).isTrue();
      alice.send(text("after", "bob", "two"));
      alice.next("SENT_ACK");
      assertThat(bob.next("MESSAGE").path("id").asText()).isEqualTo("dup");
      bob.send(frame("type", "ACK", "from", "alice", "id", "dup"));
      assertThat(bob.next("MESSAGE").path("id").asText()).isEqualTo("after");
    }

    @Test
    @DisplayName("presence turns online, then offline with last seen, for a user it wrote to")
    void presence() {
      WireClient alice = connect("alice", "phone");
      WireClient bob = connect("bob", "phone");
      bob.send(text("p1", "alice", "hi")); // bob's consent to be seen by alice
      bob.next("SENT_ACK");
      alice.send(frame("type", "PRESENCE_SUBSCRIBE", "rid", "q1", "users", List.of("bob")));
      JsonNode now = alice.next(f -> f.path("rid").asText().equals("q1"), "PRESENCE q1");
      assertThat(now.path("online").asBoolean()).isTrue();
      bob.close();
      clients.remove(bob);
      JsonNode off =
          alice.next(
              f -> f.path("type").asText().equals("PRESENCE") && !f.path("online").asBoolean(),
              "PRESENCE offline");
      assertThat(off.path("user").asText()).isEqualTo("bob");
      assertThat(off.path("lastSeen").isNumber()).isTrue();
    }

    @Test
    @DisplayName("typing reaches the other side of a direct conversation that wrote to the typist")
    void typing() {
      WireClient alice = connect("alice", "phone");
      WireClient bob = connect("bob", "phone");
      bob.send(text("t0", "alice", "hi"));
      bob.next("SENT_ACK");
      alice.send(frame("type", "TYPING", "to", "bob", "typing", true));
      JsonNode t = bob.next("TYPING");
      assertThat(t.path("from").asText()).isEqualTo("alice");
      assertThat(t.path("typing").asBoolean()).isTrue();
    }

    @Test
    @DisplayName("groups: create, message fanned out to members, members listed, history paged")
    void groups() {
      WireClient alice = connect("alice", "phone");
      WireClient bob = connect("bob", "phone");
      WireClient carol = connect("carol", "phone");
      alice.send(
          frame(
              "type",
              "GROUP_CREATE",
              "rid",
              "g1",
              "group",
              "friends",
              "name",
              "Friends",
              "members",
              List.of("bob", "carol")));
      JsonNode created = alice.next("RESULT");
      assertThat(created.path("group").path("id").asText()).isEqualTo("friends");
      alice.send(frame("type", "SEND", "id", "gm1", "group", "friends", "text", "hi all"));
      alice.next("SENT_ACK");
      for (WireClient member : List.of(bob, carol)) {
        JsonNode m = member.next("MESSAGE");
        assertThat(m.path("group").asText()).isEqualTo("friends");
        assertThat(m.path("text").asText()).isEqualTo("hi all");
        member.send(frame("type", "ACK", "from", "alice", "id", "gm1"));
      }
      assertThat(alice.next("DELIVERED_ACK").path("id").asText()).isEqualTo("gm1");
      assertThat(alice.next("DELIVERED_ACK").path("id").asText()).isEqualTo("gm1");

      bob.send(frame("type", "GROUP_MEMBERS", "rid", "mem", "group", "friends"));
      assertThat(bob.next("RESULT").path("members")).hasSize(3);
      carol.send(frame("type", "HISTORY", "rid", "h1", "group", "friends", "limit", 10));
      JsonNode page = carol.next("HISTORY_PAGE");
      assertThat(page.path("messages").get(0).path("id").asText()).isEqualTo("gm1");
    }
  }

  @Nested
  @DisplayName("bad input")
  class BadInput {
    WireClient alice;
    WireClient bob;

    @BeforeEach
    void connectBoth() {
      alice = connect("alice", "phone");
      bob = connect("bob", "phone");
    }

    JsonNode error(WireClient c) {
      return c.next("ERROR");
    }

    /** The other connection still works. */
    void othersUnharmed() {
      bob.send(text("ok-" + System.nanoTime(), "bob", "still here"));
      bob.next("SENT_ACK");
    }

    @Test
    @DisplayName("malformed JSON gets invalid_request")
    void malformed() {
      alice.sendText("{not json");
      JsonNode e = error(alice);
      assertThat(e.path("code").asText()).isEqualTo("invalid_request");
      assertThat(e.path("retryable").asBoolean()).isFalse();
      othersUnharmed();
    }

    @Test
    @DisplayName("an unknown type gets invalid_request naming the type")
    void unknownType() {
      alice.send(frame("type", "FLY", "rid", "x1"));
      JsonNode e = error(alice);
      assertThat(e.path("code").asText()).isEqualTo("invalid_request");
      assertThat(e.path("ref").asText()).isEqualTo("x1");
      assertThat(e.path("message").asText()).contains("FLY");
    }

    @Test
    @DisplayName("a missing field gets invalid_request naming the field and the message id")
    void missingField() {
      alice.send(frame("type", "SEND", "id", "m9", "text", "no recipient"));
      JsonNode e = error(alice);
      assertThat(e.path("code").asText()).isEqualTo("invalid_request");
      assertThat(e.path("ref").asText()).isEqualTo("m9");
      assertThat(e.path("message").asText()).contains("'to'");
    }

    @Test
    @DisplayName("a wrong-typed field gets invalid_request")
    void wrongType() {
      alice.send(frame("type", "TYPING", "to", "bob", "typing", "yes"));
      assertThat(error(alice).path("message").asText()).contains("'typing'");
      alice.send(frame("type", "SEND", "id", 42, "to", "bob", "text", "x"));
      assertThat(error(alice).path("code").asText()).isEqualTo("invalid_request");
    }

    @Test
    @DisplayName("a SEND claiming another sender is forbidden and delivers nothing")
    void spoofedSender() {
      alice.send(frame("type", "SEND", "id", "sp1", "from", "bob", "to", "bob", "text", "x"));
      JsonNode e = error(alice);
      assertThat(e.path("code").asText()).isEqualTo("forbidden");
      assertThat(e.path("ref").asText()).isEqualTo("sp1");
      bob.assertNo("MESSAGE", Duration.ofMillis(300));
    }

    @Test
    @DisplayName("a group send by a non-member is forbidden")
    void nonMember() {
      bob.send(
          frame(
              "type",
              "GROUP_CREATE",
              "rid",
              "c",
              "group",
              "bobs",
              "name",
              "Bob's",
              "members",
              List.of()));
      bob.next("RESULT");
      alice.send(frame("type", "SEND", "id", "nm1", "group", "bobs", "text", "let me in"));
      JsonNode e = error(alice);
      assertThat(e.path("code").asText()).isEqualTo("forbidden");
      assertThat(e.path("ref").asText()).isEqualTo("nm1");
      othersUnharmed();
    }

    @Test
    @DisplayName("a binary frame closes the connection with 1003")
    void binary() {
      alice.sendBinary(new byte[] {1, 2, 3});
      assertThat(alice.awaitClose()).isEqualTo(1003);
      othersUnharmed();
    }

    @Test
    @DisplayName("a text frame over the limit closes the connection with 1009")
    void oversize() {
      alice.sendText(
          "{\"type\":\"SEND\",\"id\":\"big\",\"to\":\"bob\",\"text\":\""
              + "x".repeat(70 * 1024)
              + "\"}");
      assertThat(alice.awaitClose()).isEqualTo(1009);
      othersUnharmed();
    }
  }

  @Nested
  @DisplayName("backpressure")
  class Backpressure {
    @Test
    @DisplayName("a device that stops reading is closed as a slow consumer; nothing is lost")
    void slowConsumer() {
      // A core that sends without waiting for acknowledgments (an unbounded delivery window), so
      // that
      // the transport's own byte bound is what stops the flood.
      start(
          defaults().maxOutboundBytesPerConnection(256 * 1024).build(),
          io.messagingkit.core.ChatServerSettings.defaults()
              .withDelivery(200, 100_000)
              .withDeliveryWindowBytes(1L << 40));
      WireClient alice = connect("alice", "phone");
      WireClient stuck =
          WireClient.connectNotReading(
              uri(), Map.of("Authorization", "Bearer " + token("bob", "phone")), "messagingkit.v1");
      clients.add(stuck);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.connectionCount() == 2);
      String big = "x".repeat(48 * 1024);
      int sent = 0;
      for (; sent < 400 && server.connectionCount() == 2; sent++) {
        alice.send(text("bp" + sent, "bob", big));
        alice.next("SENT_ACK");
      }
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> server.connectionCount() == 1);
      assertThat(sent).as("messages sent before bob was closed").isLessThan(400);
      // Bob comes back reading, through an endpoint whose queue holds the core's delivery window
      // (a reconnecting device is sent up to that many queued messages at once): every accepted
      // message arrives, in order.
      extra.add(host);
      extra.add(ws);
      WebSocketSettings roomy =
          defaults().maxOutboundBytesPerConnection(64L << 20).maxOutboundBytes(128L << 20).build();
      ws = configure(ChatWebSocket.builder(server::connect, auth).settings(roomy)).build();
      host = host(roomy, new DeviceConnectorAndAuth(server::connect, auth));
      WireClient bob = connect("bob", "phone");
      for (int i = 0; i < sent; i++) {
        JsonNode m = bob.next("MESSAGE");
        assertThat(m.path("id").asText()).isEqualTo("bp" + i);
        bob.send(frame("type", "ACK", "from", "alice", "id", "bp" + i));
      }
      alice.send(frame("type", "HEARTBEAT"));
      alice.next("HEARTBEAT_ACK");
    }
  }

  @Nested
  @DisplayName("heartbeat")
  class Heartbeat {
    @Test
    @DisplayName("a device without heartbeats is closed with 4003; one sending HEARTBEAT stays")
    void idle() {
      start(
          defaults().build(),
          io.messagingkit.core.ChatServerSettings.defaults()
              .withHeartbeat(Duration.ofMillis(200), Duration.ofMillis(800)));
      WireClient silent = connect("alice", "phone");
      WireClient alive = connect("bob", "phone");
      // Bob heartbeats every 100 ms while Alice stays silent.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                alive.send(frame("type", "HEARTBEAT"));
                return silent.closeCode.isDone();
              });
      assertThat(silent.awaitClose()).isEqualTo(4003);
      assertThat(alive.closeCode).isNotDone();
    }
  }

  @Nested
  @DisplayName("rate limit")
  class RateLimit {
    @Test
    @DisplayName("frames over the rate get rate_limited errors, then close 1008 on continued abuse")
    void abuse() {
      start(defaults().rateLimit(1, 5).maxRateViolations(3).build());
      WireClient alice = connect("alice", "phone");
      WireClient bob = connect("bob", "phone");
      for (int i = 0; i < 12; i++) {
        alice.send(frame("type", "GROUP_LIST", "rid", "l" + i));
      }
      JsonNode e = alice.next("ERROR");
      assertThat(e.path("code").asText()).isEqualTo("rate_limited");
      assertThat(e.path("retryable").asBoolean()).isTrue();
      assertThat(alice.awaitClose()).isEqualTo(1008);
      bob.send(frame("type", "HEARTBEAT"));
      bob.next("HEARTBEAT_ACK");
    }
  }
}
