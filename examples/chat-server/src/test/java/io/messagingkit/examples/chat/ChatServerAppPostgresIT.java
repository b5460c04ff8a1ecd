package io.messagingkit.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.UserId;
import io.messagingkit.transport.websocket.client.MessagingClient;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example pointed at PostgreSQL (127.0.0.1:5432, db test) through its JDBC settings. */
class ChatServerAppPostgresIT {
  @TempDir Path data;

  @Test
  @DisplayName(
      "runs on PostgreSQL: an offline message waits in the database and survives a restart")
  void postgres() throws Exception {
    String schema = "chat_example_" + Long.toHexString(System.nanoTime());
    ChatServerApp.Config config =
        new ChatServerApp.Config(
            "127.0.0.1",
            0,
            data,
            List.of(),
            "jdbc:postgresql://127.0.0.1:5432/test",
            "postgres",
            null,
            schema);
    ChatServerApp app = ChatServerApp.start(config);
    try {
      String alice = ExampleClients.token(app, "alice");
      String firstBob = ExampleClients.token(app, "bob");
      // messages go only to users with a registered device: bob's connects once
      ExampleClients.connected(app, () -> firstBob, new CopyOnWriteArrayList<>()).close();
      try (MessagingClient c =
          ExampleClients.connected(app, () -> alice, new CopyOnWriteArrayList<>())) {
        c.send(UserId.of("bob"), "stored in postgres").join();
      }
    } finally {
      app.close();
    }
    app = ChatServerApp.start(config);
    try {
      String bob = ExampleClients.token(app, "bob");
      List<ServerFrame.Message> got = new CopyOnWriteArrayList<>();
      try (MessagingClient c = ExampleClients.connected(app, () -> bob, got)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
        assertThat(MessagingClient.text(got.get(0))).isEqualTo("stored in postgres");
      }
    } finally {
      app.close();
      try (var c = java.sql.DriverManager.getConnection(config.jdbcUrl(), "postgres", null);
          var st = c.createStatement()) {
        st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }
}
