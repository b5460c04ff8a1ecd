package io.messagingkit.core;

import io.messagingkit.core.port.ContactGraph;
import io.messagingkit.core.port.PresencePolicy;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The default {@link PresencePolicy}: a user's presence and last seen are visible only to the users
 * it has itself written to in a direct message (a first message or a reply), as recorded by the
 * {@link ContactGraph}. Receiving a message is not consent, and neither is sharing a group: a
 * stranger who writes to you, or adds you to a group, sees nothing until you write to them. The
 * chat server applies the same rule to direct TYPING notices.
 */
public final class ConsentPresencePolicy implements PresencePolicy {

  private final ContactGraph contacts;

  public ConsentPresencePolicy(ContactGraph contacts) {
    this.contacts = Objects.requireNonNull(contacts, "contacts");
  }

  @Override
  public boolean maySee(UserId watcher, UserId subject) {
    return watcher.equals(subject) || contacts.contactsOf(subject).contains(watcher);
  }

  @Override
  public Set<UserId> audience(UserId subject) {
    Set<UserId> audience = new HashSet<>(contacts.contactsOf(subject));
    audience.remove(subject);
    return audience;
  }
}
