package io.messagingkit.store.jdbc;

import java.sql.SQLException;
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
}
