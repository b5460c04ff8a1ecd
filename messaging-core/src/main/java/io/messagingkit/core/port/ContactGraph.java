package io.messagingkit.core.port;

import io.messagingkit.core.UserId;
import java.util.Set;

/**
 * Who has exchanged direct messages with whom: the default presence policy shows a user's presence
 * to these contacts (and to the members of the user's groups). Symmetric.
 *
 * <p>Thread-safe; blocking; throws {@link io.messagingkit.core.UnavailableException} when the
 * backend is down.
 */
public interface ContactGraph {

  /** Records that {@code a} and {@code b} share a conversation. Idempotent; {@code a != b}. */
  void link(UserId a, UserId b);

  /** The users linked with {@code user}; an empty set if none. */
  Set<UserId> contactsOf(UserId user);
}
