package io.messagingkit.adversarial.crash;

import io.messagingkit.core.ChatServer;
import io.messagingkit.store.jdbc.JdbcStores;
import io.messagingkit.transport.websocket.ChatWebSocket;
import io.messagingkit.transport.websocket.JwtAuthenticator;
import io.messagingkit.transport.websocket.WebSocketSettings;
import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;

/**
 * The chat server the crash tests kill: assembled as the embedded example ({@code
 * examples/chat-server}'s {@code ChatServerApp}) assembles it: every JDBC store on one {@link
 * JdbcStores}, the in-process bus and session registry, the Jakarta WebSocket endpoint on Jetty,
 * HS256 tokens. It leaves out what the crash tests do not exercise (the sign-in API, the web page,
 * media, Web Push) and raises the per-connection rate limit, so a stream is limited by the server's
 * work rather than by the limiter.
 *
 * <p>Run in a child JVM by {@link ServerKillCampaign} with system properties {@code crash.jdbc.url}
 * , {@code crash.jdbc.user} (optional), {@code crash.jdbc.schema} (optional), {@code crash.port}
 * and {@code crash.secret} (base64, at least 32 bytes). Prints {@code READY port=<port>} once it
 * serves, and {@code SHUTDOWN HOOK} if it is stopped politely (a SIGKILL never prints it).
 */
public final class CrashServerMain {
  static final String ISSUER = "messagingkit-crash";
  static final String READY = "READY port=";
  static final String SHUTDOWN_HOOK = "SHUTDOWN HOOK";

  private CrashServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    byte[] secret = Base64.getDecoder().decode(required("crash.secret"));
    JdbcStores stores =
        JdbcStores.builder()
            .jdbcUrl(required("crash.jdbc.url"))
            .username(System.getProperty("crash.jdbc.user"))
            .schema(System.getProperty("crash.jdbc.schema"))
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
            .start();
    JwtAuthenticator authenticator =
        JwtAuthenticator.builder().hmacSecret(secret).issuer(ISSUER).audience(ISSUER).build();
    ChatWebSocket ws =
        ChatWebSocket.builder(server::connect, authenticator)
            .containerSupport(JettyChatServerHost.support())
            .settings(WebSocketSettings.builder().rateLimit(100_000, 100_000).build())
            .build();
    JettyChatServerHost host =
        JettyChatServerHost.builder(ws)
            .host("127.0.0.1")
            .port(Integer.parseInt(required("crash.port")))
            .build()
            .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println(SHUTDOWN_HOOK);
                  host.close();
                  ws.close();
                  server.close();
                  stores.close();
                  stopped.countDown();
                }));
    System.out.println(READY + host.port());
    stopped.await();
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("system property " + property + " must be set");
    }
    return value;
  }
}
