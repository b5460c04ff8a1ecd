package io.messagingkit.core;

import java.util.Objects;

/** A conversation whose history can be paged: two users, or one group. */
public sealed interface Conversation {

  /** A stable key, identical for both participants of a direct conversation. */
  String key();

  /** A direct conversation; {@code direct(a, b)} equals {@code direct(b, a)}. */
  static Conversation direct(UserId a, UserId b) {
    return a.compareTo(b) <= 0 ? new Direct(a, b) : new Direct(b, a);
  }

  static Conversation group(GroupId group) {
    return new Group(group);
  }

  /** Two users, {@code low} sorting before or equal to {@code high}. */
  record Direct(UserId low, UserId high) implements Conversation {
    public Direct {
      Objects.requireNonNull(low, "low");
      Objects.requireNonNull(high, "high");
      if (low.compareTo(high) > 0) {
        throw new IllegalArgumentException("use Conversation.direct(a, b)");
      }
    }

    public boolean includes(UserId user) {
      return low.equals(user) || high.equals(user);
    }

    @Override
    public String key() {
      return "d:" + low.value() + ":" + high.value();
    }
  }

  /** A group conversation. */
  record Group(GroupId group) implements Conversation {
    public Group {
      Objects.requireNonNull(group, "group");
    }

    @Override
    public String key() {
      return "g:" + group.value();
    }
  }
}
