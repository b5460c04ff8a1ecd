package io.messagingkit.bench;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * What one scenario run measured, in one process or merged over several ({@link #merge}).
 *
 * @param scenario the scenario name
 * @param connections connections the load generator held open during the measured interval
 * @param sent SEND frames written
 * @param sentAcks SENT_ACK frames received
 * @param delivered MESSAGE frames received (and acknowledged)
 * @param receipts DELIVERED_ACK frames received (and acknowledged)
 * @param sessions authenticated sessions opened (WELCOME received)
 * @param errors failures: ERROR frames, failed writes, refused or lost connections
 * @param errorSamples the first few failures, for the report
 * @param seconds the measured interval
 * @param clientCpuNanos CPU the load generator used in the interval
 * @param serverCpuNanos CPU the server used in the interval (-1 without a stats endpoint)
 * @param latency the scenario's primary latency in microseconds (see the scenario)
 * @param ackLatency SEND to SENT_ACK in microseconds (empty where not measured)
 * @param timeline the primary count per second of the interval
 * @param extra scenario-specific figures (for example memory per connection)
 */
public record RunResult(
    String scenario,
    long connections,
    long sent,
    long sentAcks,
    long delivered,
    long receipts,
    long sessions,
    long errors,
    List<String> errorSamples,
    double seconds,
    long clientCpuNanos,
    long serverCpuNanos,
    Histogram latency,
    Histogram ackLatency,
    long[] timeline,
    Map<String, Double> extra) {

  /** The scenario's primary rate: deliveries per second, or sessions per second for churn. */
  public double throughput() {
    long count = scenario.equals("churn") ? sessions : delivered;
    return seconds <= 0 ? 0 : count / seconds;
  }

  /** The latency at {@code percentile} (0-100) in milliseconds. */
  public double latencyMillis(double percentile) {
    return latency.getTotalCount() == 0
        ? Double.NaN
        : latency.getValueAtPercentile(percentile) / 1000.0;
  }

  /** The maximum latency in milliseconds. */
  public double maxLatencyMillis() {
    return latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue() / 1000.0;
  }

  /**
   * Sums the results of processes that ran the same scenario at the same time: counts and CPU add
   * up, histograms merge, timelines add second by second; the interval is the longest. The server
   * CPU is the first known one (every process saw the same server).
   */
  public static RunResult merge(List<RunResult> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("nothing to merge");
    }
    RunResult first = parts.get(0);
    Histogram latency = new Histogram(Metrics.MAX_MICROS, 3);
    Histogram ack = new Histogram(Metrics.MAX_MICROS, 3);
    long connections = 0, sent = 0, sentAcks = 0, delivered = 0, receipts = 0, sessions = 0;
    long errors = 0, clientCpu = 0, serverCpu = -1;
    double seconds = 0;
    List<String> samples = new ArrayList<>();
    int length = 0;
    for (RunResult r : parts) {
      length = Math.max(length, r.timeline.length);
    }
    long[] timeline = new long[length];
    Map<String, Double> extra = new LinkedHashMap<>();
    for (RunResult r : parts) {
      connections += r.connections;
      sent += r.sent;
      sentAcks += r.sentAcks;
      delivered += r.delivered;
      receipts += r.receipts;
      sessions += r.sessions;
      errors += r.errors;
      clientCpu += r.clientCpuNanos;
      if (serverCpu < 0) {
        serverCpu = r.serverCpuNanos;
      }
      seconds = Math.max(seconds, r.seconds);
      latency.add(r.latency);
      ack.add(r.ackLatency);
      for (int i = 0; i < r.timeline.length; i++) {
        timeline[i] += r.timeline[i];
      }
      for (String s : r.errorSamples) {
        if (samples.size() < 10) {
          samples.add(s);
        }
      }
      r.extra.forEach((k, v) -> extra.merge(k, v, Double::sum));
    }
    return new RunResult(
        first.scenario,
        connections,
        sent,
        sentAcks,
        delivered,
        receipts,
        sessions,
        errors,
        List.copyOf(samples),
        seconds,
        clientCpu,
        serverCpu,
        latency,
        ack,
        timeline,
        extra);
  }

  /** A JSON-friendly form (histograms as base64 of their compressed encoding). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scenario", scenario);
    m.put("connections", connections);
    m.put("sent", sent);
    m.put("sentAcks", sentAcks);
    m.put("delivered", delivered);
    m.put("receipts", receipts);
    m.put("sessions", sessions);
    m.put("errors", errors);
    m.put("errorSamples", errorSamples);
    m.put("seconds", seconds);
    m.put("clientCpuNanos", clientCpuNanos);
    m.put("serverCpuNanos", serverCpuNanos);
    m.put("latency", encode(latency));
    m.put("ackLatency", encode(ackLatency));
    m.put("timeline", timeline);
    m.put("extra", extra);
    return m;
  }

  /** Reads {@link #toMap()}'s form back. */
  @SuppressWarnings("unchecked")
  public static RunResult fromMap(Map<String, Object> m) {
    List<Number> tl = (List<Number>) m.get("timeline");
    long[] timeline = new long[tl.size()];
    for (int i = 0; i < timeline.length; i++) {
      timeline[i] = tl.get(i).longValue();
    }
    Map<String, Double> extra = new LinkedHashMap<>();
    ((Map<String, Number>) m.get("extra")).forEach((k, v) -> extra.put(k, v.doubleValue()));
    return new RunResult(
        (String) m.get("scenario"),
        num(m, "connections"),
        num(m, "sent"),
        num(m, "sentAcks"),
        num(m, "delivered"),
        num(m, "receipts"),
        num(m, "sessions"),
        num(m, "errors"),
        List.copyOf((List<String>) m.get("errorSamples")),
        ((Number) m.get("seconds")).doubleValue(),
        num(m, "clientCpuNanos"),
        num(m, "serverCpuNanos"),
        decode((String) m.get("latency")),
        decode((String) m.get("ackLatency")),
        timeline,
        extra);
  }

  private static long num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).longValue();
  }

  static String encode(Histogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    byte[] bytes = new byte[n];
    buf.flip();
    buf.get(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("not an encoded histogram", e);
    }
  }
}
