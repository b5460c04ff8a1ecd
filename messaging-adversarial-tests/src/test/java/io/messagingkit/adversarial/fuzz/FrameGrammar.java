package io.messagingkit.adversarial.fuzz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.jspecify.annotations.Nullable;

/**
 * Client frames of wire protocol v1 (docs/protocol.md, {@code ClientFrame}) as jqwik arbitraries:
 * every frame type with valid, boundary and invalid field values, plus mutations of valid frames
 * (truncation, character flips, wrong types, huge numbers, deep nesting, duplicate keys, unicode
 * edge cases, oversize, junk). Valid recipients are only the given users and groups, so what the
 * server stores for valid frames stays small and is drained by readers that acknowledge.
 */
final class FrameGrammar {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Every client frame type of protocol v1. */
  static final List<String> TYPES =
      List.of(
          "SEND",
          "ACK",
          "READ",
          "HEARTBEAT",
          "TYPING",
          "PRESENCE_SUBSCRIBE",
          "PRESENCE_QUERY",
          "GROUP_CREATE",
          "GROUP_ADD",
          "GROUP_REMOVE",
          "GROUP_PROMOTE",
          "GROUP_LEAVE",
          "GROUP_LIST",
          "GROUP_MEMBERS",
          "HISTORY",
          "MEDIA_UPLOAD",
          "MEDIA_DOWNLOAD",
          "PUSH_REGISTER");

  /** The fields each type reads (a generated frame carries most of them, sometimes others). */
  static final Map<String, List<String>> FIELDS =
      Map.ofEntries(
          Map.entry("SEND", List.of("id", "to", "group", "kind", "text", "body", "media", "ts")),
          Map.entry("ACK", List.of("from", "id", "upTo")),
          Map.entry("READ", List.of("from", "id")),
          Map.entry("HEARTBEAT", List.of()),
          Map.entry("TYPING", List.of("to", "group", "typing")),
          Map.entry("PRESENCE_SUBSCRIBE", List.of("rid", "users")),
          Map.entry("PRESENCE_QUERY", List.of("rid", "users")),
          Map.entry("GROUP_CREATE", List.of("rid", "group", "name", "members")),
          Map.entry("GROUP_ADD", List.of("rid", "group", "member")),
          Map.entry("GROUP_REMOVE", List.of("rid", "group", "member")),
          Map.entry("GROUP_PROMOTE", List.of("rid", "group", "member")),
          Map.entry("GROUP_LEAVE", List.of("rid", "group")),
          Map.entry("GROUP_LIST", List.of("rid")),
          Map.entry("GROUP_MEMBERS", List.of("rid", "group")),
          Map.entry("HISTORY", List.of("rid", "with", "group", "cursor", "limit")),
          Map.entry("MEDIA_UPLOAD", List.of("rid", "contentType", "size")),
          Map.entry("MEDIA_DOWNLOAD", List.of("rid", "key")),
          Map.entry("PUSH_REGISTER", List.of("rid", "platform", "token", "keys")));

  private final List<String> users;
  private final List<String> groups;
  private final int maxFrameBytes;

  FrameGrammar(List<String> users, List<String> groups, int maxFrameBytes) {
    this.users = List.copyOf(users);
    this.groups = List.copyOf(groups);
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Frames as sent on the wire: structured frames, mutated frames and junk. */
  Arbitrary<String> frames() {
    return Arbitraries.frequencyOf(
        Tuple.of(60, structured().map(FrameGrammar::write)),
        Tuple.of(35, mutated()),
        Tuple.of(5, junk()));
  }

  /**
   * A frame of a known (or sometimes unknown) type with generated fields. Built once per grammar
   * without flatMap (whose per-value generator building costs about a millisecond a frame).
   */
  Arbitrary<Map<String, Object>> structured() {
    if (structured == null) {
      List<Arbitrary<Map<String, Object>>> known = new ArrayList<>();
      for (String t : TYPES) {
        known.add(ofType(t));
      }
      List<Arbitrary<Map<String, Object>>> unknown = new ArrayList<>();
      for (String t :
          List.of("send", "FLY", "", "SEND ", "GROUP_", "\u0000", "S\u0301END", "x".repeat(300))) {
        unknown.add(ofType(t));
      }
      structured =
          Arbitraries.frequencyOf(
              Tuple.of(95, Arbitraries.oneOf(known)), Tuple.of(5, Arbitraries.oneOf(unknown)));
    }
    return structured;
  }

  private @Nullable Arbitrary<Map<String, Object>> structured;

  private Arbitrary<Map<String, Object>> ofType(String t) {
    List<String> fields = FIELDS.getOrDefault(t, List.of("id", "rid", "to"));
    List<Arbitrary<Object>> values = new ArrayList<>();
    for (String f : fields) {
      values.add(Arbitraries.frequencyOf(Tuple.of(85, value(f)), Tuple.of(15, absent())));
    }
    values.add(
        Arbitraries.frequencyOf(
            Tuple.of(90, absent()), Tuple.of(10, anything().map(v -> (Object) v))));
    values.add(
        Arbitraries.frequencyOf(
            Tuple.of(97, Arbitraries.just((Object) t)),
            Tuple.of(3, wrongType().map(v -> (Object) v))));
    return Combinators.combine(values)
        .as(
            vs -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("type", vs.get(fields.size() + 1));
              for (int i = 0; i < fields.size(); i++) {
                if (vs.get(i) != ABSENT) {
                  m.put(fields.get(i), vs.get(i));
                }
              }
              Object extra = vs.get(fields.size());
              if (extra != ABSENT) {
                m.put("extra", extra);
              }
              return m;
            });
  }

  private static final Object ABSENT = new Object();

  private static Arbitrary<Object> absent() {
    return Arbitraries.just(ABSENT);
  }

  /** Values for a field: mostly valid, then boundary, then invalid (wrong type, null, huge). */
  Arbitrary<Object> value(String field) {
    Arbitrary<Object> good =
        switch (field) {
          case "to", "from", "with", "member" -> user();
          case "users", "members" -> user().list().ofMaxSize(4).map(l -> (Object) l);
          case "group" -> group();
          case "id" -> messageId();
          case "rid" ->
              Arbitraries.strings()
                  .alpha()
                  .numeric()
                  .ofMinLength(1)
                  .ofMaxLength(64)
                  .map(s -> (Object) s);
          case "kind" -> Arbitraries.of("TEXT", "MEDIA", "ENCRYPTED").map(s -> (Object) s);
          case "text" -> text();
          case "body" ->
              Arbitraries.bytes()
                  .array(byte[].class)
                  .ofMaxSize(200)
                  .map(b -> (Object) Base64.getEncoder().encodeToString(b));
          case "media" ->
              Combinators.combine(
                      Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(40),
                      Arbitraries.of("image/png", "video/mp4"),
                      Arbitraries.longs().between(0, 1L << 30))
                  .as((k, c, s) -> (Object) Map.of("key", k, "contentType", c, "size", s));
          case "ts" -> Arbitraries.longs().between(0, 4_000_000_000_000L).map(l -> (Object) l);
          case "typing" -> Arbitraries.of(true, false).map(b -> (Object) b);
          case "name" -> Arbitraries.strings().ofMinLength(1).ofMaxLength(128).map(s -> (Object) s);
          case "cursor" -> cursor();
          case "limit" -> Arbitraries.integers().between(1, 100).map(i -> (Object) i);
          case "contentType" ->
              Arbitraries.of("image/jpeg", "application/octet-stream", "a/b").map(s -> (Object) s);
          case "size" -> Arbitraries.longs().between(0, 200L << 20).map(l -> (Object) l);
          case "key" ->
              Arbitraries.of("k1", "../../etc/passwd", "media/x/y", "%00", "a".repeat(256))
                  .map(s -> (Object) s);
          case "platform" -> Arbitraries.of("APNS", "FCM", "WEB_PUSH").map(s -> (Object) s);
          case "token" ->
              Arbitraries.strings().ofMinLength(1).ofMaxLength(200).map(s -> (Object) s);
          case "keys" ->
              Arbitraries.maps(
                      Arbitraries.strings().ofMaxLength(10), Arbitraries.strings().ofMaxLength(20))
                  .ofMaxSize(3)
                  .map(m -> (Object) m);
          case "upTo" -> Arbitraries.longs().between(0, 1_000_000).map(l -> (Object) l);
          default -> anything();
        };
    return Arbitraries.frequencyOf(
        Tuple.of(70, good), Tuple.of(15, boundary(field)), Tuple.of(15, anything()));
  }

  private Arbitrary<Object> user() {
    return Arbitraries.of(users).map(u -> (Object) u);
  }

  private Arbitrary<Object> group() {
    return Arbitraries.of(groups).map(g -> (Object) g);
  }

  private static Arbitrary<Object> messageId() {
    return Arbitraries.strings()
        .withChars("abcdefghijklmnopqrstuvwxyz0123456789._@+-")
        .ofMinLength(1)
        .ofMaxLength(40)
        .map(s -> (Object) s);
  }

  private static Arbitrary<Object> text() {
    return Arbitraries.frequencyOf(
        Tuple.of(80, Arbitraries.strings().ofMaxLength(200).map(s -> (Object) s)),
        Tuple.of(15, unicodeEdge()),
        Tuple.of(5, Arbitraries.integers().between(1, 60).map(k -> (Object) "w".repeat(k * 1000))));
  }

  private static Arbitrary<Object> cursor() {
    Arbitrary<String> raw =
        Arbitraries.of(
            "99999999999999999:0:1:fuzz0:x",
            "-1:0:1:fuzz0:x",
            "1:-5:1:fuzz0:x",
            "1:2000000000:1:fuzz0:x",
            "1:0:99999999999999999999:fuzz0:x",
            "1:0:1:bad id:x",
            "1:0:1:fuzz0",
            "",
            ":::::::",
            "1700000000:0:1:fuzz0:m1");
    return Combinators.combine(Arbitraries.of("m1.", "j1.", "", "x1."), raw)
        .as(
            (p, r) ->
                (Object)
                    (p
                        + Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(r.getBytes(StandardCharsets.UTF_8))));
  }

  /** Values at or just past each field's documented limit. */
  private static Arbitrary<Object> boundary(String field) {
    return switch (field) {
      case "to", "from", "with", "member", "group" ->
          Arbitraries.of(
                  "u".repeat(64),
                  "u".repeat(65),
                  "",
                  " ",
                  "a b",
                  "a:b",
                  "ü",
                  "..",
                  "\u202e",
                  "\u0000")
              .map(s -> (Object) s);
      case "users", "members" ->
          Arbitraries.of(
                  (Object) List.of(), (Object) nCopies("fuzz0", 257), (Object) nCopies("x", 1025))
              .map(o -> o);
      case "id" ->
          Arbitraries.of(
                  "m".repeat(128),
                  "m".repeat(129),
                  "m".repeat(200),
                  "m".repeat(201),
                  "a:b",
                  "",
                  "é")
              .map(s -> (Object) s);
      case "rid" -> Arbitraries.of("r".repeat(64), "r".repeat(65), "").map(s -> (Object) s);
      case "limit" -> Arbitraries.of(0, 101, -1, Integer.MAX_VALUE).map(i -> (Object) i);
      case "ts", "size", "upTo" ->
          Arbitraries.of(
                  (Object) Long.MAX_VALUE, (Object) (-1L), (Object) 0L, (Object) Long.MIN_VALUE)
              .map(o -> o);
      case "name" ->
          Arbitraries.of("n".repeat(128), "n".repeat(129), "   ", "").map(s -> (Object) s);
      case "body" -> Arbitraries.of("!!notbase64", "====", "", "QQ").map(s -> (Object) s);
      case "kind" -> Arbitraries.of("text", "", "MEDIA ", "RECEIPT").map(s -> (Object) s);
      case "platform" -> Arbitraries.of("apns", "SMS", "").map(s -> (Object) s);
      case "token" -> Arbitraries.of("t".repeat(4096), "t".repeat(4097), "").map(s -> (Object) s);
      default -> anything();
    };
  }

  private static List<String> nCopies(String prefix, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(n > 300 ? prefix : prefix + (i % 4));
    }
    return out;
  }

  /** A value of any JSON type, including huge numbers, nesting and unicode edge cases. */
  static Arbitrary<Object> anything() {
    return Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.just((Object) null).map(o -> o)),
        Tuple.of(10, Arbitraries.of(true, false).map(b -> (Object) b)),
        Tuple.of(15, Arbitraries.integers().map(i -> (Object) i)),
        Tuple.of(
            10,
            Arbitraries.of(
                    (Object) new BigInteger("9".repeat(400)),
                    (Object) Double.MAX_VALUE,
                    (Object) 1.5,
                    (Object) (-0.0),
                    (Object) Long.MIN_VALUE)
                .map(o -> o)),
        Tuple.of(20, Arbitraries.strings().ofMaxLength(50).map(s -> (Object) s)),
        Tuple.of(10, unicodeEdge()),
        Tuple.of(10, Arbitraries.integers().list().ofMaxSize(5).map(l -> (Object) l)),
        Tuple.of(
            10,
            Arbitraries.maps(Arbitraries.strings().ofMaxLength(5), Arbitraries.integers())
                .ofMaxSize(3)
                .map(m -> (Object) m)),
        Tuple.of(5, Arbitraries.integers().between(1, 60).map(FrameGrammar::nested)));
  }

  private static Object nested(int depth) {
    Object v = 1;
    for (int i = 0; i < depth; i++) {
      v = i % 2 == 0 ? List.of(v) : Map.of("n", v);
    }
    return v;
  }

  private static Arbitrary<Object> wrongType() {
    return Arbitraries.of(
        (Object) 42, (Object) true, (Object) List.of("SEND"), (Object) Map.of("t", "SEND"));
  }

  static Arbitrary<Object> unicodeEdge() {
    return Arbitraries.of(
            "\ud83d\ude00",
            "\ud800",
            "\udc00x",
            "\u202eevil",
            "\u200b\u200d\ufeff",
            "\uffff\ufffe",
            "e\u0301\u0301\u0301",
            "\u0000\u0001\u001f",
            "\\u0000",
            "</script>",
            "\"quoted\"",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢")
        .map(s -> (Object) s);
  }

  /** A valid-looking frame, changed at the text level. */
  Arbitrary<String> mutated() {
    Arbitrary<String> base = structured().map(FrameGrammar::write);
    return Combinators.combine(
            base, Arbitraries.integers().between(0, 11), Arbitraries.doubles().between(0, 1))
        .as(this::mutate);
  }

  private String mutate(String frame, int how, double where) {
    int at = (int) (where * frame.length());
    return switch (how) {
      case 0 -> frame.substring(0, at); // truncation
      case 1 -> flip(frame, at);
      case 2 -> frame.replaceFirst(":\"[^\"]*\"", ":12345678901234567890123456789"); // wrong type
      case 3 -> frame.replaceFirst(":(-?\\d+)", ":1" + "0".repeat(500)); // huge number
      case 4 -> "{\"d\":".repeat(40 + at % 400) + "1" + "}".repeat(40 + at % 400); // deep nesting
      case 5 -> frame.replaceFirst("\\{", "{\"type\":\"SEND\",\"type\":\"ACK\","); // duplicate keys
      case 6 -> frame.substring(0, at) + "\\ud800\\u00" + frame.substring(at); // bad escapes
      case 7 -> frame.substring(0, at) + "\u0000\ud83d" + frame.substring(at); // raw unicode
      case 8 -> oversize(frame, at);
      case 9 -> frame + frame; // trailing data
      case 10 -> "[" + frame + "]";
      default -> frame.replace("\"", "'");
    };
  }

  private String oversize(String frame, int at) {
    // Rare: a frame over the limit closes the connection with 1009 (the client reconnects).
    if (at % 40 != 0) {
      return frame.replaceFirst("\\}$", ",\"pad\":\"" + "p".repeat(8 * 1024) + "\"}");
    }
    return frame.replaceFirst("\\}$", ",\"pad\":\"" + "p".repeat(maxFrameBytes + 1) + "\"}");
  }

  private static String flip(String s, int at) {
    if (s.isEmpty()) {
      return "\u0001";
    }
    int i = Math.min(at, s.length() - 1);
    char[] c = s.toCharArray();
    c[i] = (char) (c[i] ^ (1 << (i % 7)));
    return new String(c);
  }

  static Arbitrary<String> junk() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.strings().ofMaxLength(100)),
        Tuple.of(
            1,
            Arbitraries.of(
                "",
                " ",
                "null",
                "true",
                "1",
                "\"SEND\"",
                "[]",
                "{}",
                "{",
                "}",
                "{\"type\":null}",
                "{\"type\":\"SEND\"}",
                "\ufeff{\"type\":\"HEARTBEAT\"}",
                "{\"type\":\"HEARTBEAT\"}x",
                "NaN",
                "{\"type\":\"HEARTBEAT\",}",
                "/*c*/{}",
                "{\"type\":'HEARTBEAT'}")));
  }

  static String write(Map<String, Object> frame) {
    try {
      return JSON.writeValueAsString(frame);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
