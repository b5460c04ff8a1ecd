package io.messagingkit.store.jdbc;

import io.messagingkit.core.Conversation;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.HistoryPage;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.MessageArchive;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jspecify.annotations.Nullable;

/**
 * A {@link MessageArchive} in a relational database: the seed's figure 9 table {@code
 * mk_message_archive} (message_id, from_user_id, to_user_id, content, time_stamp, message_type, and
 * the rest of the envelope), indexed by (conversation, server timestamp, server sequence) so that
 * "one conversation, newest first, page by cursor" is one index range scan.
 *
 * <p>On PostgreSQL the table is partitioned by month of {@code time_stamp} (UTC). This adapter
 * creates the partitions of the current month and of {@link Builder#partitionMonthsAhead} months
 * ahead on first use and again whenever its clock enters a new month, so inserts never wait for
 * DDL; rows outside every monthly partition land in a default partition and are still found. Old
 * months are dropped by the operator ({@code DROP TABLE mk_message_archive_y2025m01}). On MySQL,
 * MariaDB and H2 the table is not partitioned; the same index serves the same queries.
 *
 * <p>Idempotent on (sender, message id) through {@code mk_message_archive_key}, whose primary key
 * holds across partitions. A cursor encodes the position (timestamp, sequence, sender, id) of the
 * last message of a page, so it stays valid while newer messages arrive.
 *
 * <p>Thread-safe. Build with {@link #builder(DataSource)} or through {@link JdbcStores}.
 */
public final class JdbcMessageArchive implements MessageArchive {
  /** The last second of year 9999, the latest time every supported database can hold. */
  private static final long MAX_CURSOR_SECOND = 253_402_300_799L;

  private static final String CURSOR_PREFIX = "j1.";

  private final Db db;
  private final String table;
  private final String keys;
  private final Clock clock;
  private final int monthsAhead;
  private volatile @Nullable YearMonth partitionedThrough;

  JdbcMessageArchive(Db db, Clock clock, int monthsAhead) {
    this.db = db;
    this.table = db.table("mk_message_archive");
    this.keys = db.table("mk_message_archive_key");
    this.clock = clock;
    this.monthsAhead = monthsAhead;
  }

  /** A builder on {@code dataSource}, whose schema must have been migrated. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * Creates the monthly partitions from the current month through the configured months ahead where
   * they are missing (PostgreSQL; a no-op elsewhere). Called on first use and when the clock enters
   * a new month; call it from a daily job as well if you like. Idempotent, safe on many nodes at
   * once.
   */
  public void ensurePartitions() {
    YearMonth now = YearMonth.now(clock.withZone(ZoneOffset.UTC));
    YearMonth through = now.plusMonths(monthsAhead);
    db.call(
        "creating archive partitions " + now + " to " + through,
        h -> {
          db.dialect.ensureArchivePartitions(h, db.prefix, "mk_message_archive", now, through);
          return null;
        });
    partitionedThrough = through;
  }

  private void ensurePartitionsIfDue() {
    YearMonth through = partitionedThrough;
    YearMonth due = YearMonth.now(clock.withZone(ZoneOffset.UTC)).plusMonths(monthsAhead);
    if (through == null || due.isAfter(through)) {
      ensurePartitions();
    }
  }

  @Override
  public void append(Envelope envelope) {
    appendAll(List.of(envelope));
  }

  @Override
  public void appendAll(List<Envelope> envelopes) {
    Map<Key, Envelope> batch = new LinkedHashMap<>();
    for (Envelope e : envelopes) {
      if (!e.type().isReceipt()) {
        batch.putIfAbsent(new Key(e.from().value(), e.id().value()), e);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    ensurePartitionsIfDue();
    String what =
        batch.size() == 1
            ? "archiving " + batch.keySet().iterator().next()
            : "archiving " + batch.size() + " messages";
    for (int attempt = 1; ; attempt++) {
      try {
        db.jdbi.useTransaction(h -> insertNew(h, batch));
        return;
      } catch (RuntimeException e) {
        // a concurrent append of the same message won the key: read again and skip it
        if (attempt < 3 && db.isDuplicateKey(e)) {
          continue;
        }
        throw JdbcErrors.translate(what, e);
      }
    }
  }

  private void insertNew(Handle h, Map<Key, Envelope> batch) {
    Set<Key> present = new HashSet<>();
    KeyIn.chunked(
        new ArrayList<>(batch.keySet()),
        chunk ->
            KeyIn.bind(
                    h.createQuery(
                        "SELECT from_user_id, message_id FROM "
                            + keys
                            + " WHERE "
                            + KeyIn.condition(chunk.size(), "from_user_id", "message_id")),
                    chunk,
                    Key::sender,
                    Key::id)
                .map((rs, ctx) -> new Key(rs.getString(1), rs.getString(2)))
                .forEach(present::add));
    PreparedBatch keyBatch = null;
    PreparedBatch rowBatch = null;
    for (var entry : batch.entrySet()) {
      if (present.contains(entry.getKey())) {
        continue;
      }
      if (keyBatch == null) {
        keyBatch =
            h.prepareBatch(
                "INSERT INTO " + keys + " (from_user_id, message_id) VALUES (:from, :id)");
        rowBatch =
            h.prepareBatch(
                "INSERT INTO "
                    + table
                    + " (conversation_key, time_stamp, "
                    + EnvelopeRows.COLUMNS
                    + ") VALUES (:conversation_key, :time_stamp, "
                    + EnvelopeRows.PARAMETERS
                    + ")");
      }
      Envelope e = entry.getValue();
      keyBatch.bind("from", entry.getKey().sender()).bind("id", entry.getKey().id()).add();
      EnvelopeRows.bind(rowBatch, e)
          .bind("conversation_key", e.conversationFor(e.from()).key())
          .bind("time_stamp", partitionTime(e.serverTimestamp()))
          .add();
    }
    if (keyBatch != null) {
      keyBatch.execute();
      rowBatch.execute();
    }
  }

  @Override
  public HistoryPage page(Conversation conversation, @Nullable String cursor, int limit) {
    Objects.requireNonNull(conversation, "conversation");
    if (limit < 1) {
      throw new InvalidRequestException("limit must be positive, got " + limit);
    }
    Position after = cursor == null ? null : decode(cursor);
    List<Envelope> rows =
        db.call(
            "reading the history of " + conversation.key(),
            h -> {
              StringBuilder sql =
                  new StringBuilder("SELECT ")
                      .append(EnvelopeRows.COLUMNS)
                      .append(" FROM ")
                      .append(table)
                      .append(" WHERE conversation_key = :k");
              if (after != null) {
                sql.append(" AND time_stamp < :upper AND server_ts_s <= :s")
                    .append(" AND (server_ts_s, server_ts_n, server_seq, from_user_id, message_id)")
                    .append(" < (:s, :n, :q, :u, :m)");
              }
              sql.append(
                  " ORDER BY server_ts_s DESC, server_ts_n DESC, server_seq DESC,"
                      + " from_user_id DESC, message_id DESC LIMIT :limit");
              Query q =
                  h.createQuery(sql.toString())
                      .bind("k", conversation.key())
                      .bind("limit", limit + 1);
              if (after != null) {
                q.bind(
                        "upper",
                        LocalDateTime.ofInstant(
                            Instant.ofEpochSecond(after.second() + 1), ZoneOffset.UTC))
                    .bind("s", after.second())
                    .bind("n", after.nano())
                    .bind("q", after.sequence())
                    .bind("u", after.sender())
                    .bind("m", after.id());
              }
              return q.map((rs, ctx) -> EnvelopeRows.read(rs)).list();
            });
    if (rows.size() <= limit) {
      return new HistoryPage(rows, null);
    }
    List<Envelope> page = rows.subList(0, limit);
    return new HistoryPage(page, encode(page.get(limit - 1)));
  }

  /** The figure 9 time stamp: the server time in UTC, truncated to what every database keeps. */
  static LocalDateTime partitionTime(Instant serverTimestamp) {
    return LocalDateTime.ofInstant(serverTimestamp.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  private static String encode(Envelope e) {
    String raw =
        e.serverTimestamp().getEpochSecond()
            + ":"
            + e.serverTimestamp().getNano()
            + ":"
            + e.serverSequence()
            + ":"
            + e.from().value()
            + ":"
            + e.id().value();
    return CURSOR_PREFIX
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  private static Position decode(String cursor) {
    try {
      if (!cursor.startsWith(CURSOR_PREFIX)) {
        throw new IllegalArgumentException("unknown cursor format");
      }
      String raw =
          new String(
              Base64.getUrlDecoder().decode(cursor.substring(CURSOR_PREFIX.length())),
              StandardCharsets.UTF_8);
      String[] parts = raw.split(":", 5);
      if (parts.length != 5) {
        throw new IllegalArgumentException("cursor has " + parts.length + " parts");
      }
      int nano = Integer.parseInt(parts[1]);
      if (nano < 0 || nano > 999_999_999) {
        throw new IllegalArgumentException("nanosecond out of range");
      }
      long second = Long.parseLong(parts[0]);
      if (second < 0 || second > MAX_CURSOR_SECOND) {
        throw new IllegalArgumentException("time out of range");
      }
      return new Position(
          second,
          nano,
          Long.parseLong(parts[2]),
          UserId.of(parts[3]).value(),
          MessageId.of(parts[4]).value());
    } catch (IllegalArgumentException e) {
      // A fixed text: the parser's message would echo internals (and the forged cursor).
      throw new InvalidRequestException("invalid history cursor");
    }
  }

  private record Key(String sender, String id) {
    @Override
    public String toString() {
      return sender + "/" + id;
    }
  }

  private record Position(long second, int nano, long sequence, String sender, String id) {}

  /** Builds a {@link JdbcMessageArchive}. */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcMessageArchive> {
    private Clock clock = Clock.systemUTC();
    private int partitionMonthsAhead = JdbcStoreConfig.DEFAULT_PARTITION_MONTHS_AHEAD;

    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    /** The clock that decides which monthly partitions are due (PostgreSQL). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How many months of partitions to keep ready beyond the current one (0 to 24; default 2). */
    public Builder partitionMonthsAhead(int months) {
      this.partitionMonthsAhead = months;
      return this;
    }

    @Override
    public JdbcMessageArchive build() {
      JdbcStoreConfig.checkMonthsAhead(partitionMonthsAhead);
      return new JdbcMessageArchive(db(), clock, partitionMonthsAhead);
    }
  }
}
