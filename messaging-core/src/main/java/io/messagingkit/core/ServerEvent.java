package io.messagingkit.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something the server pushes to one connected device, independent of any wire format. A transport
 * encodes each kind into its own frame (see {@code docs/protocol.md}).
 */
public sealed interface ServerEvent {

  /**
   * A message or receipt from the device's queue. The device acknowledges it by (sender user, id);
   * until then it stays queued and is delivered again on the next connection.
   *
   * @param envelope the message or receipt
   * @param queueSequence its position in the device's queue (increasing per device)
   */
  record Incoming(Envelope envelope, long queueSequence) implements ServerEvent {
    public Incoming {
      Objects.requireNonNull(envelope, "envelope");
    }
  }

  /**
   * The presence of a user this device may see changed.
   *
   * @param presence the new presence
   */
  record PresenceChanged(Presence presence) implements ServerEvent {
    public PresenceChanged {
      Objects.requireNonNull(presence, "presence");
    }
  }

  /**
   * A user started or stopped typing. Ephemeral: never stored, lost when the device is offline.
   *
   * @param from the user typing
   * @param to where they type: the receiving user for a direct chat, or the group
   * @param typing true when started, false when stopped
   */
  record Typing(UserId from, Recipient to, boolean typing) implements ServerEvent {
    public Typing {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }
  }

  /**
   * A group the device's user belongs to (or belonged to) changed. Best-effort notice; the group
   * directory is the truth.
   *
   * @param group the group
   * @param change what happened
   * @param actor who did it
   * @param subject the member it concerns, or null for changes to the group itself
   */
  record GroupChanged(GroupId group, Change change, UserId actor, @Nullable UserId subject)
      implements ServerEvent {
    public GroupChanged {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(change, "change");
      Objects.requireNonNull(actor, "actor");
    }

    /** The kinds of group change. */
    public enum Change {
      CREATED,
      MEMBER_ADDED,
      MEMBER_REMOVED,
      MEMBER_LEFT,
      ADMIN_PROMOTED,
      DELETED
    }
  }
}
