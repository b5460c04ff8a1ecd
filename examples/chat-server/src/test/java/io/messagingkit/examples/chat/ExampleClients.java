package io.messagingkit.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.messagingkit.transport.websocket.client.MessagingClient;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Signs in to the running example over its HTTP API and connects Java SDK clients to it. */
final class ExampleClients {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ExampleClients() {}

  static URI ws(ChatServerApp app) {
    return URI.create("ws://127.0.0.1:" + app.port() + "/ws");
  }

  /** POSTs api/login (registering the name on first use) and returns the raw response. */
  static HttpResponse<String> login(ChatServerApp app, String name, String password) {
    try {
      String body =
          JSON.writeValueAsString(Map.of("name", name, "password", password, "device", "sdk"));
      return HTTP.send(
          HttpRequest.newBuilder(app.uri().resolve("api/login"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Signs in (password {@code pw-<name>}) and returns the token. */
  static String token(ChatServerApp app, String name) {
    HttpResponse<String> r = login(app, name, "pw-" + name);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    try {
      return JSON.readTree(r.body()).path("token").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A connected client whose received messages are added to {@code inbox}. */
  static MessagingClient connected(
      ChatServerApp app, Supplier<String> token, List<ServerFrame.Message> inbox) {
    return connected(app, token, inbox, new MessagingClient.Listener() {});
  }

  /** As above; {@code also} hears every other event (receipts, presence...). */
  static MessagingClient connected(
      ChatServerApp app,
      Supplier<String> token,
      List<ServerFrame.Message> inbox,
      MessagingClient.Listener also) {
    MessagingClient client =
        MessagingClient.builder(ws(app))
            .token(token)
            .listener(
                new MessagingClient.Listener() {
                  @Override
                  public void onMessage(ServerFrame.Message message) {
                    inbox.add(message);
                  }

                  @Override
                  public void onDelivered(ServerFrame.Receipt receipt) {
                    also.onDelivered(receipt);
                  }

                  @Override
                  public void onRead(ServerFrame.Receipt receipt) {
                    also.onRead(receipt);
                  }
                })
            .build();
    client.connect().orTimeout(10, TimeUnit.SECONDS).join();
    return client;
  }
}
