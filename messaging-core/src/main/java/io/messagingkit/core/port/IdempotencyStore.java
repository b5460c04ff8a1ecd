package io.messagingkit.core.port;

import io.messagingkit.core.MessageId;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The server's dedupe: remembers each (sender, message id) it accepted, so that a client retry
 * after a lost SENT_ACK, or a bus redelivery after a consumer crash, is never fanned out twice.
 * With each key it keeps the recipient the message was first accepted for ({@link #find}): the
 * proof, for as long as the key is retained, that a user was sent that message, which a READ
 * receipt needs (a user may mark read only what was addressed to it).
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
   * Records (sender, id) with its recipient if absent and assigns it a server sequence, strictly
   * increasing across the store. Concurrent calls for one key: exactly one sees {@link Status#NEW};
   * every call returns the same sequence and timestamp, and the recipient of the first acceptance
   * is kept (a later call with another recipient does not change it).
   */
  Acceptance accept(UserId sender, MessageId id, Recipient to, Instant now);

  /**
   * The recipient and time of the first acceptance of (sender, id), or empty if it was never
   * accepted or has been purged.
   */
  Optional<Accepted> find(UserId sender, MessageId id);

  /** Marks the fan-out of (sender, id) finished. Idempotent; unknown keys are ignored. */
  void complete(UserId sender, MessageId id);

  /**
   * {@link #accept} for each message, in order, with the same results (a key listed twice is
   * accepted once; its second entry sees it accepted). A store may answer keys it already holds
   * with one lookup. The default calls {@link #accept} for each key.
   */
  default List<Acceptance> acceptAll(List<Addressed> messages, Instant now) {
    List<Acceptance> result = new ArrayList<>(messages.size());
    for (Addressed m : messages) {
      result.add(accept(m.sender(), m.id(), m.to(), now));
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

  /**
   * What {@link #find} knows of an accepted key.
   *
   * @param to the recipient of the first acceptance
   * @param acceptedAt the time of the first acceptance
   */
  record Accepted(Recipient to, Instant acceptedAt) {
    public Accepted {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(acceptedAt, "acceptedAt");
    }
  }

  /** A key to accept and the recipient of its message. */
  record Addressed(UserId sender, MessageId id, Recipient to) {
    public Addressed {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(to, "to");
    }

    /** The dedupe key. */
    public Key key() {
      return new Key(sender, id);
    }
  }

  /** A dedupe key: the sender and the message id the sender chose. */
  record Key(UserId sender, MessageId id) {
    public Key {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(id, "id");
    }
  }
}
