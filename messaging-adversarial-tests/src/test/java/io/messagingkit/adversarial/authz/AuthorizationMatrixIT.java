package io.messagingkit.adversarial.authz;

import static io.messagingkit.adversarial.authz.RawClient.type;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
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

  /** Who sends the frame. */
  enum Role {
    /** alice: admin of the group, sender of the messages, uploader of the media. */
    OWNER("alice"),
    /** bob: member of the group, recipient of alice's messages and media. */
    MEMBER("bob"),
    /** mallory: shares nothing with anyone, but wrote once, unsolicited, to alice. */
    STRANGER("mallory"),
    /** rita: was a member when the group's messages were sent, then removed. */
    REMOVED("rita"),
    /** carol: added to the group after its messages were sent. */
    LATE("carol");

    final String user;

    Role(String user) {
      this.user = user;
    }
  }

  /** What the sender of a row's frame gets. */
  sealed interface Outcome {}

  /** A reply of {@code type} (matched by the frame's rid or id) that satisfies {@code check}. */
  record Answer(String type, String expectation, Predicate<JsonNode> check) implements Outcome {}

  /** An ERROR with this code. */
  record Refused(String code) implements Outcome {}

  /** No answer at all (the next HEARTBEAT is answered first, and nothing else came). */
  record Silent() implements Outcome {}

  /** One cell of the matrix. */
  record Row(
      String frameType,
      Role actor,
      String what,
      Function<Fixture, Map<String, Object>> frame,
      Outcome outcome,
      Set<String> victimsMayGet) {
    @Override
    public String toString() {
      return frameType + " as " + actor.name().toLowerCase() + ": " + what;
    }
  }

  /** What the setup created and a row may name. */
  record Fixture(String group, String scratch, String leaving, String mediaKey, String cursor) {}

  private static final String GROUP = "family";

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

  private static Map<String, Object> media(String id, String to, String key, int size) {
    return frame(
        "type",
        "SEND",
        "id",
        id,
        "to",
        to,
        "kind",
        "MEDIA",
        "body",
        Base64.getEncoder().encodeToString("key+digest".getBytes(StandardCharsets.UTF_8)),
        "media",
        frame("key", key, "contentType", "image/jpeg", "size", size));
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

  static Map<String, Object> frame(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static Map<String, Object> text(String id, String to, String text) {
    return frame("type", "SEND", "id", id, "to", to, "kind", "TEXT", "text", text);
  }

  // ---- the matrix -------------------------------------------------------------------------

  private static final Set<String> NOTHING = Set.of();

  private static Row row(
      String type,
      Role actor,
      String what,
      Function<Fixture, Map<String, Object>> frame,
      Outcome outcome) {
    return new Row(type, actor, what, frame, outcome, NOTHING);
  }

  private static Row row(
      String type,
      Role actor,
      String what,
      Function<Fixture, Map<String, Object>> frame,
      Outcome outcome,
      Set<String> victimsMayGet) {
    return new Row(type, actor, what, frame, outcome, victimsMayGet);
  }

  private static Answer answer(String type) {
    return new Answer(type, "any", f -> true);
  }

  private static Answer answer(String type, String expectation, Predicate<JsonNode> check) {
    return new Answer(type, expectation, check);
  }

  private static Refused refused(String code) {
    return new Refused(code);
  }

  private static Silent silent() {
    return new Silent();
  }

  private static boolean unknownPresence(JsonNode p) {
    return !p.path("online").asBoolean(true) && p.path("lastSeen").isNull();
  }

  private static boolean hasMessages(JsonNode page, String... ids) {
    List<String> got = new ArrayList<>();
    page.path("messages").forEach(m -> got.add(m.path("id").asText()));
    return got.containsAll(List.of(ids));
  }

  private static boolean lacksMessages(JsonNode page, String... ids) {
    List<String> got = new ArrayList<>();
    page.path("messages").forEach(m -> got.add(m.path("id").asText()));
    return got.stream().noneMatch(List.of(ids)::contains);
  }

  private static boolean onlyBetween(JsonNode page, String a, String b) {
    for (JsonNode m : page.path("messages")) {
      Set<String> pair = Set.of(m.path("from").asText(), m.path("to").asText(""));
      if (!pair.equals(Set.of(a, b))) {
        return false;
      }
    }
    return true;
  }

  private static boolean listsGroup(JsonNode result, String group) {
    for (JsonNode g : result.path("groups")) {
      if (g.path("id").asText().equals(group) || g.path("group").asText().equals(group)) {
        return true;
      }
    }
    return false;
  }

  static List<Row> rows() {
    Role owner = Role.OWNER;
    Role member = Role.MEMBER;
    Role stranger = Role.STRANGER;
    Role removed = Role.REMOVED;
    Role late = Role.LATE;
    return List.of(
        // SEND
        row(
            "SEND",
            member,
            "a direct message to alice",
            f -> text("s-1", "alice", "hello"),
            answer("SENT_ACK"),
            Set.of("MESSAGE")),
        row(
            "SEND",
            stranger,
            "a forged 'from' (alice)",
            f -> with(text("s-2", "bob", "it is me, alice"), "from", "alice"),
            refused("forbidden")),
        row(
            "SEND",
            stranger,
            "to a group it is not in",
            f -> frame("type", "SEND", "id", "s-3", "group", f.group(), "text", "let me in"),
            refused("forbidden")),
        row(
            "SEND",
            removed,
            "to the group it was removed from",
            f -> frame("type", "SEND", "id", "s-4", "group", f.group(), "text", "still here?"),
            refused("forbidden")),
        row(
            "SEND",
            stranger,
            "to a group that does not exist",
            f -> frame("type", "SEND", "id", "s-5", "group", "no-such-group", "text", "?"),
            refused("not_found")),
        row(
            "SEND",
            stranger,
            "sharing alice's media key (forged media key)",
            f -> media("s-6", "bob", f.mediaKey(), 51),
            refused("forbidden")),
        row(
            "SEND",
            stranger,
            "a forged server-made id (a receipt id)",
            f -> text("R:alice:m-ab", "bob", "forged receipt id"),
            refused("invalid_request")),
        // ACK
        row(
            "ACK",
            stranger,
            "acknowledging alice's message to bob (forged id)",
            f -> frame("type", "ACK", "from", "alice", "id", "m-ab"),
            silent()),
        row(
            "ACK",
            member,
            "acknowledging its own message from alice",
            f -> frame("type", "ACK", "from", "alice", "id", "m-ab"),
            silent(),
            Set.of("DELIVERED_ACK")),
        // READ
        row(
            "READ",
            member,
            "a message it received",
            f -> frame("type", "READ", "from", "alice", "id", "m-ab"),
            silent(),
            Set.of("READ_ACK")),
        row(
            "READ",
            member,
            "the same message again (one READ per reader)",
            f -> frame("type", "READ", "from", "alice", "id", "m-ab"),
            silent()),
        row(
            "READ",
            stranger,
            "alice's message to bob",
            f -> frame("type", "READ", "from", "alice", "id", "m-ab"),
            silent()),
        row(
            "READ",
            stranger,
            "a message that does not exist",
            f -> frame("type", "READ", "from", "alice", "id", "never-sent"),
            silent()),
        row(
            "READ",
            removed,
            "a group message sent while it was a member, after removal",
            f -> frame("type", "READ", "from", "alice", "id", "g-1"),
            silent()),
        row(
            "READ",
            late,
            "a group message sent before it joined",
            f -> frame("type", "READ", "from", "alice", "id", "g-1"),
            silent()),
        row(
            "READ",
            stranger,
            "a forged server-made id",
            f -> frame("type", "READ", "from", "alice", "id", "R:bob:m-ab"),
            refused("invalid_request")),
        // HEARTBEAT
        row(
            "HEARTBEAT",
            stranger,
            "keeps only itself online",
            f -> frame("type", "HEARTBEAT"),
            answer("HEARTBEAT_ACK")),
        // TYPING
        row(
            "TYPING",
            member,
            "to alice, who wrote to it",
            f -> frame("type", "TYPING", "to", "alice", "typing", true),
            silent(),
            Set.of("TYPING")),
        row(
            "TYPING",
            stranger,
            "to alice, who never wrote to it",
            f -> frame("type", "TYPING", "to", "alice", "typing", true),
            silent()),
        row(
            "TYPING",
            stranger,
            "in a group it is not in",
            f -> frame("type", "TYPING", "group", f.group(), "typing", true),
            refused("forbidden")),
        row(
            "TYPING",
            removed,
            "in the group it was removed from",
            f -> frame("type", "TYPING", "group", f.group(), "typing", true),
            refused("forbidden")),
        row(
            "TYPING",
            member,
            "in its group",
            f -> frame("type", "TYPING", "group", f.group(), "typing", false),
            silent(),
            Set.of("TYPING")),
        // PRESENCE_QUERY, PRESENCE_SUBSCRIBE
        row(
            "PRESENCE_QUERY",
            member,
            "alice, who wrote to it",
            f -> frame("type", "PRESENCE_QUERY", "users", List.of("alice")),
            answer("PRESENCE", "online", p -> p.path("online").asBoolean())),
        row(
            "PRESENCE_QUERY",
            stranger,
            "alice, to whom it wrote unsolicited",
            f -> frame("type", "PRESENCE_QUERY", "users", List.of("alice")),
            answer("PRESENCE", "as for a user never seen", AuthorizationMatrixIT::unknownPresence)),
        row(
            "PRESENCE_QUERY",
            removed,
            "alice, who added it to a group",
            f -> frame("type", "PRESENCE_QUERY", "users", List.of("alice")),
            answer("PRESENCE", "as for a user never seen", AuthorizationMatrixIT::unknownPresence)),
        row(
            "PRESENCE_QUERY",
            late,
            "bob, a fellow group member",
            f -> frame("type", "PRESENCE_QUERY", "users", List.of("bob")),
            answer("PRESENCE", "as for a user never seen", AuthorizationMatrixIT::unknownPresence)),
        row(
            "PRESENCE_SUBSCRIBE",
            stranger,
            "alice",
            f -> frame("type", "PRESENCE_SUBSCRIBE", "users", List.of("alice")),
            answer("PRESENCE", "as for a user never seen", AuthorizationMatrixIT::unknownPresence)),
        // GROUP_CREATE
        row(
            "GROUP_CREATE",
            stranger,
            "with an id that is taken",
            f -> frame("type", "GROUP_CREATE", "group", f.group(), "name", "Mine now"),
            refused("conflict")),
        row(
            "GROUP_CREATE",
            stranger,
            "adding alice without asking (no consent to anything)",
            f ->
                frame(
                    "type",
                    "GROUP_CREATE",
                    "group",
                    "trap",
                    "name",
                    "Trap",
                    "members",
                    List.of("alice")),
            answer("RESULT"),
            Set.of("GROUP_EVENT")),
        // GROUP_ADD, GROUP_REMOVE, GROUP_PROMOTE
        row(
            "GROUP_ADD",
            member,
            "a stranger, without admin rights",
            f -> groupOp("GROUP_ADD", f.group(), "mallory"),
            refused("forbidden")),
        row(
            "GROUP_ADD",
            stranger,
            "itself to a group it is not in",
            f -> groupOp("GROUP_ADD", f.group(), "mallory"),
            refused("forbidden")),
        row(
            "GROUP_ADD",
            removed,
            "itself back",
            f -> groupOp("GROUP_ADD", f.group(), "rita"),
            refused("forbidden")),
        row(
            "GROUP_ADD",
            stranger,
            "to a group that does not exist",
            f -> groupOp("GROUP_ADD", "no-such-group", "mallory"),
            refused("not_found")),
        row(
            "GROUP_ADD",
            owner,
            "dave to its scratch group",
            f -> groupOp("GROUP_ADD", f.scratch(), "dave"),
            answer("RESULT"),
            Set.of("GROUP_EVENT")),
        row(
            "GROUP_REMOVE",
            member,
            "the admin",
            f -> groupOp("GROUP_REMOVE", f.group(), "alice"),
            refused("forbidden")),
        row(
            "GROUP_REMOVE",
            stranger,
            "a member",
            f -> groupOp("GROUP_REMOVE", f.group(), "bob"),
            refused("forbidden")),
        row(
            "GROUP_REMOVE",
            removed,
            "the member that stayed",
            f -> groupOp("GROUP_REMOVE", f.group(), "bob"),
            refused("forbidden")),
        row(
            "GROUP_REMOVE",
            owner,
            "dave from its scratch group",
            f -> groupOp("GROUP_REMOVE", f.scratch(), "dave"),
            answer("RESULT"),
            Set.of("GROUP_EVENT")),
        row(
            "GROUP_PROMOTE",
            member,
            "itself",
            f -> groupOp("GROUP_PROMOTE", f.group(), "bob"),
            refused("forbidden")),
        row(
            "GROUP_PROMOTE",
            stranger,
            "itself",
            f -> groupOp("GROUP_PROMOTE", f.group(), "mallory"),
            refused("forbidden")),
        row(
            "GROUP_PROMOTE",
            owner,
            "bob in its scratch group",
            f -> groupOp("GROUP_PROMOTE", f.scratch(), "bob"),
            answer("RESULT"),
            Set.of("GROUP_EVENT")),
        // GROUP_LEAVE
        row(
            "GROUP_LEAVE",
            stranger,
            "a group it is not in",
            f -> frame("type", "GROUP_LEAVE", "group", f.group()),
            refused("forbidden")),
        row(
            "GROUP_LEAVE",
            removed,
            "the group it was removed from",
            f -> frame("type", "GROUP_LEAVE", "group", f.group()),
            refused("forbidden")),
        row(
            "GROUP_LEAVE",
            stranger,
            "a group that does not exist",
            f -> frame("type", "GROUP_LEAVE", "group", "no-such-group"),
            refused("not_found")),
        row(
            "GROUP_LEAVE",
            member,
            "a group it is in",
            f -> frame("type", "GROUP_LEAVE", "group", f.leaving()),
            answer("RESULT"),
            Set.of("GROUP_EVENT")),
        // GROUP_LIST, GROUP_MEMBERS
        row(
            "GROUP_LIST",
            stranger,
            "lists only its own groups",
            f -> frame("type", "GROUP_LIST"),
            answer("RESULT", "without alice's group", r -> !listsGroup(r, GROUP))),
        row(
            "GROUP_LIST",
            removed,
            "no longer lists the group",
            f -> frame("type", "GROUP_LIST"),
            answer("RESULT", "without the group it left", r -> !listsGroup(r, GROUP))),
        row(
            "GROUP_MEMBERS",
            member,
            "of its group",
            f -> frame("type", "GROUP_MEMBERS", "group", f.group()),
            answer("RESULT")),
        row(
            "GROUP_MEMBERS",
            stranger,
            "of a group it is not in",
            f -> frame("type", "GROUP_MEMBERS", "group", f.group()),
            refused("forbidden")),
        row(
            "GROUP_MEMBERS",
            removed,
            "of the group it was removed from",
            f -> frame("type", "GROUP_MEMBERS", "group", f.group()),
            refused("forbidden")),
        // HISTORY
        row(
            "HISTORY",
            member,
            "its conversation with alice",
            f -> frame("type", "HISTORY", "with", "alice", "limit", 50),
            answer(
                "HISTORY_PAGE",
                "only messages between alice and bob",
                p -> !p.path("messages").isEmpty() && onlyBetween(p, "alice", "bob"))),
        row(
            "HISTORY",
            stranger,
            "'with alice': only its own conversation with her",
            f -> frame("type", "HISTORY", "with", "alice", "limit", 50),
            answer(
                "HISTORY_PAGE",
                "only m-mal",
                p -> hasMessages(p, "m-mal") && lacksMessages(p, "m-ab", "m-ba", "m-media"))),
        row(
            "HISTORY",
            stranger,
            "of a group it is not in",
            f -> frame("type", "HISTORY", "group", f.group(), "limit", 50),
            refused("forbidden")),
        row(
            "HISTORY",
            removed,
            "of the group it was removed from",
            f -> frame("type", "HISTORY", "group", f.group(), "limit", 50),
            refused("forbidden")),
        row(
            "HISTORY",
            late,
            "of its group: nothing from before it joined",
            f -> frame("type", "HISTORY", "group", f.group(), "limit", 50),
            answer("HISTORY_PAGE", "without g-0 and g-1", p -> lacksMessages(p, "g-0", "g-1"))),
        row(
            "HISTORY",
            late,
            "with the creator's cursor (forged cursor)",
            f -> frame("type", "HISTORY", "group", f.group(), "cursor", f.cursor(), "limit", 50),
            answer("HISTORY_PAGE", "empty", p -> p.path("messages").isEmpty())),
        row(
            "HISTORY",
            member,
            "with a cursor the server never made",
            f -> frame("type", "HISTORY", "with", "alice", "cursor", "c-garbage", "limit", 5),
            refused("invalid_request")),
        // MEDIA_UPLOAD, MEDIA_DOWNLOAD
        row(
            "MEDIA_UPLOAD",
            stranger,
            "an upload of its own",
            f -> frame("type", "MEDIA_UPLOAD", "contentType", "image/png", "size", 10),
            answer("RESULT", "an upload grant", r -> r.has("upload"))),
        row(
            "MEDIA_DOWNLOAD",
            member,
            "media sent to it",
            f -> frame("type", "MEDIA_DOWNLOAD", "key", f.mediaKey()),
            answer("RESULT", "a download grant", r -> r.has("download"))),
        row(
            "MEDIA_DOWNLOAD",
            stranger,
            "alice's media (forged key)",
            f -> frame("type", "MEDIA_DOWNLOAD", "key", f.mediaKey()),
            refused("forbidden")),
        row(
            "MEDIA_DOWNLOAD",
            stranger,
            "a key that does not exist",
            f -> frame("type", "MEDIA_DOWNLOAD", "key", "no-such-object"),
            refused("forbidden")),
        row(
            "MEDIA_DOWNLOAD",
            removed,
            "media it was never sent",
            f -> frame("type", "MEDIA_DOWNLOAD", "key", f.mediaKey()),
            refused("forbidden")),
        // PUSH_REGISTER
        row(
            "PUSH_REGISTER",
            stranger,
            "a push target for its own device only",
            f -> frame("type", "PUSH_REGISTER", "platform", "FCM", "token", "mallory-token"),
            answer("RESULT")));
  }

  private static Map<String, Object> with(Map<String, Object> frame, String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(frame);
    copy.put(key, value);
    return copy;
  }

  private static Map<String, Object> groupOp(String type, String group, String member) {
    return frame("type", type, "group", group, "member", member);
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
