package io.messagingkit.core;

import io.messagingkit.core.port.ContactGraph;
import io.messagingkit.core.port.GroupDirectory;
import io.messagingkit.core.port.PresencePolicy;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The default {@link PresencePolicy}: a user's presence is visible to the users who share a direct
 * conversation ({@link ContactGraph}) or a group ({@link GroupDirectory}) with them.
 */
public final class ContactsAndGroupsPresencePolicy implements PresencePolicy {

  private final ContactGraph contacts;
  private final GroupDirectory groups;

  public ContactsAndGroupsPresencePolicy(ContactGraph contacts, GroupDirectory groups) {
    this.contacts = Objects.requireNonNull(contacts, "contacts");
    this.groups = Objects.requireNonNull(groups, "groups");
  }

  @Override
  public boolean maySee(UserId watcher, UserId subject) {
    if (watcher.equals(subject) || contacts.contactsOf(subject).contains(watcher)) {
      return true;
    }
    for (GroupId group : groups.groupsOf(subject)) {
      if (groups.membership(group, watcher).isPresent()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Set<UserId> audience(UserId subject) {
    Set<UserId> audience = new HashSet<>(contacts.contactsOf(subject));
    for (GroupId group : groups.groupsOf(subject)) {
      for (GroupMember member : groups.members(group)) {
        audience.add(member.member());
      }
    }
    audience.remove(subject);
    return audience;
  }
}
