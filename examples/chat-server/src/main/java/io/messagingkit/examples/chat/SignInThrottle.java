package io.messagingkit.examples.chat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Limits password guessing, per account and per client address, with exponential backoff.
 *
 * <p>Every password check counts as a failure from the moment it starts ({@link #begin}) until it
 * succeeds ({@link #succeeded}), so a guesser cannot slip many concurrent guesses past the count.
 * After {@code freeAccountFailures} failures in a row on one account (or {@code
 * freeAddressFailures} from one address, over all accounts) further attempts are refused without
 * checking the password until a delay has passed since the last failure: {@code baseDelay}, doubled
 * with each further failure, at most {@code maxDelay}. A success clears the account's count and
 * takes one failure back from the address; a refused attempt costs nothing and changes nothing, so
 * the guesser's refusals do not lock the real owner out for longer.
 *
 * <p>Memory is bounded: counts live in a Caffeine cache of at most {@code maxEntries} keys that
 * forgets a key twice {@code maxDelay} after its last failure (so waiting out one longest delay
 * does not buy a fresh set of free guesses). Thread-safe.
 */
final class SignInThrottle {

  /** The limits; see the class comment. */
  record Limits(
      int freeAccountFailures,
      int freeAddressFailures,
      Duration baseDelay,
      Duration maxDelay,
      long maxEntries) {
    Limits {
      if (freeAccountFailures < 1 || freeAddressFailures < 1) {
        throw new IllegalArgumentException("free failures must be at least 1");
      }
      if (baseDelay.isNegative() || baseDelay.isZero() || maxDelay.compareTo(baseDelay) < 0) {
        throw new IllegalArgumentException("need 0 < baseDelay <= maxDelay");
      }
      if (maxEntries < 1) {
        throw new IllegalArgumentException("maxEntries must be at least 1");
      }
    }

    /** 5 failures per account, 20 per address, then 1 s doubling up to 15 min; 100,000 keys. */
    static Limits defaults() {
      return new Limits(5, 20, Duration.ofSeconds(1), Duration.ofMinutes(15), 100_000);
    }
  }

  private record Failures(int count, Instant last) {}

  private final Limits limits;
  private final Clock clock;
  private final Cache<String, Failures> failures;

  SignInThrottle(Limits limits, Clock clock) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.failures =
        Caffeine.newBuilder()
            .maximumSize(limits.maxEntries())
            .expireAfterWrite(limits.maxDelay().multipliedBy(2))
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .build();
  }

  /**
   * Starts a password check for {@code account} from {@code address}: empty if it may go ahead (and
   * it now counts as a failure until {@link #succeeded}), else how long the caller must wait.
   */
  Optional<Duration> begin(String account, String address) {
    String a = "u:" + account;
    String ip = "a:" + address;
    Instant now = clock.instant();
    // Check both before counting either, so a refused attempt leaves no trace.
    synchronized (this) {
      Duration wait =
          max(
              waitFor(failures.getIfPresent(a), limits.freeAccountFailures(), now),
              waitFor(failures.getIfPresent(ip), limits.freeAddressFailures(), now));
      if (!wait.isZero()) {
        return Optional.of(wait);
      }
      failures.asMap().merge(a, new Failures(1, now), (o, n) -> new Failures(o.count() + 1, now));
      failures.asMap().merge(ip, new Failures(1, now), (o, n) -> new Failures(o.count() + 1, now));
      return Optional.empty();
    }
  }

  /** The check begun for {@code account} from {@code address} found the right password. */
  void succeeded(String account, String address) {
    synchronized (this) {
      failures.invalidate("u:" + account);
      failures
          .asMap()
          .computeIfPresent(
              "a:" + address,
              (k, o) -> o.count() <= 1 ? null : new Failures(o.count() - 1, o.last()));
    }
  }

  private Duration waitFor(@Nullable Failures f, int free, Instant now) {
    if (f == null || f.count() < free) {
      return Duration.ZERO;
    }
    int doublings = Math.min(f.count() - free, 30);
    Duration delay = limits.baseDelay().multipliedBy(1L << doublings);
    if (delay.compareTo(limits.maxDelay()) > 0) {
      delay = limits.maxDelay();
    }
    Duration left = Duration.between(now, f.last().plus(delay));
    return left.isNegative() ? Duration.ZERO : left;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
