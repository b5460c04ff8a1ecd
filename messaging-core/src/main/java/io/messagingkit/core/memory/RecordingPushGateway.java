package io.messagingkit.core.memory;

import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.port.PushGateway;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default {@link PushGateway}: reaches no provider, but logs and records every
 * notification it is asked to send, so a host application (or a test) can see what would have been
 * pushed. It answers {@link Outcome#ACCEPTED} unless told otherwise with {@link #answerNext}.
 * Thread-safe; keeps at most {@code capacity} notifications (oldest dropped).
 */
public final class RecordingPushGateway implements PushGateway {

  private static final Logger log = LoggerFactory.getLogger(RecordingPushGateway.class);

  private final int capacity;
  private final Deque<Sent> sent = new ArrayDeque<>();
  private final Deque<PushResult> scripted = new ArrayDeque<>();

  public RecordingPushGateway() {
    this(10_000);
  }

  public RecordingPushGateway(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public boolean supports(PushTarget.Platform platform) {
    return true;
  }

  @Override
  public CompletableFuture<PushResult> send(PushTarget target, PushNotification notification) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(notification, "notification");
    PushResult result;
    synchronized (this) {
      if (sent.size() == capacity) {
        sent.removeFirst();
      }
      sent.addLast(new Sent(target, notification));
      result = scripted.isEmpty() ? PushResult.accepted() : scripted.removeFirst();
    }
    log.info(
        "push to {} ({}): {} message(s) waiting -> {}",
        notification.device(),
        target.platform(),
        notification.pending(),
        result.outcome());
    return CompletableFuture.completedFuture(result);
  }

  /** Makes the next {@link #send} answer {@code result} (queued, first in first out). */
  public synchronized void answerNext(PushResult result) {
    scripted.addLast(Objects.requireNonNull(result, "result"));
  }

  /** The notifications sent so far, oldest first. */
  public synchronized List<Sent> sent() {
    return new ArrayList<>(sent);
  }

  /** Forgets the recorded notifications and scripted answers. */
  public synchronized void clear() {
    sent.clear();
    scripted.clear();
  }

  /**
   * One recorded notification.
   *
   * @param target where it would have gone
   * @param notification what it said
   */
  public record Sent(PushTarget target, PushNotification notification) {}
}
