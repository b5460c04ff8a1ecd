package io.messagingkit.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SignInThrottleTest {
  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2026-12-04T12:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  final MovingClock clock = new MovingClock();
  final SignInThrottle throttle =
      new SignInThrottle(
          new SignInThrottle.Limits(3, 5, Duration.ofSeconds(1), Duration.ofSeconds(8), 1000),
          clock);

  void fail(String account, String address, int times) {
    for (int i = 0; i < times; i++) {
      assertThat(throttle.begin(account, address)).as("attempt %d", i).isEmpty();
    }
  }

  @Test
  @DisplayName("after the free failures an account waits, doubling per failure up to the cap")
  void backoff() {
    fail("alice", "10.0.0.1", 3);
    assertThat(throttle.begin("alice", "10.0.0.2")).hasValue(Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(1));
    fail("alice", "10.0.0.3", 1);
    assertThat(throttle.begin("alice", "10.0.0.4")).hasValue(Duration.ofSeconds(2));
    clock.advance(Duration.ofSeconds(2));
    fail("alice", "10.0.0.5", 1);
    assertThat(throttle.begin("alice", "10.0.0.6")).hasValue(Duration.ofSeconds(4));
    clock.advance(Duration.ofSeconds(4));
    fail("alice", "10.0.0.7", 1);
    assertThat(throttle.begin("alice", "10.0.0.8")).hasValue(Duration.ofSeconds(8));
    clock.advance(Duration.ofSeconds(8));
    fail("alice", "10.0.0.9", 1);
    assertThat(throttle.begin("alice", "10.0.0.10")).hasValue(Duration.ofSeconds(8)); // capped
  }

  @Test
  @DisplayName("refused attempts do not extend the wait; a success clears the account")
  void refusalsAndSuccess() {
    fail("alice", "10.0.0.1", 3);
    clock.advance(Duration.ofMillis(500));
    assertThat(throttle.begin("alice", "10.0.0.1")).hasValue(Duration.ofMillis(500));
    assertThat(throttle.begin("alice", "10.0.0.1")).hasValue(Duration.ofMillis(500));
    clock.advance(Duration.ofMillis(500));
    assertThat(throttle.begin("alice", "10.0.0.1")).isEmpty();
    throttle.succeeded("alice", "10.0.0.1");
    fail("alice", "10.0.0.1", 1); // cleared: counting starts again
  }

  @Test
  @DisplayName("one address guessing across many accounts is throttled; other addresses are not")
  void perAddress() {
    for (int i = 0; i < 5; i++) {
      fail("user" + i, "10.0.0.66", 1);
    }
    assertThat(throttle.begin("user99", "10.0.0.66")).hasValue(Duration.ofSeconds(1));
    assertThat(throttle.begin("user99", "10.0.0.7")).isEmpty();
  }

  @Test
  @DisplayName("counts are forgotten twice the longest delay after the last failure")
  void expiry() {
    fail("alice", "10.0.0.1", 3);
    clock.advance(Duration.ofSeconds(9)); // past the longest delay: one more try, then waiting
    fail("alice", "10.0.0.1", 1);
    assertThat(throttle.begin("alice", "10.0.0.1")).hasValue(Duration.ofSeconds(2));
    clock.advance(Duration.ofSeconds(17)); // twice the longest delay: forgotten
    fail("alice", "10.0.0.1", 3);
  }
}
