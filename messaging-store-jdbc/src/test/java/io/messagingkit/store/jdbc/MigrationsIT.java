package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.MessagingException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The shipped migrations on a fresh schema of the real PostgreSQL and MariaDB. */
class MigrationsIT {
  static final List<String> TABLES =
      List.of(
          "mk_contact",
          "mk_device",
          "mk_group",
          "mk_group_member",
          "mk_idempotency",
          "mk_message_archive",
          "mk_message_archive_key",
          "mk_offline_device",
          "mk_offline_message");

  @Test
  @DisplayName("PostgreSQL: a fresh schema is created and migrated once; a second start is a no-op")
  void postgres() throws SQLException {
    check(JdbcDatabaseExtension.POSTGRES_URL, "postgres", null);
  }

  @Test
  @DisplayName("MariaDB: a fresh database is created and migrated once; a second start is a no-op")
  void mariadb() throws SQLException {
    check(JdbcDatabaseExtension.MARIADB_URL, "root", "");
  }

  static void check(String url, String user, String password) throws SQLException {
    String schema = "mk_m_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    JdbcStores.Builder builder =
        JdbcStores.builder().jdbcUrl(url).username(user).password(password).schema(schema);
    try (JdbcStores first = builder.build()) {
      try {
        assertThat(tables(first, schema)).containsAll(TABLES);
        assertThat(history(first, schema))
            .containsExactly("1:true", "2.1:true", "3:true")
            .allMatch(r -> r.endsWith(":true"));
        first.deviceDirectory().register(DeviceAddress.of("kept", "phone"));
        try (JdbcStores second = builder.build()) {
          assertThat(history(second, schema)).isEqualTo(history(first, schema));
          assertThat(second.deviceDirectory().register(DeviceAddress.of("kept", "phone")))
              .isFalse();
        }
        // without migrations, a schema that lacks the tables fails clearly (not as "unavailable")
        String empty = schema + "x";
        try (JdbcStores unmigrated =
            JdbcStores.builder()
                .jdbcUrl(url)
                .username(user)
                .password(password)
                .schema(empty)
                .migrate(false)
                .build()) {
          assertThatThrownBy(
                  () -> unmigrated.contactGraph().contactsOf(io.messagingkit.core.UserId.of("a")))
              .isInstanceOfSatisfying(
                  MessagingException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL))
              .hasMessageContaining("listing the contacts of a");
        }
      } finally {
        try (Connection c = first.dataSource().getConnection();
            Statement s = c.createStatement()) {
          s.execute(
              url.contains("postgresql")
                  ? "DROP SCHEMA " + schema + " CASCADE"
                  : "DROP DATABASE " + schema);
        }
      }
    }
  }

  static List<String> tables(JdbcStores stores, String schema) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = stores.dataSource().getConnection();
        ResultSet rs =
            c.getMetaData()
                .getTables(
                    stores.database() == JdbcDatabase.MYSQL ? schema : null,
                    stores.database() == JdbcDatabase.MYSQL ? null : schema,
                    "mk_%",
                    null)) {
      while (rs.next()) {
        names.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
      }
    }
    return names;
  }

  static List<String> history(JdbcStores stores, String schema) throws SQLException {
    List<String> rows = new ArrayList<>();
    String prefix = schema == null ? "" : schema + ".";
    try (Connection c = stores.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                ("SELECT \"version\", \"success\" FROM "
                        + prefix
                        + "mk_schema_history WHERE \"version\" IS NOT NULL"
                        + " ORDER BY \"installed_rank\"")
                    .replace('"', stores.database() == JdbcDatabase.MYSQL ? '`' : '"'))) {
      while (rs.next()) {
        rows.add(rs.getString(1) + ":" + rs.getBoolean(2));
      }
    }
    return rows;
  }
}
