package io.messagingkit.transport.websocket.protocol;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupInfo;
import io.messagingkit.core.GroupMember;
import io.messagingkit.core.MediaRef;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.MediaStore;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** A frame the server sends to a client (wire protocol v1). Each record is one {@code type}. */
public sealed interface ServerFrame {

  /** The wire {@code type} of this frame. */
  String type();

  /**
   * {@code WELCOME}: the first frame on a connection: who the server authenticated and its limits.
   *
   * @param device the authenticated device
   * @param protocol the protocol version, {@code messagingkit.v1}
   * @param heartbeatMillis how often the client should send HEARTBEAT
   * @param maxFrameBytes the largest text frame the server accepts
   */
  record Welcome(DeviceAddress device, String protocol, long heartbeatMillis, int maxFrameBytes)
      implements ServerFrame {
    @Override
    public String type() {
      return "WELCOME";
    }
  }

  /**
   * {@code SENT_ACK}: the message is durably accepted.
   *
   * @param id the message id
   * @param timestamp when the server accepted it
   * @param duplicate true when the id had been accepted before (delivered once)
   */
  record SentAck(MessageId id, Instant timestamp, boolean duplicate) implements ServerFrame {
    @Override
    public String type() {
      return "SENT_ACK";
    }
  }

  /**
   * {@code MESSAGE}: a message for this device. The device answers {@code ACK {from, id}}.
   *
   * @param id the sender's message id
   * @param from the sending device
   * @param to the recipient (this user, or a group)
   * @param kind TEXT, MEDIA or ENCRYPTED
   * @param body the opaque payload
   * @param media the media reference of a MEDIA message
   * @param clientTimestamp the sender's clock
   * @param serverTimestamp when the server accepted it
   * @param sequence the server sequence
   * @param queueSequence its position in this device's queue, which {@code ACK {upTo}} names; 0
   *     where it does not come from the queue (a history page)
   */
  record Message(
      MessageId id,
      DeviceAddress from,
      Recipient to,
      MessageType kind,
      byte[] body,
      @Nullable MediaRef media,
      Instant clientTimestamp,
      Instant serverTimestamp,
      long sequence,
      long queueSequence)
      implements ServerFrame {
    /** A message outside the device's queue (queue position 0). */
    public Message(
        MessageId id,
        DeviceAddress from,
        Recipient to,
        MessageType kind,
        byte[] body,
        @Nullable MediaRef media,
        Instant clientTimestamp,
        Instant serverTimestamp,
        long sequence) {
      this(id, from, to, kind, body, media, clientTimestamp, serverTimestamp, sequence, 0);
    }

    public Message {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(body, "body");
    }

    @Override
    public String type() {
      return "MESSAGE";
    }
  }

  /**
   * {@code DELIVERED_ACK} or {@code READ_ACK}: a device of {@code by} received (or its user read)
   * message {@code id} that this user sent. The device acknowledges the receipt itself with {@code
   * ACK {from: by.user, id: receipt}}.
   *
   * @param read true for READ_ACK
   * @param id the id of the message this user sent
   * @param receipt the receipt's own id
   * @param by the device that received or read it
   * @param timestamp when the server accepted the receipt
   * @param queueSequence its position in this device's queue, which {@code ACK {upTo}} names
   */
  record Receipt(
      boolean read,
      MessageId id,
      MessageId receipt,
      DeviceAddress by,
      Instant timestamp,
      long queueSequence)
      implements ServerFrame {
    /** A receipt without a queue position (0). */
    public Receipt(
        boolean read, MessageId id, MessageId receipt, DeviceAddress by, Instant timestamp) {
      this(read, id, receipt, by, timestamp, 0);
    }

    @Override
    public String type() {
      return read ? "READ_ACK" : "DELIVERED_ACK";
    }
  }

  /**
   * {@code PRESENCE}: a user's presence; {@code rid} is set when it answers a request.
   *
   * @param rid the request id, or null for a pushed change
   * @param presence the presence
   */
  record Presence(@Nullable String rid, io.messagingkit.core.Presence presence)
      implements ServerFrame {
    @Override
    public String type() {
      return "PRESENCE";
    }
  }

  /**
   * {@code TYPING}: a user started or stopped typing.
   *
   * @param from who types
   * @param to this user (direct) or the group
   * @param typing true when started
   */
  record Typing(UserId from, Recipient to, boolean typing) implements ServerFrame {
    @Override
    public String type() {
      return "TYPING";
    }
  }

  /**
   * {@code GROUP_EVENT}: a group this user belongs (or belonged) to changed.
   *
   * @param group the group
   * @param change what happened
   * @param actor who did it
   * @param subject the member concerned, or null
   */
  record GroupEvent(
      GroupId group, ServerEvent.GroupChanged.Change change, UserId actor, @Nullable UserId subject)
      implements ServerFrame {
    @Override
    public String type() {
      return "GROUP_EVENT";
    }
  }

  /**
   * {@code HISTORY_PAGE}: the answer to HISTORY.
   *
   * @param rid the request id
   * @param messages the page's messages, newest first
   * @param next the cursor of the next (older) page, or null at the end
   */
  record HistoryPage(String rid, List<Message> messages, @Nullable String next)
      implements ServerFrame {
    public HistoryPage {
      messages = List.copyOf(messages);
    }

    @Override
    public String type() {
      return "HISTORY_PAGE";
    }
  }

  /**
   * {@code RESULT}: the successful answer to a request frame carrying {@code rid}. Fields are set
   * according to the request: {@code group} (GROUP_CREATE), {@code groups} (GROUP_LIST), {@code
   * members} (GROUP_MEMBERS), {@code upload} (MEDIA_UPLOAD), {@code download} (MEDIA_DOWNLOAD);
   * none for the other requests.
   *
   * @param rid the request id
   * @param group the created group
   * @param groups the user's groups
   * @param members a group's members
   * @param upload a presigned upload
   * @param download a presigned download
   */
  record Result(
      String rid,
      @Nullable GroupInfo group,
      @Nullable List<GroupInfo> groups,
      @Nullable List<GroupMember> members,
      MediaStore.@Nullable UploadGrant upload,
      MediaStore.@Nullable DownloadGrant download)
      implements ServerFrame {

    /** A result with no data. */
    public static Result ok(String rid) {
      return new Result(rid, null, null, null, null, null);
    }

    @Override
    public String type() {
      return "RESULT";
    }
  }

  /**
   * {@code HEARTBEAT_ACK}: the answer to HEARTBEAT.
   *
   * @param timestamp the server's clock
   */
  record HeartbeatAck(Instant timestamp) implements ServerFrame {
    @Override
    public String type() {
      return "HEARTBEAT_ACK";
    }
  }

  /**
   * {@code ERROR}: a refused frame.
   *
   * @param code the error code ({@link ErrorCode#wireName()})
   * @param ref the message id or request id of the refused frame, if known
   * @param message a human-readable reason
   * @param retryable whether the same frame may succeed later
   */
  record Error(ErrorCode code, @Nullable String ref, String message, boolean retryable)
      implements ServerFrame {
    public Error(ErrorCode code, @Nullable String ref, String message) {
      this(code, ref, message, code.retryable());
    }

    @Override
    public String type() {
      return "ERROR";
    }
  }
}
