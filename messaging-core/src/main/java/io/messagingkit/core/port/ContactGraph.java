package io.messagingkit.core.port;

import io.messagingkit.core.UserId;
import java.util.Set;

/**
 * Who has written to whom in a direct message: the default presence policy shows a user's presence
 * only to the users it has written to (its consent). Directed: {@code link(a, b)} says nothing
 * about {@code b} having written to {@code a}.
 *
 * <p>Thread-safe; blocking; throws {@link io.messagingkit.core.UnavailableException} when the
 * backend is down.
 */
public interface ContactGraph {

  /**
   * Records that {@code from} wrote a direct message to {@code to}. Idempotent; {@code from != to}.
   */
  void link(UserId from, UserId to);

  /** The users {@code user} has written to directly; an empty set if none. */
  Set<UserId> contactsOf(UserId user);
}
