package io.messagingkit.transport.websocket.protocol;

import io.messagingkit.core.GroupId;
import io.messagingkit.core.MediaRef;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A frame a client sends to the server (wire protocol v1). Each record is one {@code type}; {@link
 * WireCodec} reads and writes them. Frames that expect an answer other than an acknowledgment carry
 * a client-chosen request id {@code rid}, echoed in the answer and in any error.
 */
public sealed interface ClientFrame {

  /** The wire {@code type} of this frame. */
  String type();

  /** The request id of a request frame; null for frames that carry none. */
  default @Nullable String rid() {
    return null;
  }

  /**
   * {@code SEND}: a message to a user or a group. Answered by {@code SENT_ACK} (or {@code ERROR}
   * with {@code ref = id}).
   *
   * @param id the client-chosen message id, the idempotency key
   * @param to the user or group
   * @param kind TEXT, MEDIA or ENCRYPTED
   * @param body the opaque payload
   * @param media the media reference of a MEDIA message
   * @param clientTimestamp the client's clock, if given
   * @param from the sender the frame claims, if it claims one (must be the authenticated user)
   */
  record Send(
      MessageId id,
      Recipient to,
      MessageType kind,
      byte[] body,
      @Nullable MediaRef media,
      @Nullable Instant clientTimestamp,
      @Nullable UserId from)
      implements ClientFrame {
    public Send {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(body, "body");
    }

    @Override
    public String type() {
      return "SEND";
    }
  }

  /**
   * {@code ACK}: this device received the message or receipt {@code id} from {@code from}.
   *
   * @param from the sender of the acknowledged message or receipt
   * @param id its id
   */
  record Ack(UserId from, MessageId id) implements ClientFrame {
    @Override
    public String type() {
      return "ACK";
    }
  }

  /**
   * {@code ACK} with {@code upTo}: a cumulative acknowledgment. This device received everything the
   * connection gave it up to and including queue position {@code upTo} (the {@code queueSequence}
   * of a MESSAGE or receipt), as XMPP stream management acknowledges a count of stanzas. One frame
   * acknowledges a whole batch.
   *
   * @param upTo the queue position, positive
   */
  record AckUpTo(long upTo) implements ClientFrame {
    public AckUpTo {
      if (upTo < 1) {
        throw new IllegalArgumentException("'upTo' must be a positive queue position, got " + upTo);
      }
    }

    @Override
    public String type() {
      return "ACK";
    }
  }

  /**
   * {@code READ}: the user read message {@code id} from {@code from}; the sender gets READ_ACK.
   *
   * @param from the sender of the read message
   * @param id its id
   */
  record Read(UserId from, MessageId id) implements ClientFrame {
    @Override
    public String type() {
      return "READ";
    }
  }

  /** {@code HEARTBEAT}: the application heartbeat; answered by {@code HEARTBEAT_ACK}. */
  record Heartbeat() implements ClientFrame {
    @Override
    public String type() {
      return "HEARTBEAT";
    }
  }

  /**
   * {@code TYPING}: the user started or stopped typing in a conversation.
   *
   * @param to the other user, or the group
   * @param typing true when started
   */
  record Typing(Recipient to, boolean typing) implements ClientFrame {
    @Override
    public String type() {
      return "TYPING";
    }
  }

  /**
   * {@code PRESENCE_SUBSCRIBE} or {@code PRESENCE_QUERY}: the current presence of each user,
   * answered by one {@code PRESENCE} frame per user carrying {@code rid}. Changes of users the
   * device may see are pushed as {@code PRESENCE} frames without {@code rid}.
   *
   * @param rid the request id
   * @param users the users, 1 to 256
   * @param subscribe true for PRESENCE_SUBSCRIBE
   */
  record Presence(String rid, List<UserId> users, boolean subscribe) implements ClientFrame {
    public Presence {
      users = List.copyOf(users);
    }

    @Override
    public String type() {
      return subscribe ? "PRESENCE_SUBSCRIBE" : "PRESENCE_QUERY";
    }
  }

  /**
   * {@code GROUP_CREATE}: creates a group with the sender as admin.
   *
   * @param rid the request id
   * @param group the new group's id
   * @param name its display name
   * @param members the other members
   */
  record GroupCreate(String rid, GroupId group, String name, List<UserId> members)
      implements ClientFrame {
    public GroupCreate {
      members = List.copyOf(members);
    }

    @Override
    public String type() {
      return "GROUP_CREATE";
    }
  }

  /**
   * A group change concerning one member: {@code GROUP_ADD}, {@code GROUP_REMOVE} or {@code
   * GROUP_PROMOTE} (admins only).
   *
   * @param rid the request id
   * @param op which operation
   * @param group the group
   * @param member the member concerned
   */
  record GroupMemberOp(String rid, Op op, GroupId group, UserId member) implements ClientFrame {
    /** The member operations. */
    public enum Op {
      GROUP_ADD,
      GROUP_REMOVE,
      GROUP_PROMOTE
    }

    @Override
    public String type() {
      return op.name();
    }
  }

  /**
   * {@code GROUP_LEAVE}: the sender leaves the group.
   *
   * @param rid the request id
   * @param group the group
   */
  record GroupLeave(String rid, GroupId group) implements ClientFrame {
    @Override
    public String type() {
      return "GROUP_LEAVE";
    }
  }

  /**
   * {@code GROUP_LIST}: the groups the sender belongs to.
   *
   * @param rid the request id
   */
  record GroupList(String rid) implements ClientFrame {
    @Override
    public String type() {
      return "GROUP_LIST";
    }
  }

  /**
   * {@code GROUP_MEMBERS}: the members of a group the sender belongs to.
   *
   * @param rid the request id
   * @param group the group
   */
  record GroupMembers(String rid, GroupId group) implements ClientFrame {
    @Override
    public String type() {
      return "GROUP_MEMBERS";
    }
  }

  /**
   * {@code HISTORY}: one page of a conversation, newest first; answered by {@code HISTORY_PAGE}.
   *
   * @param rid the request id
   * @param with the other user of a direct conversation, or the group
   * @param cursor the {@code next} of the previous page, or null for the newest page
   * @param limit the page size, 1 to 100
   */
  record History(String rid, Recipient with, @Nullable String cursor, int limit)
      implements ClientFrame {
    @Override
    public String type() {
      return "HISTORY";
    }
  }

  /**
   * {@code MEDIA_UPLOAD}: asks for a presigned upload of a client-encrypted blob.
   *
   * @param rid the request id
   * @param contentType the plaintext's content type
   * @param size the ciphertext size in bytes
   */
  record MediaUpload(String rid, String contentType, long size) implements ClientFrame {
    @Override
    public String type() {
      return "MEDIA_UPLOAD";
    }
  }

  /**
   * {@code MEDIA_DOWNLOAD}: asks for a presigned download of a media object.
   *
   * @param rid the request id
   * @param key the object key from the message's media reference
   */
  record MediaDownload(String rid, String key) implements ClientFrame {
    @Override
    public String type() {
      return "MEDIA_DOWNLOAD";
    }
  }

  /**
   * {@code PUSH_REGISTER}: where to wake this device while it is offline.
   *
   * @param rid the request id
   * @param target the push target
   */
  record PushRegister(String rid, PushTarget target) implements ClientFrame {
    @Override
    public String type() {
      return "PUSH_REGISTER";
    }
  }
}
