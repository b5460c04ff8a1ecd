package io.messagingkit.adversarial.crash;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * A receiving device that acknowledges every MESSAGE at once and counts what a user would see:
 *
 * <ul>
 *   <li><b>reordered</b>: a message received for the first time after a later message of the same
 *       sender was (first receptions out of send order);
 *   <li><b>visible duplicates</b>: a message received again on the connection on which it was
 *       already received and acknowledged (the server knew it was delivered there);
 *   <li><b>redeliveries</b>: a message received again on a later connection (at-least-once across a
 *       crash: allowed, but it must be the same message);
 *   <li><b>mismatched</b>: a redelivery whose sender or text differ from the first copy's.
 * </ul>
 */
final class CountingReceiver extends RawClient {
  private final IntSupplier serverLifetime;
  private final Map<String, Integer> lastLifetime = new HashMap<>();
  private volatile int connectedLifetime;
  private final Map<String, Integer> highestFirst = new HashMap<>();
  private final Set<String> received = ConcurrentHashMap.newKeySet();
  private final List<String> samples = new ArrayList<>();
  private int reordered;
  private int visibleDuplicates;
  private int redeliveries;
  private int mismatched;

  /**
   * @param serverLifetime the number of the server process now running (raised at each kill)
   */
  CountingReceiver(String user, URI uri, String token, IntSupplier serverLifetime) {
    super(user, uri, token);
    this.serverLifetime = serverLifetime;
  }

  /** Ids received at least once. */
  Set<String> received() {
    return received;
  }

  synchronized int reordered() {
    return reordered;
  }

  synchronized int visibleDuplicates() {
    return visibleDuplicates;
  }

  synchronized int redeliveries() {
    return redeliveries;
  }

  synchronized int mismatched() {
    return mismatched;
  }

  /** Descriptions of the first anomalies seen. */
  synchronized List<String> samples() {
    return List.copyOf(samples);
  }

  @Override
  void onConnected(RawLink link, int connection) {
    connectedLifetime = serverLifetime.getAsInt();
  }

  @Override
  void onFrame(RawLink link, JsonNode frame, int connection) {
    if (!frame.path("type").asText().equals("MESSAGE")) {
      return;
    }
    String from = frame.path("from").asText();
    String id = frame.path("id").asText();
    record(from, id, frame.path("text").asText(), connectedLifetime);
    link.send(Map.of("type", "ACK", "from", from, "id", id));
  }

  private synchronized void record(String from, String id, String text, int lifetime) {
    if (!from.equals(StreamingSender.senderOf(id)) || !text.equals(StreamingSender.textOf(id))) {
      mismatched++;
      sample("mismatch " + from + "/" + id + ": " + text);
    }
    Integer before = lastLifetime.put(id, lifetime);
    if (before != null) {
      if (before == lifetime) {
        visibleDuplicates++;
        sample("duplicate from server lifetime " + lifetime + ": " + id);
      } else {
        redeliveries++;
      }
      return;
    }
    received.add(id);
    int index = StreamingSender.indexOf(id);
    Integer highest = highestFirst.get(from);
    if (highest != null && index < highest) {
      reordered++;
      sample("reordered: " + id + " first received after index " + highest);
    } else {
      highestFirst.put(from, index);
    }
  }

  private void sample(String s) {
    if (samples.size() < 20) {
      samples.add(s);
    }
  }
}
