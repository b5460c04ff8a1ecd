package io.messagingkit.adversarial.bounds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.messagingkit.core.ChatServer;
import io.messagingkit.core.ChatServerLimits;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.memory.LocalFolderMediaStore;
import io.messagingkit.store.jdbc.JdbcStores;
import io.messagingkit.transport.websocket.ChatWebSocket;
import io.messagingkit.transport.websocket.JwtAuthenticator;
import io.messagingkit.transport.websocket.JwtIssuer;
import io.messagingkit.transport.websocket.WebSocketSettings;
import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The abuses of finding 5 and 7 of issue 16, tried over the wire with raw JDK clients against a
 * real server (Jetty, JWT, PostgreSQL stores, local-folder media): each is refused with a clear
 * error and nothing grows without bound.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResourceBoundsIT {

  private static final byte[] SECRET =
      "resource-bounds-secret-resource-bounds-secret".getBytes(StandardCharsets.UTF_8);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int QUEUE_LIMIT = 50;

  private final String schema = "bounds_" + UUID.randomUUID().toString().replace("-", "");
  private final List<RawClient> clients = new ArrayList<>();
  private Path mediaFolder;
  private JdbcStores stores;
  private ChatServer server;
  private ChatWebSocket ws;
  private JettyChatServerHost host;
  private JwtIssuer issuer;
  private int port;

  @BeforeAll
  void start() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    mediaFolder = Files.createTempDirectory("bounds-media");
    LocalFolderMediaStore media =
        LocalFolderMediaStore.builder(
                mediaFolder, URI.create("http://127.0.0.1:" + port + "/media"))
            .maxObjectBytes(100L * 1024 * 1024)
            .build();
    stores =
        JdbcStores.builder()
            .jdbcUrl("jdbc:postgresql://127.0.0.1:5432/test")
            .username("postgres")
            .schema(schema)
            .build();
    server =
        ChatServer.builder()
            .limits(ChatServerLimits.defaults().withQueuePerDevice(QUEUE_LIMIT, 64L * 1024 * 1024))
            .offlineStore(stores.offlineStore())
            .idempotencyStore(stores.idempotencyStore())
            .groupDirectory(stores.groupDirectory())
            .messageArchive(stores.messageArchive())
            .deviceDirectory(stores.deviceDirectory())
            .contactGraph(stores.contactGraph())
            .mediaStore(media)
            .build()
            .start();
    JwtAuthenticator auth =
        JwtAuthenticator.builder().hmacSecret(SECRET).issuer("test").audience("chat").build();
    issuer = JwtIssuer.hs256(SECRET, "test", "chat", Duration.ofMinutes(10), Clock.systemUTC());
    WebSocketSettings settings =
        WebSocketSettings.builder().rateLimit(2000, 4000).maxConnectionsPerAddress(200).build();
    ws = ChatWebSocket.builder(server::connect, auth).settings(settings).build();
    host =
        JettyChatServerHost.builder(ws)
            .port(port)
            .localMedia("/media", media.httpHandler())
            .build()
            .start();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(RawClient::close);
    clients.clear();
  }

  @AfterAll
  void stop() throws Exception {
    host.close();
    ws.close();
    server.close();
    try (Connection c = stores.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
    stores.close();
  }

  private RawClient connect(String user, String device) {
    RawClient c =
        RawClient.connect(
            URI.create("ws://127.0.0.1:" + port + "/ws"),
            issuer.issue(DeviceAddress.of(user, device)));
    clients.add(c);
    c.next("WELCOME");
    return c;
  }

  /**
   * Connects and waits until the device is registered (WELCOME is sent before the server registers
   * the device, so a message to a user who just saw WELCOME can still find no device).
   */
  private RawClient connectRegistered(String user, String device) {
    RawClient c = connect(user, device);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                query(
                        "SELECT COUNT(*) FROM "
                            + schema
                            + ".mk_device WHERE user_id = '"
                            + user
                            + "' AND device_id = '"
                            + device
                            + "'")
                    == 1);
    return c;
  }

  private static Map<String, Object> frame(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private long query(String sql) throws SQLException {
    try (Connection c = stores.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Bytes of every table, index and TOAST relation of this test's schema. */
  private long databaseBytes() throws SQLException {
    try (Connection c = stores.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("ANALYZE");
    }
    return query(
        "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = '"
            + schema
            + "' AND c.relkind IN ('r', 'p')");
  }

  @Test
  @DisplayName(
      "device churn: one token holder cycling through 20 device ids never has more than 5; with 5"
          + " connected a sixth is refused with limit_exceeded and close code 1008")
  void deviceChurn() throws Exception {
    for (int i = 0; i < 20; i++) {
      RawClient c = connect("churner", "d" + i);
      c.close();
      clients.remove(c);
      assertThat(query("SELECT COUNT(*) FROM " + schema + ".mk_device WHERE user_id = 'churner'"))
          .isLessThanOrEqualTo(5);
    }
    for (int i = 0; i < 5; i++) {
      connect("holder", "h" + i);
    }
    RawClient sixth =
        RawClient.connect(
            URI.create("ws://127.0.0.1:" + port + "/ws"),
            issuer.issue(DeviceAddress.of("holder", "h5")));
    JsonNode error = sixth.next("ERROR");
    assertThat(error.path("code").asText()).isEqualTo("limit_exceeded");
    assertThat(error.path("message").asText()).contains("maxDevicesPerUser");
    assertThat(sixth.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
    assertThat(query("SELECT COUNT(*) FROM " + schema + ".mk_device WHERE user_id = 'holder'"))
        .isEqualTo(5);
  }

  @Test
  @DisplayName(
      "sends to 200 names no one registered are each refused as not_found; nothing is queued,"
          + " and a later owner of such a name receives none of them")
  void sendsToUnregisteredNames() throws Exception {
    RawClient alice = connect("alice", "phone");
    long queuedBefore = query("SELECT COUNT(*) FROM " + schema + ".mk_offline_message");
    for (int i = 0; i < 200; i++) {
      String id = "u" + i;
      alice.send(frame("type", "SEND", "id", id, "to", "ghost" + i, "text", "hello ghost"));
      JsonNode answer = alice.answer(id);
      assertThat(answer.path("type").asText()).isEqualTo("ERROR");
      assertThat(answer.path("code").asText()).isEqualTo("not_found");
      assertThat(answer.path("message").asText()).contains("ghost" + i + " does not exist");
    }
    assertThat(query("SELECT COUNT(*) FROM " + schema + ".mk_offline_message"))
        .isEqualTo(queuedBefore);
    RawClient ghost = connectRegistered("ghost7", "phone");
    alice.send(frame("type", "SEND", "id", "marker", "to", "ghost7", "text", "now you exist"));
    JsonNode ack = alice.answer("marker");
    assertThat(ack.path("type").asText()).as(ack.toString()).isEqualTo("SENT_ACK");
    JsonNode first = ghost.next("MESSAGE");
    assertThat(first.path("id").asText()).isEqualTo("marker");
  }

  @Test
  @DisplayName(
      "a group of 1,000 never-registered names is refused as not_found; a group of real users"
          + " with three 60 KiB messages grows the database by under 4 MiB (356 MiB before)")
  void bigGroupOfUnregisteredNames() throws Exception {
    RawClient mallory = connect("mallory", "phone");
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      members.add("nobody" + i);
    }
    long before = databaseBytes();
    mallory.send(
        frame(
            "type",
            "GROUP_CREATE",
            "rid",
            "g1",
            "group",
            "horde",
            "name",
            "Horde",
            "members",
            members));
    JsonNode refused = mallory.answer("g1");
    assertThat(refused.path("type").asText()).isEqualTo("ERROR");
    assertThat(refused.path("code").asText()).isEqualTo("not_found");
    assertThat(query("SELECT COUNT(*) FROM " + schema + ".mk_group WHERE group_id = 'horde'"))
        .isZero();

    for (String m : List.of("m1", "m2", "m3")) {
      connectRegistered(m, "phone").close();
    }
    mallory.send(
        frame(
            "type",
            "GROUP_CREATE",
            "rid",
            "g2",
            "group",
            "small",
            "name",
            "Small",
            "members",
            List.of("m1", "m2", "m3")));
    assertThat(mallory.answer("g2").path("type").asText()).isEqualTo("RESULT");
    String big = "x".repeat(60 * 1024);
    for (int i = 0; i < 3; i++) {
      mallory.send(frame("type", "SEND", "id", "big" + i, "group", "small", "text", big));
      assertThat(mallory.answer("big" + i).path("type").asText()).isEqualTo("SENT_ACK");
    }
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                query(
                        "SELECT COUNT(*) FROM "
                            + schema
                            + ".mk_offline_message WHERE message_id LIKE 'big%'")
                    == 9);
    long growth = databaseBytes() - before;
    System.out.printf("database growth for the group abuse: %.2f MiB%n", growth / 1048576.0);
    assertThat(growth).isLessThan(4L * 1024 * 1024);
  }

  @Test
  @DisplayName(
      "a direct message to a device whose queue is full is refused with limit_exceeded; every"
          + " acknowledged message is delivered when the device comes back")
  void fullQueue() throws Exception {
    connectRegistered("sleeper", "phone").close();
    RawClient sender = connect("flooder", "phone");
    int accepted = 0;
    for (int i = 0; i < QUEUE_LIMIT + 10; i++) {
      sender.send(frame("type", "SEND", "id", "f" + i, "to", "sleeper", "text", "msg " + i));
      JsonNode answer = sender.answer("f" + i);
      if (answer.path("type").asText().equals("SENT_ACK")) {
        accepted++;
      } else {
        assertThat(answer.path("code").asText()).isEqualTo("limit_exceeded");
        assertThat(answer.path("message").asText()).contains("maxQueuedMessagesPerDevice");
      }
    }
    assertThat(accepted).isEqualTo(QUEUE_LIMIT);
    RawClient sleeper = connect("sleeper", "phone");
    for (int i = 0; i < QUEUE_LIMIT; i++) {
      assertThat(sleeper.next("MESSAGE").path("id").asText()).isEqualTo("f" + i);
    }
  }

  @Test
  @DisplayName(
      "30 upload grants of 100 MiB in a burst: only 10 unfinished grants are given, the rest are"
          + " refused with limit_exceeded")
  void uploadGrantBurst() {
    RawClient hoarder = connect("hoarder", "phone");
    int granted = 0;
    for (int i = 0; i < 30; i++) {
      hoarder.send(
          frame(
              "type",
              "MEDIA_UPLOAD",
              "rid",
              "up" + i,
              "contentType",
              "application/octet-stream",
              "size",
              100L * 1024 * 1024));
      JsonNode answer = hoarder.answer("up" + i);
      if (answer.path("type").asText().equals("RESULT")) {
        granted++;
      } else {
        assertThat(answer.path("code").asText()).isEqualTo("limit_exceeded");
        assertThat(answer.path("message").asText()).contains("maxUnfinishedUploads");
      }
    }
    assertThat(granted).isEqualTo(10);
  }

  @Test
  @DisplayName(
      "replaying an upload URL after the message was sent is refused (409) and the recipient"
          + " downloads the original bytes")
  void uploadReplay() throws Exception {
    RawClient alice = connect("sender", "phone");
    RawClient bob = connectRegistered("viewer", "phone");
    byte[] original = "the real picture".getBytes(StandardCharsets.UTF_8);
    byte[] forged = "a forged picture".getBytes(StandardCharsets.UTF_8);
    alice.send(
        frame(
            "type",
            "MEDIA_UPLOAD",
            "rid",
            "r1",
            "contentType",
            "image/jpeg",
            "size",
            original.length));
    JsonNode upload = alice.answer("r1").path("upload");
    assertThat(put(upload, original)).isEqualTo(200);
    String key = upload.path("key").asText();
    alice.send(
        frame(
            "type",
            "SEND",
            "id",
            "pic",
            "to",
            "viewer",
            "kind",
            "MEDIA",
            "body",
            Base64.getEncoder().encodeToString("key".getBytes(StandardCharsets.UTF_8)),
            "media",
            frame("key", key, "contentType", "image/jpeg", "size", original.length)));
    assertThat(alice.answer("pic").path("type").asText()).isEqualTo("SENT_ACK");
    assertThat(bob.next("MESSAGE").path("id").asText()).isEqualTo("pic");

    assertThat(put(upload, forged)).isEqualTo(409);

    bob.send(frame("type", "MEDIA_DOWNLOAD", "rid", "d1", "key", key));
    String url = bob.answer("d1").path("download").path("url").asText();
    HttpResponse<byte[]> got =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(original);
  }

  private static int put(JsonNode upload, byte[] body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(upload.path("url").asText()))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    upload
        .path("headers")
        .fields()
        .forEachRemaining(
            e -> {
              String n = e.getKey().toLowerCase(java.util.Locale.ROOT);
              if (!n.equals("content-length") && !n.equals("host")) {
                request.header(e.getKey(), e.getValue().asText());
              }
            });
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
