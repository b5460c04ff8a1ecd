package io.messagingkit.core.memory;

import io.messagingkit.core.UserId;
import io.messagingkit.core.port.ContactGraph;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link ContactGraph} in the heap. Thread-safe; forgets everything on restart. */
public final class InMemoryContactGraph implements ContactGraph {

  private final Map<UserId, Set<UserId>> contacts = new ConcurrentHashMap<>();

  @Override
  public void link(UserId from, UserId to) {
    if (from.equals(to)) {
      throw new IllegalArgumentException("a user is not its own contact: " + from);
    }
    contacts.computeIfAbsent(from, u -> ConcurrentHashMap.newKeySet()).add(to);
  }

  @Override
  public Set<UserId> contactsOf(UserId user) {
    Set<UserId> mine = contacts.get(user);
    return mine == null ? Set.of() : Set.copyOf(mine);
  }
}
