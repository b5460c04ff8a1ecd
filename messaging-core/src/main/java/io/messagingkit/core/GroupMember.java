package io.messagingkit.core;

import java.util.Objects;

/**
 * One row of the seed's group table: (group_id, member_id, is_admin).
 *
 * @param group the group
 * @param member the member
 * @param admin whether the member may add, remove and promote members
 */
public record GroupMember(GroupId group, UserId member, boolean admin) {
  public GroupMember {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(member, "member");
  }
}
