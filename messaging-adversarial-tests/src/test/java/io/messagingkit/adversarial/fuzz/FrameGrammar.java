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
import org.jspecify.annotations.Nullable;

/**
 * Client frames of wire protocol v1 (docs/protocol.md, {@code ClientFrame}) as seeded generators
 * ({@link Gen}): every frame type with valid, boundary and invalid field values, plus mutations of
 * valid frames (truncation, character flips, wrong types, huge numbers, deep nesting, duplicate
 * keys, unicode edge cases, oversize, junk). Valid recipients are only the given users and groups,
 * so what the server stores for valid frames stays small and is drained by readers that
 * acknowledge.
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
  Gen<String> frames() {
    return Gen.frequencyOf(60, structured().map(FrameGrammar::write), 35, mutated(), 5, junk());
  }

  /**
   * A frame of a known (or sometimes unknown) type with generated fields. Built once per grammar.
   */
  Gen<Map<String, Object>> structured() {
    if (structured == null) {
      List<Gen<Map<String, Object>>> known = new ArrayList<>();
      for (String t : TYPES) {
        known.add(ofType(t));
      }
      List<Gen<Map<String, Object>>> unknown = new ArrayList<>();
      for (String t :
          List.of("send", "FLY", "", "SEND ", "GROUP_", "\u0000", "S\u0301END", "x".repeat(300))) {
        unknown.add(ofType(t));
      }
      structured = Gen.frequencyOf(95, Gen.oneOf(known), 5, Gen.oneOf(unknown));
    }
    return structured;
  }

  private @Nullable Gen<Map<String, Object>> structured;

  private Gen<Map<String, Object>> ofType(String t) {
    List<String> fields = FIELDS.getOrDefault(t, List.of("id", "rid", "to"));
    List<Gen<Object>> values = new ArrayList<>();
    for (String f : fields) {
      values.add(Gen.frequencyOf(85, value(f), 15, absent()));
    }
    values.add(Gen.frequencyOf(90, absent(), 10, anything()));
    values.add(Gen.frequencyOf(97, Gen.just((Object) t), 3, wrongType()));
    return Gen.combine(values)
        .map(
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

  private static Gen<Object> absent() {
    return Gen.just(ABSENT);
  }

  /** Values for a field: mostly valid, then boundary, then invalid (wrong type, null, huge). */
  Gen<Object> value(String field) {
    Gen<Object> good =
        switch (field) {
          case "to", "from", "with", "member" -> user();
          case "users", "members" -> Gen.lists(user(), 4).asObject();
          case "group" -> group();
          case "id" -> messageId();
          case "rid" -> Gen.strings(1, 64, Gen.chars(Gen.ALPHANUMERIC)).asObject();
          case "kind" -> Gen.<Object>of("TEXT", "MEDIA", "ENCRYPTED");
          case "text" -> text();
          case "body" -> Gen.bytes(200).map(b -> (Object) Base64.getEncoder().encodeToString(b));
          case "media" ->
              Gen.combine(
                  Gen.strings(1, 40, Gen.chars(Gen.ALPHA)),
                  Gen.of("image/png", "video/mp4"),
                  Gen.longs(0, 1L << 30),
                  (k, c, s) -> (Object) Map.of("key", k, "contentType", c, "size", s));
          case "ts" -> Gen.longs(0, 4_000_000_000_000L).asObject();
          case "typing" -> Gen.booleans().asObject();
          case "name" -> anyString(1, 128).asObject();
          case "cursor" -> cursor();
          case "limit" -> Gen.ints(1, 100).asObject();
          case "contentType" -> Gen.<Object>of("image/jpeg", "application/octet-stream", "a/b");
          case "size" -> Gen.longs(0, 200L << 20).asObject();
          case "key" ->
              Gen.<Object>of("k1", "../../etc/passwd", "media/x/y", "%00", "a".repeat(256));
          case "platform" -> Gen.<Object>of("APNS", "FCM", "WEB_PUSH");
          case "token" -> anyString(1, 200).asObject();
          case "keys" -> Gen.maps(anyString(0, 10), anyString(0, 20), 3).asObject();
          case "upTo" -> Gen.longs(0, 1_000_000).asObject();
          default -> anything();
        };
    return Gen.frequencyOf(70, good, 15, boundary(field), 15, anything());
  }

  private Gen<Object> user() {
    return Gen.of(users).asObject();
  }

  private Gen<Object> group() {
    return Gen.of(groups).asObject();
  }

  private static Gen<Object> messageId() {
    return Gen.strings(1, 40, Gen.chars("abcdefghijklmnopqrstuvwxyz0123456789._@+-")).asObject();
  }

  /**
   * Strings of any BMP chars (surrogate halves included) of {@code min} to {@code max} chars, now
   * and then one of the {@link #UNICODE_EDGES}.
   */
  static Gen<String> anyString(int min, int max) {
    return Gen.strings(min, max, Gen.anyChar(), UNICODE_EDGES);
  }

  private static Gen<Object> text() {
    return Gen.frequencyOf(
        80,
        anyString(0, 200),
        15,
        unicodeEdge(),
        5,
        Gen.ints(1, 60).map(k -> (Object) "w".repeat(k * 1000)));
  }

  private static Gen<Object> cursor() {
    Gen<String> raw =
        Gen.of(
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
    return Gen.combine(
        Gen.of("m1.", "j1.", "", "x1."),
        raw,
        (String p, String r) ->
            (Object)
                (p
                    + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(r.getBytes(StandardCharsets.UTF_8))));
  }

  /** Values at or just past each field's documented limit. */
  private static Gen<Object> boundary(String field) {
    return switch (field) {
      case "to", "from", "with", "member", "group" ->
          Gen.<Object>of(
              "u".repeat(64), "u".repeat(65), "", " ", "a b", "a:b", "ü", "..", "\u202e", "\u0000");
      case "users", "members" ->
          Gen.<Object>of(List.of(), nCopies("fuzz0", 257), nCopies("x", 1025));
      case "id" ->
          Gen.<Object>of(
              "m".repeat(128), "m".repeat(129), "m".repeat(200), "m".repeat(201), "a:b", "", "é");
      case "rid" -> Gen.<Object>of("r".repeat(64), "r".repeat(65), "");
      case "limit" -> Gen.<Object>of(0, 101, -1, Integer.MAX_VALUE);
      case "ts", "size", "upTo" -> Gen.<Object>of(Long.MAX_VALUE, -1L, 0L, Long.MIN_VALUE);
      case "name" -> Gen.<Object>of("n".repeat(128), "n".repeat(129), "   ", "");
      case "body" -> Gen.<Object>of("!!notbase64", "====", "", "QQ");
      case "kind" -> Gen.<Object>of("text", "", "MEDIA ", "RECEIPT");
      case "platform" -> Gen.<Object>of("apns", "SMS", "");
      case "token" -> Gen.<Object>of("t".repeat(4096), "t".repeat(4097), "");
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
  static Gen<Object> anything() {
    return Gen.frequencyOf(
        10,
        Gen.just(null),
        10,
        Gen.booleans().asObject(),
        15,
        Gen.ints(Integer.MIN_VALUE, Integer.MAX_VALUE).asObject(),
        10,
        Gen.<Object>of(
            new BigInteger("9".repeat(400)), Double.MAX_VALUE, 1.5, -0.0, Long.MIN_VALUE),
        20,
        anyString(0, 50).asObject(),
        10,
        unicodeEdge(),
        10,
        Gen.lists(Gen.ints(Integer.MIN_VALUE, Integer.MAX_VALUE), 5).asObject(),
        10,
        Gen.maps(anyString(0, 5), Gen.ints(Integer.MIN_VALUE, Integer.MAX_VALUE), 3).asObject(),
        5,
        Gen.ints(1, 60).map(FrameGrammar::nested));
  }

  private static Object nested(int depth) {
    Object v = 1;
    for (int i = 0; i < depth; i++) {
      v = i % 2 == 0 ? List.of(v) : Map.of("n", v);
    }
    return v;
  }

  private static Gen<Object> wrongType() {
    return Gen.<Object>of(42, true, List.of("SEND"), Map.of("t", "SEND"));
  }

  /** Strings that break naive text handling: lone surrogates, bidi, joiners, controls, markup. */
  static final List<String> UNICODE_EDGES =
      List.of(
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
          "𝔘𝔫𝔦𝔠𝔬𝔡𝔢");

  static Gen<Object> unicodeEdge() {
    return Gen.of(UNICODE_EDGES).asObject();
  }

  /** A valid-looking frame, changed at the text level. */
  Gen<String> mutated() {
    Gen<String> base = structured().map(FrameGrammar::write);
    return Gen.combine(base, Gen.ints(0, 11), Gen.doubles(0, 1), this::mutate);
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

  static Gen<String> junk() {
    return Gen.frequencyOf(
        3,
        anyString(0, 100),
        1,
        Gen.of(
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
            "{\"type\":'HEARTBEAT'}"));
  }

  static String write(Map<String, Object> frame) {
    try {
      return JSON.writeValueAsString(frame);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
