package io.messagingkit.core;

import io.messagingkit.core.port.GroupDirectory;
import io.messagingkit.core.port.IdempotencyStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Lets a READ receipt through only when its reader was a recipient of the message, and only once
 * per (reader, message); every other READ is dropped without a trace, exactly like a READ of a
 * message that does not exist, so a stranger learns nothing and queues nothing on the sender's
 * devices.
 *
 * <p>Both facts live in the {@link IdempotencyStore}, so they hold across chat servers and for
 * every store: the message's key (sender, id) carries its recipient; the receipt's key (reader,
 * receipt id) is accepted once. A reader was a recipient when the message was addressed to it, or
 * to a group it is a member of and joined no later than the message was accepted (a member removed
 * and added again counts from its last addition). A READ of a message older than the dedupe
 * retention finds no key and is dropped.
 */
final class ReadReceiptGate {

  private final IdempotencyStore idempotency;
  private final GroupDirectory groups;
  private final Clock clock;

  ReadReceiptGate(IdempotencyStore idempotency, GroupDirectory groups, Clock clock) {
    this.idempotency = idempotency;
    this.groups = groups;
    this.clock = clock;
  }

  /**
   * Publishes the READ receipt {@code receiptId} of {@code reader} for message {@code id} of {@code
   * sender} through {@code publish}, unless the reader was not a recipient or has already sent this
   * READ: then completes at once, having published nothing.
   */
  CompletableFuture<Void> forward(
      UserId reader,
      UserId sender,
      MessageId id,
      MessageId receiptId,
      Supplier<CompletableFuture<Void>> publish) {
    if (!wasSentTo(reader, sender, id)) {
      return CompletableFuture.completedFuture(null);
    }
    Instant now = clock.instant();
    IdempotencyStore.Acceptance claim =
        idempotency.accept(reader, receiptId, Recipient.user(sender), now);
    if (claim.status() == IdempotencyStore.Status.COMPLETED) {
      return CompletableFuture.completedFuture(null);
    }
    // NEW, or IN_PROGRESS after a publish that failed: (re)publish, then mark it done
    return publish.get().thenRun(() -> idempotency.complete(reader, receiptId));
  }

  /** Whether message (sender, id) was addressed to {@code reader}, directly or as a member. */
  boolean wasSentTo(UserId reader, UserId sender, MessageId id) {
    Optional<IdempotencyStore.Accepted> accepted = idempotency.find(sender, id);
    if (accepted.isEmpty()) {
      return false;
    }
    Recipient to = accepted.get().to();
    if (to instanceof Recipient.ToUser user) {
      return user.user().equals(reader);
    }
    GroupId group = ((Recipient.ToGroup) to).group();
    return groups
        .memberSince(group, reader)
        .filter(since -> !since.isAfter(accepted.get().acceptedAt()))
        .isPresent();
  }
}
