package io.messagingkit.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.messagingkit.core.UserId;
import io.messagingkit.transport.websocket.client.MessagingClient;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the example and talks to it as the page and the Java SDK would. */
class ChatServerAppTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path data;
  ChatServerApp app;

  @BeforeEach
  void start() {
    app = ChatServerApp.start(new ChatServerApp.Config("127.0.0.1", 0, data, List.of()));
  }

  @AfterEach
  void stop() {
    app.close();
  }

  HttpResponse<String> login(String name, String password) {
    return ExampleClients.login(app, name, password);
  }

  String token(String name) throws Exception {
    HttpResponse<String> r = login(name, "secret-" + name);
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body()).path("token").asText();
  }

  @Test
  @DisplayName("serves the chat page on the same port as the WebSocket")
  void page() throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(app.uri()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("messagingkit chat").contains("app.js");
    HttpResponse<String> js =
        http.send(
            HttpRequest.newBuilder(app.uri().resolve("app.js")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(js.body()).contains("messagingkit.v1");
  }

  @Test
  @DisplayName("registers on first sign-in, stores only a PBKDF2 hash, refuses a wrong password")
  void accounts() throws Exception {
    HttpResponse<String> first = login("alice", "correct horse");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(first.body()).path("registered").asBoolean()).isTrue();
    assertThat(login("alice", "wrong password").statusCode()).isEqualTo(401);
    HttpResponse<String> again = login("alice", "correct horse");
    assertThat(JSON.readTree(again.body()).path("registered").asBoolean()).isFalse();
    String stored = Files.readString(data.resolve("users.properties"));
    assertThat(stored).contains("alice=120000\\:").doesNotContain("correct horse");
    assertThat(login("bad name!", "whatever").statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("lists the other users to a signed-in user only")
  void users() throws Exception {
    String alice = token("alice");
    token("bob");
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(app.uri().resolve("api/users"))
                .header("Authorization", "Bearer " + alice)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode users = JSON.readTree(r.body()).path("users");
    assertThat(users).extracting(JsonNode::asText).containsExactly("bob");
    HttpResponse<String> anonymous =
        http.send(
            HttpRequest.newBuilder(app.uri().resolve("api/users")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName(
      "signed-in users chat through the example with the Java SDK; presence is seen only with"
          + " consent (after the watched user wrote), never by a stranger who merely signed up")
  void chat() throws Exception {
    String aliceToken = token("alice");
    String bobToken = token("bob");
    String carolToken = token("carol");
    List<ServerFrame.Message> aliceGot = new CopyOnWriteArrayList<>();
    List<ServerFrame.Message> bobGot = new CopyOnWriteArrayList<>();
    try (MessagingClient alice = ExampleClients.connected(app, () -> aliceToken, aliceGot);
        MessagingClient bob = ExampleClients.connected(app, () -> bobToken, bobGot);
        MessagingClient carol =
            ExampleClients.connected(app, () -> carolToken, new CopyOnWriteArrayList<>())) {
      // bob exists from his sign-in on: alice can write to him at once
      alice.send(UserId.of("bob"), "hello from the example").join();
      await().atMost(Duration.ofSeconds(10)).until(() -> bobGot.size() == 1);
      assertThat(MessagingClient.text(bobGot.get(0))).isEqualTo("hello from the example");
      // a stranger sees nothing of alice, though both are signed up and online
      assertThat(carol.subscribePresence(List.of(UserId.of("alice"))).join().get(0).online())
          .isFalse();
      // bob's reply is his consent: alice now sees him online
      bob.send(UserId.of("alice"), "hi back").join();
      await().atMost(Duration.ofSeconds(10)).until(() -> aliceGot.size() == 1);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> alice.subscribePresence(List.of(UserId.of("bob"))).join().get(0).online());
    }
  }

  @Test
  @DisplayName("messages queued for an offline user survive a restart (H2 file in the data folder)")
  void survivesRestart() throws Exception {
    String aliceToken = token("alice");
    String firstBobToken = token("bob");
    // messages go only to users with a registered device: bob's connects once
    ExampleClients.connected(app, () -> firstBobToken, new CopyOnWriteArrayList<>()).close();
    try (MessagingClient alice =
        ExampleClients.connected(app, () -> aliceToken, new CopyOnWriteArrayList<>())) {
      alice.send(UserId.of("bob"), "kept across restarts").join();
    }
    app.close();
    app = ChatServerApp.start(new ChatServerApp.Config("127.0.0.1", 0, data, List.of()));
    String bobToken = token("bob");
    List<ServerFrame.Message> bobGot = new CopyOnWriteArrayList<>();
    try (MessagingClient bob = ExampleClients.connected(app, () -> bobToken, bobGot)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> bobGot.size() == 1);
      assertThat(MessagingClient.text(bobGot.get(0))).isEqualTo("kept across restarts");
    }
  }
}
