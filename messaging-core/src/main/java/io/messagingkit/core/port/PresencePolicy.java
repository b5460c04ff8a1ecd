package io.messagingkit.core.port;

import io.messagingkit.core.UserId;
import java.util.Set;

/**
 * Who may see whose presence. The default ({@code ConsentPresencePolicy}) shows a user's presence
 * only to the users it has itself written to directly. The chat server also delivers a direct
 * TYPING notice from {@code watcher} to {@code subject} only when {@code maySee(watcher, subject)}.
 * A refused presence query is answered as for a user never seen, so a policy decision is never
 * visible as such. {@link #maySee} and {@link #audience} agree: a watcher may see the subject
 * exactly when it is in the subject's audience (or is the subject). Thread-safe; may block.
 */
public interface PresencePolicy {

  /** Whether {@code watcher} may see {@code subject}'s presence and last seen. */
  boolean maySee(UserId watcher, UserId subject);

  /** Every user who may see {@code subject}'s presence (excluding {@code subject}). */
  Set<UserId> audience(UserId subject);
}
