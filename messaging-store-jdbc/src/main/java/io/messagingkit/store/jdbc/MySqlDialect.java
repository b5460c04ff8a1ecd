package io.messagingkit.store.jdbc;

import java.sql.SQLException;

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

  @Override
  boolean isDuplicateKey(SQLException e) {
    return e.getErrorCode() == 1062 || e.getErrorCode() == 1022;
  }
}
