package io.messagingkit.core;

import io.messagingkit.core.port.ContactGraph;
import io.messagingkit.core.port.Delivery;
import io.messagingkit.core.port.DeviceDirectory;
import io.messagingkit.core.port.GroupDirectory;
import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.core.port.MediaStore;
import io.messagingkit.core.port.MessageArchive;
import io.messagingkit.core.port.MessageBus;
import io.messagingkit.core.port.OfflineStore;
import io.messagingkit.core.port.SessionRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messaging service of the seed's figure 4: consumes the bus's inbound stream and, for each
 * envelope, dedupes, archives, stores one copy per target device in the offline store, then
 * delivers to the devices that are online and asks for a push for those that are not. Every step is
 * idempotent, so a redelivered envelope repeats nothing visible.
 */
final class MessagingService {

  private static final Logger log = LoggerFactory.getLogger(MessagingService.class);

  /** The queue of a user who has no device yet; moved to the user's first device. */
  static final DeviceId PENDING = DeviceId.of("_pending");

  private final Clock clock;
  private final IdempotencyStore idempotency;
  private final OfflineStore offline;
  private final GroupDirectory groups;
  private final @Nullable MessageArchive archive;
  private final DeviceDirectory devices;
  private final ContactGraph contacts;
  private final SessionRegistry registry;
  private final MessageBus bus;
  private final @Nullable MediaStore media;
  private final PushPolicy push;
  private final Timer routingLatency;
  private final MeterRegistry meters;
  private final Counter dropped;

  MessagingService(
      Clock clock,
      IdempotencyStore idempotency,
      OfflineStore offline,
      GroupDirectory groups,
      @Nullable MessageArchive archive,
      DeviceDirectory devices,
      ContactGraph contacts,
      SessionRegistry registry,
      MessageBus bus,
      @Nullable MediaStore media,
      PushPolicy push,
      MeterRegistry meters) {
    this.clock = clock;
    this.idempotency = idempotency;
    this.offline = offline;
    this.groups = groups;
    this.archive = archive;
    this.devices = devices;
    this.contacts = contacts;
    this.registry = registry;
    this.bus = bus;
    this.media = media;
    this.push = push;
    this.meters = meters;
    this.routingLatency =
        Timer.builder("messagingkit.routing.latency")
            .description("From acceptance by the chat server to stored and handed to live devices")
            .publishPercentileHistogram()
            .register(meters);
    this.dropped =
        Counter.builder("messagingkit.messages.dropped")
            .description("Envelopes refused by the messaging service (sender left the group)")
            .register(meters);
  }

  /**
   * The bus consumer. A failure leaves the envelope unacknowledged so the bus hands it over again.
   */
  CompletionStage<Void> handle(Envelope envelope) {
    try {
      if (envelope.type().isReceipt()) {
        routeReceipt(envelope);
      } else {
        routeMessage(envelope);
      }
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      log.warn("routing {} failed; the bus will hand it over again", envelope, e);
      return CompletableFuture.failedFuture(e);
    }
  }

  private void routeMessage(Envelope envelope) {
    UserId sender = envelope.from();
    IdempotencyStore.Acceptance acceptance =
        idempotency.accept(sender, envelope.id(), envelope.serverTimestamp());
    if (acceptance.status() == IdempotencyStore.Status.COMPLETED) {
      return;
    }
    Envelope accepted =
        envelope.serverSequence() == acceptance.sequence()
            ? envelope
            : envelope.withServerSequence(acceptance.sequence());

    Set<UserId> users = new LinkedHashSet<>();
    if (accepted.recipient() instanceof Recipient.ToGroup g) {
      if (groups.membership(g.group(), sender).isEmpty()) {
        log.info("dropping {}: {} is not a member of {}", accepted, sender, g.group());
        dropped.increment();
        idempotency.complete(sender, accepted.id());
        return;
      }
      groups.members(g.group()).forEach(m -> users.add(m.member()));
    } else {
      UserId to = ((Recipient.ToUser) accepted.recipient()).user();
      users.add(to);
      users.add(sender);
      if (!to.equals(sender)) {
        contacts.link(sender, to);
      }
    }

    if (archive != null) {
      archive.append(accepted);
    }
    if (media != null && accepted.media() != null) {
      for (UserId user : users) {
        if (!user.equals(sender)) {
          media.grantRead(accepted.media().objectKey(), user);
        }
      }
    }

    Map<UserId, List<DeviceAddress>> targets = targets(users, accepted.sender());
    List<OfflineStore.Item> items = new ArrayList<>();
    targets.values().forEach(ds -> ds.forEach(d -> items.add(new OfflineStore.Item(d, accepted))));
    List<Long> sequences = offline.enqueueAll(items);
    idempotency.complete(sender, accepted.id());

    deliver(targets, items, sequences, true);
    Counter.builder("messagingkit.messages.routed")
        .description("Messages stored and routed to their recipient devices")
        .tag("type", accepted.type().name())
        .tag("recipient", accepted.recipient() instanceof Recipient.ToGroup ? "group" : "user")
        .register(meters)
        .increment();
    routingLatency.record(Duration.between(accepted.serverTimestamp(), clock.instant()));
  }

  private void routeReceipt(Envelope receipt) {
    UserId to = ((Recipient.ToUser) receipt.recipient()).user();
    Map<UserId, List<DeviceAddress>> targets = targets(Set.of(to), receipt.sender());
    List<OfflineStore.Item> items = new ArrayList<>();
    targets.values().forEach(ds -> ds.forEach(d -> items.add(new OfflineStore.Item(d, receipt))));
    List<Long> sequences = offline.enqueueAll(items);
    deliver(targets, items, sequences, false);
    Counter.builder("messagingkit.acks")
        .description("Acknowledgments routed back to senders")
        .tag("kind", receipt.type() == MessageType.READ_RECEIPT ? "read" : "delivered")
        .register(meters)
        .increment();
  }

  /**
   * Every device of {@code users} except {@code sendingDevice}; a user without one gets PENDING.
   */
  private Map<UserId, List<DeviceAddress>> targets(Set<UserId> users, DeviceAddress sendingDevice) {
    Map<UserId, List<DeviceAddress>> targets = new HashMap<>();
    for (UserId user : users) {
      List<DeviceId> known = devices.devices(user);
      List<DeviceAddress> mine = new ArrayList<>(Math.max(1, known.size()));
      if (known.isEmpty()) {
        if (!user.equals(sendingDevice.user())) {
          mine.add(new DeviceAddress(user, PENDING));
        }
      } else {
        for (DeviceId id : known) {
          DeviceAddress device = new DeviceAddress(user, id);
          if (!device.equals(sendingDevice)) {
            mine.add(device);
          }
        }
      }
      if (!mine.isEmpty()) {
        targets.put(user, mine);
      }
    }
    return targets;
  }

  private void deliver(
      Map<UserId, List<DeviceAddress>> targets,
      List<OfflineStore.Item> items,
      List<Long> sequences,
      boolean pushWhenOffline) {
    Map<DeviceAddress, SessionLease> online = new HashMap<>();
    for (UserId user : targets.keySet()) {
      for (SessionLease lease : registry.findAll(user)) {
        online.put(lease.device(), lease);
      }
    }
    for (int i = 0; i < items.size(); i++) {
      OfflineStore.Item item = items.get(i);
      SessionLease lease = online.get(item.device());
      if (lease == null) {
        if (pushWhenOffline && !item.device().device().equals(PENDING)) {
          push.messageWaiting(item.device(), item.envelope());
        }
        continue;
      }
      Delivery delivery =
          new Delivery(item.device(), new ServerEvent.Incoming(item.envelope(), sequences.get(i)));
      bus.deliver(lease.serverId(), delivery)
          .whenComplete(
              (ok, failure) -> {
                if (failure != null && pushWhenOffline) {
                  log.debug("live delivery to {} failed; pushing instead", item.device(), failure);
                  push.messageWaiting(item.device(), item.envelope());
                }
              });
    }
  }

  /**
   * Moves what was queued for a user before the user had any device to {@code device}, the user's
   * first. Idempotent: entries already moved are skipped by the offline store's dedupe.
   */
  void adoptPending(DeviceAddress device) {
    DeviceAddress pending = new DeviceAddress(device.user(), PENDING);
    List<QueuedMessage> page;
    while (!(page = offline.fetch(pending, 0, 500)).isEmpty()) {
      List<OfflineStore.Item> items = new ArrayList<>(page.size());
      page.forEach(q -> items.add(new OfflineStore.Item(device, q.envelope())));
      offline.enqueueAll(items);
      for (QueuedMessage q : page) {
        offline.acknowledge(pending, q.envelope().from(), q.envelope().id());
      }
    }
  }
}
