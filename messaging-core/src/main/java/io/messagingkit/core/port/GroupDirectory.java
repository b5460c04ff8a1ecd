package io.messagingkit.core.port;

import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupInfo;
import io.messagingkit.core.GroupMember;
import io.messagingkit.core.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Groups, members and admins: the seed's (group_id, member_id, is_admin) table. Pure storage:
 * authorization (who may add or remove) is the services' job.
 *
 * <p>Thread-safe; blocking; throws {@link io.messagingkit.core.UnavailableException} when the
 * backend is down.
 */
public interface GroupDirectory {

  /**
   * Creates the group with its creator as its first member and admin. Throws {@link
   * io.messagingkit.core.ConflictException} when the id is taken.
   */
  GroupInfo create(GroupInfo group);

  /** The group, or empty if it does not exist. */
  Optional<GroupInfo> find(GroupId group);

  /**
   * Adds a member who joins at {@code joinedAt} (or changes nothing, join time included, if already
   * one). Returns whether the member was added. A member removed and added again gets the new join
   * time. Throws {@link io.messagingkit.core.NotFoundException} if the group does not exist.
   */
  boolean addMember(GroupId group, UserId member, boolean admin, Instant joinedAt);

  /**
   * When {@code member} joined the group (the creator: the group's creation time; a member removed
   * and added again: the last addition), or empty if not a member (or the group is absent). A
   * member sees only the group's messages accepted from this time on.
   */
  Optional<Instant> memberSince(GroupId group, UserId member);

  /** Removes a member; returns whether it was one. */
  boolean removeMember(GroupId group, UserId member);

  /** Grants or revokes admin rights; returns whether {@code member} is a member. */
  boolean setAdmin(GroupId group, UserId member, boolean admin);

  /** The membership row, or empty if {@code member} is not a member (or the group is absent). */
  Optional<GroupMember> membership(GroupId group, UserId member);

  /** The members ordered by member id; an empty list for an absent group. */
  List<GroupMember> members(GroupId group);

  /** The groups {@code user} is a member of, ordered by group id; an empty list if none. */
  List<GroupId> groupsOf(UserId user);

  /**
   * How many existing groups {@code user} created (whether or not still a member); 0 if none. Used
   * to cap the groups a user may create.
   */
  int countCreatedBy(UserId user);

  /** Deletes the group and its memberships; returns whether it existed. */
  boolean delete(GroupId group);
}
