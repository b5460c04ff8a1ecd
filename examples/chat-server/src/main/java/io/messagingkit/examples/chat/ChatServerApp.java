package io.messagingkit.examples.chat;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.memory.LocalFolderMediaStore;
import io.messagingkit.store.jdbc.JdbcStores;
import io.messagingkit.transport.websocket.ChatWebSocket;
import io.messagingkit.transport.websocket.JwtAuthenticator;
import io.messagingkit.transport.websocket.JwtIssuer;
import io.messagingkit.transport.websocket.WebSocketSettings;
import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example chat server: a {@link ChatServer} on embedded defaults (an H2 file database for
 * offline queues, groups, history, devices and contacts; or PostgreSQL/MySQL through {@code
 * chat.jdbc.url}), served by Jetty with the web chat page, a sign-in API and the WebSocket endpoint
 * on one port.
 *
 * <pre>{@code
 * java -jar examples/chat-server/target/chat-server.jar            # http://localhost:8080/
 * java -Dchat.port=9090 -Dchat.data=/tmp/chat -jar chat-server.jar
 * }</pre>
 */
public final class ChatServerApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChatServerApp.class);

  /**
   * How to run the example.
   *
   * @param host the interface to bind
   * @param port the port (0 picks a free one)
   * @param dataDir where accounts and the token secret are kept, or null for memory only
   * @param extraOrigins browser origins allowed besides http://localhost:port and
   *     http://127.0.0.1:port (for example a public host name)
   * @param jdbcUrl the database for offline queues, groups, history, devices and contacts: null for
   *     an H2 file in the data folder (or in memory without one); {@code jdbc:postgresql://...},
   *     {@code jdbc:mariadb://...} or {@code jdbc:mysql://...} for a server
   * @param jdbcUser the database user, or null
   * @param jdbcPassword the database password, or null
   * @param jdbcSchema the schema to use (created if missing), or null for the default
   */
  public record Config(
      String host,
      int port,
      @Nullable Path dataDir,
      List<String> extraOrigins,
      @Nullable String jdbcUrl,
      @Nullable String jdbcUser,
      @Nullable String jdbcPassword,
      @Nullable String jdbcSchema) {
    public Config {
      Objects.requireNonNull(host, "host");
      extraOrigins = List.copyOf(extraOrigins);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
    }

    /** A config with the embedded database (an H2 file in {@code dataDir}). */
    public Config(String host, int port, @Nullable Path dataDir, List<String> extraOrigins) {
      this(host, port, dataDir, extraOrigins, null, null, null, null);
    }

    /**
     * From system properties {@code chat.host}, {@code chat.port}, {@code chat.data}, {@code
     * chat.origins}, {@code chat.jdbc.url}, {@code chat.jdbc.user}, {@code chat.jdbc.password} (or
     * the environment variable {@code CHAT_DB_PASSWORD}) and {@code chat.jdbc.schema}.
     */
    public static Config fromSystemProperties() {
      String origins = System.getProperty("chat.origins", "");
      return new Config(
          System.getProperty("chat.host", "127.0.0.1"),
          Integer.parseInt(System.getProperty("chat.port", "8080")),
          Path.of(System.getProperty("chat.data", "chat-data")),
          origins.isBlank() ? List.of() : List.of(origins.split(",")),
          System.getProperty("chat.jdbc.url"),
          System.getProperty("chat.jdbc.user"),
          System.getProperty("chat.jdbc.password", System.getenv("CHAT_DB_PASSWORD")),
          System.getProperty("chat.jdbc.schema"));
    }

    /**
     * The JDBC URL in force: the configured one, or the embedded H2 default (through {@link
     * OwnerOnlyFilePath}, so the database's files are created readable by their owner only).
     */
    public String effectiveJdbcUrl() {
      if (jdbcUrl != null) {
        return jdbcUrl;
      }
      return dataDir == null
          ? "jdbc:h2:mem:chat-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"
          : "jdbc:h2:" + OwnerOnlyFilePath.SCHEME + ":" + dataDir.toAbsolutePath().resolve("chat");
    }
  }

  /** The largest body of an API request (a sign-in is well under 1 KiB). */
  static final long MAX_API_BODY_BYTES = 8 * 1024;

  private final JdbcStores stores;
  private final ChatServer server;
  private final ChatWebSocket ws;
  private final JettyChatServerHost host;

  private ChatServerApp(
      JdbcStores stores, ChatServer server, ChatWebSocket ws, JettyChatServerHost host) {
    this.stores = stores;
    this.server = server;
    this.ws = ws;
    this.host = host;
  }

  /** Starts the example; close it to stop. */
  public static ChatServerApp start(Config config) {
    if (config.dataDir() != null) {
      try {
        PrivateFiles.createDirectories(config.dataDir());
        if (PrivateFiles.visibleToOthers(config.dataDir())) {
          log.warn(
              "data folder {} can be read by other users of this machine; it holds the token"
                  + " secret, password hashes and the database: chmod 700 it",
              config.dataDir().toAbsolutePath());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create data folder " + config.dataDir(), e);
      }
    }
    byte[] secret = secret(config.dataDir());
    OwnerOnlyFilePath.register();
    JdbcStores stores =
        JdbcStores.builder()
            .jdbcUrl(config.effectiveJdbcUrl())
            .username(config.jdbcUser())
            .password(config.jdbcPassword())
            .schema(config.jdbcSchema())
            .build();
    int port = config.port() == 0 ? freePort(config.host()) : config.port();
    // Client-encrypted media (the Java SDK's sendMedia/download), served on the same port.
    LocalFolderMediaStore media =
        LocalFolderMediaStore.builder(
                mediaFolder(config.dataDir()),
                URI.create("http://" + publicHost(config.host()) + ":" + port + "/media"))
            .build();
    WebPushConfig webPush = WebPushConfig.load(config.dataDir()); // browsers' push: web/push.js
    ChatServer server =
        ChatServer.builder()
            .pushGateway(webPush.gateway())
            .offlineStore(stores.offlineStore())
            .idempotencyStore(stores.idempotencyStore())
            .groupDirectory(stores.groupDirectory())
            .messageArchive(stores.messageArchive())
            .deviceDirectory(stores.deviceDirectory())
            .contactGraph(stores.contactGraph())
            .mediaStore(media)
            .build()
            .start();
    // Presence follows the library's consent rule (ConsentPresencePolicy): a user sees another's
    // presence once that user has written to them; signing up makes no one a contact.
    UserAccounts accounts = new UserAccounts(config.dataDir());
    JwtAuthenticator authenticator =
        JwtAuthenticator.builder()
            .hmacSecret(secret)
            .issuer("messagingkit-example")
            .audience("messagingkit-example")
            .build();
    JwtIssuer issuer =
        JwtIssuer.hs256(
            secret,
            "messagingkit-example",
            "messagingkit-example",
            Duration.ofHours(12),
            Clock.systemUTC());
    // The port is known only after Jetty binds when 0 is asked; allow both loopback spellings of
    // the configured port, plus the extra origins.
    WebSocketSettings.Builder settings = WebSocketSettings.builder();
    Set<String> origins = new LinkedHashSet<>(config.extraOrigins());
    origins.add("http://localhost:" + port);
    origins.add("http://127.0.0.1:" + port);
    origins.forEach(settings::allowOrigins);
    ChatWebSocket ws =
        ChatWebSocket.builder(server::connect, authenticator)
            .containerSupport(JettyChatServerHost.support())
            .settings(settings.build())
            .build();
    JettyChatServerHost host =
        JettyChatServerHost.builder(ws)
            .host(config.host())
            .port(port)
            .localMedia("/media", media.httpHandler())
            .customize(
                context -> {
                  context.addFilter(
                      new FilterHolder(new SecurityHeadersFilter()),
                      "/*",
                      EnumSet.of(DispatcherType.REQUEST, DispatcherType.ERROR));
                  context.addFilter(
                      new FilterHolder(new ApiRequestFilter(MAX_API_BODY_BYTES, origins)),
                      "/api/*",
                      EnumSet.of(DispatcherType.REQUEST));
                  context.addServlet(
                      new ServletHolder(
                          new ApiServlet(
                              accounts,
                              server::registerDevice,
                              issuer,
                              authenticator,
                              new SignInThrottle(
                                  SignInThrottle.Limits.defaults(), Clock.systemUTC()))),
                      "/api/*");
                  context.addServlet(new ServletHolder(webPush.servlet()), "/api/push/*");
                  context.setBaseResource(
                      ResourceFactory.of(context).newClassLoaderResource("web/", false));
                  ServletHolder files = new ServletHolder("files", DefaultServlet.class);
                  files.setInitParameter("dirAllowed", "false");
                  context.addServlet(files, "/");
                })
            .build();
    try {
      host.start();
    } catch (RuntimeException e) {
      ws.close();
      server.close();
      stores.close();
      throw e;
    }
    ChatServerApp app = new ChatServerApp(stores, server, ws, host);
    log.info("chat server example on {}", app.uri());
    return app;
  }

  /** The page's address. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + host.port() + "/");
  }

  /** The port listened on. */
  public int port() {
    return host.port();
  }

  /** The chat server behind the page. */
  public ChatServer chatServer() {
    return server;
  }

  @Override
  public void close() {
    host.close();
    ws.close();
    server.close();
    stores.close();
  }

  public static void main(String[] args) throws InterruptedException {
    ChatServerApp app = start(Config.fromSystemProperties());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "chat-shutdown"));
    System.out.println("Chat server running: open " + app.uri() + " (Ctrl+C to stop)");
    stopped.await();
  }

  /** The token secret: kept in the data folder so sign-ins survive restarts; random otherwise. */
  private static byte[] secret(@Nullable Path dataDir) {
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    if (dataDir == null) {
      return fresh;
    }
    try {
      Path file = dataDir.resolve("jwt-secret");
      if (Files.exists(file)) {
        return Base64.getDecoder().decode(Files.readString(file).trim());
      }
      PrivateFiles.write(
          file, Base64.getEncoder().encodeToString(fresh).getBytes(StandardCharsets.US_ASCII));
      return fresh;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use data folder " + dataDir, e);
    }
  }

  private static Path mediaFolder(@Nullable Path dataDir) {
    try {
      return dataDir != null
          ? PrivateFiles.createDirectories(dataDir.resolve("media"))
          : Files.createTempDirectory("chat-media");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the media folder", e);
    }
  }

  private static String publicHost(String host) {
    return host.equals("0.0.0.0") ? "localhost" : host;
  }

  private static int freePort(String host) {
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + host, e);
    }
  }
}
