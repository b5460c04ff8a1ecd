package io.messagingkit.transport.websocket;

import io.messagingkit.core.UserId;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inbound rate limits of every user, shared by all the user's connections and devices and kept
 * across reconnects, so neither a reconnect nor a second device restarts a limit. Each user has
 * three token buckets: request frames (everything but ACK and HEARTBEAT), control frames (ACK and
 * HEARTBEAT, limited on their own and generously, so acknowledging a backlog is never throttled
 * like sending) and inbound bytes (the decoding cost of every frame).
 *
 * <p>Bounded: a user's buckets are forgotten once they are full again (the user was quiet long
 * enough to refill them), which loses nothing, since a fresh bucket starts full. {@link #sweep()}
 * does that; the owner calls it every few seconds, so the map holds only users active in the last
 * few seconds. Thread-safe.
 */
final class UserRateLimits {
  private final WebSocketSettings settings;
  private final ConcurrentHashMap<UserId, Buckets> users = new ConcurrentHashMap<>();

  /** One user's buckets. */
  record Buckets(RateLimiter requests, RateLimiter control, RateLimiter bytes) {
    boolean idle() {
      return requests.isFull() && control.isFull() && bytes.isFull();
    }
  }

  UserRateLimits(WebSocketSettings settings) {
    this.settings = settings;
  }

  /** The buckets of {@code user}, created full on first use. */
  Buckets of(UserId user) {
    return users.computeIfAbsent(
        user,
        u ->
            new Buckets(
                new RateLimiter(settings.clock(), settings.messagesPerSecond(), settings.burst()),
                new RateLimiter(
                    settings.clock(), settings.controlPerSecond(), settings.controlBurst()),
                new RateLimiter(
                    settings.clock(),
                    settings.inboundBytesPerSecond(),
                    settings.inboundBytesBurst())));
  }

  /** Forgets the users whose buckets are full again. */
  void sweep() {
    users.forEach(
        (user, buckets) -> {
          if (buckets.idle()) {
            users.remove(user, buckets);
          }
        });
  }

  /** Users with buckets right now. */
  int size() {
    return users.size();
  }
}
