package io.messagingkit.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.Authenticator;
import io.messagingkit.transport.websocket.client.MessagingClient;
import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The code of this module's README, compiled and run. */
class ReadmeExampleTest {
  @Test
  @DisplayName("the README's server and client snippets work as written")
  void readme() {
    byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    JwtIssuer tokens =
        JwtIssuer.hs256(
            secret, "https://id.example", "chat", Duration.ofHours(1), Clock.systemUTC());

    // --- README: Server
    ChatServer server = ChatServer.builder().build().start(); // in-memory defaults
    Authenticator auth =
        JwtAuthenticator.builder()
            .hmacSecret(secret) // >= 32 bytes; or .jwkSet(...) / .jwkSetUrl(...)
            .issuer("https://id.example")
            .audience("chat")
            .build();
    ChatWebSocket ws =
        ChatWebSocket.builder(server::connect, auth)
            .containerSupport(JettyChatServerHost.support())
            .settings(
                WebSocketSettings.builder()
                    .allowOrigins("https://chat.example")
                    .maxTextFrameBytes(64 * 1024)
                    .rateLimit(20, 40)
                    .maxConnectionsPerAddress(64)
                    .build())
            .build();
    JettyChatServerHost host = JettyChatServerHost.builder(ws).port(0).build().start();

    // --- README: Client
    CompletableFuture<String> bobGot = new CompletableFuture<>();
    MessagingClient bob =
        MessagingClient.builder(URI.create("ws://localhost:" + host.port() + "/ws"))
            .token(() -> tokens.issue(DeviceAddress.of("bob", "phone")))
            .listener(
                new MessagingClient.Listener() {
                  @Override
                  public void onMessage(ServerFrame.Message m) {
                    bobGot.complete(MessagingClient.text(m));
                  }
                })
            .build();
    MessagingClient client =
        MessagingClient.builder(URI.create("ws://localhost:" + host.port() + "/ws"))
            .token(() -> tokens.issue(DeviceAddress.of("alice", "laptop")))
            .build();
    try {
      bob.connect().orTimeout(10, TimeUnit.SECONDS).join();
      client.connect().orTimeout(10, TimeUnit.SECONDS).join();
      client.send(UserId.of("bob"), "hi").join(); // completes on SENT_ACK
      assertThat(bobGot.orTimeout(10, TimeUnit.SECONDS).join()).isEqualTo("hi");
    } finally {
      client.close();
      bob.close();
      host.close();
      ws.close();
      server.close();
    }
  }
}
