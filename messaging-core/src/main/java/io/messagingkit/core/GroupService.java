package io.messagingkit.core;

import io.messagingkit.core.ServerEvent.GroupChanged.Change;
import io.messagingkit.core.port.GroupDirectory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/** Group management with the authorization rules: members act, admins manage. */
final class GroupService {

  private final GroupDirectory directory;
  private final Clock clock;
  private final int maxGroupSize;
  private final BiConsumer<List<UserId>, ServerEvent> notify;
  private final Quotas quotas;

  GroupService(
      GroupDirectory directory,
      Clock clock,
      int maxGroupSize,
      BiConsumer<List<UserId>, ServerEvent> notify,
      Quotas quotas) {
    this.quotas = quotas;
    this.directory = directory;
    this.clock = clock;
    this.maxGroupSize = maxGroupSize;
    this.notify = notify;
  }

  GroupInfo create(LocalSession actor, GroupId id, String name, List<UserId> members) {
    UserId me = actor.device().user();
    List<UserId> others = new ArrayList<>(LocalSession.distinct(members));
    others.remove(me);
    if (others.size() + 1 > maxGroupSize) {
      throw new InvalidRequestException(
          "a group has at most " + maxGroupSize + " members, asked for " + (others.size() + 1));
    }
    quotas.checkGroupCreation(me);
    quotas.requireUsers(others);
    GroupInfo info = directory.create(new GroupInfo(id, name, me, clock.instant()));
    for (UserId member : others) {
      directory.addMember(id, member, false, info.createdAt());
    }
    List<UserId> everyone = new ArrayList<>(others);
    everyone.add(me);
    notify.accept(everyone, new ServerEvent.GroupChanged(id, Change.CREATED, me, null));
    return info;
  }

  void addMember(LocalSession actor, GroupId group, UserId member) {
    UserId me = requireAdmin(actor, group);
    if (directory.membership(group, member).isPresent()) {
      return;
    }
    if (directory.members(group).size() >= maxGroupSize) {
      throw new InvalidRequestException(
          "group " + group + " already has the maximum of " + maxGroupSize + " members");
    }
    quotas.requireUsers(List.of(member));
    directory.addMember(group, member, false, clock.instant());
    tellMembers(
        group, List.of(), new ServerEvent.GroupChanged(group, Change.MEMBER_ADDED, me, member));
  }

  void removeMember(LocalSession actor, GroupId group, UserId member) {
    UserId me = requireAdmin(actor, group);
    if (member.equals(me)) {
      throw new InvalidRequestException("to remove yourself, leave the group");
    }
    if (!directory.removeMember(group, member)) {
      throw new NotFoundException(member + " is not a member of " + group);
    }
    tellMembers(
        group,
        List.of(member),
        new ServerEvent.GroupChanged(group, Change.MEMBER_REMOVED, me, member));
  }

  void promote(LocalSession actor, GroupId group, UserId member) {
    UserId me = requireAdmin(actor, group);
    if (!directory.setAdmin(group, member, true)) {
      throw new NotFoundException(member + " is not a member of " + group);
    }
    tellMembers(
        group, List.of(), new ServerEvent.GroupChanged(group, Change.ADMIN_PROMOTED, me, member));
  }

  void leave(LocalSession actor, GroupId group) {
    UserId me = actor.device().user();
    GroupMember membership = requireMember(me, group);
    directory.removeMember(group, me);
    List<GroupMember> rest = directory.members(group);
    if (rest.isEmpty()) {
      directory.delete(group);
      return;
    }
    if (membership.admin() && rest.stream().noneMatch(GroupMember::admin)) {
      directory.setAdmin(group, rest.get(0).member(), true); // a group always keeps an admin
    }
    tellMembers(
        group, List.of(me), new ServerEvent.GroupChanged(group, Change.MEMBER_LEFT, me, me));
  }

  List<GroupInfo> groupsOf(UserId user) {
    List<GroupInfo> result = new ArrayList<>();
    for (GroupId id : directory.groupsOf(user)) {
      directory.find(id).ifPresent(result::add);
    }
    return result;
  }

  List<GroupMember> members(LocalSession actor, GroupId group) {
    requireMember(actor.device().user(), group);
    return directory.members(group);
  }

  /** Throws unless {@code user} is a member; 404 for an absent group, 403 for a non-member. */
  GroupMember requireMember(UserId user, GroupId group) {
    Optional<GroupMember> membership = directory.membership(group, user);
    if (membership.isPresent()) {
      return membership.get();
    }
    if (directory.find(group).isEmpty()) {
      throw new NotFoundException("group " + group + " does not exist");
    }
    throw new ForbiddenException(user + " is not a member of group " + group);
  }

  private UserId requireAdmin(LocalSession actor, GroupId group) {
    UserId me = actor.device().user();
    if (!requireMember(me, group).admin()) {
      throw new ForbiddenException(me + " is not an admin of group " + group);
    }
    return me;
  }

  private void tellMembers(GroupId group, List<UserId> also, ServerEvent event) {
    List<UserId> audience = new ArrayList<>(also);
    directory.members(group).forEach(m -> audience.add(m.member()));
    notify.accept(audience, event);
  }
}
