package io.messagingkit.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The counters and latency recorders of one load-generator process. Latencies are recorded in
 * microseconds (1 us to 1 h, 3 significant digits). {@link #reset()} starts the measured interval
 * after warm-up.
 */
final class Metrics {
  static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);
  private static final int MAX_ERROR_SAMPLES = 10;

  final LongAdder sent = new LongAdder();
  final LongAdder sentAcks = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder receipts = new LongAdder();
  final LongAdder sessions = new LongAdder();
  final LongAdder errors = new LongAdder();
  private final List<String> errorSamples = new ArrayList<>();
  private final Recorder latency = new Recorder(MAX_MICROS, 3);
  private final Recorder ackLatency = new Recorder(MAX_MICROS, 3);

  /** Records a latency (end-to-end delivery, or the scenario's primary latency) in nanoseconds. */
  void latencyNanos(long nanos) {
    latency.recordValue(clampMicros(nanos));
  }

  /** Records a SEND to SENT_ACK round trip in nanoseconds. */
  void ackLatencyNanos(long nanos) {
    ackLatency.recordValue(clampMicros(nanos));
  }

  static long clampMicros(long nanos) {
    return Math.max(0, Math.min(MAX_MICROS, nanos / 1000));
  }

  void error(String what) {
    errors.increment();
    synchronized (errorSamples) {
      if (errorSamples.size() < MAX_ERROR_SAMPLES) {
        errorSamples.add(what);
      }
    }
  }

  List<String> errorSamples() {
    synchronized (errorSamples) {
      return List.copyOf(errorSamples);
    }
  }

  /** Clears every counter and recorder: the measured interval starts now. */
  void reset() {
    sent.reset();
    sentAcks.reset();
    delivered.reset();
    receipts.reset();
    sessions.reset();
    errors.reset();
    synchronized (errorSamples) {
      errorSamples.clear();
    }
    latency.reset();
    ackLatency.reset();
  }

  /** The latencies recorded since the last call (or reset). */
  Histogram latencyInterval() {
    return latency.getIntervalHistogram();
  }

  Histogram ackLatencyInterval() {
    return ackLatency.getIntervalHistogram();
  }
}
