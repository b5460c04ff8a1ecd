package io.messagingkit.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.Presence;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.transport.websocket.client.MessagingClient;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cluster example end to end: two chat servers (Jetty WebSocket endpoints) on Kafka started
 * from the Maven artifacts, Redis and PostgreSQL; clients on different servers talk to each other
 * through the Java SDK.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterAppIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String SECRET = "cluster-test-secret-" + RUN + "-0123456789abcdef";
  private static ClusterApp app;
  private static String schema;

  @BeforeAll
  static void startCluster() {
    schema = "mk_cluster_" + RUN.replace("-", "");
    byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
    app =
        ClusterApp.start(
            new ClusterApp.Config(
                List.of(0, 0),
                null,
                "jdbc:postgresql://127.0.0.1:5432/test",
                "postgres",
                schema,
                "127.0.0.1",
                6379,
                "mk-cluster-test:" + RUN + ":",
                "cluster-" + RUN,
                secret,
                1));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (app != null) {
      app.close();
    }
    try (Connection c =
            DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  private static UserId user(String name) {
    return UserId.of(name + "-" + RUN);
  }

  /** What one client heard. */
  static final class Heard implements MessagingClient.Listener {
    final List<ServerFrame.Message> messages = new CopyOnWriteArrayList<>();
    final List<ServerFrame.Receipt> delivered = new CopyOnWriteArrayList<>();
    final List<ServerFrame.Receipt> read = new CopyOnWriteArrayList<>();
    final List<Presence> presence = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(ServerFrame.Message message) {
      messages.add(message);
    }

    @Override
    public void onDelivered(ServerFrame.Receipt receipt) {
      delivered.add(receipt);
    }

    @Override
    public void onRead(ServerFrame.Receipt receipt) {
      read.add(receipt);
    }

    @Override
    public void onPresence(Presence p) {
      presence.add(p);
    }

    List<String> ids() {
      return messages.stream().map(m -> m.id().value()).toList();
    }
  }

  private static MessagingClient client(int node, UserId user, String device, Heard heard) {
    return client(app.nodes().get(node).webSocketUri(), user, device, heard);
  }

  private static MessagingClient client(URI uri, UserId user, String device, Heard heard) {
    String token = app.token(new DeviceAddress(user, io.messagingkit.core.DeviceId.of(device)));
    MessagingClient c = MessagingClient.builder(uri).token(() -> token).listener(heard).build();
    c.connect().orTimeout(20, TimeUnit.SECONDS).join();
    return c;
  }

  @Test
  @Order(1)
  @DisplayName(
      "users on different servers exchange 1-1 and group messages with SENT, DELIVERED and READ,"
          + " and see each other's presence")
  void acrossServers() {
    UserId alice = user("alice");
    UserId bob = user("bob");
    Heard a = new Heard();
    Heard b = new Heard();
    try (MessagingClient onOne = client(0, alice, "phone", a);
        MessagingClient onTwo = client(1, bob, "phone", b)) {
      MessagingClient.Sent sent = onOne.send(bob, "hello across servers").join();
      await().atMost(WAIT).until(() -> b.ids().contains(sent.id().value()));
      assertThat(MessagingClient.text(b.messages.get(0))).isEqualTo("hello across servers");
      await()
          .atMost(WAIT)
          .until(() -> a.delivered.stream().anyMatch(r -> r.id().equals(sent.id())));
      onTwo.markRead(b.messages.get(0));
      await().atMost(WAIT).until(() -> a.read.stream().anyMatch(r -> r.id().equals(sent.id())));

      MessagingClient.Sent reply = onTwo.send(alice, "hello back").join();
      await().atMost(WAIT).until(() -> a.ids().contains(reply.id().value()));

      GroupId group = GroupId.of("club-" + RUN);
      onOne.createGroup(group, "Club", List.of(bob)).join();
      MessagingClient.Sent g = onOne.sendToGroup(group, "to the club").join();
      await().atMost(WAIT).until(() -> b.ids().contains(g.id().value()));

      // contacts now: alice sees bob online (registered on the other server) ...
      assertThat(onOne.subscribePresence(List.of(bob)).join().get(0).online()).isTrue();
      onTwo.close();
      // ... and offline once he leaves it
      await()
          .atMost(WAIT)
          .until(() -> a.presence.stream().anyMatch(p -> p.user().equals(bob) && !p.online()));
    }
  }

  @Test
  @Order(2)
  @DisplayName("a user offline on one server gets everything, in order, on the other")
  void offlineThenOtherServer() {
    UserId alice = user("carol");
    UserId bob = user("dave");
    Heard first = new Heard();
    try (MessagingClient bobOnTwo = client(1, bob, "phone", first)) {
      // bob's device is known, then he goes offline
      assertThat(bobOnTwo.isConnected()).isTrue();
    }
    Heard a = new Heard();
    List<String> sent = new ArrayList<>();
    try (MessagingClient onOne = client(0, alice, "phone", a)) {
      for (int i = 0; i < 30; i++) {
        sent.add(onOne.send(bob, "m" + i).join().id().value());
      }
    }
    Heard later = new Heard();
    try (MessagingClient bobOnOne = client(0, bob, "phone", later)) {
      await().atMost(WAIT).until(() -> later.messages.size() >= sent.size());
      assertThat(later.ids()).containsExactlyElementsOf(sent);
      List<String> texts = later.messages.stream().map(MessagingClient::text).toList();
      assertThat(texts.get(0)).isEqualTo("m0");
      assertThat(texts.get(29)).isEqualTo("m29");
    }
  }

  @Test
  @Order(3)
  @DisplayName(
      "a server stopped with messages in flight: its client moves to the other server, nothing"
          + " acknowledged is lost and the app sees each message once")
  void serverStoppedMidStream() throws Exception {
    failsOverMidStream(
        "n",
        user("erin"),
        user("frank"),
        app.nodes().get(1).webSocketUri(),
        onDoomed -> app.nodes().get(1).close(),
        WAIT.multipliedBy(2));
  }

  @Test
  @Order(4)
  @DisplayName(
      "a server process killed (SIGKILL) with messages in flight: its client moves to another"
          + " server, nothing acknowledged is lost and the app sees each message once")
  void serverProcessKilled() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path log = Files.createTempFile("cluster-node-", ".log");
    Process node = startNodeProcess(port, log);
    try {
      failsOverMidStream(
          "k",
          user("grace"),
          // a recipient whose inbound partition the process to be killed routes, so the kill also
          // interrupts routing: handled but uncommitted records move to the survivor
          recipientRoutedBy("chat-9"),
          URI.create("ws://127.0.0.1:" + port + "/ws"),
          onDoomed -> {
            await().atMost(WAIT).until(() -> !onDoomed.ids().isEmpty());
            node.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            assertThat(node.isAlive()).isFalse();
          },
          // the killed process's share of the inbound topic moves to the survivor once the group
          // notices (the consumer session timeout, 45 s by default)
          Duration.ofMinutes(3));
    } finally {
      node.destroyForcibly();
    }
  }

  /** What takes a chat server away; gets what the recipient heard there so far. */
  @FunctionalInterface
  interface Failure {
    void strike(Heard onDoomed) throws Exception;
  }

  /**
   * {@code alice}, on server 0, sends 200 messages to {@code bob}, connected to {@code doomed};
   * halfway {@code failure} takes that server away. Bob then connects to server 0: every message
   * acknowledged to alice reaches him within {@code catchUp}, each client instance hands each id to
   * the app once, and the new connection repeats only what the dead server had not seen
   * acknowledged (what it delivered last), first.
   */
  private static void failsOverMidStream(
      String prefix, UserId alice, UserId bob, URI doomed, Failure failure, Duration catchUp)
      throws Exception {
    Heard a = new Heard();
    Heard onDoomed = new Heard();
    Heard onSurvivor = new Heard();
    int total = 200;
    List<java.util.concurrent.CompletableFuture<MessagingClient.Sent>> sends = new ArrayList<>();
    try (MessagingClient sender = client(0, alice, "phone", a)) {
      MessagingClient bobOnDoomed = client(doomed, bob, "phone", onDoomed);
      for (int i = 0; i < total; i++) {
        sends.add(sender.send(bob, prefix + i));
        if (i == total / 2) {
          failure.strike(onDoomed);
        }
      }
      bobOnDoomed.close();
      List<String> acknowledged = new ArrayList<>();
      for (var s : sends) {
        try {
          acknowledged.add(s.get(60, TimeUnit.SECONDS).id().value());
        } catch (java.util.concurrent.ExecutionException e) {
          // not acknowledged: the sender would retry; nothing is promised for it
        }
      }
      assertThat(acknowledged).hasSizeGreaterThan(total / 2);
      try (MessagingClient bobOnSurvivor = client(0, bob, "phone", onSurvivor)) {
        await()
            .atMost(catchUp)
            .until(
                () -> {
                  java.util.Set<String> all = new java.util.HashSet<>(onDoomed.ids());
                  all.addAll(onSurvivor.ids());
                  return all.containsAll(acknowledged);
                });
      }
    }
    assertThat(onDoomed.ids()).doesNotHaveDuplicates();
    assertThat(onSurvivor.ids()).doesNotHaveDuplicates();
    java.util.Set<String> repeated = new java.util.HashSet<>(onSurvivor.ids());
    repeated.retainAll(onDoomed.ids());
    java.util.Set<String> appSees = new java.util.LinkedHashSet<>(onDoomed.ids());
    appSees.addAll(onSurvivor.ids());
    assertThat(appSees.size())
        .isEqualTo(onDoomed.ids().size() + onSurvivor.ids().size() - repeated.size());
    assertThat(onSurvivor.ids().stream().filter(repeated::contains).toList())
        .as("repeats come first, before anything new")
        .isEqualTo(onSurvivor.ids().subList(0, repeated.size()));
  }

  /** A fresh user whose inbound partition is assigned to chat server {@code serverId}. */
  private static UserId recipientRoutedBy(String serverId) throws Exception {
    String kafka = java.util.Objects.requireNonNull(app.broker()).bootstrapServers();
    String group = "cluster-" + RUN + "-service";
    String topic = "cluster-" + RUN + ".inbound";
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
      java.util.Set<Integer> owned = new java.util.HashSet<>();
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                ConsumerGroupDescription d =
                    admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                owned.clear();
                for (MemberDescription m : d.members()) {
                  if (m.clientId().equals(serverId + "-inbound")) {
                    m.assignment().topicPartitions().stream()
                        .filter(tp -> tp.topic().equals(topic))
                        .forEach(tp -> owned.add(tp.partition()));
                  }
                }
                return d.groupState() == GroupState.STABLE && !owned.isEmpty();
              });
      int partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      for (int i = 0; ; i++) {
        UserId candidate = user("heidi" + i);
        byte[] key = Recipient.user(candidate).partitionKey().getBytes(StandardCharsets.UTF_8);
        if (owned.contains(Utils.toPositive(Utils.murmur2(key)) % partitions)) {
          return candidate;
        }
      }
    }
  }

  /** One more chat server ({@code chat-9}) of this cluster, in a JVM of its own. */
  private static Process startNodeProcess(int port, Path log) throws Exception {
    String kafka = java.util.Objects.requireNonNull(app.broker()).bootstrapServers();
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-Dcluster.ports=" + port,
            "-Dcluster.kafka=" + kafka,
            "-Dcluster.jdbc.schema=" + schema,
            "-Dcluster.redis.prefix=mk-cluster-test:" + RUN + ":",
            "-Dcluster.topic.prefix=cluster-" + RUN,
            "-Dcluster.secret=" + SECRET,
            "-Dcluster.node.first=9",
            "-cp",
            System.getProperty("java.class.path"),
            ClusterApp.class.getName());
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!p.isAlive()) {
                throw new IllegalStateException(
                    "the node process exited: " + Files.readString(log));
              }
              return Files.readString(log).contains("Cluster running");
            });
    return p;
  }
}
