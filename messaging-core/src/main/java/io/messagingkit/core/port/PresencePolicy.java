package io.messagingkit.core.port;

import io.messagingkit.core.UserId;
import java.util.Set;

/**
 * Who may see whose presence. The default ({@code ContactsAndGroupsPresencePolicy}) shows a user's
 * presence to the users who share a direct conversation or a group with them. Thread-safe; may
 * block.
 */
public interface PresencePolicy {

  /** Whether {@code watcher} may see {@code subject}'s presence and last seen. */
  boolean maySee(UserId watcher, UserId subject);

  /** Every user who may see {@code subject}'s presence (excluding {@code subject}). */
  Set<UserId> audience(UserId subject);
}
