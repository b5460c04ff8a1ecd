package io.messagingkit.core.port;

import io.messagingkit.core.MessageId;
import io.messagingkit.core.UserId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The server's dedupe: remembers each (sender, message id) it accepted, so that a client retry
 * after a lost SENT_ACK, or a bus redelivery after a consumer crash, is never fanned out twice.
 *
 * <p>Each key moves from {@link Status#NEW} (first {@link #accept}) through {@link
 * Status#IN_PROGRESS} (accepted, fan-out not finished: the caller must finish it, idempotently) to
 * {@link Status#COMPLETED} ({@link #complete}). Entries older than the retention are forgotten by
 * {@link #purgeOlderThan}.
 *
 * <p>Thread-safe; blocking; throws {@link io.messagingkit.core.UnavailableException} when the
 * backend is down.
 */
public interface IdempotencyStore {

  /**
   * Records (sender, id) if absent and assigns it a server sequence, strictly increasing across the
   * store. Concurrent calls for one key: exactly one sees {@link Status#NEW}; every call returns
   * the same sequence and timestamp.
   */
  Acceptance accept(UserId sender, MessageId id, Instant now);

  /** Marks the fan-out of (sender, id) finished. Idempotent; unknown keys are ignored. */
  void complete(UserId sender, MessageId id);

  /**
   * {@link #accept} for each key, in order, with the same results (a key listed twice is accepted
   * once; its second entry sees it accepted). A store may answer keys it already holds with one
   * lookup. The default calls {@link #accept} for each key.
   */
  default List<Acceptance> acceptAll(List<Key> keys, Instant now) {
    List<Acceptance> result = new ArrayList<>(keys.size());
    for (Key key : keys) {
      result.add(accept(key.sender(), key.id(), now));
    }
    return result;
  }

  /** {@link #complete} for each key; a store may do it in one round trip. */
  default void completeAll(List<Key> keys) {
    for (Key key : keys) {
      complete(key.sender(), key.id());
    }
  }

  /** Forgets entries accepted before {@code cutoff}; returns how many. */
  int purgeOlderThan(Instant cutoff);

  /** Where a key stands. */
  enum Status {
    /** First acceptance: fan out. */
    NEW,
    /** Accepted before, fan-out may be unfinished: finish it (idempotently). */
    IN_PROGRESS,
    /** Accepted and fanned out before: acknowledge again, deliver nothing. */
    COMPLETED
  }

  /**
   * The result of {@link #accept}.
   *
   * @param sequence the server sequence of the first acceptance
   * @param acceptedAt the time of the first acceptance
   * @param status where the key stood before this call
   */
  record Acceptance(long sequence, Instant acceptedAt, Status status) {}

  /** A dedupe key: the sender and the message id the sender chose. */
  record Key(UserId sender, MessageId id) {
    public Key {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(id, "id");
    }
  }
}
