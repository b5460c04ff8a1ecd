package io.messagingkit.core;

import java.util.Objects;

/** Whom a message is addressed to: one user (all of that user's devices) or one group. */
public sealed interface Recipient {

  /** The key that keeps one conversation's traffic in order on one partition. */
  String partitionKey();

  static Recipient user(UserId user) {
    return new ToUser(user);
  }

  static Recipient group(GroupId group) {
    return new ToGroup(group);
  }

  /** A 1-1 message to every device of {@code user}. */
  record ToUser(UserId user) implements Recipient {
    public ToUser {
      Objects.requireNonNull(user, "user");
    }

    @Override
    public String partitionKey() {
      return "u:" + user.value();
    }
  }

  /** A group message to every device of every member. */
  record ToGroup(GroupId group) implements Recipient {
    public ToGroup {
      Objects.requireNonNull(group, "group");
    }

    @Override
    public String partitionKey() {
      return "g:" + group.value();
    }
  }
}
