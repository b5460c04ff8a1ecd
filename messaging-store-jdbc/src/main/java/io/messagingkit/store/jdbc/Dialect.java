package io.messagingkit.store.jdbc;

import java.sql.SQLException;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Update;
import org.jspecify.annotations.Nullable;

/**
 * What differs between the supported databases, as a small strategy: the migration folder,
 * insert-if-absent, the per-device sequence counter, duplicate-key detection and archive
 * partitioning. Not API.
 */
abstract class Dialect {

  static Dialect of(JdbcDatabase database) {
    return switch (database) {
      case POSTGRESQL -> new PostgresDialect();
      case MYSQL -> new MySqlDialect();
      case H2 -> new H2Dialect();
    };
  }

  abstract JdbcDatabase database();

  /** The Flyway location of this database's migrations, in this jar. */
  final String migrationLocation() {
    return "classpath:db/migration/" + folder();
  }

  abstract String folder();

  /** Whether the exception is a unique or primary key violation. */
  abstract boolean isDuplicateKey(SQLException e);

  /**
   * Inserts one row unless a row with the same unique key exists; returns whether it inserted. Safe
   * inside a transaction (it never leaves the transaction aborted).
   *
   * @param conflictColumns the columns of the unique key, comma separated
   */
  boolean insertIfAbsent(
      Handle handle, String table, String conflictColumns, Map<String, Object> values) {
    Update update = handle.createUpdate(insertSql(table, values));
    values.forEach(update::bind);
    try {
      return update.execute() > 0;
    } catch (RuntimeException e) {
      SQLException sql = JdbcErrors.sqlCause(e);
      if (sql != null && isDuplicateKey(sql)) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Inserts dedupe keys ({@code senders[i]}, {@code ids[i]}, addressed to {@code toUsers[i]} or
   * {@code toGroups[i]}, accepted at {@code seconds[i]}, {@code nanos[i]}) into the idempotency
   * table, skipping keys already there, in one statement; returns the server sequence of each key
   * it inserted, by (sender, id). Only where {@link #insertReturns()}; callers elsewhere insert one
   * by one and read back.
   */
  Map<List<String>, Long> insertDedupeKeys(
      Handle handle,
      String table,
      List<String> senders,
      List<String> ids,
      List<@Nullable String> toUsers,
      List<@Nullable String> toGroups,
      List<Long> seconds,
      List<Integer> nanos) {
    throw new UnsupportedOperationException(database() + " has no insert-returning");
  }

  /** Whether {@link #insertDedupeKeys} is available. */
  boolean insertReturns() {
    return false;
  }

  /**
   * Adds {@code count} to the sequence counter of one device queue, creating it at 0 first, and
   * returns the new value; the counter row stays locked until the transaction ends, which orders
   * concurrent enqueues to one device.
   */
  long reserveSequences(Handle handle, String counterTable, String user, String device, int count) {
    String update =
        "UPDATE "
            + counterTable
            + " SET last_seq = last_seq + :n WHERE user_id = :u AND device_id = :d";
    for (int attempt = 0; attempt < 3; attempt++) {
      int updated =
          handle.createUpdate(update).bind("n", count).bind("u", user).bind("d", device).execute();
      if (updated > 0) {
        return handle
            .createQuery(
                "SELECT last_seq FROM " + counterTable + " WHERE user_id = :u AND device_id = :d")
            .bind("u", user)
            .bind("d", device)
            .mapTo(Long.class)
            .one();
      }
      insertIfAbsent(
          handle,
          counterTable,
          "user_id, device_id",
          Map.of("user_id", user, "device_id", device, "last_seq", 0L));
    }
    throw new IllegalStateException("could not create the queue counter of " + user + "/" + device);
  }

  /**
   * Deletes queue entries, one per {@code (users[i], devices[i], senders[i], ids[i])}, in the
   * caller's transaction; returns for each whether it removed a row (a key listed twice removes
   * once). Portable form: a batch of single-row deletes with their row counts.
   */
  boolean[] deleteQueueEntries(
      Handle handle,
      String table,
      List<String> users,
      List<String> devices,
      List<String> senders,
      List<String> ids) {
    PreparedBatch deletes =
        handle.prepareBatch(
            "DELETE FROM "
                + table
                + " WHERE user_id = :u AND device_id = :d AND from_user_id = :s AND message_id = :m");
    for (int i = 0; i < users.size(); i++) {
      deletes
          .bind("u", users.get(i))
          .bind("d", devices.get(i))
          .bind("s", senders.get(i))
          .bind("m", ids.get(i))
          .add();
    }
    int[] counts = deletes.execute();
    boolean[] removed = new boolean[counts.length];
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] < 0) {
        throw new IllegalStateException(
            "the driver reported no row count for a batched delete; disable bulk statements");
      }
      removed[i] = counts[i] > 0;
    }
    return removed;
  }

  /** A queue entry removed by {@link #deleteQueueUpTo}. */
  record RemovedEntry(long seq, String sender, String id) {}

  /**
   * Deletes the entries of one device queue with a sequence up to {@code upTo}, in the caller's
   * transaction, through the primary key (user, device, seq); returns them in sequence order.
   * Portable form (MySQL, which has no DELETE ... RETURNING): the rows are read with FOR UPDATE,
   * then deleted by the same range.
   */
  List<RemovedEntry> deleteQueueUpTo(
      Handle handle, String table, String user, String device, long upTo) {
    String where = " WHERE user_id = :u AND device_id = :d AND seq <= :s";
    List<RemovedEntry> rows =
        handle
            .createQuery(
                "SELECT seq, from_user_id, message_id FROM "
                    + table
                    + where
                    + " ORDER BY seq FOR UPDATE")
            .bind("u", user)
            .bind("d", device)
            .bind("s", upTo)
            .map((rs, ctx) -> new RemovedEntry(rs.getLong(1), rs.getString(2), rs.getString(3)))
            .list();
    if (!rows.isEmpty()) {
      handle
          .createUpdate("DELETE FROM " + table + where)
          .bind("u", user)
          .bind("d", device)
          .bind("s", upTo)
          .execute();
    }
    return rows;
  }

  /** Runs a one-statement queue range delete ({@code sql} binds :u, :d, :s) and sorts its rows. */
  static List<RemovedEntry> deleteReturning(
      Handle handle, String sql, String user, String device, long upTo) {
    List<RemovedEntry> rows =
        new java.util.ArrayList<>(
            handle
                .createQuery(sql)
                .bind("u", user)
                .bind("d", device)
                .bind("s", upTo)
                .map((rs, ctx) -> new RemovedEntry(rs.getLong(1), rs.getString(2), rs.getString(3)))
                .list());
    rows.sort(java.util.Comparator.comparingLong(RemovedEntry::seq));
    return rows;
  }

  /**
   * Makes sure monthly archive partitions exist for {@code from} through {@code to}; a no-op where
   * the archive is a plain indexed table.
   */
  void ensureArchivePartitions(
      Handle handle, String schemaPrefix, String table, YearMonth from, YearMonth to) {}

  static String insertSql(String table, Map<String, Object> values) {
    StringJoiner columns = new StringJoiner(", ");
    StringJoiner params = new StringJoiner(", ");
    values
        .keySet()
        .forEach(
            c -> {
              columns.add(c);
              params.add(":" + c);
            });
    return "INSERT INTO " + table + " (" + columns + ") VALUES (" + params + ")";
  }
}
