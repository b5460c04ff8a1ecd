package io.messagingkit.core;

import java.util.Map;
import java.util.Objects;

/**
 * Where to wake a device that is offline.
 *
 * @param platform the push provider
 * @param token the APNs device token, the FCM registration token, or the Web Push endpoint URL
 * @param keys provider-specific keys (Web Push: {@code p256dh} and {@code auth}); never null
 */
public record PushTarget(Platform platform, String token, Map<String, String> keys) {
  public enum Platform {
    APNS,
    FCM,
    WEB_PUSH
  }

  public PushTarget {
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(token, "token");
    keys = Map.copyOf(Objects.requireNonNull(keys, "keys"));
    if (token.isBlank() || token.length() > 4096) {
      throw new IllegalArgumentException("push token must be 1..4096 characters");
    }
    if (platform == Platform.WEB_PUSH
        && (!keys.containsKey("p256dh") || !keys.containsKey("auth"))) {
      throw new IllegalArgumentException("a Web Push target needs the keys p256dh and auth");
    }
  }
}
