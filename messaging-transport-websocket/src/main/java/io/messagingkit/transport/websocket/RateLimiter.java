package io.messagingkit.transport.websocket;

import java.time.Clock;

/**
 * A token bucket: {@code perSecond} tokens a second up to {@code capacity}; each acquisition takes
 * its cost. Thread-safe (the connections of one user share their buckets).
 */
final class RateLimiter {
  private final Clock clock;
  private final double perMilli;
  private final double capacity;
  private double tokens;
  private long last;

  RateLimiter(Clock clock, long perSecond, long capacity) {
    this.clock = clock;
    this.perMilli = perSecond / 1000.0;
    this.capacity = capacity;
    this.tokens = capacity;
    this.last = clock.millis();
  }

  synchronized boolean tryAcquire() {
    return tryAcquire(1);
  }

  /** Takes {@code cost} tokens if there are that many. */
  synchronized boolean tryAcquire(long cost) {
    refill();
    if (tokens >= cost) {
      tokens -= cost;
      return true;
    }
    return false;
  }

  /** True when the bucket is full again: forgetting it then loses nothing. */
  synchronized boolean isFull() {
    refill();
    return tokens >= capacity;
  }

  private void refill() {
    long now = clock.millis();
    if (now > last) {
      tokens = Math.min(capacity, tokens + (now - last) * perMilli);
      last = now;
    }
  }
}
