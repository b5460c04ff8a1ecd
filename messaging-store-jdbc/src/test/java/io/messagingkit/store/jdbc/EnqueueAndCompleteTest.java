package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.core.port.OfflineStore;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The messaging service stores a message in its recipients' queues and marks its acceptance
 * complete in one transaction. Were they two, a crash between them left the message queued while
 * its acceptance looked unfinished; the sender's resend (same id) then queued it again after the
 * device had acknowledged the first copy, and the device showed it twice (seen by {@code
 * ServerKillIT}).
 */
@DisplayName("Queueing a message and completing its acceptance")
class EnqueueAndCompleteTest {
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
  private static final UserId ALICE = UserId.of("alice");
  private static final DeviceAddress BOB = DeviceAddress.of("bob", "phone");

  private JdbcStores stores;

  @BeforeEach
  void open() {
    stores = JdbcStores.fromUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
  }

  @AfterEach
  void close() {
    stores.close();
  }

  @Test
  @DisplayName("commit together: the entry is queued and the acceptance is complete")
  void bothCommitted() {
    IdempotencyStore idempotency = stores.idempotencyStore();
    assertThat(
            idempotency.accept(ALICE, MessageId.of("m1"), Recipient.user(BOB.user()), NOW).status())
        .isEqualTo(IdempotencyStore.Status.NEW);

    List<Long> sequences =
        stores
            .offlineStore()
            .enqueueAllAndComplete(
                List.of(new OfflineStore.Item(BOB, message("m1"))),
                idempotency,
                List.of(new IdempotencyStore.Key(ALICE, MessageId.of("m1"))));

    assertThat(sequences).hasSize(1);
    assertThat(stores.offlineStore().depth(BOB)).isEqualTo(1);
    assertThat(
            idempotency.accept(ALICE, MessageId.of("m1"), Recipient.user(BOB.user()), NOW).status())
        .isEqualTo(IdempotencyStore.Status.COMPLETED);
  }

  @Test
  @DisplayName("fail together: when the completion cannot be written, nothing is queued")
  void bothRolledBack() throws Exception {
    IdempotencyStore idempotency = stores.idempotencyStore();
    idempotency.accept(ALICE, MessageId.of("m1"), Recipient.user(BOB.user()), NOW);
    try (Connection c = stores.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE mk_idempotency RENAME TO mk_idempotency_gone");
    }

    assertThatThrownBy(
            () ->
                stores
                    .offlineStore()
                    .enqueueAllAndComplete(
                        List.of(new OfflineStore.Item(BOB, message("m1"))),
                        idempotency,
                        List.of(new IdempotencyStore.Key(ALICE, MessageId.of("m1")))))
        .isInstanceOf(RuntimeException.class);

    assertThat(stores.offlineStore().depth(BOB))
        .as("the queue row was rolled back with the failed completion")
        .isZero();
  }

  private static Envelope message(String id) {
    return new Envelope(
        MessageId.of(id),
        DeviceAddress.of("alice", "phone"),
        Recipient.user(UserId.of("bob")),
        MessageType.TEXT,
        new byte[] {1},
        null,
        null,
        NOW,
        NOW,
        1);
  }
}
