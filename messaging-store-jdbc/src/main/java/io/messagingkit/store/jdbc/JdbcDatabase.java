package io.messagingkit.store.jdbc;

import java.util.Locale;

/**
 * The database families this module supports. Aurora PostgreSQL is {@link #POSTGRESQL}, Aurora
 * MySQL and MariaDB are {@link #MYSQL}.
 */
public enum JdbcDatabase {
  /** PostgreSQL 13 or newer (declarative partitioning of the archive by month). */
  POSTGRESQL,
  /** MySQL 8 or MariaDB 10.6 or newer (InnoDB). */
  MYSQL,
  /** H2 2.x, in memory or in a file: the embedded default. */
  H2;

  /**
   * The family of a JDBC URL ({@code jdbc:postgresql:}, {@code jdbc:mysql:}, {@code jdbc:mariadb:},
   * {@code jdbc:h2:}).
   *
   * @throws IllegalArgumentException for any other URL
   */
  public static JdbcDatabase fromJdbcUrl(String jdbcUrl) {
    String url = jdbcUrl.toLowerCase(Locale.ROOT);
    if (url.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    if (url.startsWith("jdbc:mysql:")
        || url.startsWith("jdbc:mariadb:")
        || url.startsWith("jdbc:aws-wrapper:mysql:")) {
      return MYSQL;
    }
    if (url.startsWith("jdbc:aws-wrapper:postgresql:")) {
      return POSTGRESQL;
    }
    if (url.startsWith("jdbc:h2:")) {
      return H2;
    }
    throw new IllegalArgumentException(
        "jdbcUrl: unsupported database (expected jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb: or"
            + " jdbc:h2:), got '"
            + jdbcUrl
            + "'");
  }

  /**
   * The family of a {@link java.sql.DatabaseMetaData#getDatabaseProductName() product name}.
   *
   * @throws IllegalArgumentException for an unsupported product
   */
  public static JdbcDatabase fromProductName(String productName) {
    String name = productName.toLowerCase(Locale.ROOT);
    if (name.contains("postgresql")) {
      return POSTGRESQL;
    }
    if (name.contains("mysql") || name.contains("mariadb")) {
      return MYSQL;
    }
    if (name.equals("h2")) {
      return H2;
    }
    throw new IllegalArgumentException("unsupported database product '" + productName + "'");
  }
}
