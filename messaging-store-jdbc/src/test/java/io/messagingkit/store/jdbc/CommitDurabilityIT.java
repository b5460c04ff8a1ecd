package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The start-up check of commit durability on the database servers. */
@DisplayName("Durable commits on database servers")
class CommitDurabilityIT {

  @Test
  @DisplayName("PostgreSQL with its defaults (fsync on, synchronous_commit on) passes the check")
  void postgresDefaults() throws Exception {
    try (Connection c =
        DriverManager.getConnection(JdbcDatabaseExtension.POSTGRES_URL, "postgres", "")) {
      assertThat(CommitDurability.problems(c, JdbcDatabase.POSTGRESQL)).isEmpty();
    }
  }

  @Test
  @DisplayName("PostgreSQL with synchronous_commit off is refused at start, naming the setting")
  void postgresAsynchronousCommitRefused() {
    String url = JdbcDatabaseExtension.POSTGRES_URL + "?options=-c%20synchronous_commit%3Doff";
    assertThatThrownBy(
            () -> JdbcStores.builder().jdbcUrl(url).username("postgres").migrate(false).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("synchronous_commit = off");
    try (JdbcStores stores =
        JdbcStores.builder()
            .jdbcUrl(url)
            .username("postgres")
            .migrate(false)
            .allowNonDurableCommits(true)
            .build()) {
      assertThat(stores.durabilityWarnings())
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .contains("synchronous_commit = off");
    }
  }

  @Test
  @DisplayName(
      "MariaDB with innodb_flush_log_at_trx_commit = 1 passes the check (the value is read from"
          + " the server)")
  void mariadbFlushAtCommit() throws Exception {
    try (Connection c =
        DriverManager.getConnection(JdbcDatabaseExtension.MARIADB_URL, "root", "")) {
      assertThat(CommitDurability.problems(c, JdbcDatabase.MYSQL)).isEmpty();
      try (var s = c.createStatement();
          var r = s.executeQuery("SELECT @@innodb_flush_log_at_trx_commit")) {
        r.next();
        assertThat(r.getString(1)).isEqualTo("1");
      }
    }
  }
}
