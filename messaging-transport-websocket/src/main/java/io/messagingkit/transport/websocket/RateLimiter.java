package io.messagingkit.transport.websocket;

import java.time.Clock;

/** A token bucket for one connection's inbound frames. Not thread-safe: one per connection. */
final class RateLimiter {
  private final Clock clock;
  private final double perMilli;
  private final double capacity;
  private double tokens;
  private long last;

  RateLimiter(Clock clock, int perSecond, int burst) {
    this.clock = clock;
    this.perMilli = perSecond / 1000.0;
    this.capacity = burst;
    this.tokens = burst;
    this.last = clock.millis();
  }

  synchronized boolean tryAcquire() {
    long now = clock.millis();
    if (now > last) {
      tokens = Math.min(capacity, tokens + (now - last) * perMilli);
      last = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
