package io.messagingkit.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A group.
 *
 * @param id the group id
 * @param name a display name, at most 128 characters
 * @param createdBy the creator, the first admin
 * @param createdAt when it was created
 */
public record GroupInfo(GroupId id, String name, UserId createdBy, Instant createdAt) {
  public GroupInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdBy, "createdBy");
    Objects.requireNonNull(createdAt, "createdAt");
    if (name.isBlank() || name.length() > 128) {
      throw new IllegalArgumentException("group name must be 1..128 characters and not blank");
    }
  }
}
