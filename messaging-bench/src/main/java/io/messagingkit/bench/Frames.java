package io.messagingkit.bench;

import java.util.List;

/**
 * Client frames of wire protocol v1, written directly as JSON text (every id the bench uses is made
 * of letters, digits and {@code -}, so nothing needs escaping). Message texts carry the sender's
 * {@code System.nanoTime()} as {@code n=...} for end-to-end latency, and message ids {@code
 * <seq>-<nanoTime>} for SEND to SENT_ACK latency.
 */
final class Frames {
  private Frames() {}

  static String messageId(long seq, long nanos) {
    return seq + "-" + nanos;
  }

  /** The nanoTime in a bench message id, or Long.MIN_VALUE if it has none. */
  static long nanosOfId(String id) {
    int dash = id.indexOf('-');
    if (dash < 0) {
      return Long.MIN_VALUE;
    }
    try {
      return Long.parseLong(id, dash + 1, id.length(), 10);
    } catch (NumberFormatException e) {
      return Long.MIN_VALUE;
    }
  }

  /** A message text of about {@code size} characters stamped with {@code nanos}. */
  static String text(long nanos, int size) {
    StringBuilder sb = new StringBuilder(Math.max(size, 24));
    sb.append("n=").append(nanos).append(' ');
    while (sb.length() < size) {
      sb.append('x');
    }
    return sb.toString();
  }

  static String sendTo(String id, String to, String text) {
    return "{\"type\":\"SEND\",\"id\":\""
        + id
        + "\",\"to\":\""
        + to
        + "\",\"text\":\""
        + text
        + "\"}";
  }

  static String sendToGroup(String id, String group, String text) {
    return "{\"type\":\"SEND\",\"id\":\""
        + id
        + "\",\"group\":\""
        + group
        + "\",\"text\":\""
        + text
        + "\"}";
  }

  static String ack(String from, String id) {
    return "{\"type\":\"ACK\",\"from\":\"" + from + "\",\"id\":\"" + id + "\"}";
  }

  /** A cumulative acknowledgment of the queue up to {@code queueSequence}. */
  static String ackUpTo(long queueSequence) {
    return "{\"type\":\"ACK\",\"upTo\":" + queueSequence + "}";
  }

  static String groupCreate(String rid, String group, List<String> members) {
    StringBuilder sb = new StringBuilder(64 + members.size() * 16);
    sb.append("{\"type\":\"GROUP_CREATE\",\"rid\":\"")
        .append(rid)
        .append("\",\"group\":\"")
        .append(group)
        .append("\",\"name\":\"")
        .append(group)
        .append("\",\"members\":[");
    for (int i = 0; i < members.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append('"').append(members.get(i)).append('"');
    }
    return sb.append("]}").toString();
  }

  static String heartbeat() {
    return "{\"type\":\"HEARTBEAT\"}";
  }
}
