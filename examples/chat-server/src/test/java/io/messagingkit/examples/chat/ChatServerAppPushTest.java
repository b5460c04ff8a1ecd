package io.messagingkit.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.UserId;
import io.messagingkit.transport.websocket.client.MessagingClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example's Web Push: the VAPID key the page subscribes with, the page's files, a push. */
class ChatServerAppPushTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path data;
  ChatServerApp app;
  HttpServer pushService;

  @AfterEach
  void stop() {
    System.clearProperty("chat.push.unsafe-allow-loopback-endpoints");
    if (app != null) {
      app.close();
    }
    if (pushService != null) {
      pushService.stop(0);
    }
  }

  ChatServerApp start() {
    return ChatServerApp.start(new ChatServerApp.Config("127.0.0.1", 0, data, List.of()));
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(app.uri().resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  String vapidPublicKey() throws Exception {
    HttpResponse<String> r = get("api/push/vapid-public-key");
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body()).path("publicKey").asText();
  }

  @Test
  @DisplayName("the page gets a VAPID public key, kept in the data folder across restarts")
  void vapidKey() throws Exception {
    app = start();
    String key = vapidPublicKey();
    assertThat(Base64.getUrlDecoder().decode(key)).hasSize(65).startsWith(4);
    app.close();
    app = start();
    assertThat(vapidPublicKey()).isEqualTo(key);
  }

  @Test
  @DisplayName("the page loads push.js, and the service worker sw.js shows content-free pushes")
  void pageFiles() throws Exception {
    app = start();
    assertThat(get("index.html").body()).contains("<script src=\"push.js\"></script>");
    assertThat(get("push.js").body())
        .contains("PUSH_REGISTER")
        .contains("api/push/vapid-public-key");
    HttpResponse<String> sw = get("sw.js");
    assertThat(sw.statusCode()).isEqualTo(200);
    assertThat(sw.body()).contains("showNotification");
  }

  @Test
  @DisplayName("a browser subscription registered through the protocol is pushed when offline")
  void pushedWhenOffline() throws Exception {
    List<String> authorizations = new CopyOnWriteArrayList<>();
    pushService = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    pushService.createContext(
        "/push/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
          exchange.sendResponseHeaders(201, -1);
          exchange.close();
        });
    pushService.start();
    // the fake push service runs on this machine: the explicit, test-only opt-in
    System.setProperty("chat.push.unsafe-allow-loopback-endpoints", "true");
    app = start();
    String key = vapidPublicKey();
    URI ws = URI.create("ws://127.0.0.1:" + app.port() + "/ws");
    String aliceToken = token("alice");
    String bobToken = token("bob");

    try (MessagingClient bob = MessagingClient.builder(ws).token(() -> bobToken).build()) {
      bob.connect().orTimeout(10, TimeUnit.SECONDS).join();
      bob.registerPush(browserSubscription()).orTimeout(10, TimeUnit.SECONDS).join();
    }
    try (MessagingClient alice = MessagingClient.builder(ws).token(() -> aliceToken).build()) {
      alice.connect().orTimeout(10, TimeUnit.SECONDS).join();
      alice.send(UserId.of("bob"), "are you there?").join();
      await().atMost(Duration.ofSeconds(10)).until(() -> authorizations.size() == 1);
    }
    assertThat(authorizations.get(0)).startsWith("vapid t=").endsWith("k=" + key);
  }

  @Test
  @DisplayName(
      "a raw client registering an endpoint on the server's network gets invalid_request naming"
          + " the rule, and nothing is posted there")
  void internalEndpointRefused() throws Exception {
    AtomicInteger posts = new AtomicInteger();
    pushService = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    pushService.createContext(
        "/",
        exchange -> {
          posts.incrementAndGet();
          exchange.sendResponseHeaders(201, -1);
          exchange.close();
        });
    pushService.start();
    app = start();
    String bobToken = token("bob");
    String aliceToken = token("alice");
    PushTarget keys = browserSubscription();
    String p256dh = keys.keys().get("p256dh");
    String auth = keys.keys().get("auth");
    int port = pushService.getAddress().getPort();
    BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    WebSocket ws =
        http.newWebSocketBuilder()
            .buildAsync(
                URI.create("ws://127.0.0.1:" + app.port() + "/ws?access_token=" + bobToken),
                new WebSocket.Listener() {
                  final StringBuilder text = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      try {
                        frames.add(JSON.readTree(text.toString()));
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                      text.setLength(0);
                    }
                    w.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    assertThat(next(frames, "WELCOME")).isNotNull();
    String[][] cases = {
      {"http://127.0.0.1:" + port + "/push/bob", "must be an https URL"},
      {"http://169.254.169.254/latest/meta-data/", "must be an https URL"},
      {"https://2130706433:" + port + "/push/bob", "must name its host, not an IP address"},
      {"https://[::ffff:127.0.0.1]:" + port + "/push", "must name its host, not an IP address"},
      {"https://bob@localhost:" + port + "/push", "must not carry user information"},
      {"https://localhost:" + port + "/push/bob", "must be on an allowed push service"}
    };
    for (int i = 0; i < cases.length; i++) {
      ws.sendText(
              JSON.writeValueAsString(
                  Map.of(
                      "type",
                      "PUSH_REGISTER",
                      "rid",
                      "r-" + i,
                      "platform",
                      "WEB_PUSH",
                      "token",
                      cases[i][0],
                      "keys",
                      Map.of("p256dh", p256dh, "auth", auth))),
              true)
          .get(10, TimeUnit.SECONDS);
      JsonNode error = next(frames, "ERROR");
      assertThat(error.path("ref").asText()).isEqualTo("r-" + i);
      assertThat(error.path("code").asText()).isEqualTo("invalid_request");
      assertThat(error.path("message").asText()).as(cases[i][0]).contains(cases[i][1]);
    }
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    // bob is offline now: a message to him would be pushed to a registered target
    try (MessagingClient alice =
        MessagingClient.builder(URI.create("ws://127.0.0.1:" + app.port() + "/ws"))
            .token(() -> aliceToken)
            .build()) {
      alice.connect().orTimeout(10, TimeUnit.SECONDS).join();
      alice.send(UserId.of("bob"), "are you there?").orTimeout(10, TimeUnit.SECONDS).join();
    }
    assertThat(posts).as("requests that reached the local service").hasValue(0);
  }

  private static JsonNode next(BlockingQueue<JsonNode> frames, String type) throws Exception {
    while (true) {
      JsonNode f = frames.poll(10, TimeUnit.SECONDS);
      assertThat(f).as("a " + type + " frame").isNotNull();
      if (f.path("type").asText().equals(type)) {
        return f;
      }
    }
  }

  private PushTarget browserSubscription() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    ECPublicKey pub = (ECPublicKey) g.generateKeyPair().getPublic();
    byte[] point = new byte[65];
    point[0] = 4;
    copy(pub.getW().getAffineX(), point, 1);
    copy(pub.getW().getAffineY(), point, 33);
    byte[] auth = new byte[16];
    new SecureRandom().nextBytes(auth);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return new PushTarget(
        PushTarget.Platform.WEB_PUSH,
        "http://127.0.0.1:" + pushService.getAddress().getPort() + "/push/bob-browser",
        Map.of("p256dh", b64.encodeToString(point), "auth", b64.encodeToString(auth)));
  }

  private static void copy(BigInteger v, byte[] out, int at) {
    byte[] b = v.toByteArray();
    int start = Math.max(0, b.length - 32);
    System.arraycopy(b, start, out, at + 32 - (b.length - start), b.length - start);
  }

  private String token(String name) throws Exception {
    String body =
        JSON.writeValueAsString(Map.of("name", name, "password", "secret-" + name, "device", "t1"));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(app.uri().resolve("api/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body()).path("token").asText();
  }
}
