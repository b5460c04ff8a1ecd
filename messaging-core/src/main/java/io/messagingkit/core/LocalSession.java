package io.messagingkit.core;

import io.messagingkit.core.DeviceConnection.CloseReason;
import io.messagingkit.core.port.MediaStore;
import io.messagingkit.core.port.OfflineStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device connected to this chat server. Owns the ordering between the drain of the device's
 * offline queue and live deliveries: while a drain runs, live deliveries are skipped (they are in
 * the queue and the drain reads them); afterwards they are sent unless recently sent already.
 */
final class LocalSession implements DeviceSession {

  private static final Logger log = LoggerFactory.getLogger(LocalSession.class);
  private static final int RECENT = 4096;

  private final ChatServer server;
  private final DeviceAddress device;
  private final DeviceConnection connection;
  private volatile SessionLease lease;
  private volatile Instant lastActivity;
  private final AtomicBoolean closed = new AtomicBoolean();

  // Guarded by this. backlog: the queue may hold messages not yet sent on this connection, so
  // live deliveries are left to the drain; running: a drain task is active.
  private boolean backlog;
  private boolean running;
  private boolean drainAgain;
  private long drainedUpTo;
  private int inFlight;
  private final LinkedHashSet<Long> recentlySent = new LinkedHashSet<>();
  // Guarded by this: acknowledgements not yet given to the store, and whether a flush is queued.
  private List<OfflineStore.Entry> acks = new ArrayList<>();
  private boolean flushingAcks;

  LocalSession(
      ChatServer server, DeviceAddress device, DeviceConnection connection, SessionLease lease) {
    this.server = server;
    this.device = device;
    this.connection = connection;
    this.lease = lease;
    this.lastActivity = server.clock().instant();
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
          if (inFlight >= server.settings().deliveryWindow()) {
            running = false; // acknowledge() resumes
            return;
          }
          after = drainedUpTo;
        }
        List<QueuedMessage> page =
            server.offlineStore().fetch(device, after, server.settings().drainPageSize());
        for (QueuedMessage queued : page) {
          synchronized (this) {
            drainedUpTo = Math.max(drainedUpTo, queued.sequence());
          }
          if (!offer(new ServerEvent.Incoming(queued.envelope(), queued.sequence()))) {
            return;
          }
        }
        if (page.size() < server.settings().drainPageSize()) {
          synchronized (this) {
            if (!drainAgain) {
              backlog = false;
              running = false;
              return;
            }
            drainAgain = false;
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("draining the queue of {} failed; closing so the device reconnects", device, e);
      synchronized (this) {
        running = false;
      }
      close(CloseReason.GOING_AWAY, "queue unavailable, reconnect");
    }
  }

  /** A live delivery from the messaging service. */
  void deliverLive(ServerEvent.Incoming incoming) {
    synchronized (this) {
      if (recentlySent.contains(incoming.queueSequence())) {
        return;
      }
      if (backlog && incoming.queueSequence() > drainedUpTo) {
        drainAgain = true; // the drain will read it from the queue, in order
        return;
      }
    }
    offer(incoming);
  }

  /** Sends an ephemeral event (presence, typing, group change); dropped if the device is slow. */
  void deliverEphemeral(ServerEvent event) {
    if (!closed.get() && !connection.send(event)) {
      slowConsumer();
    }
  }

  private boolean offer(ServerEvent.Incoming incoming) {
    synchronized (this) {
      if (!recentlySent.add(incoming.queueSequence())) {
        return true;
      }
      if (recentlySent.size() > RECENT) {
        var it = recentlySent.iterator();
        it.next();
        it.remove();
      }
      inFlight++;
    }
    if (closed.get()) {
      return false;
    }
    if (!connection.send(incoming)) {
      slowConsumer();
      return false;
    }
    server.countDelivered();
    return true;
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
    boolean flush;
    synchronized (this) {
      acks.add(new OfflineStore.Entry(sender, id));
      flush = !flushingAcks;
      flushingAcks = true;
    }
    if (flush) {
      server.submitWork(this::flushAcks);
    }
  }

  /**
   * Gives the store every acknowledgement queued so far, one call per batch, until none is left. A
   * device acknowledging a window of messages costs one store round trip, not one per message.
   */
  private void flushAcks() {
    while (true) {
      List<OfflineStore.Entry> batch;
      synchronized (this) {
        if (acks.isEmpty()) {
          flushingAcks = false;
          notifyAll(); // settleAcks()
          return;
        }
        batch = acks;
        acks = new ArrayList<>();
      }
      List<Boolean> removed;
      try {
        removed = server.offlineStore().acknowledgeAll(device, batch);
      } catch (RuntimeException e) {
        log.warn(
            "{} acknowledgements of {} not stored; they stay queued for the next connection",
            batch.size(),
            device,
            e);
        removed = java.util.Collections.nCopies(batch.size(), false);
      }
      for (int i = 0; i < batch.size(); i++) {
        OfflineStore.Entry entry = batch.get(i);
        if (removed.get(i)
            && !entry.id().isServerGenerated()
            && !entry.sender().equals(device.user())) {
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
      boolean resume = false;
      synchronized (this) {
        inFlight = Math.max(0, inFlight - batch.size());
        if (backlog && !running && inFlight <= server.settings().deliveryWindow() / 2) {
          running = true;
          resume = true;
        }
      }
      if (resume && !closed.get()) {
        server.submitWork(this::drainLoop);
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
      throw new ForbiddenException(
          device.user() + " may not see the presence of " + user + " (no shared conversation)");
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
      if (acks.isEmpty()) {
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
