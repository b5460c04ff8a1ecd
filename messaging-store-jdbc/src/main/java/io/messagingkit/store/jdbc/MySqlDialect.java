package io.messagingkit.store.jdbc;

import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * MySQL and MariaDB (and Aurora MySQL): duplicate keys are caught (never INSERT IGNORE, which would
 * also hide truncation); the archive is one table with a covering index per conversation.
 */
final class MySqlDialect extends Dialect {

  @Override
  JdbcDatabase database() {
    return JdbcDatabase.MYSQL;
  }

  @Override
  String folder() {
    return "mysql";
  }

  /**
   * One upsert that takes the row's exclusive lock at once: an UPDATE-then-INSERT would let two
   * transactions share the lock of a new row and deadlock on their updates.
   */
  @Override
  long reserveSequences(Handle handle, String counterTable, String user, String device, int count) {
    handle
        .createUpdate(
            "INSERT INTO "
                + counterTable
                + " (user_id, device_id, last_seq) VALUES (:u, :d, :n)"
                + " ON DUPLICATE KEY UPDATE last_seq = last_seq + VALUES(last_seq)")
        .bind("u", user)
        .bind("d", device)
        .bind("n", (long) count)
        .execute();
    return handle
        .createQuery(
            "SELECT last_seq FROM " + counterTable + " WHERE user_id = :u AND device_id = :d")
        .bind("u", user)
        .bind("d", device)
        .mapTo(Long.class)
        .one();
  }

  @Override
  boolean isDuplicateKey(SQLException e) {
    return e.getErrorCode() == 1062 || e.getErrorCode() == 1022;
  }

  /**
   * MariaDB: one statement, DELETE ... RETURNING over the primary key range. MySQL has no
   * RETURNING: the portable read-then-delete, in the caller's transaction.
   */
  @Override
  List<RemovedEntry> deleteQueueUpTo(
      Handle handle, String table, String user, String device, long upTo) {
    if (!isMariaDb(handle)) {
      return super.deleteQueueUpTo(handle, table, user, device, upTo);
    }
    return deleteReturning(
        handle,
        "DELETE FROM "
            + table
            + " WHERE user_id = :u AND device_id = :d AND seq <= :s"
            + " RETURNING seq, from_user_id, message_id",
        user,
        device,
        upTo);
  }

  private volatile @org.jspecify.annotations.Nullable Boolean mariaDb;

  private boolean isMariaDb(Handle handle) {
    Boolean known = mariaDb;
    if (known == null) {
      try {
        var meta = handle.getConnection().getMetaData();
        known =
            meta.getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("mariadb")
                || meta.getDatabaseProductVersion()
                    .toLowerCase(java.util.Locale.ROOT)
                    .contains("mariadb");
      } catch (SQLException e) {
        throw new IllegalStateException("could not read the database product", e);
      }
      mariaDb = known;
    }
    return known;
  }
}
