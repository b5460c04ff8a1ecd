package io.messagingkit.store.redis;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.Presence;
import io.messagingkit.core.SessionLease;
import io.messagingkit.core.UnavailableException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.SessionRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A {@link SessionRegistry} on Redis, shared by every chat server of a cluster.
 *
 * <p><b>Layout</b> (prefix {@code P}, default {@code messagingkit:}): {@code P lease:<user>} is a
 * hash of the user's leases, field = device id, value = {@code epoch|lastSeenMillis|serverId|
 * connectionId}; {@code P seen} is a hash user &rarr; last-seen millis (only ever raised); {@code P
 * index} is a sorted set of {@code user/device} scored by last seen, for sweeping; {@code P epoch}
 * is the epoch counter; presence changes are published on channel {@code P presence} as {@code
 * user|1|millis} or {@code user|0|millis}. Every change is one Lua script, so registrations are
 * fenced (a stale epoch changes nothing) and last seen never moves backwards, whatever the clocks
 * of the servers.
 *
 * <p><b>Soft state.</b> If Redis loses its data (restart without persistence, flush), the first
 * renewal that finds the epoch counter gone opens a rebuild window of twice the grace, during which
 * renewals re-create the leases they hold instead of reporting them stale; connections stay open
 * and the registry is whole again after one heartbeat interval. No message depends on the registry:
 * an unknown location means "offline", so messages are queued and pushed.
 *
 * <p><b>Failures.</b> Redis unreachable: every call throws {@link UnavailableException}; the
 * presence subscriber reconnects with backoff. Not for Redis Cluster (scripts touch keys of several
 * users); use one primary (with replicas/Sentinel) per deployment.
 */
public final class RedisSessionRegistry implements SessionRegistry {

  private static final Logger log = LoggerFactory.getLogger(RedisSessionRegistry.class);
  private static final int SWEEP_BATCH = 1000;

  private final UnifiedJedis redis;
  private final boolean ownsClient;
  private final String prefix;
  private final Clock clock;
  private final Duration grace;
  private final String channel;
  private final List<PresenceListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, String> shas = new java.util.concurrent.ConcurrentHashMap<>();
  private final Object subscriberLock = new Object();
  private @Nullable Thread subscriber;
  private volatile @Nullable JedisPubSub pubSub;
  private volatile boolean closed;

  private RedisSessionRegistry(Builder b, UnifiedJedis redis, boolean ownsClient) {
    this.redis = redis;
    this.ownsClient = ownsClient;
    this.prefix = b.keyPrefix;
    this.clock = b.clock;
    this.grace = b.grace;
    this.channel = prefix + "presence";
  }

  /** A builder for a registry on its own connection pool to {@code host:port}. */
  public static Builder builder(String host, int port) {
    return new Builder(host, port, null);
  }

  /** A builder for a registry on an existing client (not closed with the registry). */
  public static Builder builder(UnifiedJedis client) {
    return new Builder(null, 0, Objects.requireNonNull(client, "client"));
  }

  @Override
  public SessionLease register(DeviceAddress device, String serverId, String connectionId) {
    checkToken("serverId", serverId);
    checkToken("connectionId", connectionId);
    long now = clock.millis();
    String user = device.user().value();
    Object epoch =
        run(
            "register",
            Scripts.REGISTER,
            List.of(leaseKey(user), prefix + "seen", prefix + "index", prefix + "epoch"),
            List.of(
                user,
                device.device().value(),
                serverId,
                connectionId,
                Long.toString(now),
                Long.toString(grace.toMillis()),
                channel));
    return new SessionLease(
        device, serverId, connectionId, Instant.ofEpochMilli(now), ((Number) epoch).longValue());
  }

  @Override
  public Set<SessionLease> renew(Collection<SessionLease> leases) {
    if (leases.isEmpty()) {
      return Set.of();
    }
    List<SessionLease> batch = List.copyOf(leases);
    List<String> keys = new ArrayList<>(batch.size() + 4);
    keys.add(prefix + "seen");
    keys.add(prefix + "index");
    keys.add(prefix + "epoch");
    keys.add(prefix + "rebuild");
    List<String> args = new ArrayList<>(batch.size() * 5 + 3);
    args.add(Long.toString(clock.millis()));
    args.add(Long.toString(grace.toMillis()));
    args.add(Integer.toString(batch.size()));
    for (SessionLease lease : batch) {
      keys.add(leaseKey(lease.device().user().value()));
      args.add(lease.device().user().value());
      args.add(lease.device().device().value());
      args.add(Long.toString(lease.epoch()));
      args.add(lease.serverId());
      args.add(lease.connectionId());
    }
    Object result = run("renew", Scripts.RENEW, keys, args);
    Set<SessionLease> stale = new HashSet<>();
    for (Object position : (List<?>) result) {
      stale.add(batch.get(((Number) position).intValue() - 1));
    }
    return stale;
  }

  @Override
  public void unregister(SessionLease lease) {
    String user = lease.device().user().value();
    run(
        "unregister",
        Scripts.UNREGISTER,
        List.of(leaseKey(user), prefix + "seen", prefix + "index"),
        List.of(
            user,
            lease.device().device().value(),
            Long.toString(lease.epoch()),
            Long.toString(clock.millis()),
            Long.toString(grace.toMillis()),
            channel));
  }

  @Override
  public Optional<SessionLease> find(DeviceAddress device) {
    String value =
        call("find", () -> redis.hget(leaseKey(device.user().value()), device.device().value()));
    if (value == null) {
      return Optional.empty();
    }
    SessionLease lease = parse(device, value);
    return isLive(lease, clock.millis()) ? Optional.of(lease) : Optional.empty();
  }

  @Override
  public List<SessionLease> findAll(UserId user) {
    Map<String, String> all = call("findAll", () -> redis.hgetAll(leaseKey(user.value())));
    return live(user, all, clock.millis());
  }

  /** The users' lease hashes in one pipelined round trip. */
  @Override
  public Map<UserId, List<SessionLease>> findAllOf(Collection<UserId> users) {
    List<UserId> distinct = users.stream().distinct().toList();
    Map<UserId, Map<String, String>> hashes =
        call(
            "findAllOf",
            () -> {
              Map<UserId, Response<Map<String, String>>> responses = new LinkedHashMap<>();
              try (AbstractPipeline pipeline = redis.pipelined()) {
                for (UserId user : distinct) {
                  responses.put(user, pipeline.hgetAll(leaseKey(user.value())));
                }
                pipeline.sync();
              }
              Map<UserId, Map<String, String>> read = new HashMap<>();
              responses.forEach((user, response) -> read.put(user, response.get()));
              return read;
            });
    long now = clock.millis();
    Map<UserId, List<SessionLease>> result = new HashMap<>();
    hashes.forEach((user, all) -> result.put(user, live(user, all, now)));
    return result;
  }

  /** The live leases in a user's lease hash, ordered by device. */
  private List<SessionLease> live(UserId user, Map<String, String> all, long now) {
    List<SessionLease> live = new ArrayList<>(all.size());
    all.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              SessionLease lease =
                  parse(new DeviceAddress(user, DeviceId.of(e.getKey())), e.getValue());
              if (isLive(lease, now)) {
                live.add(lease);
              }
            });
    return live;
  }

  @Override
  public Presence presence(UserId user) {
    List<SessionLease> live = findAll(user);
    String seen = call("presence", () -> redis.hget(prefix + "seen", user.value()));
    Instant lastSeen = seen == null ? null : Instant.ofEpochMilli(Long.parseLong(seen));
    for (SessionLease lease : live) {
      lastSeen =
          lastSeen == null ? lease.lastSeen() : SessionRegistry.max(lastSeen, lease.lastSeen());
    }
    return new Presence(user, !live.isEmpty(), lastSeen);
  }

  @Override
  public int sweepExpired() {
    int total = 0;
    int removed;
    do {
      Object result =
          run(
              "sweep",
              Scripts.SWEEP,
              List.of(prefix + "index", prefix + "seen"),
              List.of(
                  Long.toString(clock.millis()),
                  Long.toString(grace.toMillis()),
                  prefix,
                  channel,
                  Integer.toString(SWEEP_BATCH)));
      removed = ((Number) result).intValue();
      total += removed;
    } while (removed == SWEEP_BATCH);
    return total;
  }

  @Override
  public AutoCloseable subscribe(PresenceListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    startSubscriber();
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() {
    closed = true;
    JedisPubSub current = pubSub;
    if (current != null && current.isSubscribed()) {
      try {
        current.unsubscribe();
      } catch (RuntimeException e) {
        log.debug("unsubscribe failed", e);
      }
    }
    Thread thread;
    synchronized (subscriberLock) {
      thread = subscriber;
    }
    if (thread != null) {
      thread.interrupt();
    }
    if (ownsClient) {
      redis.close();
    }
  }

  // ---- internals ------------------------------------------------------------------------

  private void startSubscriber() {
    synchronized (subscriberLock) {
      if (subscriber != null || closed) {
        return;
      }
      Thread thread = new Thread(this::subscribeLoop, "messagingkit-redis-presence");
      thread.setDaemon(true);
      subscriber = thread;
      thread.start();
    }
  }

  private void subscribeLoop() {
    long backoff = 100;
    while (!closed) {
      JedisPubSub current =
          new JedisPubSub() {
            @Override
            public void onMessage(String ch, String message) {
              dispatch(message);
            }
          };
      pubSub = current;
      try {
        redis.subscribe(current, channel); // blocks until unsubscribed or the connection fails
        backoff = 100;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        log.warn("presence subscription to Redis lost; retrying in {} ms", backoff, e);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  private void dispatch(String message) {
    String[] parts = message.split("\\|", 3);
    if (parts.length != 3) {
      log.warn("ignoring malformed presence message '{}'", message);
      return;
    }
    Presence presence;
    try {
      presence =
          new Presence(
              UserId.of(parts[0]),
              "1".equals(parts[1]),
              Instant.ofEpochMilli(Long.parseLong(parts[2])));
    } catch (IllegalArgumentException e) {
      log.warn("ignoring malformed presence message '{}'", message);
      return;
    }
    for (PresenceListener listener : listeners) {
      try {
        listener.presenceChanged(presence);
      } catch (RuntimeException e) {
        log.warn("presence listener failed for {}", presence.user(), e);
      }
    }
  }

  private Object run(String what, String script, List<String> keys, List<String> args) {
    return call(
        what,
        () -> {
          String sha = shas.computeIfAbsent(script, redis::scriptLoad);
          try {
            return redis.evalsha(sha, keys, args);
          } catch (JedisNoScriptException flushed) {
            shas.remove(script);
            return redis.eval(script, keys, args);
          }
        });
  }

  private <T> T call(String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (JedisException e) {
      throw new UnavailableException(
          "Redis session registry: " + what + " failed: " + e.getMessage(), e);
    }
  }

  private String leaseKey(String user) {
    return prefix + "lease:" + user;
  }

  private boolean isLive(SessionLease lease, long nowMillis) {
    return lease.lastSeen().toEpochMilli() >= nowMillis - grace.toMillis();
  }

  private static SessionLease parse(DeviceAddress device, String value) {
    String[] parts = value.split("\\|", 4);
    return new SessionLease(
        device,
        parts[2],
        parts[3],
        Instant.ofEpochMilli(Long.parseLong(parts[1])),
        Long.parseLong(parts[0]));
  }

  private static void checkToken(String name, String value) {
    if (value.indexOf('|') >= 0) {
      throw new IllegalArgumentException(name + " must not contain '|': " + value);
    }
  }

  /** Settings of a {@link RedisSessionRegistry}. */
  public static final class Builder {
    private final @Nullable String host;
    private final int port;
    private final @Nullable UnifiedJedis client;
    private String keyPrefix = "messagingkit:";
    private Clock clock = Clock.systemUTC();
    private Duration grace = Duration.ofSeconds(15);
    private int database;
    private @Nullable String password;
    private Duration timeout = Duration.ofSeconds(2);

    private Builder(@Nullable String host, int port, @Nullable UnifiedJedis client) {
      this.host = host;
      this.port = port;
      this.client = client;
    }

    /** Prefix of every key and channel (default {@code messagingkit:}); isolates deployments. */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a lease lives without renewal (default 15 s). */
    public Builder grace(Duration grace) {
      this.grace = Objects.requireNonNull(grace, "grace");
      return this;
    }

    /** The Redis database index (own pool only). */
    public Builder database(int database) {
      this.database = database;
      return this;
    }

    /** The Redis password (own pool only). */
    public Builder password(@Nullable String password) {
      this.password = password;
      return this;
    }

    /** Connect and socket timeout (own pool only; default 2 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public RedisSessionRegistry build() {
      if (grace.isNegative() || grace.isZero()) {
        throw new IllegalArgumentException("grace must be positive, got " + grace);
      }
      if (keyPrefix.isEmpty()) {
        throw new IllegalArgumentException("keyPrefix must not be empty");
      }
      if (client != null) {
        return new RedisSessionRegistry(this, client, false);
      }
      if (host == null || host.isBlank() || port <= 0 || port > 65535) {
        throw new IllegalArgumentException(
            "host and port must name a Redis server: " + host + ":" + port);
      }
      DefaultJedisClientConfig config =
          DefaultJedisClientConfig.builder()
              .connectionTimeoutMillis((int) timeout.toMillis())
              .socketTimeoutMillis((int) timeout.toMillis())
              .database(database)
              .password(password)
              .clientName("messagingkit")
              .build();
      return new RedisSessionRegistry(
          this,
          RedisClient.builder()
              .hostAndPort(new HostAndPort(host, port))
              .clientConfig(config)
              .build(),
          true);
    }
  }
}
