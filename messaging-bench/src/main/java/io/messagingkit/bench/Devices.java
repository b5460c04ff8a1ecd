package io.messagingkit.bench;

import io.messagingkit.transport.websocket.protocol.ServerFrame;

/** What every bench device does with deliveries: count, time, and acknowledge them. */
final class Devices {
  private Devices() {}

  /**
   * Handles MESSAGE (records end-to-end latency from the stamp in its text, counts it, ACKs it) and
   * DELIVERED_ACK/READ_ACK (counts and ACKs it). Returns true if the frame was one of these.
   */
  static boolean receive(Conn conn, ServerFrame frame, Metrics metrics) {
    if (frame instanceof ServerFrame.Message m) {
      long stamp = Conn.nanoStamp(m.body());
      if (stamp != Long.MIN_VALUE) {
        metrics.latencyNanos(System.nanoTime() - stamp);
      }
      metrics.delivered.increment();
      conn.send(Frames.ack(m.from().user().value(), m.id().value()));
      return true;
    }
    if (frame instanceof ServerFrame.Receipt r) {
      metrics.receipts.increment();
      conn.send(Frames.ack(r.by().user().value(), r.receipt().value()));
      return true;
    }
    return false;
  }

  /** Counts a SENT_ACK and records its round trip from the stamp in the message id. */
  static void sentAck(ServerFrame.SentAck ack, Metrics metrics) {
    metrics.sentAcks.increment();
    long nanos = Frames.nanosOfId(ack.id().value());
    if (nanos != Long.MIN_VALUE) {
      metrics.ackLatencyNanos(System.nanoTime() - nanos);
    }
  }
}
