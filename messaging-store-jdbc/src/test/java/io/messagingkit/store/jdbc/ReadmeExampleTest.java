package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.ChatServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The configuration snippet of the module README, compiled and run on H2. */
class ReadmeExampleTest {

  @Test
  void readmeSnippetRuns() {
    try (JdbcStores stores =
            JdbcStores.builder()
                .jdbcUrl("jdbc:h2:mem:readme;DB_CLOSE_DELAY=-1")
                .schema("messaging")
                .maximumPoolSize(20)
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        ChatServer server =
            ChatServer.builder()
                .offlineStore(stores.offlineStore())
                .idempotencyStore(stores.idempotencyStore())
                .groupDirectory(stores.groupDirectory())
                .messageArchive(stores.messageArchive())
                .deviceDirectory(stores.deviceDirectory())
                .contactGraph(stores.contactGraph())
                .build()
                .start()) {
      assertThat(server).isNotNull();
      assertThat(stores.config().schema()).isEqualTo("messaging");
    }
  }
}
