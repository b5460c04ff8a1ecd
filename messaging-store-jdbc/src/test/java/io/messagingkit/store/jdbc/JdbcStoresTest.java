package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.Conversation;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupInfo;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcStoresTest {

  private static Envelope message(String id) {
    Instant now = Instant.parse("2026-11-28T12:00:00.123456789Z");
    return new Envelope(
        MessageId.of(id),
        DeviceAddress.of("alice", "phone"),
        Recipient.user(UserId.of("bob")),
        MessageType.TEXT,
        new byte[] {1, 2, 3},
        null,
        null,
        now,
        now,
        7);
  }

  @Nested
  @DisplayName("the embedded default")
  class Embedded {
    @Test
    @DisplayName("an H2 file database keeps queues, groups and history across a restart")
    void h2FileSurvivesRestart(@TempDir Path dir) {
      String url = "jdbc:h2:file:" + dir.resolve("chat").toAbsolutePath();
      DeviceAddress bob = DeviceAddress.of("bob", "phone");
      GroupInfo team = new GroupInfo(GroupId.of("team"), "Team", UserId.of("alice"), Instant.EPOCH);
      try (JdbcStores stores = JdbcStores.fromUrl(url)) {
        assertThat(stores.database()).isEqualTo(JdbcDatabase.H2);
        stores.offlineStore().enqueue(bob, message("m1"));
        stores.groupDirectory().create(team);
        stores.messageArchive().append(message("m1"));
      }
      try (JdbcStores stores = JdbcStores.fromUrl(url)) {
        assertThat(stores.offlineStore().fetch(bob, 0, 10))
            .extracting(q -> q.envelope())
            .containsExactly(message("m1"));
        assertThat(stores.groupDirectory().find(GroupId.of("team"))).contains(team);
        assertThat(
                stores
                    .messageArchive()
                    .page(Conversation.direct(UserId.of("alice"), UserId.of("bob")), null, 5)
                    .messages())
            .containsExactly(message("m1"));
      }
    }

    @Test
    @DisplayName("a caller's data source is used as is and left open on close")
    void callersDataSource() throws Exception {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:mem:callers;DB_CLOSE_DELAY=-1");
      try (JdbcStores stores = JdbcStores.builder().dataSource(h2).build()) {
        assertThat(stores.dataSource()).isSameAs(h2);
        stores.contactGraph().link(UserId.of("a"), UserId.of("b"));
      }
      try (Connection c = h2.getConnection()) {
        assertThat(c.isValid(1)).isTrue();
      }
      JdbcContactGraph graph = JdbcContactGraph.builder(h2).build();
      assertThat(graph.contactsOf(UserId.of("a"))).containsExactly(UserId.of("b"));
      JdbcOfflineStore offline =
          JdbcOfflineStore.builder(h2).database(JdbcDatabase.H2).schema(null).build();
      assertThat(offline.depth(DeviceAddress.of("a", "b"))).isZero();
    }
  }

  @Nested
  @DisplayName("settings")
  class Settings {
    @Test
    @DisplayName("a missing or doubled connection setting is refused, naming it")
    void connection() {
      assertThatThrownBy(() -> JdbcStores.builder().build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("jdbcUrl or dataSource");
      assertThatThrownBy(
              () ->
                  JdbcStores.builder()
                      .jdbcUrl("jdbc:h2:mem:x")
                      .dataSource(new JdbcDataSource())
                      .build())
          .hasMessageContaining("not both");
      assertThatThrownBy(() -> JdbcStores.fromUrl("jdbc:oracle:thin:@db:1521/x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("jdbcUrl");
    }

    @Test
    @DisplayName("out-of-range values are refused with the setting's name")
    void ranges() {
      JdbcStores.Builder b = JdbcStores.builder().jdbcUrl("jdbc:h2:mem:ranges");
      assertThatThrownBy(() -> b.maximumPoolSize(0).config())
          .hasMessageContaining("maximumPoolSize");
      b.maximumPoolSize(2);
      assertThatThrownBy(() -> b.connectionTimeout(Duration.ofMillis(10)).config())
          .hasMessageContaining("connectionTimeout");
      b.connectionTimeout(Duration.ofSeconds(1));
      assertThatThrownBy(() -> b.partitionMonthsAhead(25).config())
          .hasMessageContaining("partitionMonthsAhead");
      b.partitionMonthsAhead(0);
      assertThatThrownBy(() -> b.schema("x; DROP TABLE y").config()).hasMessageContaining("schema");
      assertThatThrownBy(
              () ->
                  JdbcMessageArchive.builder(new JdbcDataSource()).partitionMonthsAhead(-1).build())
          .hasMessageContaining("partitionMonthsAhead");
    }

    @Test
    @DisplayName("the config's text form hides the password")
    void passwordHidden() {
      JdbcStoreConfig config =
          JdbcStores.builder().jdbcUrl("jdbc:h2:mem:x").username("u").password("s3cret").config();
      assertThat(config.toString()).doesNotContain("s3cret").contains("****");
      assertThat(config.migrate()).isTrue();
    }

    @Test
    @DisplayName("the database family is known from the URL or the product name")
    void families() {
      assertThat(JdbcDatabase.fromJdbcUrl("jdbc:postgresql://h/db"))
          .isEqualTo(JdbcDatabase.POSTGRESQL);
      assertThat(JdbcDatabase.fromJdbcUrl("jdbc:mariadb://h/db")).isEqualTo(JdbcDatabase.MYSQL);
      assertThat(JdbcDatabase.fromJdbcUrl("jdbc:mysql://h/db")).isEqualTo(JdbcDatabase.MYSQL);
      assertThat(JdbcDatabase.fromJdbcUrl("jdbc:h2:file:./data/chat")).isEqualTo(JdbcDatabase.H2);
      assertThat(JdbcDatabase.fromProductName("PostgreSQL")).isEqualTo(JdbcDatabase.POSTGRESQL);
      assertThat(JdbcDatabase.fromProductName("MariaDB")).isEqualTo(JdbcDatabase.MYSQL);
      assertThat(JdbcDatabase.fromProductName("MySQL")).isEqualTo(JdbcDatabase.MYSQL);
      assertThat(JdbcDatabase.fromProductName("H2")).isEqualTo(JdbcDatabase.H2);
      assertThatThrownBy(() -> JdbcDatabase.fromProductName("Oracle"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
