package io.messagingkit.core;

import io.messagingkit.core.DeviceConnection.CloseReason;
import io.messagingkit.core.port.MediaStore;
import io.messagingkit.core.port.OfflineStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device connected to this chat server. Owns the order in which the device's queue reaches it:
 * everything it is sent from the queue goes out in ascending queue position, under this session's
 * lock, and a position is sent only when every earlier entry of the queue was sent on this
 * connection. A live delivery that is the next position passes straight through; any other (a
 * delivery was lost or overtaken, a drain is running, the window is full) is left to a drain that
 * reads the store from the last position sent. A redelivery check ({@link #checkRedelivery}) sends
 * again, from the store and in order, what stays unacknowledged past the idle timeout, and reads
 * the store of a quiet session once per idle timeout so that a lost last delivery still arrives.
 */
final class LocalSession implements DeviceSession {

  private static final Logger log = LoggerFactory.getLogger(LocalSession.class);

  private final ChatServer server;
  private final DeviceAddress device;
  private final DeviceConnection connection;
  private volatile SessionLease lease;
  private volatile Instant lastActivity;
  private final AtomicBoolean closed = new AtomicBoolean();

  // Guarded by this. sentUpTo: every queue entry up to it was sent on this connection, in order
  // (reset to 0 to send everything again). highestSent never decreases: cumulative acks are bounded
  // by it. backlog: the store may hold entries after sentUpTo not yet sent; running: a drain task
  // is active. unacked: what was sent and not yet acknowledged, by position, with when it was sent.
  private boolean backlog;
  private boolean running;
  private boolean drainAgain;
  private long sentUpTo;
  private long highestSent;
  private Instant lastQueueCheck;
  private final TreeMap<Long, Sent> unacked = new TreeMap<>();
  private final Map<OfflineStore.Entry, Long> unackedPositions = new HashMap<>();
  private long unackedBytes; // body bytes of unacked
  // Guarded by this: acknowledgements not yet given to the store, and whether a flush is queued.
  private List<OfflineStore.Entry> acks = new ArrayList<>();
  private long ackUpTo;
  private long storedAckUpTo;
  private boolean flushingAcks;

  private record Sent(OfflineStore.Entry entry, Instant at, int bytes) {}

  /**
   * Whether the delivery window is full: {@code deliveryWindow} messages or {@code
   * deliveryWindowBytes} of bodies sent and unacknowledged (one message always passes an empty
   * window, whatever its size). Guarded by this.
   */
  private boolean windowFull() {
    ChatServerSettings settings = server.settings();
    return unacked.size() >= settings.deliveryWindow()
        || (!unacked.isEmpty() && unackedBytes >= settings.deliveryWindowBytes());
  }

  /** Whether half the window is free again. Guarded by this. */
  private boolean windowHalfFree() {
    ChatServerSettings settings = server.settings();
    return unacked.size() <= settings.deliveryWindow() / 2
        && unackedBytes <= settings.deliveryWindowBytes() / 2;
  }

  private void forget(@Nullable Sent sent) {
    if (sent != null) {
      unackedBytes -= sent.bytes();
    }
  }

  LocalSession(
      ChatServer server, DeviceAddress device, DeviceConnection connection, SessionLease lease) {
    this.server = server;
    this.device = device;
    this.connection = connection;
    this.lease = lease;
    this.lastActivity = server.clock().instant();
    this.lastQueueCheck = lastActivity;
  }

  @Override
  public DeviceAddress device() {
    return device;
  }

  DeviceConnection connection() {
    return connection;
  }

  SessionLease lease() {
    return lease;
  }

  void lease(SessionLease renewed) {
    this.lease = renewed;
  }

  Instant lastActivity() {
    return lastActivity;
  }

  boolean isClosed() {
    return closed.get();
  }

  private void active() {
    if (closed.get()) {
      throw new UnavailableException("the session of " + device + " is closed");
    }
    lastActivity = server.clock().instant();
  }

  // ---- delivery -------------------------------------------------------------------------

  /** Starts (or restarts) draining the device's offline queue on a worker thread. */
  void drain() {
    synchronized (this) {
      backlog = true;
      lastQueueCheck = server.clock().instant();
      if (running) {
        drainAgain = true;
        return;
      }
      running = true;
      drainAgain = false;
    }
    server.submitWork(this::drainLoop);
  }

  private void drainLoop() {
    try {
      while (!closed.get()) {
        long after;
        synchronized (this) {
          if (windowFull()) {
            running = false; // an acknowledgement resumes
            return;
          }
          after = sentUpTo;
          drainAgain = false;
        }
        int pageSize = server.settings().drainPageSize();
        List<QueuedMessage> page = server.offlineStore().fetch(device, after, pageSize);
        boolean slow = false;
        synchronized (this) {
          if (sentUpTo != after) {
            continue; // reset for redelivery meanwhile: read again from there
          }
          int taken = 0;
          for (QueuedMessage queued : page) {
            if (windowFull()) {
              break;
            }
            if (!sendLocked(new ServerEvent.Incoming(queued.envelope(), queued.sequence()))) {
              slow = true;
              break;
            }
            taken++;
          }
          if (!slow && taken == page.size() && page.size() < pageSize && !drainAgain) {
            backlog = false;
            running = false;
            return;
          }
          if (slow) {
            running = false;
          }
        }
        if (slow) {
          slowConsumer();
          return;
        }
      }
      synchronized (this) {
        running = false;
      }
    } catch (RuntimeException e) {
      log.warn("draining the queue of {} failed; closing so the device reconnects", device, e);
      synchronized (this) {
        running = false;
      }
      close(CloseReason.GOING_AWAY, "queue unavailable, reconnect");
    }
  }

  /**
   * Sends one queue entry and records it as sent; the caller holds the lock, so entries leave in
   * position order. Returns false when the connection did not take it.
   */
  private boolean sendLocked(ServerEvent.Incoming incoming) {
    if (closed.get()) {
      return false;
    }
    if (!connection.send(incoming)) {
      return false;
    }
    long position = incoming.queueSequence();
    sentUpTo = position;
    highestSent = Math.max(highestSent, position);
    OfflineStore.Entry entry =
        new OfflineStore.Entry(incoming.envelope().from(), incoming.envelope().id());
    Long previous = unackedPositions.put(entry, position);
    if (previous != null && previous != position) {
      forget(unacked.remove(previous));
    }
    int bytes = incoming.envelope().body().length;
    forget(unacked.put(position, new Sent(entry, server.clock().instant(), bytes)));
    unackedBytes += bytes;
    server.countDelivered();
    return true;
  }

  /** A live delivery from the messaging service. */
  void deliverLive(ServerEvent.Incoming incoming) {
    if (closed.get()) {
      return;
    }
    boolean slow = false;
    boolean startDrain = false;
    synchronized (this) {
      long position = incoming.queueSequence();
      if (position <= sentUpTo) {
        return; // sent already, by a drain or an earlier delivery
      }
      if (!backlog && !running && position == sentUpTo + 1 && !windowFull()) {
        slow = !sendLocked(incoming);
      } else if (running) {
        drainAgain = true; // the drain reads it from the queue, in order
      } else if (windowFull()) {
        backlog = true; // held to the window: an acknowledgement resumes the drain from the store
        return;
      } else {
        startDrain = true; // an earlier position was lost or is late: read the store from sentUpTo
      }
    }
    if (slow) {
      slowConsumer();
    } else if (startDrain) {
      drain();
    }
  }

  /**
   * Called by the chat server's timer. If something sent stays unacknowledged for longer than the
   * idle timeout, sends the whole queue again from the store, in order (the device drops what it
   * already has by id). If nothing is in flight and the store was not read for that long, reads it
   * once (a delivery lost after the last one that arrived is found there).
   */
  void checkRedelivery(Instant now) {
    Instant before = now.minus(server.settings().idleTimeout());
    boolean resend = false;
    boolean probe = false;
    synchronized (this) {
      if (closed.get() || running) {
        return;
      }
      if (!unacked.isEmpty()) {
        if (unacked.firstEntry().getValue().at().isBefore(before)) {
          resend = true;
          sentUpTo = 0;
          unacked.clear();
          unackedPositions.clear();
          unackedBytes = 0;
        }
      } else if (lastQueueCheck.isBefore(before)) {
        probe = true;
      }
    }
    if (resend) {
      log.info("{} left messages unacknowledged past {}; sending its queue again", device, before);
    }
    if (resend || probe) {
      drain();
    }
  }

  /** Sends an ephemeral event (presence, typing, group change); dropped if the device is slow. */
  void deliverEphemeral(ServerEvent event) {
    if (!closed.get() && !connection.send(event)) {
      slowConsumer();
    }
  }

  private void slowConsumer() {
    log.info("closing {}: its outbound queue is full (slow consumer)", device);
    close(CloseReason.SLOW_CONSUMER, "outbound queue full; unacknowledged messages stay queued");
  }

  // ---- client requests ------------------------------------------------------------------

  @Override
  public CompletableFuture<SendReceipt> send(SendRequest request) {
    try {
      active();
      return server.accept(this, request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void acknowledge(UserId sender, MessageId id) {
    active();
    OfflineStore.Entry entry = new OfflineStore.Entry(sender, id);
    boolean flush;
    synchronized (this) {
      Long position = unackedPositions.remove(entry);
      if (position != null) {
        forget(unacked.remove(position));
      }
      acks.add(entry);
      flush = !flushingAcks;
      flushingAcks = true;
    }
    if (flush) {
      server.submitWork(this::flushAcks);
    }
    resumeIfRoom();
  }

  @Override
  public void acknowledgeUpTo(long queueSequence) {
    active();
    if (queueSequence < 1) {
      throw new InvalidRequestException(
          "an acknowledged queue position must be positive, got " + queueSequence);
    }
    boolean flush;
    synchronized (this) {
      long upTo = Math.min(queueSequence, highestSent);
      if (upTo <= ackUpTo) {
        return;
      }
      ackUpTo = upTo;
      var done = unacked.headMap(upTo, true);
      done.values()
          .forEach(
              sent -> {
                unackedPositions.remove(sent.entry());
                forget(sent);
              });
      done.clear();
      flush = !flushingAcks;
      flushingAcks = true;
    }
    if (flush) {
      server.submitWork(this::flushAcks);
    }
    resumeIfRoom();
  }

  /**
   * Gives the store every acknowledgement queued so far, one call per batch (and one statement for
   * a cumulative acknowledgement), until none is left. A device acknowledging a window of messages
   * costs one store round trip, not one per message.
   */
  private void flushAcks() {
    while (true) {
      List<OfflineStore.Entry> batch;
      long upTo;
      synchronized (this) {
        if (acks.isEmpty() && ackUpTo <= storedAckUpTo) {
          flushingAcks = false;
          notifyAll(); // settleAcks()
          return;
        }
        batch = acks;
        acks = new ArrayList<>();
        upTo = ackUpTo > storedAckUpTo ? ackUpTo : 0;
        storedAckUpTo = ackUpTo;
      }
      List<OfflineStore.Entry> delivered = new ArrayList<>();
      if (upTo > 0) {
        try {
          delivered.addAll(server.offlineStore().acknowledgeUpTo(device, upTo));
        } catch (RuntimeException e) {
          log.warn(
              "acknowledgement of {} up to {} not stored; the entries stay queued",
              device,
              upTo,
              e);
        }
      }
      if (!batch.isEmpty()) {
        try {
          List<Boolean> removed = server.offlineStore().acknowledgeAll(device, batch);
          for (int i = 0; i < batch.size(); i++) {
            if (removed.get(i)) {
              delivered.add(batch.get(i));
            }
          }
        } catch (RuntimeException e) {
          log.warn(
              "{} acknowledgements of {} not stored; they stay queued for the next connection",
              batch.size(),
              device,
              e);
        }
      }
      for (OfflineStore.Entry entry : delivered) {
        if (!entry.id().isServerGenerated() && !entry.sender().equals(device.user())) {
          server
              .publishReceipt(this, MessageType.DELIVERED_RECEIPT, entry.sender(), entry.id())
              .exceptionally(
                  e -> {
                    log.warn(
                        "DELIVERED receipt of {} for {} not published",
                        entry.id(),
                        entry.sender(),
                        e);
                    return null;
                  });
        }
      }
      resumeIfRoom();
    }
  }

  /**
   * Resumes a drain paused on a full window once half of it is acknowledged. Called as soon as an
   * acknowledgement arrives (the next page is read while the store removes the acknowledged ones)
   * and after each flush.
   */
  private void resumeIfRoom() {
    synchronized (this) {
      if (!backlog || running || !windowHalfFree()) {
        return;
      }
      running = true;
    }
    if (!closed.get()) {
      server.submitWork(this::drainLoop);
    } else {
      synchronized (this) {
        running = false;
      }
    }
  }

  @Override
  public CompletableFuture<Void> markRead(UserId sender, MessageId id) {
    try {
      active();
      if (sender.equals(device.user())) {
        throw new InvalidRequestException("a user does not send read receipts to itself");
      }
      if (id.isServerGenerated()) {
        throw new InvalidRequestException("receipts are not read-receipted: " + id.value());
      }
      return server.publishReceipt(this, MessageType.READ_RECEIPT, sender, id);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void heartbeat() {
    active();
  }

  @Override
  public void typing(Recipient to, boolean typing) {
    active();
    server.typing(this, to, typing);
  }

  @Override
  public Presence presenceOf(UserId user) {
    active();
    if (!server.presencePolicy().maySee(device.user(), user)) {
      return Presence.unknown(user); // as for a user never seen: the refusal reveals nothing
    }
    return server.sessionRegistry().presence(user);
  }

  @Override
  public GroupInfo createGroup(GroupId id, String name, List<UserId> members) {
    active();
    return server.groups().create(this, id, name, members);
  }

  @Override
  public void addMember(GroupId group, UserId member) {
    active();
    server.groups().addMember(this, group, member);
  }

  @Override
  public void removeMember(GroupId group, UserId member) {
    active();
    server.groups().removeMember(this, group, member);
  }

  @Override
  public void promoteAdmin(GroupId group, UserId member) {
    active();
    server.groups().promote(this, group, member);
  }

  @Override
  public void leaveGroup(GroupId group) {
    active();
    server.groups().leave(this, group);
  }

  @Override
  public List<GroupInfo> myGroups() {
    active();
    return server.groups().groupsOf(device.user());
  }

  @Override
  public List<GroupMember> members(GroupId group) {
    active();
    return server.groups().members(this, group);
  }

  @Override
  public HistoryPage history(Conversation conversation, @Nullable String cursor, int limit) {
    active();
    return server.history(this, conversation, cursor, limit);
  }

  @Override
  public MediaStore.UploadGrant requestUpload(String contentType, long sizeBytes) {
    active();
    Objects.requireNonNull(contentType, "contentType");
    if (sizeBytes <= 0) {
      throw new InvalidRequestException("media size must be positive, got " + sizeBytes);
    }
    return server.grantUpload(device.user(), contentType, sizeBytes);
  }

  @Override
  public MediaStore.DownloadGrant requestDownload(String objectKey) {
    active();
    MediaStore media = server.mediaStore();
    if (!media.mayRead(objectKey, device.user())) {
      throw new ForbiddenException("no message gave " + device.user() + " the media " + objectKey);
    }
    return media.grantDownload(objectKey);
  }

  @Override
  public void registerPushTarget(PushTarget target) {
    active();
    server.pushPolicy().checkTarget(target);
    server.deviceDirectory().setPushTarget(device, target);
  }

  @Override
  public void close() {
    close(null, "client closed");
  }

  /** Closes the session; {@code reason} null means the client closed it itself. */
  void close(@Nullable CloseReason reason, String detail) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    settleAcks();
    if (reason != null) {
      try {
        connection.close(reason, detail);
      } catch (RuntimeException e) {
        log.debug("closing the connection of {} failed", device, e);
      }
    }
    server.closed(this, reason);
  }

  /**
   * On close: waits for a flush in progress, then stores what is left, so that a device that
   * acknowledged and disconnected is not given those messages again when it reconnects.
   */
  private void settleAcks() {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    synchronized (this) {
      while (flushingAcks) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          log.warn("acknowledgements of {} still being stored at close; not waiting", device);
          return;
        }
        try {
          java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (acks.isEmpty() && ackUpTo <= storedAckUpTo) {
        return;
      }
      flushingAcks = true;
    }
    flushAcks();
  }

  static List<UserId> distinct(List<UserId> users) {
    return new ArrayList<>(new LinkedHashSet<>(users));
  }
}
