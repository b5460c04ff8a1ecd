package io.messagingkit.bench;

import java.util.Locale;
import java.util.Map;

/** Renders a {@link RunResult} as text for the console and as a Markdown table row for the docs. */
final class Report {
  private Report() {}

  /** A multi-line, human-readable summary. */
  static String text(String label, RunResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "== %s (%s) ==%n", label, r.scenario()));
    sb.append(
        String.format(
            Locale.ROOT,
            "connections %,d | interval %.1f s | sent %,d | SENT_ACK %,d | delivered %,d |"
                + " DELIVERED_ACK %,d | sessions %,d | errors %,d%n",
            r.connections(),
            r.seconds(),
            r.sent(),
            r.sentAcks(),
            r.delivered(),
            r.receipts(),
            r.sessions(),
            r.errors()));
    sb.append(
        String.format(
            Locale.ROOT,
            "throughput %,.0f %s/s%n",
            r.throughput(),
            r.scenario().equals("churn") ? "sessions" : "deliveries"));
    sb.append(
        String.format(
            Locale.ROOT,
            "latency ms: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (n=%,d)%n",
            ms(r.latencyMillis(50)),
            ms(r.latencyMillis(90)),
            ms(r.latencyMillis(99)),
            ms(r.latencyMillis(99.9)),
            ms(r.maxLatencyMillis()),
            r.latency().getTotalCount()));
    if (r.ackLatency().getTotalCount() > 0) {
      sb.append(
          String.format(
              Locale.ROOT,
              "SEND->SENT_ACK ms: p50 %s  p99 %s  max %s%n",
              ms(r.ackLatency().getValueAtPercentile(50) / 1000.0),
              ms(r.ackLatency().getValueAtPercentile(99) / 1000.0),
              ms(r.ackLatency().getMaxValue() / 1000.0)));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "CPU: load generator %s, server %s (cores busy over the interval)%n",
            cores(r.clientCpuNanos(), r.seconds()),
            cores(r.serverCpuNanos(), r.seconds())));
    for (Map.Entry<String, Double> e : r.extra().entrySet()) {
      sb.append(String.format(Locale.ROOT, "%s: %,.1f%n", e.getKey(), e.getValue()));
    }
    for (String s : r.errorSamples()) {
      sb.append("error: ").append(s).append(System.lineSeparator());
    }
    return sb.toString();
  }

  /** The header of {@link #markdownRow}. */
  static String markdownHeader() {
    return "| run | connections | sent | delivered | SENT_ACK | DELIVERED_ACK | errors | rate/s |"
        + " p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | server CPU | client CPU |\n"
        + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        + " --- |";
  }

  /** One Markdown table row. */
  static String markdownRow(String label, RunResult r) {
    return String.format(
        Locale.ROOT,
        "| %s | %,d | %,d | %,d | %,d | %,d | %,d | %,.0f | %s | %s | %s | %s | %s | %s | %s |",
        label,
        r.connections(),
        r.sent(),
        r.scenario().equals("churn") ? r.sessions() : r.delivered(),
        r.sentAcks(),
        r.receipts(),
        r.errors(),
        r.throughput(),
        ms(r.latencyMillis(50)),
        ms(r.latencyMillis(90)),
        ms(r.latencyMillis(99)),
        ms(r.latencyMillis(99.9)),
        ms(r.maxLatencyMillis()),
        cores(r.serverCpuNanos(), r.seconds()),
        cores(r.clientCpuNanos(), r.seconds()));
  }

  /** Milliseconds with precision that suits their size; "-" for none. */
  static String ms(double millis) {
    if (Double.isNaN(millis)) {
      return "-";
    }
    if (millis < 10) {
      return String.format(Locale.ROOT, "%.2f", millis);
    }
    return String.format(Locale.ROOT, "%.0f", millis);
  }

  /** CPU time over wall time, in cores ("-" when unknown). */
  static String cores(long cpuNanos, double seconds) {
    if (cpuNanos < 0 || seconds <= 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.2f", cpuNanos / 1e9 / seconds);
  }
}
