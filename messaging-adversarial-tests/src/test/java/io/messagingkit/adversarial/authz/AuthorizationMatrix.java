package io.messagingkit.adversarial.authz;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The rows of {@link AuthorizationMatrixIT}: for each client frame type of docs/protocol.md, who
 * sends it, what it carries (forged ids, {@code from} fields, cursors, media keys), the documented
 * answer and what the victims may receive because of it. A new frame type needs rows here, or
 * {@code AuthorizationMatrixIT.everyClientFrameHasRows} fails.
 */
final class AuthorizationMatrix {

  private AuthorizationMatrix() {}

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

  static final String GROUP = "family";

  static Map<String, Object> media(String id, String to, String key, int size) {
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

  static Row row(
      String type,
      Role actor,
      String what,
      Function<Fixture, Map<String, Object>> frame,
      Outcome outcome) {
    return new Row(type, actor, what, frame, outcome, NOTHING);
  }

  static Row row(
      String type,
      Role actor,
      String what,
      Function<Fixture, Map<String, Object>> frame,
      Outcome outcome,
      Set<String> victimsMayGet) {
    return new Row(type, actor, what, frame, outcome, victimsMayGet);
  }

  static Answer answer(String type) {
    return new Answer(type, "any", f -> true);
  }

  static Answer answer(String type, String expectation, Predicate<JsonNode> check) {
    return new Answer(type, expectation, check);
  }

  static Refused refused(String code) {
    return new Refused(code);
  }

  static Silent silent() {
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
            answer("PRESENCE", "as for a user never seen", AuthorizationMatrix::unknownPresence)),
        row(
            "PRESENCE_QUERY",
            removed,
            "alice, who added it to a group",
            f -> frame("type", "PRESENCE_QUERY", "users", List.of("alice")),
            answer("PRESENCE", "as for a user never seen", AuthorizationMatrix::unknownPresence)),
        row(
            "PRESENCE_QUERY",
            late,
            "bob, a fellow group member",
            f -> frame("type", "PRESENCE_QUERY", "users", List.of("bob")),
            answer("PRESENCE", "as for a user never seen", AuthorizationMatrix::unknownPresence)),
        row(
            "PRESENCE_SUBSCRIBE",
            stranger,
            "alice",
            f -> frame("type", "PRESENCE_SUBSCRIBE", "users", List.of("alice")),
            answer("PRESENCE", "as for a user never seen", AuthorizationMatrix::unknownPresence)),
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
}
