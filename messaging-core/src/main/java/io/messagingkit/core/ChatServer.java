package io.messagingkit.core;

import io.messagingkit.core.DeviceConnection.CloseReason;
import io.messagingkit.core.memory.InMemoryContactGraph;
import io.messagingkit.core.memory.InMemoryDeviceDirectory;
import io.messagingkit.core.memory.InMemoryGroupDirectory;
import io.messagingkit.core.memory.InMemoryIdempotencyStore;
import io.messagingkit.core.memory.InMemoryMessageArchive;
import io.messagingkit.core.memory.InMemoryOfflineStore;
import io.messagingkit.core.memory.InMemorySessionRegistry;
import io.messagingkit.core.memory.InProcessMessageBus;
import io.messagingkit.core.memory.RecordingPushGateway;
import io.messagingkit.core.port.ContactGraph;
import io.messagingkit.core.port.Delivery;
import io.messagingkit.core.port.DeviceDirectory;
import io.messagingkit.core.port.GroupDirectory;
import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.core.port.MediaStore;
import io.messagingkit.core.port.MessageArchive;
import io.messagingkit.core.port.MessageBus;
import io.messagingkit.core.port.OfflineStore;
import io.messagingkit.core.port.PresencePolicy;
import io.messagingkit.core.port.PushGateway;
import io.messagingkit.core.port.SessionRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat server assembled from ports: it connects devices (through any transport), accepts their
 * messages onto the bus, runs the messaging service that stores and routes them, keeps presence and
 * pushes to offline devices.
 *
 * <pre>{@code
 * try (ChatServer server = ChatServer.builder().build().start()) {
 *   DeviceSession alice = server.connect(DeviceAddress.of("alice", "phone"), connection);
 *   alice.send(SendRequest.text("m1", Recipient.user(UserId.of("bob")), "hi")).join();
 * }
 * }</pre>
 *
 * <p>Every port defaults to its in-memory adapter; a clustered deployment passes Redis, Kafka, JDBC
 * and S3 adapters instead. Ports passed in are owned by the caller; defaults are closed with the
 * server. Thread-safe.
 */
public final class ChatServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);

  private final String serverId;
  private final Clock clock;
  private final ChatServerSettings settings;
  private final Quotas quotas;
  private final UploadQuota uploads;
  private final SessionRegistry registry;
  private final MessageBus bus;
  private final OfflineStore offline;
  private final IdempotencyStore idempotency;
  private final GroupDirectory groupDirectory;
  private final @Nullable MessageArchive archive;
  private final DeviceDirectory devices;
  private final PresencePolicy presencePolicy;
  private final @Nullable MediaStore media;
  private final boolean consumeInbound;
  private final List<AutoCloseable> owned;
  private final MeterRegistry meters;

  private final GroupService groups;
  private final ReadReceiptGate readReceipts;
  private final PushPolicy push;
  private final MessagingService service;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;

  private final Map<DeviceAddress, LocalSession> sessions = new ConcurrentHashMap<>();
  private final Map<UserId, Set<LocalSession>> sessionsByUser = new ConcurrentHashMap<>();
  private final Counter delivered;
  private final Counter sentAcks;
  private final DistributionSummary backlogAtConnect;
  private final List<AutoCloseable> handles = new ArrayList<>();
  private volatile boolean started;
  private volatile boolean closed;

  private ChatServer(Builder b) {
    this.serverId = b.serverId;
    this.clock = b.clock;
    this.settings = b.settings;
    this.owned = b.owned;
    this.meters = b.meterRegistry;
    this.consumeInbound = b.consumeInbound;
    this.registry = b.sessionRegistry;
    this.bus = b.messageBus;
    this.offline = b.offlineStore;
    this.idempotency = b.idempotencyStore;
    this.groupDirectory = b.groupDirectory;
    this.archive = b.archiveEnabled ? b.messageArchive : null;
    this.devices = b.deviceDirectory;
    this.presencePolicy = b.presencePolicy;
    this.media = b.mediaStore;
    this.scheduler = Executors.newScheduledThreadPool(1, threads("messagingkit-timer-" + serverId));
    this.workers = Executors.newFixedThreadPool(b.workerThreads, threads("messagingkit-worker"));
    this.quotas = new Quotas(b.limits, clock, devices, offline, registry, groupDirectory);
    this.uploads = new UploadQuota(b.limits, clock);
    this.groups =
        new GroupService(groupDirectory, clock, settings.maxGroupSize(), this::notifyUsers, quotas);
    this.readReceipts = new ReadReceiptGate(idempotency, groupDirectory, clock);
    this.push =
        new PushPolicy(
            clock,
            b.pushGateway,
            devices,
            offline,
            registry,
            scheduler,
            settings,
            meters,
            b.pushPreview);
    this.service =
        new MessagingService(
            clock,
            idempotency,
            offline,
            groupDirectory,
            archive,
            devices,
            b.contactGraph,
            registry,
            bus,
            media,
            push,
            meters);
    Gauge.builder("messagingkit.connections", sessions, Map::size)
        .description("Devices connected to this chat server")
        .tag("server", serverId)
        .register(meters);
    this.delivered =
        Counter.builder("messagingkit.messages.delivered")
            .description("Messages and receipts handed to connected devices")
            .register(meters);
    this.sentAcks =
        Counter.builder("messagingkit.acks")
            .description("Acknowledgments")
            .tag("kind", "sent")
            .register(meters);
    this.backlogAtConnect =
        DistributionSummary.builder("messagingkit.offline.depth")
            .description("Offline queue depth of a device when it connects")
            .register(meters);
  }

  /** A builder with every port on its in-memory default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Attaches to the bus, starts consuming (unless disabled) and starts the heartbeat timer. */
  public synchronized ChatServer start() {
    if (started) {
      return this;
    }
    if (closed) {
      throw new IllegalStateException("chat server " + serverId + " is closed");
    }
    handles.add(bus.attachServer(serverId, this::onDelivery));
    if (consumeInbound) {
      bus.consumeInboundBatches(service::handleAll);
    }
    handles.add(registry.subscribe(this::onPresence));
    long tick = settings.heartbeatInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::heartbeatTick, tick, tick, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(this::purgeDedupe, 1, 60, TimeUnit.MINUTES);
    scheduler.scheduleWithFixedDelay(this::expireDevicesQuietly, 2, 60, TimeUnit.MINUTES);
    started = true;
    log.info("chat server {} started", serverId);
    return this;
  }

  /**
   * Connects an authenticated device. Registers it (presence turns online), replaces an earlier
   * connection of the same device, and starts draining its offline queue in order.
   *
   * @throws InvalidRequestException for a reserved device id (starting with '_')
   * @throws LimitExceededException when the user has {@link ChatServerLimits#maxDevicesPerUser()}
   *     devices, all connected (otherwise the longest-unseen one is replaced)
   * @throws UnavailableException when the server is not started or a backend is down
   */
  public DeviceSession connect(DeviceAddress device, DeviceConnection connection) {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(connection, "connection");
    if (!started || closed) {
      throw new UnavailableException("chat server " + serverId + " is not running");
    }
    if (device.device().value().startsWith("_")) {
      throw new InvalidRequestException("device ids starting with '_' are reserved: " + device);
    }
    quotas.registerDevice(device);
    backlogAtConnect.record(offline.depth(device));
    SessionLease lease = registry.register(device, serverId, connection.connectionId());
    LocalSession session = new LocalSession(this, device, connection, lease);
    LocalSession previous = sessions.put(device, session);
    sessionsByUser.computeIfAbsent(device.user(), u -> ConcurrentHashMap.newKeySet()).add(session);
    if (previous != null) {
      previous.close(CloseReason.REPLACED, "the device connected again");
    }
    session.drain();
    return session;
  }

  /**
   * Registers a device without connecting it (an application may call this at sign-up), so that its
   * user exists for senders and group admins before the device first connects: messages to a user
   * with no registered device are refused. Subject to {@link ChatServerLimits#maxDevicesPerUser()}
   * as {@link #connect} is.
   *
   * @throws LimitExceededException when the user has the maximum of devices, all connected
   */
  public void registerDevice(DeviceAddress device) {
    Objects.requireNonNull(device, "device");
    quotas.registerDevice(device);
  }

  /**
   * Removes every device not seen for {@link ChatServerLimits#deviceRetention()}, with its queue
   * (connected devices are kept). Runs every hour by itself; returns how many were removed.
   */
  public int expireDevices() {
    return quotas.expireDevices();
  }

  /** This server's id in the session registry and on the bus. */
  public String serverId() {
    return serverId;
  }

  /** The number of devices connected to this server. */
  public int connectionCount() {
    return sessions.size();
  }

  /** The meters of this server. */
  public MeterRegistry meterRegistry() {
    return meters;
  }

  /** Closes every connection (going away), detaches from the bus and stops the timers. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (LocalSession session : List.copyOf(sessions.values())) {
      session.close(CloseReason.GOING_AWAY, "server shutting down");
    }
    for (AutoCloseable handle : handles) {
      closeQuietly(handle);
    }
    scheduler.shutdownNow();
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (AutoCloseable component : owned) {
      closeQuietly(component);
    }
    log.info("chat server {} closed", serverId);
  }

  // ---- for sessions ---------------------------------------------------------------------

  Clock clock() {
    return clock;
  }

  ChatServerSettings settings() {
    return settings;
  }

  OfflineStore offlineStore() {
    return offline;
  }

  SessionRegistry sessionRegistry() {
    return registry;
  }

  PresencePolicy presencePolicy() {
    return presencePolicy;
  }

  DeviceDirectory deviceDirectory() {
    return devices;
  }

  PushPolicy pushPolicy() {
    return push;
  }

  GroupService groups() {
    return groups;
  }

  MediaStore mediaStore() {
    if (media == null) {
      throw new UnavailableException("this server has no media store configured");
    }
    return media;
  }

  /** An upload grant within the user's quotas ({@link UploadQuota}). */
  MediaStore.UploadGrant grantUpload(UserId owner, String contentType, long sizeBytes) {
    return uploads.grant(mediaStore(), owner, contentType, sizeBytes);
  }

  void submitWork(Runnable task) {
    try {
      workers.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("server closing; task dropped");
    }
  }

  void countDelivered() {
    delivered.increment();
  }

  /** Checks a send, records its idempotency key and publishes it; completes with SENT_ACK. */
  CompletableFuture<SendReceipt> accept(LocalSession session, SendRequest request) {
    DeviceAddress sender = session.device();
    UserId me = sender.user();
    if (request.claimedSender() != null && !request.claimedSender().equals(me)) {
      throw new ForbiddenException(
          "device of " + me + " may not send as " + request.claimedSender());
    }
    if (request.body().length > settings.maxBodyBytes()) {
      throw new InvalidRequestException(
          "message "
              + request.id().value()
              + " body is "
              + request.body().length
              + " bytes; the limit is "
              + settings.maxBodyBytes());
    }
    if (request.recipient() instanceof Recipient.ToGroup g) {
      groups.requireMember(me, g.group());
    }
    if (request.media() != null) {
      checkMedia(me, request.media());
    }
    Instant now = clock.instant();
    IdempotencyStore.Acceptance acceptance =
        idempotency.accept(me, request.id(), request.recipient(), now);
    if (acceptance.status() == IdempotencyStore.Status.COMPLETED) {
      sentAcks.increment();
      return CompletableFuture.completedFuture(
          new SendReceipt(request.id(), acceptance.acceptedAt(), true));
    }
    if (acceptance.status() == IdempotencyStore.Status.NEW
        && request.recipient() instanceof Recipient.ToUser u
        && !u.user().equals(me)) {
      quotas.checkRecipient(u.user(), request.body().length); // a retry publishes again
    }
    Envelope envelope =
        new Envelope(
            request.id(),
            sender,
            request.recipient(),
            request.type(),
            request.body(),
            request.media(),
            null,
            request.clientTimestamp() != null ? request.clientTimestamp() : now,
            acceptance.acceptedAt(),
            acceptance.sequence());
    boolean duplicate = acceptance.status() != IdempotencyStore.Status.NEW;
    return bus.publish(envelope)
        .handle(
            (ok, failure) -> {
              if (failure != null) {
                Throwable cause =
                    failure instanceof java.util.concurrent.CompletionException
                            && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                if (cause instanceof MessagingException m && !(m instanceof UnavailableException)) {
                  throw m;
                }
                throw new UnavailableException(
                    "message " + request.id().value() + " was not accepted; retry with the same id",
                    cause);
              }
              sentAcks.increment();
              return new SendReceipt(request.id(), acceptance.acceptedAt(), duplicate);
            });
  }

  private void checkMedia(UserId me, MediaRef ref) {
    MediaStore store = mediaStore();
    MediaStore.MediaObject object =
        store
            .seal(ref.objectKey())
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        "media " + ref.objectKey() + " is missing or its upload is unfinished"));
    if (!store.mayRead(ref.objectKey(), me)) {
      throw new ForbiddenException(me + " may not share media " + ref.objectKey());
    }
    if (object.sizeBytes() != ref.sizeBytes()) {
      throw new InvalidRequestException(
          "media "
              + ref.objectKey()
              + " has "
              + object.sizeBytes()
              + " bytes, the message says "
              + ref.sizeBytes());
    }
  }

  /** Publishes a DELIVERED or READ receipt from {@code session}'s device to {@code to}. */
  CompletableFuture<Void> publishReceipt(
      LocalSession session, MessageType type, UserId to, MessageId original) {
    String prefix = type == MessageType.READ_RECEIPT ? "R:" : "D:";
    Instant now = clock.instant();
    Envelope receipt =
        new Envelope(
            MessageId.of(prefix + to.value() + ":" + original.value()),
            session.device(),
            Recipient.user(to),
            type,
            new byte[0],
            null,
            original,
            now,
            now,
            0);
    if (type == MessageType.READ_RECEIPT) {
      return readReceipts.forward(
          session.device().user(), to, original, receipt.id(), () -> bus.publish(receipt));
    }
    return bus.publish(receipt);
  }

  void typing(LocalSession session, Recipient to, boolean typing) {
    UserId me = session.device().user();
    List<UserId> audience = new ArrayList<>();
    if (to instanceof Recipient.ToGroup g) {
      groups.requireMember(me, g.group());
      groupDirectory.members(g.group()).forEach(m -> audience.add(m.member()));
    } else if (presencePolicy.maySee(me, ((Recipient.ToUser) to).user())) {
      // only to a user who let this one see it (the PresencePolicy); others: dropped unseen
      audience.add(((Recipient.ToUser) to).user());
    }
    audience.remove(me);
    notifyUsers(audience, new ServerEvent.Typing(me, to, typing));
  }

  HistoryPage history(
      LocalSession session, Conversation conversation, @Nullable String cursor, int limit) {
    if (archive == null) {
      throw new UnavailableException("this server keeps no message history");
    }
    if (limit < 1 || limit > settings.maxHistoryPage()) {
      throw new InvalidRequestException(
          "history limit must be 1.." + settings.maxHistoryPage() + ", got " + limit);
    }
    UserId me = session.device().user();
    if (conversation instanceof Conversation.Direct d && !d.includes(me)) {
      throw new ForbiddenException(me + " is not part of conversation " + d.key());
    }
    if (conversation instanceof Conversation.Group g) {
      groups.requireMember(me, g.group());
      return GroupHistory.since(
          archive.page(conversation, cursor, limit),
          groupDirectory.memberSince(g.group(), me).orElse(Instant.MAX));
    }
    return archive.page(conversation, cursor, limit);
  }

  /** Sends an ephemeral event to every live device of {@code users}, wherever connected. */
  private void notifyUsers(List<UserId> users, ServerEvent event) {
    for (UserId user : new HashSet<>(users)) {
      try {
        for (SessionLease lease : registry.findAll(user)) {
          bus.deliver(lease.serverId(), new Delivery(lease.device(), event));
        }
      } catch (RuntimeException e) {
        log.debug("could not tell {} about {}", user, event, e);
      }
    }
  }

  void closed(LocalSession session, @Nullable CloseReason reason) {
    sessions.remove(session.device(), session);
    Set<LocalSession> mine = sessionsByUser.get(session.device().user());
    if (mine != null) {
      mine.remove(session);
      if (mine.isEmpty()) {
        sessionsByUser.remove(session.device().user(), mine);
      }
    }
    try {
      registry.unregister(session.lease());
    } catch (RuntimeException e) {
      log.warn("could not unregister {}; its lease will expire", session.device(), e);
    }
    quotas.deviceSeen(session.device());
    if (reason != CloseReason.REPLACED && !closed) {
      push.connectionClosed(session.device());
    }
  }

  // ---- from the bus and the registry ----------------------------------------------------

  private void onDelivery(Delivery delivery) {
    LocalSession session = sessions.get(delivery.target());
    if (session == null) {
      return; // gone meanwhile: what matters is still in its queue
    }
    if (delivery.event() instanceof ServerEvent.Incoming incoming) {
      session.deliverLive(incoming);
    } else {
      session.deliverEphemeral(delivery.event());
    }
  }

  private void onPresence(Presence presence) {
    submitWork(
        () -> {
          try {
            ServerEvent event = new ServerEvent.PresenceChanged(presence);
            for (UserId watcher : presencePolicy.audience(presence.user())) {
              Set<LocalSession> mine = sessionsByUser.get(watcher);
              if (mine != null) {
                mine.forEach(s -> s.deliverEphemeral(event));
              }
            }
          } catch (RuntimeException e) {
            log.warn("presence change of {} not fanned out", presence.user(), e);
          }
        });
  }

  private void heartbeatTick() {
    try {
      Instant now = clock.instant();
      Instant idleBefore = now.minus(settings.idleTimeout());
      List<SessionLease> leases = new ArrayList<>(sessions.size());
      for (LocalSession session : sessions.values()) {
        if (session.lastActivity().isBefore(idleBefore)) {
          session.close(CloseReason.IDLE, "no heartbeat for " + settings.idleTimeout());
        } else {
          leases.add(session.lease());
          session.checkRedelivery(now);
        }
      }
      if (!leases.isEmpty()) {
        Set<SessionLease> stale = registry.renew(leases);
        for (SessionLease lease : stale) {
          LocalSession session = sessions.get(lease.device());
          if (session != null && session.lease().epoch() == lease.epoch()) {
            session.close(CloseReason.REPLACED, "the registration was replaced or expired");
          }
        }
      }
      registry.sweepExpired();
    } catch (RuntimeException e) {
      log.warn("heartbeat tick of {} failed; retrying next tick", serverId, e);
    }
  }

  private void expireDevicesQuietly() {
    try {
      quotas.expireDevices();
    } catch (RuntimeException e) {
      log.warn("expiring unseen devices failed; retrying next hour", e);
    }
  }

  private void purgeDedupe() {
    try {
      idempotency.purgeOlderThan(clock.instant().minus(settings.dedupeRetention()));
    } catch (RuntimeException e) {
      log.warn("purging old dedupe entries failed", e);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      log.debug("close failed", e);
    }
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Assembles a {@link ChatServer}. Every port is optional and defaults to its in-memory adapter;
   * the message archive can be turned off ({@link #noArchive()}); the media store has no default
   * (media requests are refused with {@code UNAVAILABLE} until one is set).
   */
  public static final class Builder {
    private String serverId = "chat-" + UUID.randomUUID().toString().substring(0, 8);
    private Clock clock = Clock.systemUTC();
    private ChatServerSettings settings = ChatServerSettings.defaults();
    private ChatServerLimits limits = ChatServerLimits.defaults();
    private @Nullable SessionRegistry sessionRegistry;
    private @Nullable MessageBus messageBus;
    private @Nullable OfflineStore offlineStore;
    private @Nullable IdempotencyStore idempotencyStore;
    private @Nullable GroupDirectory groupDirectory;
    private @Nullable MessageArchive messageArchive;
    private boolean archiveEnabled = true;
    private @Nullable DeviceDirectory deviceDirectory;
    private @Nullable ContactGraph contactGraph;
    private @Nullable PresencePolicy presencePolicy;
    private @Nullable MediaStore mediaStore;
    private @Nullable PushGateway pushGateway;
    private PushPreview pushPreview = PushPreview.none();
    private @Nullable MeterRegistry meterRegistry;
    private boolean consumeInbound = true;
    private int workerThreads = 8;
    private final List<AutoCloseable> owned = new ArrayList<>();

    private Builder() {}

    /** This server's id: unique among the chat servers sharing a registry and a bus. */
    public Builder serverId(String serverId) {
      this.serverId = Objects.requireNonNull(serverId, "serverId");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder settings(ChatServerSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** The per-user quotas; default {@link ChatServerLimits#defaults()}. */
    public Builder limits(ChatServerLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    public Builder sessionRegistry(SessionRegistry sessionRegistry) {
      this.sessionRegistry = Objects.requireNonNull(sessionRegistry, "sessionRegistry");
      return this;
    }

    public Builder messageBus(MessageBus messageBus) {
      this.messageBus = Objects.requireNonNull(messageBus, "messageBus");
      return this;
    }

    public Builder offlineStore(OfflineStore offlineStore) {
      this.offlineStore = Objects.requireNonNull(offlineStore, "offlineStore");
      return this;
    }

    public Builder idempotencyStore(IdempotencyStore idempotencyStore) {
      this.idempotencyStore = Objects.requireNonNull(idempotencyStore, "idempotencyStore");
      return this;
    }

    public Builder groupDirectory(GroupDirectory groupDirectory) {
      this.groupDirectory = Objects.requireNonNull(groupDirectory, "groupDirectory");
      return this;
    }

    public Builder messageArchive(MessageArchive messageArchive) {
      this.messageArchive = Objects.requireNonNull(messageArchive, "messageArchive");
      this.archiveEnabled = true;
      return this;
    }

    /** Keeps no history: messages are not archived and history requests are refused. */
    public Builder noArchive() {
      this.messageArchive = null;
      this.archiveEnabled = false;
      return this;
    }

    public Builder deviceDirectory(DeviceDirectory deviceDirectory) {
      this.deviceDirectory = Objects.requireNonNull(deviceDirectory, "deviceDirectory");
      return this;
    }

    public Builder contactGraph(ContactGraph contactGraph) {
      this.contactGraph = Objects.requireNonNull(contactGraph, "contactGraph");
      return this;
    }

    /** Who may see whose presence (and send whom TYPING); default {@link ConsentPresencePolicy}. */
    public Builder presencePolicy(PresencePolicy presencePolicy) {
      this.presencePolicy = Objects.requireNonNull(presencePolicy, "presencePolicy");
      return this;
    }

    public Builder mediaStore(MediaStore mediaStore) {
      this.mediaStore = Objects.requireNonNull(mediaStore, "mediaStore");
      return this;
    }

    /**
     * Opts in to a sender-visible preview in pushes (default {@link PushPreview#none()}: pushes
     * carry no content and no sender name).
     */
    public Builder pushPreview(PushPreview pushPreview) {
      this.pushPreview = Objects.requireNonNull(pushPreview, "pushPreview");
      return this;
    }

    public Builder pushGateway(PushGateway pushGateway) {
      this.pushGateway = Objects.requireNonNull(pushGateway, "pushGateway");
      return this;
    }

    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * Whether this process runs the messaging service (consumes the bus's inbound stream); default
     * true. A chat server that only connects devices sets false.
     */
    public Builder consumeInbound(boolean consumeInbound) {
      this.consumeInbound = consumeInbound;
      return this;
    }

    /** Threads for draining queues and fanning out presence (they may block on stores). */
    public Builder workerThreads(int workerThreads) {
      if (workerThreads < 1) {
        throw new IllegalArgumentException(
            "workerThreads must be at least 1, got " + workerThreads);
      }
      this.workerThreads = workerThreads;
      return this;
    }

    /** Builds the server; call {@link ChatServer#start()} to run it. */
    public ChatServer build() {
      if (serverId.isBlank() || serverId.length() > 128) {
        throw new IllegalArgumentException(
            "serverId must be 1..128 characters: '" + serverId + "'");
      }
      if (sessionRegistry == null) {
        InMemorySessionRegistry defaultRegistry =
            InMemorySessionRegistry.builder().clock(clock).grace(settings.idleTimeout()).build();
        owned.add(defaultRegistry);
        sessionRegistry = defaultRegistry;
      }
      if (messageBus == null) {
        InProcessMessageBus defaultBus = InProcessMessageBus.create();
        owned.add(defaultBus);
        messageBus = defaultBus;
      }
      if (offlineStore == null) {
        offlineStore = new InMemoryOfflineStore();
      }
      if (idempotencyStore == null) {
        idempotencyStore = new InMemoryIdempotencyStore();
      }
      if (groupDirectory == null) {
        groupDirectory = new InMemoryGroupDirectory();
      }
      if (archiveEnabled && messageArchive == null) {
        messageArchive = new InMemoryMessageArchive();
      }
      if (deviceDirectory == null) {
        deviceDirectory = new InMemoryDeviceDirectory();
      }
      if (contactGraph == null) {
        contactGraph = new InMemoryContactGraph();
      }
      if (presencePolicy == null) {
        presencePolicy = new ConsentPresencePolicy(contactGraph);
      }
      if (pushGateway == null) {
        pushGateway = new RecordingPushGateway();
      }
      if (meterRegistry == null) {
        meterRegistry = new SimpleMeterRegistry();
      }
      return new ChatServer(this);
    }
  }
}
