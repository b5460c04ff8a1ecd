package io.messagingkit.core.port;

import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Sends one wake-up notification to a provider (APNs, FCM, Web Push). The policy (only offline
 * devices, coalescing, retries with backoff) lives in core; a gateway sends once and reports what
 * the provider said. Never blocks the caller: the result arrives on the future. A failure of the
 * provider loses no message: the offline store still holds them.
 */
public interface PushGateway {

  /** The platforms this gateway can send to. */
  boolean supports(PushTarget.Platform platform);

  /**
   * Refuses a target this gateway would not send to, before it is stored: called when a device
   * registers it, on the caller's thread; must not block (no network). The default accepts every
   * target. A gateway that refuses throws {@link io.messagingkit.core.InvalidRequestException}
   * whose message names the rule broken (the client sees it as {@code invalid_request}). A gateway
   * must still check again when it sends: a stored target may predate the rule.
   */
  default void checkTarget(PushTarget target) {}

  /** Sends once; the future completes with the provider's verdict, never exceptionally. */
  CompletableFuture<PushResult> send(PushTarget target, PushNotification notification);

  /**
   * What the provider said.
   *
   * @param outcome the verdict
   * @param retryAfter for {@link Outcome#RETRY}, how long the provider asked to wait, if it did
   * @param detail the provider's reason, for logs
   */
  record PushResult(Outcome outcome, @Nullable Duration retryAfter, String detail) {
    public static PushResult accepted() {
      return new PushResult(Outcome.ACCEPTED, null, "accepted");
    }
  }

  /** The provider's verdict. */
  enum Outcome {
    /** Accepted for delivery. */
    ACCEPTED,
    /** The token is no longer valid (APNs 410, FCM UNREGISTERED, Web Push 404/410): forget it. */
    TARGET_GONE,
    /** Throttled or a transient server error: retry later. */
    RETRY,
    /** Refused for a reason retrying will not fix (bad request, bad credentials). */
    FAILED
  }
}
