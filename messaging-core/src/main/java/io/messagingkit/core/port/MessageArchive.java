package io.messagingkit.core.port;

import io.messagingkit.core.Conversation;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.HistoryPage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The cloud copy of conversations (optional: a deployment may keep none). Receipts are not
 * archived.
 *
 * <p>Idempotent on (sender user, message id): appending an envelope twice stores one. Pages are
 * newest first (by server timestamp, then server sequence), and a cursor taken from one page stays
 * valid while newer messages arrive: paging never skips nor repeats a message.
 *
 * <p>Thread-safe; blocking; throws {@link io.messagingkit.core.UnavailableException} when the
 * backend is down.
 */
public interface MessageArchive {

  /** Stores a message. */
  void append(Envelope envelope);

  /** Stores messages, batched where the backend allows it. */
  default void appendAll(List<Envelope> envelopes) {
    envelopes.forEach(this::append);
  }

  /**
   * Up to {@code limit} messages of the conversation older than {@code cursor} (or the newest when
   * null), newest first. Throws {@link io.messagingkit.core.InvalidRequestException} for a cursor
   * this archive did not make.
   */
  HistoryPage page(Conversation conversation, @Nullable String cursor, int limit);
}
