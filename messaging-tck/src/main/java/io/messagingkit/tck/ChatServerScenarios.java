package io.messagingkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.ChatServerSettings;
import io.messagingkit.core.Conversation;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceConnection.CloseReason;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.ForbiddenException;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupMember;
import io.messagingkit.core.HistoryPage;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.NotFoundException;
import io.messagingkit.core.Presence;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.SendReceipt;
import io.messagingkit.core.SendRequest;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import io.messagingkit.core.memory.RecordingPushGateway;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The scenario suite: whole flows through a running {@link ChatServer}, independent of any
 * transport. An adapter module extends it and swaps its adapters in through {@link #configure};
 * everything else stays on the in-memory defaults. Users are named uniquely per test, so the suite
 * runs against shared, non-empty backends.
 */
public abstract class ChatServerScenarios {

  /** How long a scenario waits for something asynchronous. */
  protected static final Duration WAIT = Duration.ofSeconds(15);

  protected ChatServer server;
  protected RecordingPushGateway push;
  private final List<Device> devices = new ArrayList<>();
  private String run;

  /** Puts the adapters under test into {@code builder}; returns it. */
  protected abstract ChatServer.Builder configure(ChatServer.Builder builder);

  /** Settings the suite runs with; adapters may widen timeouts. */
  protected ChatServerSettings settings() {
    return ChatServerSettings.defaults();
  }

  @BeforeEach
  void startServer() {
    run = UUID.randomUUID().toString().substring(0, 8);
    push = new RecordingPushGateway();
    server =
        configure(
                ChatServer.builder()
                    .serverId("scenario-" + run)
                    .settings(settings())
                    .pushGateway(push))
            .build()
            .start();
  }

  @AfterEach
  void stopServer() {
    for (Device d : devices) {
      d.session.close();
    }
    server.close();
  }

  /** A user name unique to this test. */
  protected UserId user(String name) {
    return UserId.of(name + "-" + run);
  }

  protected GroupId group(String name) {
    return GroupId.of(name + "-" + run);
  }

  protected Device connect(UserId user, String device) {
    return connect(user, device, new RecordingConnection());
  }

  protected Device connect(UserId user, String device, RecordingConnection connection) {
    DeviceAddress address = new DeviceAddress(user, io.messagingkit.core.DeviceId.of(device));
    Device d = new Device(address, connection, server.connect(address, connection));
    devices.add(d);
    return d;
  }

  @Nested
  @DisplayName("delivery window")
  class DeliveryWindow {

    @Test
    @DisplayName(
        "hold live deliveries to the window: a device that does not acknowledge is sent at most"
            + " deliveryWindow messages; acknowledging releases the rest, in order")
    void liveHeldToWindow() {
      int window = settings().deliveryWindow();
      Device bob = connect(user("bob"), "phone");
      Device alice = connect(user("alice"), "phone");
      for (int i = 0; i < window + 20; i++) {
        alice.sendText("m" + i, bob.user(), "x");
      }
      // every send is acknowledged (SENT_ACK) before the next, so all are stored and routed
      assertThat(bob.awaitMessages(window)).hasSize(window);
      assertThat(bob.deliveries()).hasSize(window);
      List<Envelope> all = bob.awaitMessagesAcknowledging(window + 20);
      assertThat(all)
          .extracting(e -> e.id().value())
          .containsExactlyElementsOf(range("m", window + 20));
    }

    @Test
    @DisplayName(
        "hold deliveries to the window in bytes: big bodies stop at deliveryWindowBytes unacknowledged")
    void heldToWindowBytes() {
      int body = settings().maxBodyBytes();
      long windowBytes = settings().deliveryWindowBytes();
      int fit = (int) Math.max(1, (windowBytes + body - 1) / body);
      Device bob = connect(user("bob"), "phone");
      Device alice = connect(user("alice"), "phone");
      int total = fit + 5;
      assertThat(total)
          .as("the byte window binds before the count window")
          .isLessThan(settings().deliveryWindow());
      for (int i = 0; i < total; i++) {
        alice
            .session
            .send(
                new SendRequest(
                    MessageId.of("b" + i),
                    Recipient.user(bob.user()),
                    MessageType.TEXT,
                    new byte[body],
                    null,
                    null,
                    null))
            .join();
      }
      assertThat(bob.awaitMessages(fit)).hasSize(fit);
      assertThat(bob.deliveries()).hasSize(fit);
      List<Envelope> all = bob.awaitMessagesAcknowledging(total);
      assertThat(all).extracting(e -> e.id().value()).containsExactlyElementsOf(range("b", total));
    }
  }

  @Nested
  @DisplayName("one-to-one messages")
  class OneToOne {

    @Test
    @DisplayName("reach an online recipient, and the sender gets SENT, DELIVERED and READ")
    void onlineWithAllAcks() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");

      SendReceipt sent = alice.sendText("m1", bob.user(), "hello");
      assertThat(sent.duplicate()).isFalse();
      assertThat(sent.id()).isEqualTo(MessageId.of("m1"));

      Envelope got = bob.awaitMessage("m1");
      assertThat(text(got)).isEqualTo("hello");
      assertThat(got.sender()).isEqualTo(alice.address);
      assertThat(got.serverSequence()).isPositive();

      bob.ack(got);
      Envelope delivered = alice.awaitReceipt(MessageType.DELIVERED_RECEIPT, "m1");
      assertThat(delivered.from()).isEqualTo(bob.user());

      bob.session.markRead(alice.user(), MessageId.of("m1")).join();
      Envelope read = alice.awaitReceipt(MessageType.READ_RECEIPT, "m1");
      assertThat(read.from()).isEqualTo(bob.user());
    }

    @Test
    @DisplayName("wait for an offline recipient and are drained in order when it connects")
    void offlineDrainedInOrder() {
      Device alice = connect(user("alice"), "phone");
      UserId bobId = user("bob");
      connect(bobId, "phone").session.close(); // bob has a device, now offline
      for (int i = 0; i < 50; i++) {
        alice.sendText("m" + i, bobId, "text " + i);
      }
      Device bob = connect(bobId, "phone");
      List<Envelope> got = bob.awaitMessages(50);
      assertThat(got).extracting(e -> e.id().value()).containsExactlyElementsOf(range("m", 50));
    }

    @Test
    @DisplayName("stay queued until acknowledged: a reconnect without acks gets them again")
    void ackThenDelete() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      alice.sendText("m1", bob.user(), "one");
      bob.awaitMessage("m1");
      bob.session.close();

      Device bobAgain = connect(bob.user(), "phone");
      Envelope again = bobAgain.awaitMessage("m1");
      bobAgain.ack(again);
      bobAgain.session.close();

      Device bobThird = connect(bob.user(), "phone");
      alice.sendText("m2", bob.user(), "two");
      bobThird.awaitMessage("m2");
      assertThat(bobThird.messages()).extracting(e -> e.id().value()).containsExactly("m2");
    }

    @Test
    @DisplayName("are delivered once when resent with the same id, and the resend is acked again")
    void resendDeliveredOnce() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      alice.sendText("dup", bob.user(), "once");
      SendReceipt again = alice.sendText("dup", bob.user(), "once");
      assertThat(again.duplicate()).isTrue();
      alice.sendText("after", bob.user(), "marker");
      bob.awaitMessage("after");
      // Raw deliveries, not the de-duplicated view: a second copy of "dup" arrives before "after".
      assertDeliveredOnce(bob, "dup", "after");
    }

    @Test
    @DisplayName("reach every device of the recipient and the sender's other devices")
    void multiDevice() {
      Device alicePhone = connect(user("alice"), "phone");
      Device aliceLaptop = connect(user("alice"), "laptop");
      Device bobPhone = connect(user("bob"), "phone");
      Device bobTablet = connect(user("bob"), "tablet");
      alicePhone.sendText("m1", bobPhone.user(), "to all");
      bobPhone.awaitMessage("m1");
      bobTablet.awaitMessage("m1");
      aliceLaptop.awaitMessage("m1");
      assertThat(alicePhone.messages()).isEmpty();
    }

    @Test
    @DisplayName(
        "to a user who never connected are refused as not found and kept for no one who takes the"
            + " name later")
    void toUserWithoutDevices() {
      Device alice = connect(user("alice"), "phone");
      UserId carol = user("carol");
      assertThatThrownBy(() -> alice.sendText("early", carol, "welcome"))
          .hasCauseInstanceOf(NotFoundException.class)
          .hasMessageContaining("does not exist");
      Device carolPhone = connect(carol, "phone");
      alice.sendText("later", carol, "hi");
      assertThat(text(carolPhone.awaitMessage("later"))).isEqualTo("hi");
      assertThat(carolPhone.connection.events(ServerEvent.Incoming.class))
          .extracting(i -> i.envelope().id().value())
          .containsExactly("later");
    }

    @Test
    @DisplayName("keep order from one sender to one recipient under concurrent traffic")
    void orderUnderLoad() throws Exception {
      Device bob = connect(user("bob"), "phone");
      List<Device> senders = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        senders.add(connect(user("sender" + s), "phone"));
      }
      List<Thread> threads = new ArrayList<>();
      for (Device sender : senders) {
        Thread t =
            new Thread(
                () -> {
                  for (int i = 0; i < 100; i++) {
                    sender.session.send(SendRequest.text("m" + i, Recipient.user(bob.user()), "x"));
                  }
                });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
      List<Envelope> got = bob.awaitMessagesAcknowledging(400);
      for (Device sender : senders) {
        assertThat(got.stream().filter(e -> e.from().equals(sender.user())))
            .extracting(e -> e.id().value())
            .containsExactlyElementsOf(range("m", 100));
      }
    }
  }

  @Nested
  @DisplayName("isolation and bad input")
  class Isolation {

    @Test
    @DisplayName("a device cannot send as another user")
    void noImpersonation() {
      Device mallory = connect(user("mallory"), "phone");
      Device bob = connect(user("bob"), "phone");
      SendRequest forged =
          new SendRequest(
              MessageId.of("f1"),
              Recipient.user(bob.user()),
              MessageType.TEXT,
              bytes("I am alice"),
              null,
              null,
              user("alice"));
      assertThatThrownBy(() -> mallory.session.send(forged).join())
          .hasCauseInstanceOf(ForbiddenException.class);
      mallory.sendText("real", bob.user(), "marker");
      bob.awaitMessage("real");
      assertThat(bob.messages()).extracting(e -> e.id().value()).containsExactly("real");
    }

    @Test
    @DisplayName("an oversize body is refused with a clear error and nothing is delivered")
    void oversize() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      byte[] big = new byte[settings().maxBodyBytes() + 1];
      SendRequest request =
          new SendRequest(
              MessageId.of("big"),
              Recipient.user(bob.user()),
              MessageType.TEXT,
              big,
              null,
              null,
              null);
      assertThatThrownBy(() -> alice.session.send(request).join())
          .hasCauseInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("big");
      alice.sendText("small", bob.user(), "ok");
      bob.awaitMessage("small");
      assertThat(bob.messages()).hasSize(1);
    }

    @Test
    @DisplayName(
        "presence is hidden, exactly as for a user never seen, until its owner writes to the"
            + " watcher")
    void presencePrivacy() {
      Device alice = connect(user("alice"), "phone");
      Device stranger = connect(user("stranger"), "phone");
      stranger.sendText("hello", alice.user(), "hi, I am new here");
      alice.awaitMessage("hello");
      stranger.session.createGroup(group("trap"), "Trap", List.of(alice.user()));
      assertThat(stranger.session.presenceOf(alice.user()))
          .isEqualTo(Presence.unknown(alice.user()));
      assertThat(stranger.session.presenceOf(user("nobody")))
          .isEqualTo(Presence.unknown(user("nobody")));

      alice.sendText("reply", stranger.user(), "hello to you");
      stranger.awaitMessage("reply");
      assertThat(stranger.session.presenceOf(alice.user()).online()).isTrue();
    }

    @Test
    @DisplayName("history of a direct conversation is readable only by its two users")
    void historyIsolation() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      Device eve = connect(user("eve"), "phone");
      alice.sendText("m1", bob.user(), "secret");
      assertThatThrownBy(
              () -> eve.session.history(Conversation.direct(alice.user(), bob.user()), null, 10))
          .isInstanceOf(ForbiddenException.class);
    }

    @Test
    @DisplayName("a reserved device id (starting with '_') is invalid")
    void reservedDevice() {
      assertThatThrownBy(() -> connect(user("alice"), "_pending"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("groups")
  class Groups {

    @Test
    @DisplayName(
        "fan out to every member device except the sending device, offline members included")
    void fanOut() {
      Device alice = connect(user("alice"), "phone");
      Device aliceLaptop = connect(user("alice"), "laptop");
      Device bob = connect(user("bob"), "phone");
      UserId carol = user("carol");
      connect(carol, "phone").session.close();
      GroupId g = group("friends");
      alice.session.createGroup(g, "Friends", List.of(bob.user(), carol));

      alice.sendToGroup("g1", g, "hi all");
      bob.awaitMessage("g1");
      aliceLaptop.awaitMessage("g1");
      Device carolPhone = connect(carol, "phone");
      Envelope got = carolPhone.awaitMessage("g1");
      assertThat(got.recipient()).isEqualTo(Recipient.group(g));
      assertThat(alice.messages()).isEmpty();
    }

    @Test
    @DisplayName("give the sender a DELIVERED and a READ receipt per member")
    void receiptsPerMember() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      Device carol = connect(user("carol"), "phone");
      GroupId g = group("team");
      alice.session.createGroup(g, "Team", List.of(bob.user(), carol.user()));
      alice.sendToGroup("g1", g, "standup");
      bob.ack(bob.awaitMessage("g1"));
      carol.ack(carol.awaitMessage("g1"));
      bob.session.markRead(alice.user(), MessageId.of("g1")).join();

      List<Envelope> delivered = alice.awaitReceipts(MessageType.DELIVERED_RECEIPT, "g1", 2);
      assertThat(delivered)
          .extracting(Envelope::from)
          .containsExactlyInAnyOrder(bob.user(), carol.user());
      assertThat(alice.awaitReceipt(MessageType.READ_RECEIPT, "g1").from()).isEqualTo(bob.user());
    }

    @Test
    @DisplayName("refuse sends, member lists and history to non-members")
    void nonMember() {
      Device alice = connect(user("alice"), "phone");
      Device eve = connect(user("eve"), "phone");
      GroupId g = group("private");
      alice.session.createGroup(g, "Private", List.of());
      assertThatThrownBy(() -> eve.sendToGroup("x", g, "let me in"))
          .hasCauseInstanceOf(ForbiddenException.class);
      assertThatThrownBy(() -> eve.session.members(g)).isInstanceOf(ForbiddenException.class);
      assertThatThrownBy(() -> eve.session.history(Conversation.group(g), null, 10))
          .isInstanceOf(ForbiddenException.class);
      assertThatThrownBy(() -> eve.sendToGroup("y", group("absent"), "?"))
          .hasCauseInstanceOf(NotFoundException.class);
    }

    @Test
    @DisplayName("let only admins add, remove and promote; members may leave")
    void adminRights() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      UserId carol = connect(user("carol"), "phone").user();
      GroupId g = group("club");
      alice.session.createGroup(g, "Club", List.of(bob.user()));

      assertThatThrownBy(() -> bob.session.addMember(g, carol))
          .isInstanceOf(ForbiddenException.class);
      alice.session.addMember(g, carol);
      alice.session.promoteAdmin(g, bob.user());
      bob.session.removeMember(g, carol);
      assertThat(alice.session.members(g))
          .extracting(GroupMember::member)
          .containsExactlyInAnyOrder(alice.user(), bob.user());

      alice.session.leaveGroup(g);
      assertThat(bob.session.members(g)).containsExactly(new GroupMember(g, bob.user(), true));
      assertThat(alice.session.myGroups()).isEmpty();
      assertThat(bob.session.myGroups()).extracting(i -> i.id()).containsExactly(g);
    }

    @Test
    @DisplayName("keep an admin when the last admin leaves")
    void lastAdminLeaves() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      GroupId g = group("solo");
      alice.session.createGroup(g, "Solo", List.of(bob.user()));
      alice.session.leaveGroup(g);
      assertThat(bob.session.members(g)).containsExactly(new GroupMember(g, bob.user(), true));
    }

    @Test
    @DisplayName("tell online members about membership changes")
    void changeNotices() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      GroupId g = group("news");
      alice.session.createGroup(g, "News", List.of());
      alice.session.addMember(g, bob.user());
      bob.connection.await(
          ServerEvent.GroupChanged.class,
          c -> c.change() == ServerEvent.GroupChanged.Change.MEMBER_ADDED,
          WAIT);
    }
  }

  @Nested
  @DisplayName("presence")
  class PresenceScenarios {

    @Test
    @DisplayName(
        "turns online on connect and offline with last seen on disconnect, pushed to contacts")
    void onAndOff() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      alice.sendText("hi", bob.user(), "hi"); // now they share a conversation
      bob.awaitMessage("hi");
      assertThat(bob.session.presenceOf(alice.user()).online()).isTrue();

      Instant before = Instant.now().minusSeconds(1);
      alice.session.close();
      ServerEvent.PresenceChanged off =
          bob.connection.await(
              ServerEvent.PresenceChanged.class,
              p -> p.presence().user().equals(alice.user()) && !p.presence().online(),
              WAIT);
      assertThat(off.presence().lastSeen()).isAfter(before);
      Presence now = bob.session.presenceOf(alice.user());
      assertThat(now.online()).isFalse();
      assertThat(now.lastSeen()).isNotNull();

      connect(alice.user(), "phone");
      bob.connection.await(
          ServerEvent.PresenceChanged.class,
          p -> p.presence().user().equals(alice.user()) && p.presence().online(),
          WAIT);
    }

    @Test
    @DisplayName("stays online while another device of the user is connected")
    void multiDevicePresence() {
      Device alice = connect(user("alice"), "phone");
      connect(user("alice"), "laptop");
      Device bob = connect(user("bob"), "phone");
      alice.sendText("hi", bob.user(), "hi");
      bob.awaitMessage("hi");
      alice.session.close();
      assertThat(bob.session.presenceOf(alice.user()).online()).isTrue();
    }

    @Test
    @DisplayName(
        "typing reaches a user who wrote to the typist; a stranger's typing reaches no one")
    void typing() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      Device stranger = connect(user("stranger"), "phone");
      bob.sendText("hi", alice.user(), "hi");
      alice.awaitMessage("hi");
      stranger.session.typing(Recipient.user(bob.user()), true);
      alice.session.typing(Recipient.user(bob.user()), true);
      ServerEvent.Typing t = bob.connection.await(ServerEvent.Typing.class, x -> true, WAIT);
      assertThat(t.from()).isEqualTo(alice.user());
      assertThat(t.typing()).isTrue();
      assertThat(bob.connection.events(ServerEvent.Typing.class))
          .extracting(ServerEvent.Typing::from)
          .containsOnly(alice.user());
    }
  }

  @Nested
  @DisplayName("connections")
  class Connections {

    @Test
    @DisplayName("a second connection of the same device replaces the first")
    void replaced() {
      Device first = connect(user("alice"), "phone");
      connect(user("alice"), "phone");
      assertThat(first.connection.closeReason()).isEqualTo(CloseReason.REPLACED);
    }

    @Test
    @DisplayName("a slow consumer is closed and its messages stay queued for the next connection")
    void slowConsumer() {
      Device alice = connect(user("alice"), "phone");
      UserId bobId = user("bob");
      Device slow = connect(bobId, "phone", new RecordingConnection(3));
      for (int i = 0; i < 10; i++) {
        alice.sendText("m" + i, bobId, "x");
      }
      Awaitility.await().atMost(WAIT).until(() -> slow.connection.closeReason() != null);
      assertThat(slow.connection.closeReason()).isEqualTo(CloseReason.SLOW_CONSUMER);
      Device bob = connect(bobId, "phone");
      assertThat(bob.awaitMessages(10))
          .extracting(e -> e.id().value())
          .containsExactlyElementsOf(range("m", 10));
    }

    @Test
    @DisplayName(
        "a large backlog is drained in order within the delivery window as the device acks")
    void largeBacklog() {
      Device alice = connect(user("alice"), "phone");
      UserId bobId = user("bob");
      connect(bobId, "phone").session.close();
      int n = 1500;
      List<java.util.concurrent.CompletableFuture<SendReceipt>> sends = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sends.add(alice.session.send(SendRequest.text("m" + i, Recipient.user(bobId), "x")));
      }
      sends.forEach(java.util.concurrent.CompletableFuture::join);
      RecordingConnection window = new RecordingConnection();
      Device bob = connect(bobId, "phone", window);
      List<String> seen = new ArrayList<>();
      // on an asynchronous bus the 1500 are still being routed (one key: one at a time)
      Awaitility.await()
          .atMost(WAIT.multipliedBy(4))
          .pollInterval(Duration.ofMillis(5))
          .until(
              () -> {
                for (Envelope e : bob.messages()) {
                  if (seen.size() < n && !seen.contains(e.id().value())) {
                    seen.add(e.id().value());
                    bob.ack(e);
                  }
                }
                return seen.size() == n;
              });
      assertThat(seen).containsExactlyElementsOf(range("m", n));
    }

    @Test
    @DisplayName("an offline device with a push target is woken once per window, without content")
    void pushWhenOffline() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      PushTarget target = new PushTarget(PushTarget.Platform.FCM, "token-" + run, Map.of());
      bob.session.registerPushTarget(target);
      bob.session.close();
      alice.sendText("p1", bob.user(), "secret text");
      alice.sendText("p2", bob.user(), "more");
      Awaitility.await().atMost(WAIT).until(() -> !pushesTo(bob).isEmpty());
      alice.sendText("p3", bob.user(), "even more");
      List<RecordingPushGateway.Sent> sent = pushesTo(bob);
      assertThat(sent).hasSize(1);
      assertThat(sent.get(0).target()).isEqualTo(target);
      assertThat(sent.get(0).notification().preview()).isNull();
      assertThat(sent.get(0).notification().pending()).isPositive();
    }

    @Test
    @DisplayName("no push is sent to an online device")
    void noPushWhenOnline() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      bob.session.registerPushTarget(
          new PushTarget(PushTarget.Platform.APNS, "apns-" + run, Map.of()));
      alice.sendText("m1", bob.user(), "hi");
      bob.awaitMessage("m1");
      assertThat(pushesTo(bob)).isEmpty();
    }

    private List<RecordingPushGateway.Sent> pushesTo(Device device) {
      return push.sent().stream()
          .filter(s -> s.notification().device().equals(device.address))
          .toList();
    }
  }

  @Nested
  @DisplayName("history")
  class History {

    @Test
    @DisplayName("pages a conversation newest first by cursor, never skipping or repeating")
    void paging() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      for (int i = 0; i < 25; i++) {
        alice.sendText("h" + i, bob.user(), "n" + i);
      }
      // SENT_ACK means durably accepted; on an asynchronous bus routing (and archiving) follows
      bob.awaitMessages(25);
      List<String> ids = new ArrayList<>();
      String cursor = null;
      do {
        HistoryPage page =
            bob.session.history(Conversation.direct(alice.user(), bob.user()), cursor, 10);
        page.messages().forEach(e -> ids.add(e.id().value()));
        cursor = page.nextCursor();
      } while (cursor != null);
      List<String> expected = new ArrayList<>(range("h", 25));
      java.util.Collections.reverse(expected);
      assertThat(ids).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("keeps group messages for members")
    void groupHistory() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      GroupId g = group("book");
      alice.session.createGroup(g, "Book club", List.of(bob.user()));
      alice.sendToGroup("g1", g, "chapter 1");
      bob.awaitMessage("g1");
      HistoryPage page = bob.session.history(Conversation.group(g), null, 10);
      assertThat(page.messages()).extracting(e -> e.id().value()).containsExactly("g1");
    }
  }

  @Nested
  @DisplayName("receipts and history only for recipients")
  class RecipientsOnly {

    private List<Envelope> readsOf(Device sender, String id) {
      return sender.connection.events(ServerEvent.Incoming.class).stream()
          .map(ServerEvent.Incoming::envelope)
          .filter(e -> e.type() == MessageType.READ_RECEIPT)
          .filter(e -> e.refersTo() != null && e.refersTo().value().equals(id))
          .toList();
    }

    @Test
    @DisplayName(
        "a READ from a non-recipient, or of a message that does not exist, completes alike and"
            + " reaches no one")
    void readOnlyByRecipient() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      Device stranger = connect(user("stranger"), "phone");
      alice.sendText("m1", bob.user(), "for bob");
      bob.awaitMessage("m1");

      stranger.session.markRead(alice.user(), MessageId.of("m1")).join();
      stranger.session.markRead(alice.user(), MessageId.of("never-sent")).join();
      bob.session.markRead(alice.user(), MessageId.of("m1")).join();

      alice.awaitReceipt(MessageType.READ_RECEIPT, "m1");
      bob.sendText("marker", alice.user(), "after the reads"); // in order after them all
      alice.awaitMessage("marker");
      assertThat(readsOf(alice, "m1")).extracting(Envelope::from).containsOnly(bob.user());
      assertThat(readsOf(alice, "never-sent")).isEmpty();
    }

    @Test
    @DisplayName("a READ repeated by its reader is forwarded once")
    void readOnce() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      alice.sendText("m1", bob.user(), "for bob");
      bob.awaitMessage("m1");
      bob.session.markRead(alice.user(), MessageId.of("m1")).join();
      alice.ack(alice.awaitReceipt(MessageType.READ_RECEIPT, "m1")); // its queue entry is gone
      for (int i = 0; i < 5; i++) {
        bob.session.markRead(alice.user(), MessageId.of("m1")).join();
      }
      bob.sendText("marker", alice.user(), "after the reads");
      alice.awaitMessage("marker");
      assertThat(readsOf(alice, "m1")).hasSize(1);
    }

    @Test
    @DisplayName(
        "a group READ counts only from members who were in the group when the message was sent")
    void groupReadByMembersOfTheTime() {
      Device alice = connect(user("alice"), "phone");
      Device bob = connect(user("bob"), "phone");
      Device carol = connect(user("carol"), "phone");
      GroupId g = group("club");
      alice.session.createGroup(g, "Club", List.of(bob.user()));
      alice.sendToGroup("g1", g, "before carol");
      bob.awaitMessage("g1");
      alice.session.addMember(g, carol.user());
      alice.session.removeMember(g, bob.user());
      alice.session.addMember(g, bob.user()); // re-added: a new membership

      carol.session.markRead(alice.user(), MessageId.of("g1")).join(); // joined later
      bob.session.markRead(alice.user(), MessageId.of("g1")).join(); // not continuously

      alice.sendToGroup("g2", g, "for everyone");
      carol.awaitMessage("g2");
      carol.session.markRead(alice.user(), MessageId.of("g2")).join();
      assertThat(alice.awaitReceipt(MessageType.READ_RECEIPT, "g2").from()).isEqualTo(carol.user());
      bob.sendText("marker", alice.user(), "after the reads");
      alice.awaitMessage("marker");
      assertThat(readsOf(alice, "g1")).isEmpty();
    }

    @Test
    @DisplayName(
        "group history starts when the reader joined, also after being removed and added again")
    void historyFromJoin() {
      Device alice = connect(user("alice"), "phone");
      Device carol = connect(user("carol"), "phone");
      GroupId g = group("history");
      alice.session.createGroup(g, "History", List.of());
      alice.sendToGroup("before", g, "old news");
      alice.session.addMember(g, carol.user());
      alice.sendToGroup("while", g, "welcome");
      carol.awaitMessage("while");
      HistoryPage page = carol.session.history(Conversation.group(g), null, 10);
      assertThat(page.messages()).extracting(e -> e.id().value()).containsExactly("while");
      assertThat(page.nextCursor()).isNull();

      alice.session.removeMember(g, carol.user());
      alice.sendToGroup("away", g, "behind carol's back");
      alice.session.addMember(g, carol.user());
      alice.sendToGroup("back", g, "welcome back");
      carol.awaitMessage("back");
      page = carol.session.history(Conversation.group(g), null, 1);
      assertThat(page.messages()).extracting(e -> e.id().value()).containsExactly("back");
      // the creator's cursor reaches further back; the re-added member's page stops at its join
      String cursor = alice.session.history(Conversation.group(g), null, 3).nextCursor();
      assertThat(cursor).isNotNull();
      assertThat(carol.session.history(Conversation.group(g), cursor, 10).messages()).isEmpty();
      if (page.nextCursor() != null) {
        assertThat(carol.session.history(Conversation.group(g), page.nextCursor(), 10).messages())
            .isEmpty();
      }
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  protected static List<String> range(String prefix, int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(prefix + i);
    }
    return ids;
  }

  protected static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  protected static String text(Envelope envelope) {
    return new String(envelope.body(), StandardCharsets.UTF_8);
  }

  /**
   * Asserts that {@code device} was handed exactly these messages, in this order, each once:
   * counted on the raw deliveries to its connection, so a double delivery fails it.
   */
  static void assertDeliveredOnce(Device device, String... ids) {
    assertThat(device.deliveries()).extracting(e -> e.id().value()).containsExactly(ids);
  }

  /** A connected test device: its session and what it received. */
  protected static final class Device {
    public final DeviceAddress address;
    public final RecordingConnection connection;
    public final DeviceSession session;

    Device(DeviceAddress address, RecordingConnection connection, DeviceSession session) {
      this.address = address;
      this.connection = connection;
      this.session = session;
    }

    public UserId user() {
      return address.user();
    }

    public SendReceipt sendText(String id, UserId to, String text) {
      return join(session.send(SendRequest.text(id, Recipient.user(to), text)));
    }

    public SendReceipt sendToGroup(String id, GroupId group, String text) {
      return session.send(SendRequest.text(id, Recipient.group(group), text)).join();
    }

    /** Every message (not receipt) handed to the connection, in arrival order, duplicates kept. */
    public List<Envelope> deliveries() {
      List<Envelope> result = new ArrayList<>();
      for (ServerEvent.Incoming in : connection.events(ServerEvent.Incoming.class)) {
        if (!in.envelope().type().isReceipt()) {
          result.add(in.envelope());
        }
      }
      return result;
    }

    /** Messages (not receipts) received, in arrival order, without duplicates. */
    public List<Envelope> messages() {
      List<Envelope> result = new ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (ServerEvent.Incoming in : connection.events(ServerEvent.Incoming.class)) {
        Envelope e = in.envelope();
        if (!e.type().isReceipt() && seen.add(e.from() + "/" + e.id())) {
          result.add(e);
        }
      }
      return result;
    }

    public Envelope awaitMessage(String id) {
      return connection
          .await(
              ServerEvent.Incoming.class,
              in -> !in.envelope().type().isReceipt() && in.envelope().id().value().equals(id),
              WAIT)
          .envelope();
    }

    public List<Envelope> awaitMessages(int count) {
      Awaitility.await()
          .atMost(WAIT.multipliedBy(2))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> messages().size() >= count);
      return messages();
    }

    /**
     * Like {@link #awaitMessages}, acknowledging (cumulatively, as a client does) everything
     * received so far at each poll, so that the delivery window keeps moving.
     */
    public List<Envelope> awaitMessagesAcknowledging(int count) {
      Awaitility.await()
          .atMost(WAIT.multipliedBy(2))
          .pollInterval(Duration.ofMillis(5))
          .until(
              () -> {
                connection.events(ServerEvent.Incoming.class).stream()
                    .mapToLong(ServerEvent.Incoming::queueSequence)
                    .max()
                    .ifPresent(session::acknowledgeUpTo);
                return messages().size() >= count;
              });
      return messages();
    }

    public Envelope awaitReceipt(MessageType type, String id) {
      return awaitReceipts(type, id, 1).get(0);
    }

    public List<Envelope> awaitReceipts(MessageType type, String id, int count) {
      return connection
          .awaitCount(
              ServerEvent.Incoming.class,
              in ->
                  in.envelope().type() == type
                      && in.envelope().refersTo() != null
                      && in.envelope().refersTo().value().equals(id),
              count,
              WAIT)
          .stream()
          .map(ServerEvent.Incoming::envelope)
          .toList();
    }

    public void ack(Envelope envelope) {
      session.acknowledge(envelope.from(), envelope.id());
    }

    private static <T> T join(java.util.concurrent.CompletableFuture<T> future) {
      try {
        return future.join();
      } catch (CompletionException e) {
        throw e;
      }
    }
  }
}
