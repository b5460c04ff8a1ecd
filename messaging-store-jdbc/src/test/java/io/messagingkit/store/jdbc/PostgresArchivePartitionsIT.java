package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.Conversation;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.tck.MutableClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The archive's monthly partitions on PostgreSQL: created ahead, used, kept up as time moves. */
class PostgresArchivePartitionsIT {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.postgres();

  private MutableClock clock;
  private JdbcMessageArchive archive;

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2031-03-15T12:00:00Z"));
    archive =
        JdbcMessageArchive.builder(DB.stores().dataSource())
            .schema(DB.schema())
            .clock(clock)
            .partitionMonthsAhead(2)
            .build();
  }

  private List<String> partitions() throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = DB.stores().dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT child.relname FROM pg_inherits"
                    + " JOIN pg_class parent ON pg_inherits.inhparent = parent.oid"
                    + " JOIN pg_class child ON pg_inherits.inhrelid = child.oid"
                    + " JOIN pg_namespace n ON parent.relnamespace = n.oid"
                    + " WHERE parent.relname = 'mk_message_archive' AND n.nspname = '"
                    + DB.schema()
                    + "' ORDER BY 1")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private String partitionOf(String messageId) throws SQLException {
    try (Connection c = DB.stores().dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT tableoid::regclass::text FROM "
                    + DB.schema()
                    + ".mk_message_archive WHERE message_id = '"
                    + messageId
                    + "'")) {
      assertThat(rs.next()).as("row %s", messageId).isTrue();
      String name = rs.getString(1);
      return name.substring(name.indexOf('.') + 1);
    }
  }

  private static Envelope message(String id, Instant at) {
    return new Envelope(
        MessageId.of(id),
        DeviceAddress.of("alice", "phone"),
        Recipient.user(UserId.of("bob")),
        MessageType.TEXT,
        new byte[] {1},
        null,
        null,
        at,
        at,
        1);
  }

  @Test
  @DisplayName("the current month and the months ahead get a partition, next to the default one")
  void createdAhead() throws SQLException {
    clock.set(Instant.parse("2034-03-15T12:00:00Z"));
    archive.ensurePartitions();
    assertThat(partitions())
        .contains(
            "mk_message_archive_default",
            "mk_message_archive_y2034m03",
            "mk_message_archive_y2034m04",
            "mk_message_archive_y2034m05")
        .doesNotContain("mk_message_archive_y2034m06", "mk_message_archive_y2034m02");
  }

  @Test
  @DisplayName("a message lands in its month's partition; one without a partition in the default")
  void routing() throws SQLException {
    archive.append(message("inMarch", Instant.parse("2031-03-31T23:59:59.999999999Z")));
    archive.append(message("inApril", Instant.parse("2031-04-01T00:00:00Z")));
    archive.append(message("farFuture", Instant.parse("2040-01-01T00:00:00Z")));
    assertThat(partitionOf("inMarch")).isEqualTo("mk_message_archive_y2031m03");
    assertThat(partitionOf("inApril")).isEqualTo("mk_message_archive_y2031m04");
    assertThat(partitionOf("farFuture")).isEqualTo("mk_message_archive_default");
    assertThat(
            archive
                .page(Conversation.direct(UserId.of("alice"), UserId.of("bob")), null, 10)
                .messages())
        .extracting(e -> e.id().value())
        .containsExactly("farFuture", "inApril", "inMarch");
  }

  @Test
  @DisplayName("when the clock enters a new month, the next append creates the partitions now due")
  void keptUpAsTimeMoves() throws SQLException {
    archive.append(message("first", clock.instant()));
    assertThat(partitions()).doesNotContain("mk_message_archive_y2031m07");
    clock.advance(Duration.ofDays(62)); // mid May 2031
    archive.append(message("later", clock.instant()));
    assertThat(partitions()).contains("mk_message_archive_y2031m06", "mk_message_archive_y2031m07");
    assertThat(partitionOf("later")).isEqualTo("mk_message_archive_y2031m05");
  }

  @Test
  @DisplayName("rows already in the default partition do not block upkeep and stay readable")
  void defaultPartitionRowsStay() throws SQLException {
    archive.append(message("early", Instant.parse("2032-06-10T00:00:00Z")));
    assertThat(partitionOf("early")).isEqualTo("mk_message_archive_default");
    clock.set(Instant.parse("2032-06-01T00:00:00Z"));
    archive.ensurePartitions();
    assertThat(partitions()).contains("mk_message_archive_y2032m07", "mk_message_archive_y2032m08");
    assertThat(partitionOf("early")).isEqualTo("mk_message_archive_default");
    assertThat(
            archive
                .page(Conversation.direct(UserId.of("alice"), UserId.of("bob")), null, 10)
                .messages())
        .extracting(e -> e.id().value())
        .contains("early");
  }

  @Test
  @DisplayName("upkeep is idempotent and safe on several nodes at once")
  void concurrentUpkeep() throws Exception {
    clock.set(Instant.parse("2033-01-10T00:00:00Z"));
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 4; i++) {
      JdbcMessageArchive node =
          JdbcMessageArchive.builder(DB.stores().dataSource())
              .schema(DB.schema())
              .database(JdbcDatabase.POSTGRESQL)
              .clock(clock)
              .build();
      Thread t =
          new Thread(
              () -> {
                try {
                  node.ensurePartitions();
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertThat(failures).isEmpty();
    assertThat(partitions())
        .contains(
            "mk_message_archive_y2033m01",
            "mk_message_archive_y2033m02",
            "mk_message_archive_y2033m03");
  }
}
