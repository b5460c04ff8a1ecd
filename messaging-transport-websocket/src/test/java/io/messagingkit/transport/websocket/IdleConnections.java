package io.messagingkit.transport.websocket;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;
import io.messagingkit.transport.websocket.tyrus.TyrusChatServerHost;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Live heap per idle connection, server and clients in separate JVMs
 * (docs/transport-benchmarks.md).
 *
 * <pre>
 * java ... IdleConnections server tyrus|jetty PORTFILE   # prints heap after GC on each stdin line
 * java ... IdleConnections clients PORT COUNT SECONDS
 * </pre>
 */
public final class IdleConnections {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  public static void main(String[] args) throws Exception {
    if (args[0].equals("server")) {
      server(args[1], Path.of(args[2]));
    } else {
      clients(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    }
  }

  static void server(String container, Path portFile) throws Exception {
    ChatServer server =
        ChatServer.builder()
            .noArchive()
            .settings(
                io.messagingkit.core.ChatServerSettings.defaults()
                    .withHeartbeat(Duration.ofSeconds(5), Duration.ofMinutes(10)))
            .build()
            .start();
    JwtAuthenticator auth =
        JwtAuthenticator.builder().hmacSecret(SECRET).issuer("t").audience("c").build();
    boolean tyrus = container.equals("tyrus");
    ChatWebSocket ws =
        ChatWebSocket.builder(server::connect, auth)
            .containerSupport(tyrus ? TyrusChatServerHost.support() : JettyChatServerHost.support())
            .settings(
                WebSocketSettings.builder()
                    .maxConnectionsPerAddress(100_000)
                    .idleTimeout(Duration.ofMinutes(10))
                    .build())
            .build();
    int port;
    if (tyrus) {
      port = TyrusChatServerHost.builder(ws).port(0).build().start().port();
    } else {
      port = JettyChatServerHost.builder(ws).port(0).build().start().port();
    }
    Files.writeString(portFile, Integer.toString(port));
    var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
    String line;
    while ((line = in.readLine()) != null) {
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(300);
      }
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      System.out.println(
          line
              + " heap="
              + used
              + " connections="
              + ws.openConnections()
              + " threads="
              + Thread.activeCount());
    }
    System.exit(0);
  }

  static void clients(int port, int count, int seconds) throws Exception {
    JwtIssuer issuer = JwtIssuer.hs256(SECRET, "t", "c", Duration.ofHours(1), Clock.systemUTC());
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("ws://127.0.0.1:" + port + "/ws");
    CountDownLatch welcomed = new CountDownLatch(count);
    List<WebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sockets.add(
          http.newWebSocketBuilder()
              .header("Authorization", "Bearer " + issuer.issue(DeviceAddress.of("u" + i, "d")))
              .subprotocols("messagingkit.v1")
              .buildAsync(
                  uri,
                  new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence d, boolean last) {
                      welcomed.countDown();
                      w.request(1);
                      return null;
                    }
                  })
              .join());
    }
    System.out.println("welcomed: " + welcomed.await(60, TimeUnit.SECONDS));
    Thread.sleep(seconds * 1000L);
    sockets.forEach(WebSocket::abort);
    System.exit(0);
  }

  private IdleConnections() {}
}
