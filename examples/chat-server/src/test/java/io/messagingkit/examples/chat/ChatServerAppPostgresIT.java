package io.messagingkit.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.UserId;
import io.messagingkit.transport.websocket.client.MessagingClient;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
    HttpClient http = HttpClient.newHttpClient();
    ChatServerApp app = ChatServerApp.start(config);
    try {
      String alice = login(http, app, "alice");
      login(http, app, "bob");
      try (MessagingClient c = MessagingClient.builder(ws(app)).token(() -> alice).build()) {
        c.connect().orTimeout(10, TimeUnit.SECONDS).join();
        c.send(UserId.of("bob"), "stored in postgres").join();
      }
    } finally {
      app.close();
    }
    app = ChatServerApp.start(config);
    try {
      String bob = login(http, app, "bob");
      List<ServerFrame.Message> got = new CopyOnWriteArrayList<>();
      try (MessagingClient c =
          MessagingClient.builder(ws(app))
              .token(() -> bob)
              .listener(
                  new MessagingClient.Listener() {
                    @Override
                    public void onMessage(ServerFrame.Message m) {
                      got.add(m);
                    }
                  })
              .build()) {
        c.connect().orTimeout(10, TimeUnit.SECONDS).join();
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

  static URI ws(ChatServerApp app) {
    return URI.create("ws://127.0.0.1:" + app.port() + "/ws");
  }

  static String login(HttpClient http, ChatServerApp app, String name) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(app.uri().resolve("api/login"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"" + name + "\",\"password\":\"pw-" + name + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return ChatServerAppTest.JSON.readTree(r.body()).path("token").asText();
  }
}
