package io.messagingkit.transport.websocket.client;

import io.messagingkit.transport.websocket.protocol.ClientFrame;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Acknowledges a connection's queue cumulatively: one {@code ACK {upTo}} for everything received up
 * to a queue position, written once {@link #EVERY} entries wait or {@link #DELAY} after the first
 * of them, whichever comes first. The server sends a device's queue in position order on one
 * connection, so the highest position received names everything before it. One frame per batch
 * instead of one per message keeps a reconnecting device's drain from being limited by its frame
 * rate (a backlog of 10,000 took about 550 s at one ACK frame per message and 20 frames/s).
 *
 * <p>Per connection: {@link #reset} on each new connection, because the server sends again what the
 * previous connection left unacknowledged. Thread-safe.
 */
final class CumulativeAcks {

  /** Entries acknowledged together at most; well under the server's delivery window (256). */
  static final int EVERY = 64;

  /** The longest an entry waits for its acknowledgment. */
  static final Duration DELAY = Duration.ofMillis(50);

  private final ScheduledExecutorService scheduler;
  private final Consumer<ClientFrame> writer;

  // Guarded by this.
  private long receivedUpTo;
  private long acknowledgedUpTo;
  private int waiting;
  private @Nullable ScheduledFuture<?> timer;

  CumulativeAcks(ScheduledExecutorService scheduler, Consumer<ClientFrame> writer) {
    this.scheduler = scheduler;
    this.writer = writer;
  }

  /** The entry at {@code queueSequence} was received and handed to the listener. */
  void received(long queueSequence) {
    boolean now = false;
    synchronized (this) {
      if (queueSequence <= receivedUpTo) {
        return;
      }
      receivedUpTo = queueSequence;
      waiting++;
      if (waiting >= EVERY) {
        now = true;
      } else if (timer == null) {
        try {
          timer = scheduler.schedule(this::flush, DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          return; // the client is closing
        }
      }
    }
    if (now) {
      flush();
    }
  }

  /** Writes the acknowledgment of everything received so far, if any is due. */
  void flush() {
    long upTo;
    synchronized (this) {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
      if (receivedUpTo <= acknowledgedUpTo) {
        return;
      }
      upTo = receivedUpTo;
      acknowledgedUpTo = upTo;
      waiting = 0;
    }
    writer.accept(new ClientFrame.AckUpTo(upTo));
  }

  /** A new connection: nothing received on it yet. */
  synchronized void reset() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    receivedUpTo = 0;
    acknowledgedUpTo = 0;
    waiting = 0;
  }
}
