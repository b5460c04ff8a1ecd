package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit is what makes a message SENT_ACKed, so the stores refuse to run where a commit is not
 * durable. The process-kill proof is {@code ServerKillIT} (module messaging-adversarial-tests);
 * these are the rules behind it, on H2.
 */
@DisplayName("Durable commits on H2")
class CommitDurabilityTest {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "an H2 file URL is opened with WRITE_DELAY=0, so each commit is written before it returns")
  void fileUrlGetsNoWriteDelay() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("chat");
    assertThat(CommitDurability.durableUrl(url, false)).isEqualTo(url + ";WRITE_DELAY=0");
    try (JdbcStores stores = JdbcStores.fromUrl(url);
        Connection c = stores.dataSource().getConnection()) {
      assertThat(writeDelays(c)).isNotEmpty().containsOnly("0");
      assertThat(stores.durabilityWarnings()).isEmpty();
    }
  }

  @Test
  @DisplayName("an H2 URL asking for a write delay is refused, naming the setting")
  void writeDelayRefused() {
    String url = "jdbc:h2:file:" + dir.resolve("chat") + ";write_delay=500";
    assertThatThrownBy(() -> JdbcStores.fromUrl(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("WRITE_DELAY=500")
        .hasMessageContaining("allowNonDurableCommits");
    assertThat(CommitDurability.durableUrl(url.replace("500", "0"), false))
        .isEqualTo(url.replace("500", "0"));
  }

  @Test
  @DisplayName(
      "with allowNonDurableCommits an H2 write delay starts, logged and listed as a warning")
  void writeDelayAllowedWhenAsked() {
    try (JdbcStores stores =
        JdbcStores.builder()
            .jdbcUrl("jdbc:h2:file:" + dir.resolve("fast") + ";WRITE_DELAY=500")
            .allowNonDurableCommits(true)
            .build()) {
      assertThat(stores.durabilityWarnings())
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .contains("WRITE_DELAY = 500");
    }
  }

  @Test
  @DisplayName("a caller's H2 data source with the default write delay is refused at start")
  void callersDataSourceChecked() {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:file:" + dir.resolve("callers"));
    assertThatThrownBy(() -> JdbcStores.builder().dataSource(h2).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("WRITE_DELAY = 500")
        .hasMessageContaining(";WRITE_DELAY=0");
    h2.setURL("jdbc:h2:file:" + dir.resolve("callers") + ";WRITE_DELAY=0");
    try (JdbcStores stores = JdbcStores.builder().dataSource(h2).build()) {
      assertThat(stores.durabilityWarnings()).isEmpty();
    }
  }

  @Test
  @DisplayName("in-memory H2 URLs are left as they are (nothing survives a restart anyway)")
  void inMemoryUntouched() {
    for (String url :
        List.of(
            "jdbc:h2:mem:chat;DB_CLOSE_DELAY=-1",
            "jdbc:h2:tcp://localhost:9092/mem:chat",
            "jdbc:postgresql://db:5432/chat")) {
      assertThat(CommitDurability.durableUrl(url, false)).isEqualTo(url);
    }
    assertThat(CommitDurability.isH2InMemory("jdbc:h2:tcp://localhost/~/chat")).isFalse();
    assertThat(CommitDurability.isH2InMemory("jdbc:h2:./data/chat")).isFalse();
  }

  private static List<String> writeDelays(Connection c) throws Exception {
    List<String> values = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                    + " WHERE SETTING_NAME = 'WRITE_DELAY'")) {
      while (r.next()) {
        values.add(r.getString(1));
      }
    }
    return values;
  }
}
