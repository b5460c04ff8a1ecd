package io.messagingkit.adversarial.authz;

import static io.messagingkit.adversarial.authz.AuthorizationMatrix.GROUP;
import static io.messagingkit.adversarial.authz.AuthorizationMatrix.answer;
import static io.messagingkit.adversarial.authz.AuthorizationMatrix.frame;
import static io.messagingkit.adversarial.authz.AuthorizationMatrix.media;
import static io.messagingkit.adversarial.authz.AuthorizationMatrix.refused;
import static io.messagingkit.adversarial.authz.AuthorizationMatrix.row;
import static io.messagingkit.adversarial.authz.AuthorizationMatrix.rows;
import static io.messagingkit.adversarial.authz.AuthorizationMatrix.silent;
import static io.messagingkit.adversarial.authz.AuthorizationMatrix.text;
import static io.messagingkit.adversarial.authz.RawClient.type;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.messagingkit.adversarial.authz.AuthorizationMatrix.Answer;
import io.messagingkit.adversarial.authz.AuthorizationMatrix.Fixture;
import io.messagingkit.adversarial.authz.AuthorizationMatrix.Refused;
import io.messagingkit.adversarial.authz.AuthorizationMatrix.Role;
import io.messagingkit.adversarial.authz.AuthorizationMatrix.Row;
import io.messagingkit.core.ChatServer;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The authorization matrix over the wire: a real chat server on JDBC stores (H2) behind the Jakarta
 * WebSocket transport on Jetty, attacked by raw JDK WebSocket clients that are not the SDK. Every
 * client frame type of docs/protocol.md is sent as the owner, a group member, a stranger, a removed
 * member and a late joiner, with forged ids, {@code from} fields, cursors and media keys. Each row
 * states the answer (a reply, an error code, or silence) and which frames the two victims (alice
 * and bob) may receive because of it; after each row both victims exchange a barrier message and
 * everything they received before it is checked. A frame type of the protocol without a row fails
 * {@link #everyClientFrameHasRows()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixIT {
  private static final byte[] SECRET =
      "authorization-matrix-secret-0123".getBytes(StandardCharsets.UTF_8);
  private static final Path PROTOCOL = Path.of("..", "docs", "protocol.md");

  private ChatServer server;
  private ChatWebSocket ws;
  private JettyChatServerHost host;
  private JdbcStores stores;
  private Path mediaFolder;
  private JwtIssuer issuer;
  private URI uri;
  private Fixture fixture;
  private final Map<Role, RawClient> clients = new LinkedHashMap<>();
  private final AtomicInteger barrier = new AtomicInteger();
  private final AtomicInteger rids = new AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    mediaFolder = Files.createTempDirectory("authz-media");
    LocalFolderMediaStore media =
        LocalFolderMediaStore.builder(
                mediaFolder, URI.create("http://127.0.0.1:" + port + "/media"))
            .build();
    stores =
        JdbcStores.fromUrl(
            "jdbc:h2:mem:authz-"
                + UUID.randomUUID().toString().substring(0, 8)
                + ";DB_CLOSE_DELAY=-1");
    server =
        ChatServer.builder()
            .offlineStore(stores.offlineStore())
            .idempotencyStore(stores.idempotencyStore())
            .groupDirectory(stores.groupDirectory())
            .messageArchive(stores.messageArchive())
            .deviceDirectory(stores.deviceDirectory())
            .contactGraph(stores.contactGraph())
            .mediaStore(media)
            .build()
            .start();
    // dave never connects but exists (a registered device): a group member the owner may add
    server.registerDevice(DeviceAddress.of("dave", "phone"));
    JwtAuthenticator auth =
        JwtAuthenticator.builder().hmacSecret(SECRET).issuer("t").audience("c").build();
    issuer = JwtIssuer.hs256(SECRET, "t", "c", Duration.ofMinutes(30), Clock.systemUTC());
    ws =
        ChatWebSocket.builder(server::connect, auth)
            .settings(WebSocketSettings.builder().rateLimit(2000, 4000).build())
            .containerSupport(JettyChatServerHost.support())
            .build();
    host =
        JettyChatServerHost.builder(ws)
            .port(port)
            .localMedia("/media", media.httpHandler())
            .build()
            .start();
    uri = URI.create("ws://127.0.0.1:" + port + "/ws");
    for (Role role : Role.values()) {
      clients.put(role, RawClient.connect(role.user, uri, issuer.issue(device(role.user))));
    }
    fixture = setUp();
  }

  @AfterAll
  void stop() throws IOException {
    clients.values().forEach(RawClient::close);
    if (host != null) {
      host.close();
    }
    if (ws != null) {
      ws.close();
    }
    if (server != null) {
      server.close();
    }
    if (stores != null) {
      stores.close();
    }
  }

  private static DeviceAddress device(String user) {
    return DeviceAddress.of(user, "phone");
  }

  private RawClient c(Role role) {
    return clients.get(role);
  }

  /** The state every row starts from; built through the wire, as a client would. */
  private Fixture setUp() throws Exception {
    RawClient alice = c(Role.OWNER);
    RawClient bob = c(Role.MEMBER);
    RawClient mallory = c(Role.STRANGER);
    sendAndAck(bob, text("m-ba", "alice", "hi alice"));
    sendAndAck(alice, text("m-ab", "bob", "hi bob"));
    sendAndAck(mallory, text("m-mal", "alice", "unsolicited"));
    request(
        alice,
        frame(
            "type",
            "GROUP_CREATE",
            "group",
            GROUP,
            "name",
            "Family",
            "members",
            List.of("bob", "rita")));
    sendAndAck(alice, frame("type", "SEND", "id", "g-0", "group", GROUP, "text", "first"));
    sendAndAck(alice, frame("type", "SEND", "id", "g-1", "group", GROUP, "text", "second"));
    for (Role r : List.of(Role.MEMBER, Role.REMOVED)) {
      c(r).next(f -> type(f).equals("MESSAGE") && f.path("id").asText().equals("g-1"), "g-1");
    }
    request(alice, frame("type", "GROUP_REMOVE", "group", GROUP, "member", "rita"));
    request(alice, frame("type", "GROUP_ADD", "group", GROUP, "member", "carol"));
    request(
        alice,
        frame(
            "type",
            "GROUP_CREATE",
            "group",
            "scratch",
            "name",
            "Scratch",
            "members",
            List.of("bob")));
    request(
        alice,
        frame(
            "type",
            "GROUP_CREATE",
            "group",
            "leaving",
            "name",
            "Leaving",
            "members",
            List.of("bob")));

    // a media object of alice's, shared with bob only
    byte[] blob =
        "not really a picture, but ciphertext to the server".getBytes(StandardCharsets.UTF_8);
    JsonNode upload =
        request(
                alice,
                frame("type", "MEDIA_UPLOAD", "contentType", "image/jpeg", "size", blob.length))
            .path("upload");
    HttpRequest.Builder put =
        HttpRequest.newBuilder(URI.create(upload.path("url").asText()))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(blob));
    upload
        .path("headers")
        .fields()
        .forEachRemaining(
            h -> {
              if (!h.getKey().equalsIgnoreCase("content-length")
                  && !h.getKey().equalsIgnoreCase("host")) {
                put.header(h.getKey(), h.getValue().asText());
              }
            });
    HttpResponse<String> stored =
        HttpClient.newHttpClient().send(put.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(stored.statusCode()).as("upload: %s", stored.body()).isEqualTo(200);
    String key = upload.path("key").asText();
    sendAndAck(alice, media("m-media", "bob", key, blob.length));

    // the creator's cursor past the group's newest message: it reaches g-0, sent before carol
    // joined
    JsonNode page = request(alice, frame("type", "HISTORY", "group", GROUP, "limit", 1));
    String cursor = page.path("next").asText(null);
    assertThat(cursor)
        .as("alice's first page of %s has a next cursor: %s", GROUP, page)
        .isNotNull();
    Fixture f = new Fixture(GROUP, "scratch", "leaving", key, cursor);
    barrier(); // everything of the setup has reached the victims; rows start from a quiet state
    return f;
  }

  private void sendAndAck(RawClient client, Map<String, Object> send) {
    client.send(send);
    JsonNode answer =
        client.next(
            f ->
                send.get("id").equals(f.path("id").asText())
                    && (type(f).equals("SENT_ACK") || type(f).equals("ERROR")),
            "SENT_ACK");
    assertThat(type(answer)).as("%s answered %s", send, answer).isEqualTo("SENT_ACK");
  }

  private JsonNode request(RawClient client, Map<String, Object> request) {
    String rid = "setup-" + rids.incrementAndGet();
    Map<String, Object> withRid = new LinkedHashMap<>(request);
    withRid.put("rid", rid);
    client.send(withRid);
    JsonNode answer =
        client.next(
            f -> rid.equals(f.path("rid").asText()) || rid.equals(f.path("ref").asText()), rid);
    assertThat(type(answer)).as("%s answered %s", request, answer).isNotEqualTo("ERROR");
    return answer;
  }

  @TestFactory
  @DisplayName("every row: the documented answer, and nothing reaches the victims")
  Stream<DynamicTest> matrix() {
    return rows().stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> run(r)));
  }

  /** Sends the row's frame and checks the answer; returns what the actor got before it. */
  private JsonNode run(Row row) {
    RawClient actor = c(row.actor());
    Map<String, Object> frame = new LinkedHashMap<>(row.frame().apply(fixture));
    String ref;
    if (frame.containsKey("id")) {
      ref = (String) frame.get("id"); // SEND, ACK, READ: answered (or refused) by their id
    } else {
      ref = "rid-" + rids.incrementAndGet();
      if (!row.frameType().equals("HEARTBEAT") && !row.frameType().equals("TYPING")) {
        frame.put("rid", ref);
      }
    }
    actor.send(frame);
    JsonNode answer = null;
    List<JsonNode> before;
    if (row.outcome() instanceof Answer a) {
      List<JsonNode> got =
          actor.until(
              f ->
                  (type(f).equals(a.type()) && matches(f, ref, a.type()))
                      || (type(f).equals("ERROR") && ref.equals(f.path("ref").asText())),
              a.type());
      answer = got.get(got.size() - 1);
      before = got.subList(0, got.size() - 1);
      assertThat(type(answer)).as("%s answered %s", row, answer).isEqualTo(a.type());
      assertThat(a.check().test(answer))
          .as("%s: expected %s, got %s", row, a.expectation(), answer)
          .isTrue();
    } else if (row.outcome() instanceof Refused r) {
      boolean unreferenced = !frame.containsKey("id") && !frame.containsKey("rid");
      List<JsonNode> got =
          actor.until(
              f ->
                  ref.equals(f.path("ref").asText())
                      || ref.equals(f.path("rid").asText())
                      || (type(f).equals("SENT_ACK") && ref.equals(f.path("id").asText()))
                      || (unreferenced && type(f).equals("ERROR")),
              "ERROR");
      answer = got.get(got.size() - 1);
      before = got.subList(0, got.size() - 1);
      assertThat(type(answer)).as("%s answered %s", row, answer).isEqualTo("ERROR");
      assertThat(answer.path("code").asText()).as("%s: %s", row, answer).isEqualTo(r.code());
      assertThat(answer.path("retryable").asBoolean()).isFalse();
    } else {
      // frames of one connection are handled in order: the marker's answer comes after any answer
      String marker = "marker-" + rids.incrementAndGet();
      actor.send(frame("type", "GROUP_LIST", "rid", marker));
      List<JsonNode> got = actor.until(f -> marker.equals(f.path("rid").asText()), marker);
      before = got.subList(0, got.size() - 1);
    }
    assertThat(before)
        .as("%s: the sender got no error before its answer", row)
        .noneMatch(f -> type(f).equals("ERROR"));
    List<JsonNode> notice = List.of();
    Role notified = row.actor() == Role.OWNER ? Role.MEMBER : Role.OWNER;
    if (!row.victimsMayGet().isEmpty()) {
      // the positive control: the frame it must cause does arrive (so silence elsewhere means it)
      notice =
          c(notified).until(f -> row.victimsMayGet().contains(type(f)), row.victimsMayGet() + "");
    }
    Map<Role, List<JsonNode>> seen = barrier();
    for (Role victim : List.of(Role.OWNER, Role.MEMBER)) {
      List<JsonNode> frames = new ArrayList<>(seen.get(victim));
      if (victim == row.actor()) {
        frames.addAll(foreign(before));
      }
      if (victim == notified) {
        frames.addAll(foreign(notice));
      }
      assertThat(frames)
          .as("%s: what %s received because of it", row, victim.user)
          .allMatch(f -> row.victimsMayGet().contains(type(f)));
    }
    return answer;
  }

  private static boolean matches(JsonNode f, String ref, String type) {
    return switch (type) {
      case "SENT_ACK" -> ref.equals(f.path("id").asText());
      case "HEARTBEAT_ACK" -> true;
      default -> ref.equals(f.path("rid").asText());
    };
  }

  /**
   * alice and bob each send the other a barrier message; returns what each received before the
   * other's barrier, without their own traffic (acks of their sends, barriers, redeliveries).
   */
  private Map<Role, List<JsonNode>> barrier() {
    String id = "bar-" + barrier.incrementAndGet();
    RawClient alice = c(Role.OWNER);
    RawClient bob = c(Role.MEMBER);
    alice.send(text(id, "bob", "barrier"));
    bob.send(text(id, "alice", "barrier"));
    Map<Role, List<JsonNode>> seen = new LinkedHashMap<>();
    for (Role r : List.of(Role.OWNER, Role.MEMBER)) {
      String from = r == Role.OWNER ? "bob" : "alice";
      List<JsonNode> got =
          c(r).until(
                  f ->
                      type(f).equals("MESSAGE")
                          && f.path("id").asText().equals(id)
                          && f.path("from").asText().equals(from),
                  id);
      seen.put(r, foreign(got.subList(0, got.size() - 1)));
    }
    return seen;
  }

  /** The frames that are not a client's own traffic (acks of its sends, barriers, markers). */
  private static List<JsonNode> foreign(List<JsonNode> frames) {
    List<JsonNode> foreign = new ArrayList<>();
    for (JsonNode f : frames) {
      String t = type(f);
      boolean own =
          t.equals("SENT_ACK")
              || t.equals("HEARTBEAT_ACK")
              || f.path("id").asText().startsWith("bar-")
              || f.path("rid").asText().startsWith("marker-");
      if (!own) {
        foreign.add(f);
      }
    }
    return foreign;
  }

  // ---- completeness and privacy ------------------------------------------------------------

  /** The client frame types that docs/protocol.md defines ("## Client to server"). */
  static Set<String> documentedClientFrames() throws IOException {
    String doc = Files.readString(PROTOCOL);
    int from = doc.indexOf("## Client to server");
    int to = doc.indexOf("## Server to client");
    assertThat(from).as("protocol.md has a client section").isNotNegative();
    Set<String> types = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^### (.+)$").matcher(doc.substring(from, to));
    while (m.find()) {
      for (String t : m.group(1).split(",")) {
        types.add(t.trim());
      }
    }
    return types;
  }

  @Test
  @DisplayName("every client frame type of docs/protocol.md has rows, one of them by a stranger")
  void everyClientFrameHasRows() throws IOException {
    Set<String> documented = documentedClientFrames();
    assertThat(documented).contains("SEND", "READ", "HISTORY", "MEDIA_DOWNLOAD");
    Set<String> covered = new HashSet<>();
    Set<String> byStranger = new HashSet<>();
    for (Row r : rows()) {
      covered.add(r.frameType());
      if (r.actor() == Role.STRANGER) {
        byStranger.add(r.frameType());
      }
    }
    assertThat(covered).as("frame types with rows").containsExactlyInAnyOrderElementsOf(documented);
    assertThat(byStranger).as("frame types tried by a stranger").containsAll(documented);
  }

  @Test
  @DisplayName(
      "400 READs from a stranger for alice's messages queue nothing on alice's devices, and a"
          + " recipient's 400 repeats forward one")
  void readFloodCostsTheVictimNothing() {
    DeviceAddress aliceDevice = device("alice");
    long before = stores.offlineStore().depth(aliceDevice);
    RawClient mallory = c(Role.STRANGER);
    RawClient bob = c(Role.MEMBER);
    for (int i = 0; i < 400; i++) {
      mallory.send(frame("type", "READ", "from", "alice", "id", i % 2 == 0 ? "m-ab" : "x-" + i));
      bob.send(frame("type", "READ", "from", "alice", "id", "m-media"));
    }
    String marker = "marker-flood";
    mallory.send(frame("type", "GROUP_LIST", "rid", marker));
    assertThat(mallory.until(f -> marker.equals(f.path("rid").asText()), marker))
        .noneMatch(f -> type(f).equals("ERROR"));
    bob.send(frame("type", "GROUP_LIST", "rid", marker));
    bob.until(f -> marker.equals(f.path("rid").asText()), marker);
    Map<Role, List<JsonNode>> seen = barrier();
    assertThat(seen.get(Role.OWNER))
        .filteredOn(f -> type(f).equals("READ_ACK"))
        .extracting(f -> f.path("by").asText() + "/" + f.path("id").asText())
        .containsExactly("bob/m-media");
    // the barrier and bob's one READ are all that was queued for alice
    assertThat(stores.offlineStore().depth(aliceDevice) - before).isEqualTo(2);
  }

  @Nested
  @DisplayName("indistinguishable from 'does not exist'")
  class Privacy {
    @Test
    @DisplayName("a READ of someone else's message answers exactly as a READ of no message")
    void readOfOthersMessage() {
      Row existing =
          row(
              "READ",
              Role.STRANGER,
              "existing",
              f -> frame("type", "READ", "from", "alice", "id", "m-ab"),
              silent());
      Row absent =
          row(
              "READ",
              Role.STRANGER,
              "absent",
              f -> frame("type", "READ", "from", "alice", "id", "no-such-message"),
              silent());
      assertThat(run(existing)).isNull();
      assertThat(run(absent)).isNull();
    }

    @Test
    @DisplayName("a hidden user's presence is the same frame as a user who never existed")
    void presenceOfHiddenUser() {
      JsonNode hidden =
          run(
              row(
                  "PRESENCE_QUERY",
                  Role.STRANGER,
                  "hidden",
                  f -> frame("type", "PRESENCE_QUERY", "users", List.of("alice")),
                  answer("PRESENCE")));
      JsonNode nobody =
          run(
              row(
                  "PRESENCE_QUERY",
                  Role.STRANGER,
                  "nobody",
                  f -> frame("type", "PRESENCE_QUERY", "users", List.of("nobody-at-all")),
                  answer("PRESENCE")));
      assertThat(normalized(hidden, "alice")).isEqualTo(normalized(nobody, "nobody-at-all"));
    }

    @Test
    @DisplayName("someone else's media answers exactly as a media key that does not exist")
    void mediaOfOthers() {
      JsonNode others =
          run(
              row(
                  "MEDIA_DOWNLOAD",
                  Role.STRANGER,
                  "others",
                  f -> frame("type", "MEDIA_DOWNLOAD", "key", f.mediaKey()),
                  refused("forbidden")));
      JsonNode absent =
          run(
              row(
                  "MEDIA_DOWNLOAD",
                  Role.STRANGER,
                  "absent",
                  f -> frame("type", "MEDIA_DOWNLOAD", "key", "no-such-object"),
                  refused("forbidden")));
      assertThat(normalized(others, fixture.mediaKey()))
          .isEqualTo(normalized(absent, "no-such-object"));
    }

    private String normalized(JsonNode frame, String name) {
      return frame.toString().replace(name, "<name>").replaceAll("\"(rid|ref)\":\"[^\"]*\"", "");
    }
  }
}
