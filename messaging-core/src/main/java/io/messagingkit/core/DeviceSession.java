package io.messagingkit.core;

import io.messagingkit.core.port.MediaStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One authenticated device connected to a {@code ChatServer}: everything the device may do. Every
 * method acts as the session's own device; authorization (membership, admin rights, ownership) is
 * checked here, whatever the transport already checked.
 *
 * <p>Methods throw {@link MessagingException} subclasses for refused requests: {@link
 * InvalidRequestException}, {@link ForbiddenException}, {@link NotFoundException}, {@link
 * RateLimitedException}, {@link UnavailableException}. Thread-safe.
 */
public interface DeviceSession extends AutoCloseable {

  /** The authenticated device. */
  DeviceAddress device();

  /**
   * Sends a message. The future completes with the SENT_ACK once the message is durably accepted; a
   * resend of an accepted id completes again with {@code duplicate = true} and delivers nothing.
   */
  CompletableFuture<SendReceipt> send(SendRequest request);

  /**
   * Acknowledges receipt of a message or receipt this device was given: it is removed from the
   * device's queue and, for a message, the sender is told DELIVERED. Does not wait for the store:
   * acknowledgements that arrive together are removed together, in one store call, on a worker
   * thread. Acknowledging twice, or something never given, changes nothing. If the store is down
   * the entries stay queued and are delivered again on the next connection (the client drops the
   * duplicate).
   */
  void acknowledge(UserId sender, MessageId id);

  /**
   * Acknowledges, in one call, everything this connection was given up to and including queue
   * position {@code queueSequence} (the {@code queueSequence} of an {@link ServerEvent.Incoming}):
   * a cumulative acknowledgement, as XMPP stream management has. Those entries are removed from the
   * device's queue in one store statement and each message's sender is told DELIVERED. A position
   * beyond what this connection was given is taken as the last position given (nothing not yet sent
   * is ever removed); a position already acknowledged changes nothing. Does not wait for the store,
   * like {@link #acknowledge}.
   *
   * @throws InvalidRequestException when {@code queueSequence} is not positive
   */
  void acknowledgeUpTo(long queueSequence);

  /**
   * Tells the sender of {@code id} that this user read it (the wire's READ; the sender receives it
   * as READ_ACK). Completes once the receipt is durably accepted.
   */
  CompletableFuture<Void> markRead(UserId sender, MessageId id);

  /** The client's heartbeat: keeps the device online. */
  void heartbeat();

  /** Tells the other side of a conversation that this user is typing (ephemeral). */
  void typing(Recipient to, boolean typing);

  /**
   * The presence of {@code user} if the presence policy lets this user see it; otherwise {@link
   * Presence#unknown}, exactly as for a user never seen (a refusal for privacy is not an error).
   */
  Presence presenceOf(UserId user);

  /** Creates a group with this user as admin and {@code members} as members. */
  GroupInfo createGroup(GroupId id, String name, List<UserId> members);

  /** Adds a member (admins only). */
  void addMember(GroupId group, UserId member);

  /** Removes a member (admins only). */
  void removeMember(GroupId group, UserId member);

  /** Makes a member an admin (admins only). */
  void promoteAdmin(GroupId group, UserId member);

  /** Leaves a group. */
  void leaveGroup(GroupId group);

  /** The groups this user belongs to. */
  List<GroupInfo> myGroups();

  /** The members of a group this user belongs to. */
  List<GroupMember> members(GroupId group);

  /** A page of a conversation this user takes part in, newest first. */
  HistoryPage history(Conversation conversation, @Nullable String cursor, int limit);

  /** A presigned upload for a client-encrypted media object. */
  MediaStore.UploadGrant requestUpload(String contentType, long sizeBytes);

  /** A presigned download for a media object this user may read. */
  MediaStore.DownloadGrant requestDownload(String objectKey);

  /** Sets this device's push target, used while it is offline. */
  void registerPushTarget(PushTarget target);

  /** Disconnects: unregisters the device (it goes offline unless another device is online). */
  @Override
  void close();
}
