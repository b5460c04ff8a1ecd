package io.messagingkit.core.memory;

import io.messagingkit.core.ConflictException;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupInfo;
import io.messagingkit.core.GroupMember;
import io.messagingkit.core.NotFoundException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.GroupDirectory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/** A {@link GroupDirectory} in the heap. Thread-safe (one lock); forgets everything on restart. */
public final class InMemoryGroupDirectory implements GroupDirectory {

  private final Map<GroupId, Group> groups = new HashMap<>();
  private final Map<UserId, TreeSet<String>> groupsByUser = new HashMap<>();

  @Override
  public synchronized GroupInfo create(GroupInfo info) {
    if (groups.containsKey(info.id())) {
      throw new ConflictException("group " + info.id().value() + " already exists");
    }
    Group group = new Group(info);
    groups.put(info.id(), group);
    put(group, info.createdBy(), true, info.createdAt());
    return info;
  }

  @Override
  public synchronized int countCreatedBy(UserId user) {
    int count = 0;
    for (Group g : groups.values()) {
      if (g.info.createdBy().equals(user)) {
        count++;
      }
    }
    return count;
  }

  @Override
  public synchronized Optional<GroupInfo> find(GroupId group) {
    Group g = groups.get(group);
    return g == null ? Optional.empty() : Optional.of(g.info);
  }

  @Override
  public synchronized boolean addMember(
      GroupId group, UserId member, boolean admin, Instant joinedAt) {
    Objects.requireNonNull(joinedAt, "joinedAt");
    Group g = groups.get(group);
    if (g == null) {
      throw new NotFoundException("group " + group.value() + " does not exist");
    }
    if (g.members.containsKey(member)) {
      return false;
    }
    put(g, member, admin, joinedAt);
    return true;
  }

  @Override
  public synchronized Optional<Instant> memberSince(GroupId group, UserId member) {
    Group g = groups.get(group);
    return g == null || !g.members.containsKey(member)
        ? Optional.empty()
        : Optional.of(g.joined.get(member));
  }

  @Override
  public synchronized boolean removeMember(GroupId group, UserId member) {
    Group g = groups.get(group);
    if (g == null || g.members.remove(member) == null) {
      return false;
    }
    g.joined.remove(member);
    TreeSet<String> mine = groupsByUser.get(member);
    if (mine != null) {
      mine.remove(group.value());
      if (mine.isEmpty()) {
        groupsByUser.remove(member);
      }
    }
    return true;
  }

  @Override
  public synchronized boolean setAdmin(GroupId group, UserId member, boolean admin) {
    Group g = groups.get(group);
    if (g == null || !g.members.containsKey(member)) {
      return false;
    }
    g.members.put(member, admin);
    return true;
  }

  @Override
  public synchronized Optional<GroupMember> membership(GroupId group, UserId member) {
    Group g = groups.get(group);
    Boolean admin = g == null ? null : g.members.get(member);
    return admin == null ? Optional.empty() : Optional.of(new GroupMember(group, member, admin));
  }

  @Override
  public synchronized List<GroupMember> members(GroupId group) {
    Group g = groups.get(group);
    if (g == null) {
      return List.of();
    }
    List<GroupMember> result = new ArrayList<>(g.members.size());
    g.members.forEach((user, admin) -> result.add(new GroupMember(group, user, admin)));
    return result;
  }

  @Override
  public synchronized List<GroupId> groupsOf(UserId user) {
    TreeSet<String> mine = groupsByUser.get(user);
    return mine == null ? List.of() : mine.stream().map(GroupId::new).toList();
  }

  @Override
  public synchronized boolean delete(GroupId group) {
    Group g = groups.remove(group);
    if (g == null) {
      return false;
    }
    for (UserId member : List.copyOf(g.members.keySet())) {
      TreeSet<String> mine = groupsByUser.get(member);
      if (mine != null) {
        mine.remove(group.value());
        if (mine.isEmpty()) {
          groupsByUser.remove(member);
        }
      }
    }
    return true;
  }

  private void put(Group group, UserId member, boolean admin, Instant joinedAt) {
    group.members.put(member, admin);
    group.joined.put(member, joinedAt);
    groupsByUser.computeIfAbsent(member, u -> new TreeSet<>()).add(group.info.id().value());
  }

  private static final class Group {
    final GroupInfo info;
    final TreeMap<UserId, Boolean> members = new TreeMap<>();
    final Map<UserId, Instant> joined = new HashMap<>();

    Group(GroupInfo info) {
      this.info = info;
    }
  }
}
