package io.messagingkit.transport.websocket.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupInfo;
import io.messagingkit.core.GroupMember;
import io.messagingkit.core.MediaRef;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.MediaStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes wire protocol v1 frames: JSON text frames with a {@code type} field. Thread-safe
 * and stateless; one instance may serve every connection. Decoding validates every field (type,
 * range, identifier syntax) and throws {@link FrameException} naming the offending field and, where
 * it could be read, the frame's message id or request id.
 */
public final class WireCodec {

  /** The subprotocol name that carries the protocol version. */
  public static final String SUBPROTOCOL = "messagingkit.v1";

  /** The most users one presence request may name. */
  public static final int MAX_PRESENCE_USERS = 256;

  /** The largest history page. */
  public static final int MAX_HISTORY_LIMIT = 100;

  private static final int MAX_RID_LENGTH = 64;
  private static final int MAX_GROUP_MEMBERS = 1024;

  private final ObjectMapper mapper;
  private final JsonNodeFactory nodes = JsonNodeFactory.instance;

  public WireCodec() {
    this.mapper = new ObjectMapper();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(1 << 20).build());
  }

  // ---------------------------------------------------------------- client -> server

  /** Decodes a client frame; throws {@link FrameException} when it is not a valid v1 frame. */
  public ClientFrame decodeClient(String text) {
    ObjectNode o = parseObject(text);
    String type = typeOf(o);
    String ref = refOf(o);
    try {
      return switch (type) {
        case "SEND" -> decodeSend(o, ref);
        case "ACK" -> decodeAck(o, ref);
        case "READ" -> new ClientFrame.Read(userId(o, "from", ref), messageId(o, "id", ref));
        case "HEARTBEAT" -> new ClientFrame.Heartbeat();
        case "TYPING" -> new ClientFrame.Typing(recipient(o, "to", ref), bool(o, "typing", ref));
        case "PRESENCE_SUBSCRIBE", "PRESENCE_QUERY" ->
            new ClientFrame.Presence(
                rid(o),
                list(o, "users", ref, MAX_PRESENCE_USERS, true, v -> UserId.of(v)),
                type.equals("PRESENCE_SUBSCRIBE"));
        case "GROUP_CREATE" ->
            new ClientFrame.GroupCreate(
                rid(o),
                groupId(o, "group", ref),
                groupName(o, ref),
                list(o, "members", ref, MAX_GROUP_MEMBERS, false, v -> UserId.of(v)));
        case "GROUP_ADD", "GROUP_REMOVE", "GROUP_PROMOTE" ->
            new ClientFrame.GroupMemberOp(
                rid(o),
                ClientFrame.GroupMemberOp.Op.valueOf(type),
                groupId(o, "group", ref),
                userId(o, "member", ref));
        case "GROUP_LEAVE" -> new ClientFrame.GroupLeave(rid(o), groupId(o, "group", ref));
        case "GROUP_LIST" -> new ClientFrame.GroupList(rid(o));
        case "GROUP_MEMBERS" -> new ClientFrame.GroupMembers(rid(o), groupId(o, "group", ref));
        case "HISTORY" -> decodeHistory(o, ref);
        case "MEDIA_UPLOAD" ->
            new ClientFrame.MediaUpload(
                rid(o), string(o, "contentType", ref, 128), nonNegativeLong(o, "size", ref));
        case "MEDIA_DOWNLOAD" -> new ClientFrame.MediaDownload(rid(o), string(o, "key", ref, 256));
        case "PUSH_REGISTER" -> decodePushRegister(o, ref);
        default ->
            throw new FrameException(
                ErrorCode.INVALID_REQUEST, ref, "unknown frame type '" + abbreviate(type) + "'");
      };
    } catch (IllegalArgumentException e) {
      throw new FrameException(ErrorCode.INVALID_REQUEST, ref, type + ": " + clientText(e));
    } catch (java.time.DateTimeException | ArithmeticException e) {
      throw new FrameException(ErrorCode.INVALID_REQUEST, ref, type + ": a value is out of range");
    }
  }

  /**
   * ACK names one entry ({@code from}, {@code id}) or a queue position ({@code upTo}), not both.
   */
  private static ClientFrame decodeAck(ObjectNode o, @Nullable String ref) {
    if (!o.has("upTo")) {
      return new ClientFrame.Ack(userId(o, "from", ref), messageId(o, "id", ref));
    }
    if (o.has("from") || o.has("id")) {
      throw invalid(ref, "ACK: give either 'upTo' or 'from' and 'id', not both");
    }
    long upTo = nonNegativeLong(o, "upTo", ref);
    if (upTo < 1) {
      throw invalid(ref, "ACK: 'upTo' must be a positive queue position");
    }
    return new ClientFrame.AckUpTo(upTo);
  }

  /** The message of the library's own validation; never a JDK or library text. */
  private static String clientText(IllegalArgumentException e) {
    StackTraceElement[] trace = e.getStackTrace();
    boolean ours = trace.length > 0 && trace[0].getClassName().startsWith("io.messagingkit.");
    return ours && e.getMessage() != null ? e.getMessage() : "invalid value";
  }

  private ClientFrame.Send decodeSend(ObjectNode o, @Nullable String ref) {
    MessageId id = messageId(o, "id", ref);
    if (id.isServerGenerated() || id.value().length() > MessageId.MAX_CLIENT_LENGTH) {
      throw invalid(
          ref,
          "SEND: 'id' must be 1.."
              + MessageId.MAX_CLIENT_LENGTH
              + " characters without ':' (letters, digits, . _ @ + -)");
    }
    Recipient to = recipient(o, "to", ref);
    MessageType kind = MessageType.TEXT;
    JsonNode kindNode = o.get("kind");
    if (kindNode != null && !kindNode.isNull()) {
      String k = textual(kindNode, "kind", ref);
      kind =
          switch (k) {
            case "TEXT" -> MessageType.TEXT;
            case "MEDIA" -> MessageType.MEDIA;
            case "ENCRYPTED" -> MessageType.ENCRYPTED;
            default -> throw invalid(ref, "SEND: 'kind' must be TEXT, MEDIA or ENCRYPTED");
          };
    }
    byte[] body = body(o, ref, kind == MessageType.TEXT);
    MediaRef media = null;
    JsonNode mediaNode = o.get("media");
    if (mediaNode != null && !mediaNode.isNull()) {
      if (!(mediaNode instanceof ObjectNode m)) {
        throw invalid(ref, "SEND: 'media' must be an object");
      }
      media =
          new MediaRef(
              string(m, "key", ref, 256),
              string(m, "contentType", ref, 128),
              nonNegativeLong(m, "size", ref));
    }
    if (kind == MessageType.MEDIA && media == null) {
      throw invalid(ref, "SEND: a MEDIA message needs 'media'");
    }
    Instant ts = null;
    if (o.hasNonNull("ts")) {
      ts = Instant.ofEpochMilli(nonNegativeLong(o, "ts", ref));
    }
    UserId from = null;
    if (o.hasNonNull("from")) {
      from = userId(o, "from", ref);
    }
    return new ClientFrame.Send(id, to, kind, body, media, ts, from);
  }

  private ClientFrame.History decodeHistory(ObjectNode o, @Nullable String ref) {
    String rid = rid(o);
    Recipient with;
    if (o.hasNonNull("with") && o.hasNonNull("group")) {
      throw invalid(ref, "HISTORY: give either 'with' or 'group', not both");
    } else if (o.hasNonNull("with")) {
      with = Recipient.user(userId(o, "with", ref));
    } else if (o.hasNonNull("group")) {
      with = Recipient.group(groupId(o, "group", ref));
    } else {
      throw invalid(ref, "HISTORY: missing field 'with' (a user) or 'group'");
    }
    String cursor = o.hasNonNull("cursor") ? string(o, "cursor", ref, 512) : null;
    int limit = 50;
    if (o.hasNonNull("limit")) {
      JsonNode l = o.get("limit");
      if (!l.isIntegralNumber() || l.asLong() < 1 || l.asLong() > MAX_HISTORY_LIMIT) {
        throw invalid(ref, "HISTORY: 'limit' must be an integer 1.." + MAX_HISTORY_LIMIT);
      }
      limit = l.asInt();
    }
    return new ClientFrame.History(rid, with, cursor, limit);
  }

  private ClientFrame.PushRegister decodePushRegister(ObjectNode o, @Nullable String ref) {
    String rid = rid(o);
    String p = string(o, "platform", ref, 16);
    PushTarget.Platform platform;
    try {
      platform = PushTarget.Platform.valueOf(p);
    } catch (IllegalArgumentException e) {
      throw invalid(ref, "PUSH_REGISTER: 'platform' must be APNS, FCM or WEB_PUSH");
    }
    Map<String, String> keys = new LinkedHashMap<>();
    JsonNode k = o.get("keys");
    if (k != null && !k.isNull()) {
      if (!(k instanceof ObjectNode ko)) {
        throw invalid(ref, "PUSH_REGISTER: 'keys' must be an object of strings");
      }
      Iterator<Map.Entry<String, JsonNode>> it = ko.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        keys.put(e.getKey(), textual(e.getValue(), "keys." + e.getKey(), ref));
      }
    }
    return new ClientFrame.PushRegister(
        rid, new PushTarget(platform, string(o, "token", ref, 4096), keys));
  }

  /** Encodes a client frame (used by the client SDK and tests). */
  public String encode(ClientFrame frame) {
    ObjectNode o = nodes.objectNode();
    o.put("type", frame.type());
    if (frame instanceof ClientFrame.Send s) {
      o.put("id", s.id().value());
      putRecipient(o, "to", s.to());
      o.put("kind", s.kind().name());
      putBody(o, s.kind(), s.body());
      if (s.media() != null) {
        o.set("media", media(s.media()));
      }
      if (s.clientTimestamp() != null) {
        o.put("ts", s.clientTimestamp().toEpochMilli());
      }
      if (s.from() != null) {
        o.put("from", s.from().value());
      }
    } else if (frame instanceof ClientFrame.Ack a) {
      o.put("from", a.from().value());
      o.put("id", a.id().value());
    } else if (frame instanceof ClientFrame.AckUpTo a) {
      o.put("upTo", a.upTo());
    } else if (frame instanceof ClientFrame.Read r) {
      o.put("from", r.from().value());
      o.put("id", r.id().value());
    } else if (frame instanceof ClientFrame.Heartbeat) {
      o.put("type", "HEARTBEAT"); // no fields
    } else if (frame instanceof ClientFrame.Typing t) {
      putRecipient(o, "to", t.to());
      o.put("typing", t.typing());
    } else if (frame instanceof ClientFrame.Presence p) {
      o.put("rid", p.rid());
      ArrayNode users = o.putArray("users");
      p.users().forEach(u -> users.add(u.value()));
    } else if (frame instanceof ClientFrame.GroupCreate g) {
      o.put("rid", g.rid());
      o.put("group", g.group().value());
      o.put("name", g.name());
      ArrayNode members = o.putArray("members");
      g.members().forEach(u -> members.add(u.value()));
    } else if (frame instanceof ClientFrame.GroupMemberOp g) {
      o.put("rid", g.rid());
      o.put("group", g.group().value());
      o.put("member", g.member().value());
    } else if (frame instanceof ClientFrame.GroupLeave g) {
      o.put("rid", g.rid());
      o.put("group", g.group().value());
    } else if (frame instanceof ClientFrame.GroupList g) {
      o.put("rid", g.rid());
    } else if (frame instanceof ClientFrame.GroupMembers g) {
      o.put("rid", g.rid());
      o.put("group", g.group().value());
    } else if (frame instanceof ClientFrame.History h) {
      o.put("rid", h.rid());
      if (h.with() instanceof Recipient.ToUser u) {
        o.put("with", u.user().value());
      } else {
        o.put("group", ((Recipient.ToGroup) h.with()).group().value());
      }
      if (h.cursor() != null) {
        o.put("cursor", h.cursor());
      }
      o.put("limit", h.limit());
    } else if (frame instanceof ClientFrame.MediaUpload m) {
      o.put("rid", m.rid());
      o.put("contentType", m.contentType());
      o.put("size", m.size());
    } else if (frame instanceof ClientFrame.MediaDownload m) {
      o.put("rid", m.rid());
      o.put("key", m.key());
    } else if (frame instanceof ClientFrame.PushRegister p) {
      o.put("rid", p.rid());
      o.put("platform", p.target().platform().name());
      o.put("token", p.target().token());
      ObjectNode keys = o.putObject("keys");
      p.target().keys().forEach(keys::put);
    }
    return write(o);
  }

  // ---------------------------------------------------------------- server -> client

  /** Encodes a server frame. */
  public String encode(ServerFrame frame) {
    return write(toNode(frame));
  }

  private ObjectNode toNode(ServerFrame frame) {
    ObjectNode o = nodes.objectNode();
    o.put("type", frame.type());
    if (frame instanceof ServerFrame.Welcome w) {
      o.put("user", w.device().user().value());
      o.put("device", w.device().device().value());
      o.put("protocol", w.protocol());
      o.put("heartbeatMs", w.heartbeatMillis());
      o.put("maxFrameBytes", w.maxFrameBytes());
    } else if (frame instanceof ServerFrame.SentAck a) {
      o.put("id", a.id().value());
      o.put("ts", a.timestamp().toEpochMilli());
      o.put("duplicate", a.duplicate());
    } else if (frame instanceof ServerFrame.Message m) {
      putMessage(o, m);
    } else if (frame instanceof ServerFrame.Receipt r) {
      o.put("id", r.id().value());
      o.put("receipt", r.receipt().value());
      o.put("by", r.by().user().value());
      o.put("byDevice", r.by().device().value());
      o.put("ts", r.timestamp().toEpochMilli());
      if (r.queueSequence() > 0) {
        o.put("queueSeq", r.queueSequence());
      }
    } else if (frame instanceof ServerFrame.Presence p) {
      if (p.rid() != null) {
        o.put("rid", p.rid());
      }
      o.put("user", p.presence().user().value());
      o.put("online", p.presence().online());
      Instant lastSeen = p.presence().lastSeen();
      if (lastSeen == null) {
        o.putNull("lastSeen");
      } else {
        o.put("lastSeen", lastSeen.toEpochMilli());
      }
    } else if (frame instanceof ServerFrame.Typing t) {
      o.put("from", t.from().value());
      putRecipient(o, "to", t.to());
      o.put("typing", t.typing());
    } else if (frame instanceof ServerFrame.GroupEvent g) {
      o.put("group", g.group().value());
      o.put("change", g.change().name());
      o.put("actor", g.actor().value());
      if (g.subject() != null) {
        o.put("subject", g.subject().value());
      }
    } else if (frame instanceof ServerFrame.HistoryPage h) {
      o.put("rid", h.rid());
      ArrayNode messages = o.putArray("messages");
      for (ServerFrame.Message m : h.messages()) {
        ObjectNode mo = messages.addObject();
        mo.put("type", m.type());
        putMessage(mo, m);
      }
      if (h.next() == null) {
        o.putNull("next");
      } else {
        o.put("next", h.next());
      }
    } else if (frame instanceof ServerFrame.Result r) {
      o.put("rid", r.rid());
      if (r.group() != null) {
        o.set("group", groupInfo(r.group()));
      }
      if (r.groups() != null) {
        ArrayNode a = o.putArray("groups");
        r.groups().forEach(g -> a.add(groupInfo(g)));
      }
      if (r.members() != null) {
        ArrayNode a = o.putArray("members");
        r.members()
            .forEach(m -> a.addObject().put("user", m.member().value()).put("admin", m.admin()));
      }
      if (r.upload() != null) {
        ObjectNode u = o.putObject("upload");
        u.put("key", r.upload().objectKey());
        u.put("url", r.upload().url().toString());
        ObjectNode h = u.putObject("headers");
        r.upload().headers().forEach(h::put);
        u.put("expiresAt", r.upload().expiresAt().toEpochMilli());
        u.put("maxBytes", r.upload().maxBytes());
      }
      if (r.download() != null) {
        ObjectNode d = o.putObject("download");
        d.put("key", r.download().objectKey());
        d.put("url", r.download().url().toString());
        d.put("expiresAt", r.download().expiresAt().toEpochMilli());
      }
    } else if (frame instanceof ServerFrame.HeartbeatAck h) {
      o.put("ts", h.timestamp().toEpochMilli());
    } else if (frame instanceof ServerFrame.Error e) {
      o.put("code", e.code().wireName());
      if (e.ref() == null) {
        o.putNull("ref");
      } else {
        o.put("ref", e.ref());
      }
      o.put("message", e.message());
      o.put("retryable", e.retryable());
    }
    return o;
  }

  private void putMessage(ObjectNode o, ServerFrame.Message m) {
    o.put("id", m.id().value());
    o.put("from", m.from().user().value());
    o.put("fromDevice", m.from().device().value());
    putRecipient(o, "to", m.to());
    o.put("kind", m.kind().name());
    putBody(o, m.kind(), m.body());
    if (m.media() != null) {
      o.set("media", media(m.media()));
    }
    o.put("ts", m.clientTimestamp().toEpochMilli());
    o.put("serverTs", m.serverTimestamp().toEpochMilli());
    o.put("seq", m.sequence());
    if (m.queueSequence() > 0) {
      o.put("queueSeq", m.queueSequence());
    }
  }

  /** Decodes a server frame (used by the client SDK and tests). */
  public ServerFrame decodeServer(String text) {
    ObjectNode o = parseObject(text);
    String type = typeOf(o);
    String ref = refOf(o);
    try {
      return switch (type) {
        case "WELCOME" ->
            new ServerFrame.Welcome(
                new DeviceAddress(
                    userId(o, "user", ref), DeviceId.of(string(o, "device", ref, 64))),
                string(o, "protocol", ref, 64),
                nonNegativeLong(o, "heartbeatMs", ref),
                (int) nonNegativeLong(o, "maxFrameBytes", ref));
        case "SENT_ACK" ->
            new ServerFrame.SentAck(
                messageId(o, "id", ref), instant(o, "ts", ref), bool(o, "duplicate", ref));
        case "MESSAGE" -> decodeMessage(o, ref);
        case "DELIVERED_ACK", "READ_ACK" ->
            new ServerFrame.Receipt(
                type.equals("READ_ACK"),
                messageId(o, "id", ref),
                messageId(o, "receipt", ref),
                new DeviceAddress(
                    userId(o, "by", ref), DeviceId.of(string(o, "byDevice", ref, 64))),
                instant(o, "ts", ref),
                queueSequence(o, ref));
        case "PRESENCE" ->
            new ServerFrame.Presence(
                o.hasNonNull("rid") ? rid(o) : null,
                new io.messagingkit.core.Presence(
                    userId(o, "user", ref),
                    bool(o, "online", ref),
                    o.hasNonNull("lastSeen") ? instant(o, "lastSeen", ref) : null));
        case "TYPING" ->
            new ServerFrame.Typing(
                userId(o, "from", ref), recipient(o, "to", ref), bool(o, "typing", ref));
        case "GROUP_EVENT" ->
            new ServerFrame.GroupEvent(
                groupId(o, "group", ref),
                ServerEvent.GroupChanged.Change.valueOf(string(o, "change", ref, 32)),
                userId(o, "actor", ref),
                o.hasNonNull("subject") ? userId(o, "subject", ref) : null);
        case "HISTORY_PAGE" -> {
          List<ServerFrame.Message> messages = new ArrayList<>();
          for (JsonNode n : array(o, "messages", ref)) {
            if (!(n instanceof ObjectNode mo)) {
              throw invalid(ref, "HISTORY_PAGE: 'messages' must hold objects");
            }
            messages.add(decodeMessage(mo, ref));
          }
          yield new ServerFrame.HistoryPage(
              rid(o), messages, o.hasNonNull("next") ? string(o, "next", ref, 512) : null);
        }
        case "RESULT" -> decodeResult(o, ref);
        case "HEARTBEAT_ACK" -> new ServerFrame.HeartbeatAck(instant(o, "ts", ref));
        case "ERROR" ->
            new ServerFrame.Error(
                ErrorCode.valueOf(string(o, "code", ref, 32).toUpperCase(Locale.ROOT)),
                o.hasNonNull("ref") ? string(o, "ref", ref, 256) : null,
                string(o, "message", ref, 4096),
                bool(o, "retryable", ref));
        default ->
            throw new FrameException(
                ErrorCode.INVALID_REQUEST, ref, "unknown frame type '" + abbreviate(type) + "'");
      };
    } catch (IllegalArgumentException e) {
      throw new FrameException(ErrorCode.INVALID_REQUEST, ref, type + ": " + e.getMessage());
    }
  }

  private ServerFrame.Message decodeMessage(ObjectNode o, @Nullable String ref) {
    MessageType kind = MessageType.valueOf(string(o, "kind", ref, 16));
    MediaRef media = null;
    if (o.get("media") instanceof ObjectNode m) {
      media =
          new MediaRef(
              string(m, "key", ref, 256),
              string(m, "contentType", ref, 128),
              nonNegativeLong(m, "size", ref));
    }
    return new ServerFrame.Message(
        messageId(o, "id", ref),
        new DeviceAddress(userId(o, "from", ref), DeviceId.of(string(o, "fromDevice", ref, 64))),
        recipient(o, "to", ref),
        kind,
        body(o, ref, true),
        media,
        instant(o, "ts", ref),
        instant(o, "serverTs", ref),
        nonNegativeLong(o, "seq", ref),
        queueSequence(o, ref));
  }

  /** The optional {@code queueSeq} of a MESSAGE or receipt: 0 when absent. */
  private static long queueSequence(ObjectNode o, @Nullable String ref) {
    return o.has("queueSeq") ? nonNegativeLong(o, "queueSeq", ref) : 0;
  }

  private ServerFrame.Result decodeResult(ObjectNode o, @Nullable String ref) {
    GroupInfo group = o.get("group") instanceof ObjectNode g ? groupInfo(g, ref) : null;
    List<GroupInfo> groups = null;
    if (o.has("groups")) {
      groups = new ArrayList<>();
      for (JsonNode n : array(o, "groups", ref)) {
        groups.add(groupInfo((ObjectNode) n, ref));
      }
    }
    List<GroupMember> members = null;
    if (o.has("members")) {
      members = new ArrayList<>();
      GroupId unknown = GroupId.of("unknown");
      for (JsonNode n : array(o, "members", ref)) {
        ObjectNode m = (ObjectNode) n;
        members.add(new GroupMember(unknown, userId(m, "user", ref), bool(m, "admin", ref)));
      }
    }
    MediaStore.UploadGrant upload = null;
    if (o.get("upload") instanceof ObjectNode u) {
      Map<String, String> headers = new LinkedHashMap<>();
      if (u.get("headers") instanceof ObjectNode h) {
        h.fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
      }
      upload =
          new MediaStore.UploadGrant(
              string(u, "key", ref, 256),
              URI.create(string(u, "url", ref, 8192)),
              headers,
              instant(u, "expiresAt", ref),
              nonNegativeLong(u, "maxBytes", ref));
    }
    MediaStore.DownloadGrant download = null;
    if (o.get("download") instanceof ObjectNode d) {
      download =
          new MediaStore.DownloadGrant(
              string(d, "key", ref, 256),
              URI.create(string(d, "url", ref, 8192)),
              instant(d, "expiresAt", ref));
    }
    return new ServerFrame.Result(rid(o), group, groups, members, upload, download);
  }

  private ObjectNode groupInfo(GroupInfo g) {
    ObjectNode o = nodes.objectNode();
    o.put("id", g.id().value());
    o.put("name", g.name());
    o.put("createdBy", g.createdBy().value());
    o.put("createdAt", g.createdAt().toEpochMilli());
    return o;
  }

  private GroupInfo groupInfo(ObjectNode o, @Nullable String ref) {
    return new GroupInfo(
        groupId(o, "id", ref),
        string(o, "name", ref, 128),
        userId(o, "createdBy", ref),
        instant(o, "createdAt", ref));
  }

  // ---------------------------------------------------------------- helpers

  private ObjectNode parseObject(String text) {
    JsonNode node;
    try {
      node = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      // Not the parser's message: it names the parser's classes and settings.
      var at = e.getLocation();
      throw new FrameException(
          ErrorCode.INVALID_REQUEST,
          null,
          at == null || at.getColumnNr() < 0
              ? "malformed JSON"
              : "malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr());
    }
    if (!(node instanceof ObjectNode o)) {
      throw new FrameException(ErrorCode.INVALID_REQUEST, null, "a frame must be a JSON object");
    }
    return o;
  }

  private static String typeOf(ObjectNode o) {
    JsonNode t = o.get("type");
    if (t == null || t.isNull()) {
      throw new FrameException(ErrorCode.INVALID_REQUEST, refOf(o), "missing field 'type'");
    }
    if (!t.isTextual()) {
      throw new FrameException(ErrorCode.INVALID_REQUEST, refOf(o), "'type' must be a string");
    }
    return t.asText();
  }

  /** The frame's request id or message id, if it is a short string (for error references). */
  private static @Nullable String refOf(ObjectNode o) {
    for (String field : new String[] {"rid", "id"}) {
      JsonNode n = o.get(field);
      if (n != null && n.isTextual() && !n.asText().isEmpty() && n.asText().length() <= 200) {
        return n.asText();
      }
    }
    return null;
  }

  private static FrameException invalid(@Nullable String ref, String message) {
    return new FrameException(ErrorCode.INVALID_REQUEST, ref, message);
  }

  private static String textual(JsonNode n, String field, @Nullable String ref) {
    if (!n.isTextual()) {
      throw invalid(ref, "'" + field + "' must be a string");
    }
    return n.asText();
  }

  private static JsonNode required(ObjectNode o, String field, @Nullable String ref) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      throw invalid(ref, "missing field '" + field + "'");
    }
    return n;
  }

  private static String string(ObjectNode o, String field, @Nullable String ref, int maxLength) {
    String s = textual(required(o, field, ref), field, ref);
    if (s.isEmpty() || s.length() > maxLength) {
      throw invalid(ref, "'" + field + "' must be 1.." + maxLength + " characters");
    }
    return s;
  }

  private static String rid(ObjectNode o) {
    JsonNode n = o.get("rid");
    String ref = refOf(o);
    if (n == null || n.isNull()) {
      throw invalid(ref, "missing field 'rid'");
    }
    String rid = textual(n, "rid", ref);
    if (rid.isEmpty() || rid.length() > MAX_RID_LENGTH) {
      throw invalid(ref, "'rid' must be 1.." + MAX_RID_LENGTH + " characters");
    }
    return rid;
  }

  private static boolean bool(ObjectNode o, String field, @Nullable String ref) {
    JsonNode n = required(o, field, ref);
    if (!n.isBoolean()) {
      throw invalid(ref, "'" + field + "' must be true or false");
    }
    return n.asBoolean();
  }

  private static long nonNegativeLong(ObjectNode o, String field, @Nullable String ref) {
    JsonNode n = required(o, field, ref);
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
      throw invalid(ref, "'" + field + "' must be a non-negative integer");
    }
    return n.asLong();
  }

  private static Instant instant(ObjectNode o, String field, @Nullable String ref) {
    return Instant.ofEpochMilli(nonNegativeLong(o, field, ref));
  }

  private static UserId userId(ObjectNode o, String field, @Nullable String ref) {
    String v = textual(required(o, field, ref), field, ref);
    try {
      return UserId.of(v);
    } catch (IllegalArgumentException e) {
      throw invalid(ref, "'" + field + "': " + e.getMessage());
    }
  }

  private static GroupId groupId(ObjectNode o, String field, @Nullable String ref) {
    String v = textual(required(o, field, ref), field, ref);
    try {
      return GroupId.of(v);
    } catch (IllegalArgumentException e) {
      throw invalid(ref, "'" + field + "': " + e.getMessage());
    }
  }

  private static MessageId messageId(ObjectNode o, String field, @Nullable String ref) {
    String v = textual(required(o, field, ref), field, ref);
    try {
      return MessageId.of(v);
    } catch (IllegalArgumentException e) {
      throw invalid(ref, "'" + field + "': " + e.getMessage());
    }
  }

  private static String groupName(ObjectNode o, @Nullable String ref) {
    String name = string(o, "name", ref, 128);
    if (name.isBlank()) {
      throw invalid(ref, "'name' must not be blank");
    }
    return name;
  }

  /** {@code to} as a user, or {@code group}; exactly one. */
  private static Recipient recipient(ObjectNode o, String userField, @Nullable String ref) {
    boolean user = o.hasNonNull(userField);
    boolean group = o.hasNonNull("group");
    if (user && group) {
      throw invalid(ref, "give either '" + userField + "' or 'group', not both");
    }
    if (user) {
      return Recipient.user(userId(o, userField, ref));
    }
    if (group) {
      return Recipient.group(groupId(o, "group", ref));
    }
    throw invalid(ref, "missing field '" + userField + "' (a user) or 'group'");
  }

  private static <T> List<T> list(
      ObjectNode o,
      String field,
      @Nullable String ref,
      int max,
      boolean required,
      Function<String, T> parse) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw invalid(ref, "missing field '" + field + "'");
      }
      return List.of();
    }
    if (!n.isArray()) {
      throw invalid(ref, "'" + field + "' must be an array of strings");
    }
    if (n.size() > max || (required && n.isEmpty())) {
      throw invalid(ref, "'" + field + "' must hold " + (required ? 1 : 0) + ".." + max + " items");
    }
    List<T> out = new ArrayList<>(n.size());
    for (JsonNode item : n) {
      String v = textual(item, field + "[]", ref);
      try {
        out.add(parse.apply(v));
      } catch (IllegalArgumentException e) {
        throw invalid(ref, "'" + field + "': " + e.getMessage());
      }
    }
    return out;
  }

  private static ArrayNode array(ObjectNode o, String field, @Nullable String ref) {
    JsonNode n = required(o, field, ref);
    if (!(n instanceof ArrayNode a)) {
      throw invalid(ref, "'" + field + "' must be an array");
    }
    return a;
  }

  /** Exactly one of {@code text} (UTF-8) or {@code body} (base64); {@code text} only if allowed. */
  private static byte[] body(ObjectNode o, @Nullable String ref, boolean textAllowed) {
    boolean hasText = o.hasNonNull("text");
    boolean hasBody = o.hasNonNull("body");
    if (hasText && hasBody) {
      throw invalid(ref, "give either 'text' or 'body', not both");
    }
    if (hasText) {
      if (!textAllowed) {
        throw invalid(ref, "'text' is only for kind TEXT; send 'body' as base64");
      }
      return textual(o.get("text"), "text", ref).getBytes(StandardCharsets.UTF_8);
    }
    if (hasBody) {
      String b = textual(o.get("body"), "body", ref);
      try {
        return Base64.getDecoder().decode(b);
      } catch (IllegalArgumentException e) {
        throw invalid(ref, "'body' must be base64");
      }
    }
    throw invalid(ref, "missing field 'text' or 'body'");
  }

  private static void putBody(ObjectNode o, MessageType kind, byte[] body) {
    if (kind == MessageType.TEXT) {
      String text = utf8(body);
      if (text != null) {
        o.put("text", text);
        return;
      }
    }
    o.put("body", Base64.getEncoder().encodeToString(body));
  }

  private static @Nullable String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static void putRecipient(ObjectNode o, String userField, Recipient r) {
    if (r instanceof Recipient.ToUser u) {
      o.put(userField, u.user().value());
    } else {
      o.put("group", ((Recipient.ToGroup) r).group().value());
    }
  }

  private ObjectNode media(MediaRef m) {
    ObjectNode o = nodes.objectNode();
    o.put("key", m.objectKey());
    o.put("contentType", m.contentType());
    o.put("size", m.sizeBytes());
    return o;
  }

  private String write(ObjectNode o) {
    try {
      return wellFormed(mapper.writeValueAsString(o));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  /**
   * Replaces each unpaired surrogate with U+FFFD. A client can put one in any string field with a
   * JSON escape of a lone surrogate; echoed back raw (in a ref, a group name, an error), it cannot
   * be encoded as UTF-8, and Tyrus then never completes the write, silencing the connection.
   */
  static String wellFormed(String s) {
    char[] out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!Character.isSurrogate(c)) {
        continue;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
        continue;
      }
      if (out == null) {
        out = s.toCharArray();
      }
      out[i] = '\ufffd';
    }
    return out == null ? s : new String(out);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
