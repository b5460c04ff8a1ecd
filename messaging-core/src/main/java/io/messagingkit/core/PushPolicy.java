package io.messagingkit.core;

import io.messagingkit.core.port.DeviceDirectory;
import io.messagingkit.core.port.OfflineStore;
import io.messagingkit.core.port.PushGateway;
import io.messagingkit.core.port.SessionRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When to wake an offline device, whatever the provider: only for messages (never receipts, typing
 * or presence), only while the device is offline, at most one push per device per coalesce window,
 * a delayed push when a connection closed with messages unacknowledged, retries when the provider
 * asks, and the push target forgotten when the provider says it is gone. The payload names no
 * sender and carries no content: only how many messages wait.
 */
final class PushPolicy {

  private static final Logger log = LoggerFactory.getLogger(PushPolicy.class);
  private static final int MAX_ATTEMPTS = 3;

  /**
   * The longest Retry-After honoured. A provider asking for more is not retried: the messages stay
   * queued, and the next message after the coalesce window, or the push after a connection closes,
   * tries again.
   */
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

  private final Clock clock;
  private final PushGateway gateway;
  private final DeviceDirectory devices;
  private final OfflineStore offline;
  private final SessionRegistry registry;
  private final ScheduledExecutorService scheduler;
  private final Duration coalesceWindow;
  private final Duration afterCloseDelay;
  private final MeterRegistry meters;
  private final PushPreview preview;
  private final Map<DeviceAddress, Instant> lastPush = new ConcurrentHashMap<>();

  PushPolicy(
      Clock clock,
      PushGateway gateway,
      DeviceDirectory devices,
      OfflineStore offline,
      SessionRegistry registry,
      ScheduledExecutorService scheduler,
      ChatServerSettings settings,
      MeterRegistry meters,
      PushPreview preview) {
    this.clock = clock;
    this.gateway = gateway;
    this.devices = devices;
    this.offline = offline;
    this.registry = registry;
    this.scheduler = scheduler;
    this.coalesceWindow = settings.pushCoalesceWindow();
    this.afterCloseDelay = settings.pushAfterCloseDelay();
    this.meters = meters;
    this.preview = preview;
  }

  /** Refuses a push target the gateway would not send to (before a device registers it). */
  void checkTarget(PushTarget target) {
    gateway.checkTarget(target);
  }

  /** A message was queued for {@code device}, which is offline. */
  void messageWaiting(DeviceAddress device, Envelope message) {
    Instant now = clock.instant();
    boolean[] due = {false};
    lastPush.compute(
        device,
        (d, last) -> {
          if (last == null || !now.isBefore(last.plus(coalesceWindow))) {
            due[0] = true;
            return now;
          }
          return last;
        });
    if (!due[0]) {
      count("coalesced");
      return;
    }
    String text = null;
    try {
      text = preview.preview(message);
    } catch (RuntimeException e) {
      log.warn("the push preview failed for {}; pushing without one", device, e);
    }
    sendIfStillOffline(device, 1, text);
  }

  /** A connection of {@code device} closed; push later if messages still wait then. */
  void connectionClosed(DeviceAddress device) {
    try {
      scheduler.schedule(
          () -> {
            if (offline.depth(device) > 0) {
              lastPush.put(device, clock.instant());
              sendIfStillOffline(device, 1, null);
            }
          },
          afterCloseDelay.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      log.debug("not scheduling a push for {}: shutting down", device);
    }
  }

  private void sendIfStillOffline(DeviceAddress device, int attempt, @Nullable String text) {
    try {
      if (registry.find(device).isPresent()) {
        count("online");
        return;
      }
      Optional<PushTarget> target = devices.pushTarget(device);
      if (target.isEmpty() || !gateway.supports(target.get().platform())) {
        count("no_target");
        return;
      }
      long pending = offline.depth(device);
      if (pending == 0) {
        return;
      }
      PushNotification notification =
          new PushNotification(
              device, "messages:" + device.device().value(), pending, text, Duration.ofDays(1));
      gateway
          .send(target.get(), notification)
          .whenComplete(
              (result, failure) -> {
                if (failure != null) {
                  count("failed");
                  log.warn("push to {} failed", device, failure);
                  return;
                }
                count(result.outcome().name().toLowerCase(java.util.Locale.ROOT));
                switch (result.outcome()) {
                  case ACCEPTED -> {}
                  case TARGET_GONE -> devices.clearPushTarget(device, target.get());
                  case RETRY -> retry(device, attempt, result.retryAfter(), text);
                  case FAILED -> log.warn("push to {} refused: {}", device, result.detail());
                }
              });
    } catch (RuntimeException e) {
      count("failed");
      log.warn("push to {} failed", device, e);
    }
  }

  private void retry(
      DeviceAddress device, int attempt, @Nullable Duration retryAfter, @Nullable String text) {
    if (attempt >= MAX_ATTEMPTS) {
      log.warn("push to {} still throttled after {} attempts; giving up", device, attempt);
      return;
    }
    if (retryAfter != null && retryAfter.compareTo(MAX_RETRY_AFTER) > 0) {
      count("retry_declined");
      log.info(
          "push provider asked to wait {} before retrying {}; not retrying (longest honoured: {})",
          retryAfter,
          device,
          MAX_RETRY_AFTER);
      return;
    }
    long delay;
    if (retryAfter != null) {
      delay = Math.max(0, retryAfter.toMillis());
    } else {
      // 1 s, 2 s, ... with equal jitter, so devices throttled together do not retry together
      long base = 1000L << (attempt - 1);
      delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }
    try {
      scheduler.schedule(
          () -> sendIfStillOffline(device, attempt + 1, text), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      log.debug("not retrying a push for {}: shutting down", device);
    }
  }

  private void count(String outcome) {
    Counter.builder("messagingkit.push")
        .description("Push decisions and provider verdicts")
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }
}
