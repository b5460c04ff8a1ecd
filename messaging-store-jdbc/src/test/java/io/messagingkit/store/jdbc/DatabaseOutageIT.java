package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.Conversation;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupInfo;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.MessagingException;
import io.messagingkit.core.QueuedMessage;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.SendReceipt;
import io.messagingkit.core.SendRequest;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UnavailableException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.tck.RecordingConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The database goes away (a proxy in front of it refuses new connections and cuts the open ones)
 * and comes back: every call fails fast with a retryable {@link UnavailableException}, nothing of a
 * failed call is stored, nothing stored before is lost, and service resumes by itself.
 */
class DatabaseOutageIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private String run;

  @BeforeEach
  void setUp() {
    run = UUID.randomUUID().toString().substring(0, 8);
  }

  private static JdbcStores storesBehind(
      TcpProxy proxy, JdbcDatabaseExtension db, boolean migrate) {
    JdbcStores.Builder b =
        JdbcStores.builder()
            .schema(db.schema())
            .migrate(migrate)
            .maximumPoolSize(3)
            .connectionTimeout(TIMEOUT);
    if (db.database() == JdbcDatabase.POSTGRESQL) {
      b.jdbcUrl("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test?socketTimeout=5")
          .username("postgres");
    } else {
      b.jdbcUrl("jdbc:mariadb://127.0.0.1:" + proxy.port() + "/test?socketTimeout=5000")
          .username("root")
          .password("");
    }
    return b.build();
  }

  private static void assertUnavailable(ThrowingCallable call) {
    long start = System.nanoTime();
    assertThatThrownBy(call)
        .isInstanceOf(UnavailableException.class)
        .satisfies(e -> assertThat(((MessagingException) e).retryable()).isTrue());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(12));
  }

  private Envelope message(String id) {
    Instant now = Instant.now();
    return new Envelope(
        MessageId.of(id),
        DeviceAddress.of("alice-" + run, "phone"),
        Recipient.user(UserId.of("bob-" + run)),
        MessageType.TEXT,
        id.getBytes(),
        null,
        null,
        now,
        now,
        0);
  }

  abstract class Outage {
    abstract JdbcDatabaseExtension db();

    abstract int port();

    @Test
    @DisplayName(
        "every store fails with a retryable UnavailableException, then recovers losing nothing")
    void storesFailAndRecover() throws Exception {
      try (TcpProxy proxy = new TcpProxy(port())) {
        proxy.start();
        try (JdbcStores stores = storesBehind(proxy, db(), true)) {
          DeviceAddress bob = DeviceAddress.of("bob-" + run, "phone");
          UserId alice = UserId.of("alice-" + run);
          stores.offlineStore().enqueue(bob, message("m1"));
          stores.offlineStore().enqueue(bob, message("m2"));
          IdempotencyStore.Acceptance accepted =
              stores
                  .idempotencyStore()
                  .accept(
                      alice, MessageId.of("m1"), Recipient.user(UserId.of("bob")), Instant.now());

          proxy.stop();
          assertUnavailable(() -> stores.offlineStore().enqueue(bob, message("lost")));
          assertUnavailable(() -> stores.offlineStore().fetch(bob, 0, 10));
          assertUnavailable(
              () -> stores.offlineStore().acknowledge(bob, alice, MessageId.of("m1")));
          assertUnavailable(() -> stores.offlineStore().depth(bob));
          assertUnavailable(
              () ->
                  stores
                      .idempotencyStore()
                      .accept(
                          alice,
                          MessageId.of("m9"),
                          Recipient.user(UserId.of("bob")),
                          Instant.now()));
          assertUnavailable(
              () ->
                  stores
                      .groupDirectory()
                      .create(new GroupInfo(GroupId.of("g-" + run), "g", alice, Instant.now())));
          assertUnavailable(() -> stores.messageArchive().append(message("a1")));
          assertUnavailable(() -> stores.deviceDirectory().register(bob));
          assertUnavailable(() -> stores.contactGraph().link(alice, bob.user()));

          proxy.start();
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptionsInstanceOf(UnavailableException.class)
              .untilAsserted(() -> assertThat(stores.offlineStore().depth(bob)).isEqualTo(2));
          List<QueuedMessage> queue = stores.offlineStore().fetch(bob, 0, 10);
          assertThat(queue).extracting(q -> q.envelope().id().value()).containsExactly("m1", "m2");
          assertThat(
                  stores
                      .idempotencyStore()
                      .accept(
                          alice,
                          MessageId.of("m1"),
                          Recipient.user(UserId.of("bob")),
                          Instant.now()))
              .isEqualTo(
                  new IdempotencyStore.Acceptance(
                      accepted.sequence(),
                      accepted.acceptedAt(),
                      IdempotencyStore.Status.IN_PROGRESS));
          assertThat(
                  stores
                      .idempotencyStore()
                      .accept(
                          alice,
                          MessageId.of("m9"),
                          Recipient.user(UserId.of("bob")),
                          Instant.now())
                      .status())
              .isEqualTo(IdempotencyStore.Status.NEW);
          stores.offlineStore().enqueue(bob, message("m3"));
          assertThat(stores.offlineStore().acknowledge(bob, alice, MessageId.of("m1"))).isTrue();
          assertThat(stores.offlineStore().fetch(bob, 0, 10))
              .extracting(q -> q.envelope().id().value())
              .containsExactly("m2", "m3");
        }
      }
    }

    @Test
    @DisplayName("starting while the database is down fails with UnavailableException")
    void startWhileDown() throws Exception {
      try (TcpProxy proxy = new TcpProxy(port())) {
        assertUnavailable(() -> storesBehind(proxy, db(), true).close());
        proxy.start();
        try (JdbcStores stores = storesBehind(proxy, db(), true)) {
          assertThat(stores.deviceDirectory().register(DeviceAddress.of("x-" + run, "d"))).isTrue();
        }
      }
    }

    @Test
    @DisplayName(
        "a send while the database is down gets a retryable error; the resend is delivered once")
    void chatServerSend() throws Exception {
      try (TcpProxy proxy = new TcpProxy(port())) {
        proxy.start();
        try (JdbcStores stores = storesBehind(proxy, db(), true);
            ChatServer server =
                ChatServer.builder()
                    .serverId("outage-" + run)
                    .offlineStore(stores.offlineStore())
                    .idempotencyStore(stores.idempotencyStore())
                    .groupDirectory(stores.groupDirectory())
                    .messageArchive(stores.messageArchive())
                    .deviceDirectory(stores.deviceDirectory())
                    .contactGraph(stores.contactGraph())
                    .build()
                    .start()) {
          UserId alice = UserId.of("alice-" + run);
          UserId bob = UserId.of("bob-" + run);
          RecordingConnection bobConnection = new RecordingConnection();
          DeviceSession aliceSession =
              server.connect(
                  new DeviceAddress(alice, io.messagingkit.core.DeviceId.of("phone")),
                  new RecordingConnection());
          DeviceSession bobSession =
              server.connect(
                  new DeviceAddress(bob, io.messagingkit.core.DeviceId.of("phone")), bobConnection);
          SendReceipt first =
              aliceSession.send(SendRequest.text("before", Recipient.user(bob), "one")).join();
          assertThat(first.duplicate()).isFalse();

          proxy.stop();
          assertThatThrownBy(
                  () ->
                      aliceSession
                          .send(SendRequest.text("during", Recipient.user(bob), "two"))
                          .join())
              .isInstanceOf(CompletionException.class)
              .cause()
              .isInstanceOf(MessagingException.class)
              .satisfies(e -> assertThat(((MessagingException) e).retryable()).isTrue());

          proxy.start();
          SendReceipt retried =
              await()
                  .atMost(Duration.ofSeconds(30))
                  .ignoreExceptions()
                  .until(
                      () ->
                          aliceSession
                              .send(SendRequest.text("during", Recipient.user(bob), "two"))
                              .join(),
                      r -> r != null);
          assertThat(retried.id()).isEqualTo(MessageId.of("during"));
          List<ServerEvent.Incoming> got =
              bobConnection.awaitCount(
                  ServerEvent.Incoming.class,
                  i -> i.envelope().type() == MessageType.TEXT,
                  2,
                  Duration.ofSeconds(15));
          assertThat(got)
              .extracting(i -> i.envelope().id().value())
              .containsExactly("before", "during");
          assertThat(
                  stores
                      .messageArchive()
                      .page(Conversation.direct(alice, bob), null, 10)
                      .messages())
              .extracting(e -> e.id().value())
              .containsExactly("during", "before");
          bobSession.close();
          aliceSession.close();
        }
      }
    }
  }

  @Nested
  @DisplayName("PostgreSQL")
  class Postgres extends Outage {
    @Override
    JdbcDatabaseExtension db() {
      return PG;
    }

    @Override
    int port() {
      return 5432;
    }
  }

  @Nested
  @DisplayName("MariaDB")
  class MariaDb extends Outage {
    @Override
    JdbcDatabaseExtension db() {
      return MARIA;
    }

    @Override
    int port() {
      return 3306;
    }
  }

  private static final JdbcDatabaseExtension PG = JdbcDatabaseExtension.postgres();
  private static final JdbcDatabaseExtension MARIA = JdbcDatabaseExtension.mariadb();
}
