package io.messagingkit.store.jdbc;

import java.sql.SQLException;

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
}
