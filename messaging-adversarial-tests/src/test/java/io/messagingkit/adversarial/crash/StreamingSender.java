package io.messagingkit.adversarial.crash;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sender streaming numbered text messages to one user, as a client must: up to {@code window}
 * sends in flight; a message stays pending until its SENT_ACK; after a reconnect every pending
 * message is sent again, in order, with its original id, before anything new. Ids are {@code
 * <user>-<7-digit index>} and the text is {@link #textOf(String)}, so a receiver can check that a
 * redelivery is the same message.
 */
final class StreamingSender extends RawClient {
  private final String to;
  private final int window;
  private final LinkedHashMap<String, Map<String, Object>> pending = new LinkedHashMap<>();
  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  private final AtomicInteger errors = new AtomicInteger();
  private final List<String> errorSamples = new ArrayList<>();
  private volatile boolean finishing;
  private volatile int pendingCount;
  private int next;

  StreamingSender(String user, String to, int window, URI uri, String token) {
    super(user, uri, token);
    this.to = to;
    this.window = window;
  }

  static String textOf(String id) {
    return "message " + id;
  }

  static String idOf(String sender, int index) {
    return String.format("%s-%07d", sender, index);
  }

  /** The sender of an id made by {@link #idOf}. */
  static String senderOf(String id) {
    return id.substring(0, id.lastIndexOf('-'));
  }

  static int indexOf(String id) {
    return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
  }

  String to() {
    return to;
  }

  /** Ids the server acknowledged with SENT_ACK. */
  Set<String> acked() {
    return acked;
  }

  int ackedCount() {
    return acked.size();
  }

  /** ERROR frames answering a send (each makes the client reconnect and resend in order). */
  int errors() {
    return errors.get();
  }

  synchronized List<String> errorSamples() {
    return List.copyOf(errorSamples);
  }

  /** Stops starting new messages; pending ones are still resent until acknowledged. */
  void finish() {
    finishing = true;
  }

  /** Whether {@link #finish()} was called and every message sent has its SENT_ACK. */
  boolean done() {
    return finishing && pendingCount == 0;
  }

  @Override
  void onConnected(RawLink link, int connection) {
    for (Map<String, Object> frame : pending.values()) {
      link.send(frame);
    }
  }

  @Override
  void onFrame(RawLink link, JsonNode frame, int connection) {
    switch (frame.path("type").asText()) {
      case "SENT_ACK" -> {
        String id = frame.path("id").asText();
        if (pending.remove(id) != null) {
          acked.add(id);
          pendingCount = pending.size();
        }
      }
      case "DELIVERED_ACK", "READ_ACK" ->
          link.send(
              Map.of(
                  "type",
                  "ACK",
                  "from",
                  frame.path("by").asText(),
                  "id",
                  frame.path("receipt").asText()));
      case "ERROR" -> {
        errors.incrementAndGet();
        synchronized (this) {
          if (errorSamples.size() < 10) {
            errorSamples.add(frame.toString());
          }
        }
        // Pipelined sends after the refused one may already be accepted; reconnecting and
        // resending everything pending, in order, is what keeps a client's order.
        link.close();
        throw new RawLink.LinkClosed();
      }
      default -> {
        // presence and the like: not this test's business
      }
    }
  }

  @Override
  void afterEvent(RawLink link) {
    while (!finishing && pending.size() < window && link.isOpen()) {
      String id = idOf(user, next++);
      Map<String, Object> frame = Map.of("type", "SEND", "id", id, "to", to, "text", textOf(id));
      pending.put(id, frame);
      pendingCount = pending.size();
      link.send(frame);
    }
  }
}
