package io.messagingkit.store.jdbc;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.NotFoundException;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.DeviceDirectory;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DeviceDirectory} in a relational database: table {@code mk_device}, one row per (user,
 * device) with when it was last seen (epoch milliseconds) and its push target (platform, token, and
 * the provider's keys in a stable {@code k=v&k=v} form, so {@link #clearPushTarget} compares the
 * whole target in one conditional update).
 *
 * <p>Thread-safe. Build with {@link #builder(DataSource)} or through {@link JdbcStores}.
 */
public final class JdbcDeviceDirectory implements DeviceDirectory {
  private static final int LOOKUP_CHUNK = 500;

  private final Db db;
  private final String table;
  private final String owners;

  JdbcDeviceDirectory(Db db) {
    this.db = db;
    this.table = db.table("mk_device");
    this.owners = db.table("mk_device_owner");
  }

  /** A builder on {@code dataSource}, whose schema must have been migrated. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * {@inheritDoc}
   *
   * <p>A known device's last-seen time is moved in one statement. A new one is added in a
   * transaction that first locks the user's row of {@code mk_device_owner} (created beforehand in a
   * statement of its own, so that concurrent creators never deadlock on it), so that concurrent
   * registrations of one user's devices are counted one after the other.
   */
  @Override
  public Registration register(DeviceAddress device, Instant seenAt, int maxDevices) {
    long millis = seenAt.toEpochMilli();
    if (touch(device, seenAt)) {
      return Registration.KNOWN;
    }
    db.call(
        "registering the owner of " + device,
        h -> {
          Map<String, Object> owner = new LinkedHashMap<>();
          owner.put("user_id", device.user().value());
          return db.dialect.insertIfAbsent(h, owners, "user_id", owner);
        });
    return db.tx(
        "registering device " + device,
        h -> {
          h.createQuery("SELECT user_id FROM " + owners + " WHERE user_id = :u FOR UPDATE")
              .bind("u", device.user().value())
              .mapTo(String.class)
              .one();
          if (touch(h, device, millis)) {
            return Registration.KNOWN; // added meanwhile by a concurrent registration
          }
          long count =
              h.createQuery("SELECT COUNT(*) FROM " + table + " WHERE user_id = :u")
                  .bind("u", device.user().value())
                  .mapTo(Long.class)
                  .one();
          if (count >= maxDevices) {
            return Registration.FULL;
          }
          h.createUpdate(
                  "INSERT INTO "
                      + table
                      + " (user_id, device_id, last_seen_ms) VALUES (:u, :d, :t)")
              .bind("u", device.user().value())
              .bind("d", device.device().value())
              .bind("t", millis)
              .execute();
          return Registration.NEW;
        });
  }

  @Override
  public boolean touch(DeviceAddress device, Instant seenAt) {
    return db.call(
        "recording when " + device + " was seen", h -> touch(h, device, seenAt.toEpochMilli()));
  }

  private boolean touch(Handle h, DeviceAddress device, long millis) {
    int updated =
        h.createUpdate(
                "UPDATE "
                    + table
                    + " SET last_seen_ms = :t WHERE user_id = :u AND device_id = :d"
                    + " AND last_seen_ms < :t")
            .bind("t", millis)
            .bind("u", device.user().value())
            .bind("d", device.device().value())
            .execute();
    return updated > 0 || exists(h, device);
  }

  @Override
  public Map<DeviceId, Instant> lastSeen(UserId user) {
    Map<DeviceId, Instant> result = new LinkedHashMap<>();
    db.call(
            "reading when the devices of " + user + " were seen",
            h ->
                h.createQuery(
                        "SELECT device_id, last_seen_ms FROM "
                            + table
                            + " WHERE user_id = :u ORDER BY device_id")
                    .bind("u", user.value())
                    .map(
                        (rs, ctx) ->
                            Map.entry(
                                DeviceId.of(rs.getString(1)), Instant.ofEpochMilli(rs.getLong(2))))
                    .list())
        .forEach(e -> result.put(e.getKey(), e.getValue()));
    return result;
  }

  /** Served by the index on {@code last_seen_ms}. */
  @Override
  public List<DeviceAddress> unseenSince(Instant cutoff, int limit) {
    return db.call(
        "listing devices unseen since " + cutoff,
        h ->
            h.createQuery(
                    "SELECT user_id, device_id FROM "
                        + table
                        + " WHERE last_seen_ms < :c ORDER BY last_seen_ms, user_id, device_id"
                        + " LIMIT :n")
                .bind("c", cutoff.toEpochMilli())
                .bind("n", limit)
                .map(
                    (rs, ctx) ->
                        new DeviceAddress(UserId.of(rs.getString(1)), DeviceId.of(rs.getString(2))))
                .list());
  }

  @Override
  public List<DeviceId> devices(UserId user) {
    return db.call(
        "listing the devices of " + user,
        h ->
            h.createQuery(
                    "SELECT device_id FROM " + table + " WHERE user_id = :u ORDER BY device_id")
                .bind("u", user.value())
                .map((rs, ctx) -> DeviceId.of(rs.getString(1)))
                .list());
  }

  /** One query per 500 users. */
  @Override
  public Map<UserId, List<DeviceId>> devicesOf(Collection<UserId> users) {
    List<String> ids = users.stream().map(UserId::value).distinct().toList();
    Map<UserId, List<DeviceId>> result = new HashMap<>();
    users.forEach(u -> result.put(u, new ArrayList<>()));
    for (int from = 0; from < ids.size(); from += LOOKUP_CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + LOOKUP_CHUNK));
      db.call(
              "listing the devices of " + chunk.size() + " user(s)",
              h ->
                  h.createQuery(
                          "SELECT user_id, device_id FROM "
                              + table
                              + " WHERE user_id IN (<users>) ORDER BY user_id, device_id")
                      .bindList("users", chunk)
                      .map(
                          (rs, ctx) ->
                              Map.entry(UserId.of(rs.getString(1)), DeviceId.of(rs.getString(2))))
                      .list())
          .forEach(e -> result.get(e.getKey()).add(e.getValue()));
    }
    result.replaceAll((user, devices) -> List.copyOf(devices));
    return result;
  }

  @Override
  public boolean remove(DeviceAddress device) {
    return db.call(
        "removing device " + device,
        h ->
            h.createUpdate("DELETE FROM " + table + " WHERE user_id = :u AND device_id = :d")
                    .bind("u", device.user().value())
                    .bind("d", device.device().value())
                    .execute()
                > 0);
  }

  @Override
  public void setPushTarget(DeviceAddress device, PushTarget target) {
    boolean known =
        db.call(
            "setting the push target of " + device,
            h -> {
              int updated =
                  h.createUpdate(
                          "UPDATE "
                              + table
                              + " SET push_platform = :p, push_token = :t, push_keys = :k"
                              + " WHERE user_id = :u AND device_id = :d")
                      .bind("p", target.platform().name())
                      .bind("t", target.token())
                      .bind("k", encodeKeys(target.keys()))
                      .bind("u", device.user().value())
                      .bind("d", device.device().value())
                      .execute();
              return updated > 0 || exists(h, device);
            });
    if (!known) {
      throw new NotFoundException("device " + device + " is not registered");
    }
  }

  private boolean exists(Handle h, DeviceAddress device) {
    return h.createQuery("SELECT 1 FROM " + table + " WHERE user_id = :u AND device_id = :d")
        .bind("u", device.user().value())
        .bind("d", device.device().value())
        .mapTo(Integer.class)
        .findOne()
        .isPresent();
  }

  @Override
  public Optional<PushTarget> pushTarget(DeviceAddress device) {
    return db.call(
        "reading the push target of " + device,
        h ->
            h.createQuery(
                    "SELECT push_platform, push_token, push_keys FROM "
                        + table
                        + " WHERE user_id = :u AND device_id = :d AND push_platform IS NOT NULL")
                .bind("u", device.user().value())
                .bind("d", device.device().value())
                .map(
                    (rs, ctx) ->
                        new PushTarget(
                            PushTarget.Platform.valueOf(rs.getString(1)),
                            rs.getString(2),
                            decodeKeys(rs.getString(3))))
                .findOne());
  }

  @Override
  public boolean clearPushTarget(DeviceAddress device, PushTarget target) {
    return db.call(
        "clearing the push target of " + device,
        h ->
            h.createUpdate(
                        "UPDATE "
                            + table
                            + " SET push_platform = NULL, push_token = NULL, push_keys = NULL"
                            + " WHERE user_id = :u AND device_id = :d AND push_platform = :p"
                            + " AND push_token = :t AND push_keys = :k")
                    .bind("p", target.platform().name())
                    .bind("t", target.token())
                    .bind("k", encodeKeys(target.keys()))
                    .bind("u", device.user().value())
                    .bind("d", device.device().value())
                    .execute()
                > 0);
  }

  static String encodeKeys(Map<String, String> keys) {
    StringJoiner out = new StringJoiner("&");
    new TreeMap<>(keys)
        .forEach(
            (k, v) ->
                out.add(
                    URLEncoder.encode(k, StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return out.toString();
  }

  static Map<String, String> decodeKeys(@Nullable String text) {
    Map<String, String> keys = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return keys;
    }
    for (String pair : text.split("&")) {
      int eq = pair.indexOf('=');
      keys.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return keys;
  }

  /** Builds a {@link JdbcDeviceDirectory}. */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcDeviceDirectory> {

    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    @Override
    public JdbcDeviceDirectory build() {
      return new JdbcDeviceDirectory(db());
    }
  }
}
