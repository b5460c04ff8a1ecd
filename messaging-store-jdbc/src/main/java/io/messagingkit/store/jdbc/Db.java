package io.messagingkit.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/**
 * What every adapter shares: the Jdbi instance, the dialect, the schema prefix of table names, and
 * the translation of failures. Not API.
 */
final class Db {
  private static final Pattern SCHEMA = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  final Jdbi jdbi;
  final DataSource dataSource;
  final Dialect dialect;
  final @Nullable String schema;
  final String prefix;

  Db(DataSource dataSource, Dialect dialect, @Nullable String schema) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.jdbi = Jdbi.create(dataSource);
    this.dialect = dialect;
    this.schema = schema;
    this.prefix = schema == null ? "" : schema + ".";
  }

  /** Builds the shared state for an adapter's {@code build()}, checking the settings. */
  static Db create(
      @Nullable DataSource dataSource, @Nullable JdbcDatabase database, @Nullable String schema) {
    if (dataSource == null) {
      throw new IllegalStateException("dataSource must be set");
    }
    checkSchema(schema);
    JdbcDatabase family = database != null ? database : detect(dataSource);
    return new Db(dataSource, Dialect.of(family), schema);
  }

  static @Nullable String checkSchema(@Nullable String schema) {
    if (schema != null && !SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "schema must be a plain identifier (letters, digits, _; at most 63), got '"
              + schema
              + "'");
    }
    return schema;
  }

  static JdbcDatabase detect(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      return JdbcDatabase.fromProductName(c.getMetaData().getDatabaseProductName());
    } catch (SQLException e) {
      throw JdbcErrors.translate("detecting the database (set database(...) to skip it)", e);
    }
  }

  /** Whether {@code other} reaches the same tables (same data source and schema). */
  boolean sameTables(Db other) {
    return other == this
        || (other.dataSource == dataSource && Objects.equals(other.schema, schema));
  }

  /** A table name, qualified by the schema if one is set. */
  String table(String name) {
    return prefix + name;
  }

  /** Runs {@code callback} on a handle (auto-commit), translating failures of {@code what}. */
  <T> T call(String what, HandleCallback<T, RuntimeException> callback) {
    try {
      return jdbi.withHandle(callback);
    } catch (RuntimeException e) {
      throw JdbcErrors.translate(what, e);
    }
  }

  /**
   * Runs {@code callback} in one transaction, translating failures of {@code what}. A transaction
   * the database rolled back as a deadlock victim or serialization failure is run again, up to
   * {@value #TX_ATTEMPTS} times in all.
   */
  <T> T tx(String what, HandleCallback<T, RuntimeException> callback) {
    for (int attempt = 1; ; attempt++) {
      try {
        return jdbi.inTransaction(callback);
      } catch (RuntimeException e) {
        if (attempt < TX_ATTEMPTS && isRolledBack(e)) {
          continue;
        }
        throw JdbcErrors.translate(what, e);
      }
    }
  }

  static final int TX_ATTEMPTS = 3;

  /** Whether the database rolled the whole transaction back (deadlock, serialization failure). */
  static boolean isRolledBack(RuntimeException e) {
    SQLException sql = JdbcErrors.sqlCause(e);
    if (sql == null) {
      return false;
    }
    String state = sql.getSQLState();
    return (state != null && state.startsWith("40")) || sql.getErrorCode() == 1213;
  }

  /** Whether {@code e} (from {@link #tx}) was caused by a duplicate key. */
  boolean isDuplicateKey(RuntimeException e) {
    SQLException sql = JdbcErrors.sqlCause(e);
    return sql != null && dialect.isDuplicateKey(sql);
  }
}
