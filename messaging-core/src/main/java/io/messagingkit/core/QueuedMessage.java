package io.messagingkit.core;

import java.util.Objects;

/**
 * An envelope waiting in one device's queue.
 *
 * @param sequence the position in that device's queue, strictly increasing in enqueue order
 * @param envelope the message or receipt
 */
public record QueuedMessage(long sequence, Envelope envelope) {
  public QueuedMessage {
    Objects.requireNonNull(envelope, "envelope");
    if (sequence <= 0) {
      throw new IllegalArgumentException("queue sequence must be positive, got " + sequence);
    }
  }
}
