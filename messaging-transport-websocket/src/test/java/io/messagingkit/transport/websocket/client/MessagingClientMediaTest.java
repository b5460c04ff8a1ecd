package io.messagingkit.transport.websocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.core.memory.LocalFolderMediaStore;
import io.messagingkit.transport.websocket.ChatWebSocket;
import io.messagingkit.transport.websocket.JwtAuthenticator;
import io.messagingkit.transport.websocket.JwtIssuer;
import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sendMedia/download through a real server: encrypted upload, MEDIA message, verified download. */
class MessagingClientMediaTest {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  @TempDir Path folder;
  ChatServer server;
  ChatWebSocket ws;
  JettyChatServerHost host;
  LocalFolderMediaStore media;
  int port;
  final JwtIssuer issuer =
      JwtIssuer.hs256(SECRET, "t", "c", Duration.ofMinutes(5), Clock.systemUTC());

  @BeforeEach
  void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    media =
        LocalFolderMediaStore.builder(
                folder.resolve("media"), URI.create("http://127.0.0.1:" + port + "/media"))
            .build();
    server = ChatServer.builder().mediaStore(media).build().start();
    ws =
        ChatWebSocket.builder(
                server::connect,
                JwtAuthenticator.builder().hmacSecret(SECRET).issuer("t").audience("c").build())
            .containerSupport(JettyChatServerHost.support())
            .build();
    host =
        JettyChatServerHost.builder(ws)
            .port(port)
            .localMedia("/media", media.httpHandler())
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    host.close();
    ws.close();
    server.close();
  }

  MessagingClient client(String user, MessagingClient.Listener listener) {
    MessagingClient c =
        MessagingClient.builder(URI.create("ws://127.0.0.1:" + port + "/ws"))
            .token(() -> issuer.issue(DeviceAddress.of(user, "phone")))
            .listener(listener)
            .build();
    c.connect().orTimeout(10, TimeUnit.SECONDS).join();
    return c;
  }

  @Test
  @DisplayName(
      "a picture sent with sendMedia is stored encrypted and downloads intact for the recipient")
  void roundTrip() throws Exception {
    byte[] picture = new byte[200_000];
    new Random(7).nextBytes(picture);
    List<ServerFrame.Message> got = new CopyOnWriteArrayList<>();
    try (MessagingClient alice = client("alice", new MessagingClient.Listener() {});
        MessagingClient bob =
            client(
                "bob",
                new MessagingClient.Listener() {
                  @Override
                  public void onMessage(ServerFrame.Message m) {
                    got.add(m);
                  }
                });
        MessagingClient eve = client("eve", new MessagingClient.Listener() {})) {
      alice.sendMedia(Recipient.user(UserId.of("bob")), picture, "image/png", "cat.png").join();
      await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
      ServerFrame.Message m = got.get(0);
      assertThat(m.kind()).isEqualTo(MessageType.MEDIA);
      assertThat(MediaAttachment.of(m).fileName()).isEqualTo("cat.png");

      assertThat(bob.download(m).join()).isEqualTo(picture);
      Path target = folder.resolve("cat.png");
      assertThat(bob.download(m, target).join()).isEqualTo(picture.length);
      assertThat(Files.readAllBytes(target)).isEqualTo(picture);

      // What the store holds is ciphertext; someone who got no message may not download it.
      try (var stored = Files.walk(folder.resolve("media"))) {
        assertThat(stored.filter(Files::isRegularFile).map(MessagingClientMediaTest::read))
            .noneMatch(bytes -> indexOf(bytes, java.util.Arrays.copyOf(picture, 64)) >= 0);
      }
      assertThatThrownBy(() -> eve.download(m).join()).hasMessageContaining("forbidden");
    }
  }

  static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
