package io.messagingkit.examples.cluster;

import io.messagingkit.broker.kafka.KafkaMessageBus;
import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.store.jdbc.JdbcStores;
import io.messagingkit.store.redis.RedisSessionRegistry;
import io.messagingkit.tck.kafka.KafkaBroker;
import io.messagingkit.transport.websocket.ChatWebSocket;
import io.messagingkit.transport.websocket.JwtAuthenticator;
import io.messagingkit.transport.websocket.JwtIssuer;
import io.messagingkit.transport.websocket.WebSocketSettings;
import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster on this machine: two or more chat servers, each with its own WebSocket endpoint on its
 * own port and each also running the messaging service, sharing Kafka (the bus), Redis (sessions
 * and presence) and PostgreSQL (queues, history, groups). When no bootstrap servers are given, a
 * single-node Kafka broker is started from the Maven artifacts in a child JVM.
 *
 * <p>System properties: {@code cluster.ports} (default {@code 8081,8082}), {@code cluster.kafka}
 * (bootstrap servers; default: start one), {@code cluster.jdbc.url} (default {@code
 * jdbc:postgresql://127.0.0.1:5432/test}), {@code cluster.jdbc.user} ({@code postgres}), {@code
 * cluster.jdbc.schema} ({@code messagingkit_cluster}), {@code cluster.redis} ({@code
 * 127.0.0.1:6379}), {@code cluster.secret} (the token secret; default random), {@code
 * cluster.redis.prefix} and {@code cluster.topic.prefix} (the Redis key prefix and the Kafka topic
 * and group prefix, default {@code messagingkit-cluster:} and {@code messagingkit-cluster}), {@code
 * cluster.node.first} (the number of the first chat server, default 1: a process that adds servers
 * to a running cluster numbers them past those in use).
 */
public final class ClusterApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterApp.class);

  /**
   * How to run the cluster.
   *
   * @param ports the chat servers' ports (0 for a free one each)
   * @param kafka bootstrap servers, or null to start a broker
   * @param jdbcUrl the database
   * @param jdbcUser its user
   * @param schema the schema the stores migrate and use
   * @param redisHost Redis host
   * @param redisPort Redis port
   * @param redisPrefix the key prefix in Redis
   * @param topicPrefix the prefix of the Kafka topics and group
   * @param secret the HMAC secret of access tokens (at least 32 bytes)
   * @param firstNode the number of the first chat server ({@code chat-<n>}); a process that joins a
   *     running cluster starts past the numbers in use
   */
  public record Config(
      List<Integer> ports,
      @Nullable String kafka,
      String jdbcUrl,
      String jdbcUser,
      String schema,
      String redisHost,
      int redisPort,
      String redisPrefix,
      String topicPrefix,
      byte[] secret,
      int firstNode) {
    public Config {
      ports = List.copyOf(ports);
      if (ports.size() < 1) {
        throw new IllegalArgumentException("cluster.ports needs at least one port");
      }
      Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      if (secret.length < 32) {
        throw new IllegalArgumentException("the token secret needs at least 32 bytes");
      }
      if (firstNode < 1) {
        throw new IllegalArgumentException("cluster.node.first must be at least 1");
      }
    }

    /** The configuration from system properties (see the class comment). */
    public static Config fromSystemProperties() {
      List<Integer> ports = new ArrayList<>();
      for (String p : System.getProperty("cluster.ports", "8081,8082").split(",")) {
        ports.add(Integer.parseInt(p.trim()));
      }
      String[] redis = System.getProperty("cluster.redis", "127.0.0.1:6379").split(":");
      String secret = System.getProperty("cluster.secret");
      byte[] key = new byte[32];
      if (secret != null) {
        key = secret.getBytes(StandardCharsets.UTF_8);
      } else {
        new SecureRandom().nextBytes(key);
      }
      return new Config(
          ports,
          System.getProperty("cluster.kafka"),
          System.getProperty("cluster.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test"),
          System.getProperty("cluster.jdbc.user", "postgres"),
          System.getProperty("cluster.jdbc.schema", "messagingkit_cluster"),
          redis[0],
          Integer.parseInt(redis[1]),
          System.getProperty("cluster.redis.prefix", "messagingkit-cluster:"),
          System.getProperty("cluster.topic.prefix", "messagingkit-cluster"),
          key,
          Integer.getInteger("cluster.node.first", 1));
    }
  }

  /** One chat server of the cluster and everything it owns. */
  public static final class Node implements AutoCloseable {
    private final ChatServer server;
    private final KafkaMessageBus bus;
    private final RedisSessionRegistry registry;
    private final ChatWebSocket ws;
    private final JettyChatServerHost host;
    private boolean closed;

    private Node(
        ChatServer server,
        KafkaMessageBus bus,
        RedisSessionRegistry registry,
        ChatWebSocket ws,
        JettyChatServerHost host) {
      this.server = server;
      this.bus = bus;
      this.registry = registry;
      this.ws = ws;
      this.host = host;
    }

    /** The WebSocket endpoint of this server. */
    public URI webSocketUri() {
      return URI.create("ws://127.0.0.1:" + host.port() + "/ws");
    }

    /** The chat server. */
    public ChatServer chatServer() {
      return server;
    }

    /** Stops this server: its connections drop, its share of the bus moves to the others. */
    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      host.close();
      ws.close();
      server.close();
      bus.close();
      registry.close();
    }
  }

  private final @Nullable KafkaBroker broker;
  private final JdbcStores stores;
  private final List<Node> nodes;
  private final JwtIssuer issuer;

  private ClusterApp(
      @Nullable KafkaBroker broker, JdbcStores stores, List<Node> nodes, JwtIssuer issuer) {
    this.broker = broker;
    this.stores = stores;
    this.nodes = nodes;
    this.issuer = issuer;
  }

  /** Starts the cluster; closes what it started if a part fails. */
  public static ClusterApp start(Config config) {
    KafkaBroker broker = null;
    String kafka = config.kafka();
    if (kafka == null) {
      broker = KafkaBroker.builder().build().start();
      kafka = broker.bootstrapServers();
    }
    JdbcStores stores = null;
    List<Node> nodes = new ArrayList<>();
    try {
      stores =
          JdbcStores.builder()
              .jdbcUrl(config.jdbcUrl())
              .username(config.jdbcUser())
              .schema(config.schema())
              .maximumPoolSize(8 * config.ports().size())
              .build();
      JwtAuthenticator authenticator =
          JwtAuthenticator.builder()
              .hmacSecret(config.secret())
              .issuer("messagingkit-cluster")
              .audience("messagingkit-cluster")
              .build();
      for (int i = 0; i < config.ports().size(); i++) {
        nodes.add(
            node(
                "chat-" + (config.firstNode() + i),
                config.ports().get(i),
                config,
                kafka,
                stores,
                authenticator));
      }
      JwtIssuer issuer =
          JwtIssuer.hs256(
              config.secret(),
              "messagingkit-cluster",
              "messagingkit-cluster",
              Duration.ofHours(12),
              Clock.systemUTC());
      return new ClusterApp(broker, stores, nodes, issuer);
    } catch (RuntimeException e) {
      nodes.forEach(Node::close);
      if (stores != null) {
        stores.close();
      }
      if (broker != null) {
        broker.close();
      }
      throw e;
    }
  }

  private static Node node(
      String serverId,
      int port,
      Config config,
      String kafka,
      JdbcStores stores,
      JwtAuthenticator authenticator) {
    KafkaMessageBus bus =
        KafkaMessageBus.builder(kafka)
            .inboundTopic(config.topicPrefix() + ".inbound")
            .deliveryTopic(config.topicPrefix() + ".deliveries")
            .consumerGroup(config.topicPrefix() + "-service")
            .serverId(serverId)
            .build();
    RedisSessionRegistry registry =
        RedisSessionRegistry.builder(config.redisHost(), config.redisPort())
            .keyPrefix(config.redisPrefix())
            .build();
    ChatServer server =
        ChatServer.builder()
            .serverId(serverId)
            .messageBus(bus)
            .sessionRegistry(registry)
            .offlineStore(stores.offlineStore())
            .idempotencyStore(stores.idempotencyStore())
            .groupDirectory(stores.groupDirectory())
            .messageArchive(stores.messageArchive())
            .deviceDirectory(stores.deviceDirectory())
            .contactGraph(stores.contactGraph())
            .build()
            .start();
    ChatWebSocket ws =
        ChatWebSocket.builder(server::connect, authenticator)
            .containerSupport(JettyChatServerHost.support())
            // bursts of a few hundred messages per connection (tests, benchmarks); the library's
            // default of 20/s suits human users
            .settings(WebSocketSettings.builder().rateLimit(2_000, 4_000).build())
            .build();
    JettyChatServerHost host =
        JettyChatServerHost.builder(ws).host("127.0.0.1").port(port).build().start();
    log.info("{} serves ws://127.0.0.1:{}/ws", serverId, host.port());
    return new Node(server, bus, registry, ws, host);
  }

  /** The chat servers, in port order. */
  public List<Node> nodes() {
    return nodes;
  }

  /** An access token for {@code device} (the example trusts whoever asks; a real app logs in). */
  public String token(DeviceAddress device) {
    return issuer.issue(device);
  }

  /** The started Kafka broker, or null when the cluster uses an external one. */
  public @Nullable KafkaBroker broker() {
    return broker;
  }

  @Override
  public void close() {
    nodes.forEach(Node::close);
    stores.close();
    if (broker != null) {
      broker.close();
    }
  }

  public static void main(String[] args) throws InterruptedException {
    ClusterApp app = start(Config.fromSystemProperties());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "cluster-shutdown"));
    StringBuilder endpoints = new StringBuilder();
    for (Node n : app.nodes()) {
      endpoints
          .append("\n  ")
          .append(n.chatServer().serverId())
          .append(": ")
          .append(n.webSocketUri());
    }
    System.out.println(
        "Cluster running (Ctrl+C to stop); a client may connect to any server:" + endpoints);
    KafkaBroker broker = app.broker();
    if (broker != null) {
      System.out.println("Kafka (started here): " + broker.bootstrapServers());
    }
    System.out.println("A token for alice/phone: " + app.token(DeviceAddress.of("alice", "phone")));
    stopped.await();
  }
}
