package io.messagingkit.core.memory;

import io.messagingkit.core.Conversation;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.HistoryPage;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.MessageArchive;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A {@link MessageArchive} in the heap. Messages are ordered newest first by (server timestamp,
 * server sequence, sender, id); a cursor encodes the position of the last message of a page, so it
 * stays valid as newer messages arrive. Thread-safe; forgets everything on restart.
 */
public final class InMemoryMessageArchive implements MessageArchive {

  /** The last second of year 9999, the latest time every supported database can hold. */
  private static final long MAX_CURSOR_SECOND = 253_402_300_799L;

  private static final String CURSOR_PREFIX = "m1.";
  private static final Comparator<Position> ORDER =
      Comparator.comparingLong(Position::epochSecond)
          .thenComparingInt(Position::nano)
          .thenComparingLong(Position::sequence)
          .thenComparing(Position::sender)
          .thenComparing(Position::id);

  private final Map<String, TreeMap<Position, Envelope>> conversations = new HashMap<>();
  private final Set<String> seen = new HashSet<>();

  @Override
  public synchronized void append(Envelope envelope) {
    if (envelope.type().isReceipt()) {
      return;
    }
    if (!seen.add(envelope.from().value() + '\u0000' + envelope.id().value())) {
      return;
    }
    String key = envelope.conversationFor(envelope.from()).key();
    conversations.computeIfAbsent(key, k -> new TreeMap<>(ORDER)).put(position(envelope), envelope);
  }

  @Override
  public synchronized HistoryPage page(
      Conversation conversation, @Nullable String cursor, int limit) {
    if (limit < 1) {
      throw new InvalidRequestException("limit must be positive, got " + limit);
    }
    TreeMap<Position, Envelope> all = conversations.get(conversation.key());
    if (all == null) {
      if (cursor != null) {
        decode(cursor);
      }
      return new HistoryPage(List.of(), null);
    }
    NavigableMap<Position, Envelope> older =
        cursor == null ? all.descendingMap() : all.headMap(decode(cursor), false).descendingMap();
    List<Envelope> page = new ArrayList<>(Math.min(limit, older.size()));
    Position last = null;
    for (var entry : older.entrySet()) {
      if (page.size() == limit) {
        break;
      }
      page.add(entry.getValue());
      last = entry.getKey();
    }
    boolean more = last != null && all.lowerKey(last) != null;
    return new HistoryPage(page, more ? encode(last) : null);
  }

  private static Position position(Envelope e) {
    return new Position(
        e.serverTimestamp().getEpochSecond(),
        e.serverTimestamp().getNano(),
        e.serverSequence(),
        e.from().value(),
        e.id().value());
  }

  private static String encode(Position p) {
    String raw = p.epochSecond + ":" + p.nano + ":" + p.sequence + ":" + p.sender + ":" + p.id;
    return CURSOR_PREFIX
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  private static Position decode(String cursor) {
    try {
      if (!cursor.startsWith(CURSOR_PREFIX)) {
        throw new IllegalArgumentException("unknown cursor format");
      }
      String raw =
          new String(
              Base64.getUrlDecoder().decode(cursor.substring(CURSOR_PREFIX.length())),
              StandardCharsets.UTF_8);
      String[] parts = raw.split(":", 5);
      if (parts.length != 5) {
        throw new IllegalArgumentException("cursor has " + parts.length + " parts");
      }
      long second = Long.parseLong(parts[0]);
      int nano = Integer.parseInt(parts[1]);
      if (second < 0 || second > MAX_CURSOR_SECOND || nano < 0 || nano > 999_999_999) {
        throw new IllegalArgumentException("time out of range");
      }
      return new Position(
          second,
          nano,
          Long.parseLong(parts[2]),
          UserId.of(parts[3]).value(),
          MessageId.of(parts[4]).value());
    } catch (IllegalArgumentException e) {
      // A fixed text: the parser's message would echo internals (and the forged cursor).
      throw new InvalidRequestException("invalid history cursor");
    }
  }

  private record Position(long epochSecond, int nano, long sequence, String sender, String id) {}
}
