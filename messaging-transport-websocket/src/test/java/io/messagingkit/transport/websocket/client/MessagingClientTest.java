package io.messagingkit.transport.websocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupInfo;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Presence;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.transport.websocket.ChatWebSocket;
import io.messagingkit.transport.websocket.JwtAuthenticator;
import io.messagingkit.transport.websocket.JwtIssuer;
import io.messagingkit.transport.websocket.WebSocketSettings;
import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The client SDK against a real server (Jetty host, in-memory ChatServer). */
class MessagingClientTest {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  ChatServer server;
  ChatWebSocket ws;
  JettyChatServerHost host;
  int port;
  JwtIssuer issuer = JwtIssuer.hs256(SECRET, "t", "c", Duration.ofMinutes(5), Clock.systemUTC());
  final List<MessagingClient> clients = new ArrayList<>();

  /** Records what a client's listener heard. */
  static final class Heard implements MessagingClient.Listener {
    final List<ServerFrame.Message> messages = new CopyOnWriteArrayList<>();
    final List<ServerFrame.Receipt> delivered = new CopyOnWriteArrayList<>();
    final List<ServerFrame.Receipt> read = new CopyOnWriteArrayList<>();
    final List<Presence> presence = new CopyOnWriteArrayList<>();
    final List<String> typing = new CopyOnWriteArrayList<>();
    final List<ServerFrame.GroupEvent> groupEvents = new CopyOnWriteArrayList<>();
    final List<Integer> disconnects = new CopyOnWriteArrayList<>();
    volatile Consumer<ServerFrame.Message> onMessage = m -> {};

    @Override
    public void onMessage(ServerFrame.Message message) {
      messages.add(message);
      onMessage.accept(message);
    }

    @Override
    public void onDelivered(ServerFrame.Receipt receipt) {
      delivered.add(receipt);
    }

    @Override
    public void onRead(ServerFrame.Receipt receipt) {
      read.add(receipt);
    }

    @Override
    public void onPresence(Presence p) {
      presence.add(p);
    }

    @Override
    public void onTyping(UserId from, Recipient to, boolean typing) {
      this.typing.add(from + ":" + typing);
    }

    @Override
    public void onGroupEvent(ServerFrame.GroupEvent event) {
      groupEvents.add(event);
    }

    @Override
    public void onDisconnected(int closeCode, String reason, boolean reconnecting) {
      disconnects.add(closeCode);
    }
  }

  @BeforeEach
  void start() {
    server = ChatServer.builder().build().start();
    JwtAuthenticator auth =
        JwtAuthenticator.builder().hmacSecret(SECRET).issuer("t").audience("c").build();
    ws =
        ChatWebSocket.builder(server::connect, auth)
            .containerSupport(JettyChatServerHost.support())
            .settings(WebSocketSettings.builder().rateLimit(500, 1000).build())
            .build();
    host = JettyChatServerHost.builder(ws).port(0).build().start();
    port = host.port();
  }

  void restartHost() {
    host = JettyChatServerHost.builder(ws).port(port).build().start();
  }

  @AfterEach
  void stop() {
    clients.forEach(MessagingClient::close);
    host.close();
    ws.close();
    server.close();
  }

  MessagingClient client(String user, Heard heard) {
    MessagingClient c =
        MessagingClient.builder(URI.create("ws://127.0.0.1:" + port + "/ws"))
            .token(() -> issuer.issue(DeviceAddress.of(user, "phone")))
            .listener(heard)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
            .build();
    clients.add(c);
    assertThat(c.connect().orTimeout(10, TimeUnit.SECONDS).join())
        .isEqualTo(DeviceAddress.of(user, "phone"));
    return c;
  }

  @Test
  @DisplayName("send completes on SENT_ACK; receipts are automatic; markRead gives READ_ACK")
  void sendDeliverRead() {
    Heard a = new Heard();
    Heard b = new Heard();
    MessagingClient alice = client("alice", a);
    MessagingClient bob = client("bob", b);
    MessagingClient.Sent sent = alice.send(UserId.of("bob"), "hi bob").join();
    assertThat(sent.duplicate()).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(() -> b.messages.size() == 1);
    assertThat(MessagingClient.text(b.messages.get(0))).isEqualTo("hi bob");
    await().atMost(Duration.ofSeconds(10)).until(() -> a.delivered.size() == 1);
    assertThat(a.delivered.get(0).id()).isEqualTo(sent.id());
    bob.markRead(b.messages.get(0));
    await().atMost(Duration.ofSeconds(10)).until(() -> a.read.size() == 1);
    assertThat(a.read.get(0).by().user()).isEqualTo(UserId.of("bob"));
  }

  @Test
  @DisplayName("typing, presence subscription and presence changes reach the listener")
  void typingAndPresence() {
    Heard a = new Heard();
    Heard b = new Heard();
    MessagingClient alice = client("alice", a);
    MessagingClient bob = client("bob", b);
    bob.send(UserId.of("alice"), "hello").join(); // bob lets alice see him and his typing
    List<Presence> now = alice.subscribePresence(List.of(UserId.of("bob"))).join();
    assertThat(now).singleElement().satisfies(p -> assertThat(p.online()).isTrue());
    alice.typing(Recipient.user(UserId.of("bob")), true);
    await().atMost(Duration.ofSeconds(10)).until(() -> b.typing.contains("alice:true"));
    bob.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> a.presence.stream().anyMatch(p -> !p.online() && p.lastSeen() != null));
  }

  @Test
  @DisplayName("groups: create, list, members, group message, history pages")
  void groupsAndHistory() {
    Heard a = new Heard();
    Heard b = new Heard();
    MessagingClient alice = client("alice", a);
    client("bob", b);
    GroupInfo g = alice.createGroup(GroupId.of("team"), "Team", List.of(UserId.of("bob"))).join();
    assertThat(g.name()).isEqualTo("Team");
    assertThat(alice.groups().join()).extracting(GroupInfo::id).containsExactly(g.id());
    assertThat(alice.members(g.id()).join()).hasSize(2);
    for (int i = 0; i < 5; i++) {
      alice.sendToGroup(g.id(), "g" + i).join();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> b.messages.size() == 5);
    MessagingClient.HistoryPage first = alice.history(Recipient.group(g.id()), null, 3).join();
    assertThat(first.messages())
        .extracting(MessagingClient::text)
        .containsExactly("g4", "g3", "g2");
    assertThat(first.next()).isNotNull();
    MessagingClient.HistoryPage second =
        alice.history(Recipient.group(g.id()), first.next(), 3).join();
    assertThat(second.messages()).extracting(MessagingClient::text).containsExactly("g1", "g0");
  }

  @Test
  @DisplayName("a refused request fails its future with the server's error code")
  void refusedRequest() {
    MessagingClient alice = client("alice", new Heard());
    client("bob", new Heard()).createGroup(GroupId.of("closed"), "Closed", List.of()).join();
    assertThatThrownBy(() -> alice.sendToGroup(GroupId.of("closed"), "let me in").join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .satisfies(
            e ->
                assertThat(((io.messagingkit.core.MessagingException) e).code())
                    .isEqualTo(io.messagingkit.core.ErrorCode.FORBIDDEN));
  }

  @Test
  @DisplayName("sends made while the server is down are sent on reconnect and delivered once")
  void resendAfterReconnect() {
    Heard a = new Heard();
    Heard b = new Heard();
    MessagingClient alice = client("alice", a);
    client("bob", b);
    host.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> !alice.isConnected());
    List<CompletableFuture<MessagingClient.Sent>> sends = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sends.add(alice.send(UserId.of("bob"), "while down " + i));
    }
    assertThat(sends).noneMatch(CompletableFuture::isDone);
    restartHost();
    sends.forEach(f -> f.orTimeout(20, TimeUnit.SECONDS).join());
    await().atMost(Duration.ofSeconds(20)).until(() -> b.messages.size() == 3);
    assertThat(b.messages)
        .extracting(MessagingClient::text)
        .containsExactly("while down 0", "while down 1", "while down 2");
    assertThat(alice.reconnects()).isPositive();
  }

  @Test
  @DisplayName("a resend with the same id is acknowledged as a duplicate and never delivered twice")
  void sameIdOnce() {
    Heard b = new Heard();
    MessagingClient alice = client("alice", new Heard());
    client("bob", b);
    MessageId id = MessageId.of("fixed-1");
    byte[] body = "once".getBytes(StandardCharsets.UTF_8);
    assertThat(
            alice
                .send(id, Recipient.user(UserId.of("bob")), MessageType.TEXT, body, null)
                .join()
                .duplicate())
        .isFalse();
    assertThat(
            alice
                .send(id, Recipient.user(UserId.of("bob")), MessageType.TEXT, body, null)
                .join()
                .duplicate())
        .isTrue();
    alice.send(UserId.of("bob"), "marker").join();
    await().atMost(Duration.ofSeconds(10)).until(() -> b.messages.size() == 2);
    assertThat(b.messages).extracting(MessagingClient::text).containsExactly("once", "marker");
  }

  @Test
  @DisplayName("a message redelivered after a lost ACK reaches the listener once")
  void receivedIdsDeduped() throws Exception {
    Heard b = new Heard();
    MessagingClient alice = client("alice", new Heard());
    try (TcpProxy proxy = new TcpProxy(port)) {
      MessagingClient bob =
          MessagingClient.builder(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"))
              .token(() -> issuer.issue(DeviceAddress.of("bob", "phone")))
              .listener(b)
              .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
              .build();
      clients.add(bob);
      bob.connect().orTimeout(10, TimeUnit.SECONDS).join();
      // The first time bob sees the message, the network fails before bob's ACK is written.
      b.onMessage =
          m -> {
            if (b.messages.size() == 1) {
              proxy.cut();
            }
          };
      alice.send(UserId.of("bob"), "exactly once").join();
      await().atMost(Duration.ofSeconds(20)).until(() -> bob.reconnects() > 0 && bob.isConnected());
      alice.send(UserId.of("bob"), "marker").join();
      await().atMost(Duration.ofSeconds(10)).until(() -> b.messages.size() == 2);
      assertThat(b.messages)
          .extracting(MessagingClient::text)
          .containsExactly("exactly once", "marker");
      assertThat(server.meterRegistry().find("messagingkit.messages.delivered").counter().count())
          .as("the server delivered the first message twice; the client showed it once")
          .isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  @DisplayName("a bad token fails connect() and does not retry")
  void badToken() {
    MessagingClient c =
        MessagingClient.builder(URI.create("ws://127.0.0.1:" + port + "/ws"))
            .token(() -> "not-a-jwt")
            .build();
    clients.add(c);
    assertThatThrownBy(() -> c.connect().orTimeout(10, TimeUnit.SECONDS).join())
        .hasCauseInstanceOf(io.messagingkit.core.AuthenticationException.class);
    assertThat(c.reconnects()).isZero();
  }
}
