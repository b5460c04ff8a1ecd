package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.DeviceId;
import io.messagingkit.core.UserId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Upgrading a schema of version 1 holding data: the former {@code _pending} queue is dropped, other
 * queues are kept, and existing devices count as seen at the migration.
 */
class MigrationV3IT {

  @Test
  @DisplayName("PostgreSQL: V3 drops the _pending queue, keeps the others, dates existing devices")
  void postgres() throws SQLException {
    check(JdbcDatabaseExtension.POSTGRES_URL, "postgres", null, "postgresql");
  }

  @Test
  @DisplayName("MariaDB: V3 drops the _pending queue, keeps the others, dates existing devices")
  void mariadb() throws SQLException {
    check(JdbcDatabaseExtension.MARIADB_URL, "root", "", "mysql");
  }

  @Test
  @DisplayName("H2: V3 drops the _pending queue, keeps the others, dates existing devices")
  void h2() throws SQLException {
    String name = "mig" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    check("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "", "h2");
  }

  private static void check(String url, String user, String password, String folder)
      throws SQLException {
    String name = "mk_v3_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    // H2 folds unquoted names to upper case, PostgreSQL to lower case
    String schema = folder.equals("h2") ? name.toUpperCase(java.util.Locale.ROOT) : name;
    Flyway.configure(MigrationV3IT.class.getClassLoader())
        .dataSource(url, user, password)
        .locations("classpath:db/migration/" + folder)
        .table("mk_schema_history")
        .schemas(schema)
        .defaultSchema(schema)
        .createSchemas(true)
        .target("1")
        .load()
        .migrate();
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      try (Statement s = c.createStatement()) {
        s.execute(
            "INSERT INTO " + schema + ".mk_device (user_id, device_id) VALUES ('old', 'phone')");
        s.execute(
            "INSERT INTO "
                + schema
                + ".mk_offline_device (user_id, device_id, last_seq) VALUES ('ghost', '_pending', 1),"
                + " ('old', 'phone', 1)");
      }
      insertQueued(c, schema, "ghost", "_pending");
      insertQueued(c, schema, "old", "phone");
    }
    Instant before = Instant.now().minusSeconds(5);
    try (JdbcStores stores =
        JdbcStores.builder()
            .jdbcUrl(url)
            .username(user)
            .password(password)
            .schema(schema)
            .build()) {
      try (Connection c = stores.dataSource().getConnection()) {
        assertThat(count(c, schema, "mk_offline_message", "_pending")).isZero();
        assertThat(count(c, schema, "mk_offline_device", "_pending")).isZero();
        assertThat(count(c, schema, "mk_offline_message", "phone")).isEqualTo(1);
      }
      assertThat(stores.deviceDirectory().lastSeen(UserId.of("old")))
          .containsOnlyKeys(DeviceId.of("phone"))
          .allSatisfy(
              (id, seen) ->
                  assertThat(seen).isBetween(before, Instant.now().plus(Duration.ofSeconds(5))));
      assertThat(
              stores
                  .offlineStore()
                  .fetch(io.messagingkit.core.DeviceAddress.of("old", "phone"), 0, 10))
          .hasSize(1);
    } finally {
      try (Connection c = DriverManager.getConnection(url, user, password);
          Statement s = c.createStatement()) {
        s.execute(
            folder.equals("mysql")
                ? "DROP DATABASE " + schema
                : "DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  private static void insertQueued(Connection c, String schema, String user, String device)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO "
                + schema
                + ".mk_offline_message (user_id, device_id, seq, message_id, from_user_id,"
                + " from_device_id, to_user_id, message_type, content, client_ts_s, client_ts_n,"
                + " server_ts_s, server_ts_n, server_seq)"
                + " VALUES (?, ?, 1, 'm1', 'alice', 'phone', ?, 'TEXT', ?, 1, 0, 1, 0, 1)")) {
      p.setString(1, user);
      p.setString(2, device);
      p.setString(3, user);
      p.setBytes(4, new byte[] {1, 2, 3});
      p.executeUpdate();
    }
  }

  private static long count(Connection c, String schema, String table, String device)
      throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*) FROM "
                    + schema
                    + "."
                    + table
                    + " WHERE device_id = '"
                    + device
                    + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
