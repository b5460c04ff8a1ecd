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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
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
  private final Counter dropped;
  private final Map<MessageType, Counter> routedToUsers;
  private final Map<MessageType, Counter> routedToGroups;
  private final Counter deliveredAcks;
  private final Counter readAcks;

  /**
   * The (sender, recipient) pairs this service has linked in the contact graph: links are never
   * removed, so a pair is written once per process, not once per message. Bounded: forgotten as a
   * whole past {@value #LINKS_REMEMBERED} pairs (the next message of a pair links it again).
   */
  private final Set<List<UserId>> linked = ConcurrentHashMap.newKeySet();

  private static final int LINKS_REMEMBERED = 100_000;

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
    this.routingLatency =
        Timer.builder("messagingkit.routing.latency")
            .description("From acceptance by the chat server to stored and handed to live devices")
            .publishPercentileHistogram()
            .register(meters);
    this.dropped =
        Counter.builder("messagingkit.messages.dropped")
            .description("Envelopes refused by the messaging service (sender left the group)")
            .register(meters);
    // registered once: a lookup per envelope showed in profiles
    this.routedToUsers = routedCounters(meters, "user");
    this.routedToGroups = routedCounters(meters, "group");
    this.deliveredAcks = ackCounter(meters, "delivered");
    this.readAcks = ackCounter(meters, "read");
  }

  private static Map<MessageType, Counter> routedCounters(MeterRegistry meters, String recipient) {
    Map<MessageType, Counter> counters = new EnumMap<>(MessageType.class);
    for (MessageType type : MessageType.values()) {
      if (!type.isReceipt()) {
        counters.put(
            type,
            Counter.builder("messagingkit.messages.routed")
                .description("Messages stored and routed to their recipient devices")
                .tag("type", type.name())
                .tag("recipient", recipient)
                .register(meters));
      }
    }
    return counters;
  }

  private static Counter ackCounter(MeterRegistry meters, String kind) {
    return Counter.builder("messagingkit.acks")
        .description("Acknowledgments routed back to senders")
        .tag("kind", kind)
        .register(meters);
  }

  /**
   * The bus consumer, for a batch of envelopes in stream order per key: each step runs once for the
   * whole batch where the ports allow it (archive, offline store), and device and group lookups are
   * made once per user and group. A failure leaves the whole batch unacknowledged; every step is
   * idempotent, so handing it over again repeats nothing visible.
   */
  CompletionStage<Void> handleAll(List<Envelope> envelopes) {
    try {
      route(envelopes);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      log.warn(
          "routing {} envelope(s) from {} failed; the bus will hand them over again",
          envelopes.size(),
          envelopes.get(0),
          e);
      return CompletableFuture.failedFuture(e);
    }
  }

  private void route(List<Envelope> envelopes) {
    // a batch of one (the in-process bus, every envelope) has nothing to dedupe
    @Nullable Set<List<Object>> seen = envelopes.size() > 1 ? new HashSet<>() : null;
    List<Envelope> unique = new ArrayList<>(envelopes.size());
    List<IdempotencyStore.Addressed> keys = new ArrayList<>(envelopes.size());
    Instant latest = Instant.EPOCH;
    for (Envelope envelope : envelopes) {
      // the same envelope twice in one batch (a resend): route it once
      if (seen == null || seen.add(List.of(envelope.type(), envelope.from(), envelope.id()))) {
        unique.add(envelope);
        if (!envelope.type().isReceipt()) {
          keys.add(
              new IdempotencyStore.Addressed(envelope.from(), envelope.id(), envelope.recipient()));
          if (envelope.serverTimestamp().isAfter(latest)) {
            latest = envelope.serverTimestamp();
          }
        }
      }
    }
    Iterator<IdempotencyStore.Acceptance> acceptances =
        keys.isEmpty()
            ? Collections.emptyIterator()
            : idempotency.acceptAll(keys, latest).iterator();

    if (linked.size() > LINKS_REMEMBERED) {
      linked.clear();
    }
    Lookups lookups = new Lookups();
    lookups.prefetchDevices(unique);
    List<Routed> routed = new ArrayList<>(unique.size());
    List<IdempotencyStore.Key> done = new ArrayList<>(keys.size());
    for (Envelope envelope : unique) {
      if (envelope.type().isReceipt()) {
        UserId to = ((Recipient.ToUser) envelope.recipient()).user();
        routed.add(new Routed(envelope, targets(Set.of(to), envelope.sender(), lookups)));
        continue;
      }
      IdempotencyStore.Acceptance acceptance = acceptances.next();
      if (acceptance.status() == IdempotencyStore.Status.COMPLETED) {
        continue;
      }
      done.add(new IdempotencyStore.Key(envelope.from(), envelope.id()));
      Routed message = route(envelope, acceptance, lookups);
      if (message != null) {
        routed.add(message);
      }
    }
    if (routed.isEmpty()) {
      idempotency.completeAll(done);
      return;
    }

    List<Envelope> messages = new ArrayList<>(routed.size());
    for (Routed r : routed) {
      if (!r.envelope().type().isReceipt()) {
        messages.add(r.envelope());
      }
    }
    if (archive != null && !messages.isEmpty()) {
      archive.appendAll(messages);
    }
    if (media != null) {
      for (Routed r : routed) {
        MediaRef ref = r.envelope().media();
        if (ref != null) {
          for (UserId user : r.targets().keySet()) {
            if (!user.equals(r.envelope().from())) {
              media.grantRead(ref.objectKey(), user);
            }
          }
        }
      }
    }

    List<OfflineStore.Item> items = new ArrayList<>();
    for (Routed r : routed) {
      r.targets()
          .values()
          .forEach(ds -> ds.forEach(d -> items.add(new OfflineStore.Item(d, r.envelope()))));
    }
    List<Long> sequences = offline.enqueueAllAndComplete(items, idempotency, done);

    deliver(items, sequences, lookups);
    for (Routed r : routed) {
      Envelope e = r.envelope();
      if (e.type().isReceipt()) {
        (e.type() == MessageType.READ_RECEIPT ? readAcks : deliveredAcks).increment();
      } else {
        (e.recipient() instanceof Recipient.ToGroup ? routedToGroups : routedToUsers)
            .get(e.type())
            .increment();
        routingLatency.record(Duration.between(e.serverTimestamp(), clock.instant()));
      }
    }
  }

  /**
   * Who an accepted message goes to; null when it goes to no one: sent to a group the sender is not
   * in (dropped; the caller marks it complete).
   */
  private @Nullable Routed route(
      Envelope envelope, IdempotencyStore.Acceptance acceptance, Lookups lookups) {
    UserId sender = envelope.from();
    Envelope accepted =
        envelope.serverSequence() == acceptance.sequence()
            ? envelope
            : envelope.withServerSequence(acceptance.sequence());

    Set<UserId> users = new LinkedHashSet<>();
    if (accepted.recipient() instanceof Recipient.ToGroup g) {
      if (groups.membership(g.group(), sender).isEmpty()) {
        log.info("dropping {}: {} is not a member of {}", accepted, sender, g.group());
        dropped.increment();
        return null;
      }
      lookups.members(g.group()).forEach(m -> users.add(m.member()));
    } else {
      UserId to = ((Recipient.ToUser) accepted.recipient()).user();
      users.add(to);
      users.add(sender);
      if (!to.equals(sender) && linked.add(List.of(sender, to))) {
        try {
          contacts.link(sender, to);
        } catch (RuntimeException e) {
          linked.remove(List.of(sender, to));
          throw e;
        }
      }
    }
    return new Routed(accepted, targets(users, accepted.sender(), lookups));
  }

  /**
   * Every device of {@code users} except {@code sendingDevice}; a user without a device gets
   * nothing (sends to users with no device are refused at acceptance; one whose last device expired
   * meanwhile has no queue to keep a copy in).
   */
  private Map<UserId, List<DeviceAddress>> targets(
      Set<UserId> users, DeviceAddress sendingDevice, Lookups lookups) {
    Map<UserId, List<DeviceAddress>> targets = new LinkedHashMap<>();
    for (UserId user : users) {
      List<DeviceId> known = lookups.devices(user);
      List<DeviceAddress> mine = new ArrayList<>(known.size());
      for (DeviceId id : known) {
        DeviceAddress device = new DeviceAddress(user, id);
        if (!device.equals(sendingDevice)) {
          mine.add(device);
        }
      }
      if (!mine.isEmpty()) {
        targets.put(user, mine);
      }
    }
    return targets;
  }

  /**
   * Hands each stored item to its device's chat server when the device is online; asks for a push
   * when it is not (messages only, never receipts).
   */
  private void deliver(List<OfflineStore.Item> items, List<Long> sequences, Lookups lookups) {
    lookups.prefetchSessions(items);
    for (int i = 0; i < items.size(); i++) {
      OfflineStore.Item item = items.get(i);
      boolean pushWhenOffline = !item.envelope().type().isReceipt();
      SessionLease lease = lookups.session(item.device());
      if (lease == null) {
        if (pushWhenOffline) {
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

  private static Map<DeviceAddress, SessionLease> online(List<SessionLease> leases) {
    Map<DeviceAddress, SessionLease> online = new HashMap<>();
    for (SessionLease lease : leases) {
      online.put(lease.device(), lease);
    }
    return online;
  }

  /** An envelope to store and deliver, and its target devices by user. */
  private record Routed(Envelope envelope, Map<UserId, List<DeviceAddress>> targets) {}

  /** What one batch looked up, so that each user's devices and sessions are read once. */
  private final class Lookups {
    private final Map<UserId, List<DeviceId>> devices = new HashMap<>();
    private final Map<GroupId, List<GroupMember>> members = new HashMap<>();
    private final Map<UserId, Map<DeviceAddress, SessionLease>> sessions = new HashMap<>();

    List<DeviceId> devices(UserId user) {
      return this.devices.computeIfAbsent(user, MessagingService.this.devices::devices);
    }

    /** Looks up at once the live sessions of every user with an item. */
    void prefetchSessions(List<OfflineStore.Item> items) {
      Set<UserId> users = new HashSet<>();
      for (OfflineStore.Item item : items) {
        if (!sessions.containsKey(item.device().user())) {
          users.add(item.device().user());
        }
      }
      if (users.size() > 1) {
        registry.findAllOf(users).forEach((user, leases) -> sessions.put(user, online(leases)));
      }
    }

    /** Looks up at once the devices of every user the batch names (group members come later). */
    void prefetchDevices(List<Envelope> envelopes) {
      Set<UserId> users = new HashSet<>();
      for (Envelope e : envelopes) {
        users.add(e.from());
        if (e.recipient() instanceof Recipient.ToUser u) {
          users.add(u.user());
        }
      }
      if (users.size() > 1) {
        this.devices.putAll(MessagingService.this.devices.devicesOf(users));
      }
    }

    List<GroupMember> members(GroupId group) {
      return this.members.computeIfAbsent(group, groups::members);
    }

    @Nullable SessionLease session(DeviceAddress device) {
      return sessions
          .computeIfAbsent(device.user(), user -> online(registry.findAll(user)))
          .get(device);
    }
  }
}
