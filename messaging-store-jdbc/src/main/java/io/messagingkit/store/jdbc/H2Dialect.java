package io.messagingkit.store.jdbc;

import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** H2 2.x: the embedded default; portable SQL, duplicate keys caught. */
final class H2Dialect extends Dialect {

  @Override
  JdbcDatabase database() {
    return JdbcDatabase.H2;
  }

  @Override
  String folder() {
    return "h2";
  }

  @Override
  boolean isDuplicateKey(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  /** One statement: a SELECT over the OLD TABLE of the primary key range DELETE. */
  @Override
  List<RemovedEntry> deleteQueueUpTo(
      Handle handle, String table, String user, String device, long upTo) {
    return deleteReturning(
        handle,
        "SELECT seq, from_user_id, message_id FROM OLD TABLE (DELETE FROM "
            + table
            + " WHERE user_id = :u AND device_id = :d AND seq <= :s)",
        user,
        device,
        upTo);
  }
}
