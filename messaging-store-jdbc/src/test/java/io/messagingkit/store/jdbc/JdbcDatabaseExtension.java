package io.messagingkit.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real database for tests: connects once per JVM and database family, migrates a schema of its
 * own (a random name, dropped at JVM exit, so parallel runs of other modules never collide) and
 * empties every table before each test. PostgreSQL and MariaDB are the local servers ({@code
 * 127.0.0.1:5432} user postgres, {@code 127.0.0.1:3306} user root, database {@code test}); H2 runs
 * in memory.
 */
final class JdbcDatabaseExtension implements BeforeEachCallback {
  static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String MARIADB_URL = "jdbc:mariadb://127.0.0.1:3306/test";

  private static final Map<JdbcDatabase, Running> RUNNING = new ConcurrentHashMap<>();
  private static final List<String> TABLES =
      List.of(
          "mk_offline_message",
          "mk_offline_device",
          "mk_idempotency",
          "mk_group_member",
          "mk_group",
          "mk_message_archive",
          "mk_message_archive_key",
          "mk_device",
          "mk_contact");

  private final JdbcDatabase database;

  private JdbcDatabaseExtension(JdbcDatabase database) {
    this.database = database;
  }

  static JdbcDatabaseExtension postgres() {
    return new JdbcDatabaseExtension(JdbcDatabase.POSTGRESQL);
  }

  static JdbcDatabaseExtension mariadb() {
    return new JdbcDatabaseExtension(JdbcDatabase.MYSQL);
  }

  static JdbcDatabaseExtension h2() {
    return new JdbcDatabaseExtension(JdbcDatabase.H2);
  }

  /** The stores on this JVM's schema. */
  JdbcStores stores() {
    return running().stores;
  }

  /** This JVM's schema (null for H2, which uses its own in-memory database). */
  String schema() {
    return running().schema;
  }

  JdbcDatabase database() {
    return database;
  }

  /** A JDBC URL of the server (not of a schema). */
  String url() {
    return running().url;
  }

  private Running running() {
    return RUNNING.computeIfAbsent(database, JdbcDatabaseExtension::start);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws SQLException {
    Running r = running();
    try (Connection c = r.stores.dataSource().getConnection();
        Statement s = c.createStatement()) {
      String prefix = r.schema == null ? "" : r.schema + ".";
      if (database == JdbcDatabase.POSTGRESQL) {
        String truncate =
            "TRUNCATE "
                + String.join(", ", TABLES.stream().map(t -> prefix + t).toList())
                + " CASCADE";
        // the previous test's server may still be finishing a transaction over two tables: the
        // database then picks one side of the deadlock; if it is this one, clear again
        for (int attempt = 1; ; attempt++) {
          try {
            s.execute(truncate);
            break;
          } catch (SQLException e) {
            if (attempt >= 5 || !"40P01".equals(e.getSQLState())) {
              throw e;
            }
          }
        }
      } else {
        for (String table : TABLES) {
          s.execute("DELETE FROM " + prefix + table);
        }
      }
    }
  }

  private static Running start(JdbcDatabase database) {
    String schema = "mk_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    JdbcStores.Builder builder =
        JdbcStores.builder().maximumPoolSize(10).connectionTimeout(Duration.ofSeconds(20));
    String url;
    switch (database) {
      case POSTGRESQL -> {
        url = POSTGRES_URL;
        builder.jdbcUrl(url).username("postgres").schema(schema);
      }
      case MYSQL -> {
        url = MARIADB_URL;
        builder.jdbcUrl(url).username("root").password("").schema(schema);
      }
      default -> {
        url = "jdbc:h2:mem:" + schema + ";DB_CLOSE_DELAY=-1";
        builder.jdbcUrl(url);
        schema = null;
      }
    }
    JdbcStores stores = builder.build();
    String created = schema;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try (Connection c = stores.dataSource().getConnection();
                      Statement s = c.createStatement()) {
                    if (database == JdbcDatabase.POSTGRESQL) {
                      s.execute("DROP SCHEMA " + created + " CASCADE");
                    } else if (database == JdbcDatabase.MYSQL) {
                      s.execute("DROP DATABASE " + created);
                    }
                  } catch (SQLException e) {
                    System.err.println("could not drop test schema " + created + ": " + e);
                  } finally {
                    stores.close();
                  }
                }));
    return new Running(stores, schema, url);
  }

  private record Running(JdbcStores stores, String schema, String url) {}
}
