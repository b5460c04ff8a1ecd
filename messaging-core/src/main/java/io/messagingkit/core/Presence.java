package io.messagingkit.core;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A user's presence: online while any device holds a live session; otherwise the last time one was
 * seen.
 *
 * @param user whose presence
 * @param online whether a device is connected
 * @param lastSeen the last time a device of the user was seen; null if never
 */
public record Presence(UserId user, boolean online, @Nullable Instant lastSeen) {
  public Presence {
    Objects.requireNonNull(user, "user");
  }

  public static Presence unknown(UserId user) {
    return new Presence(user, false, null);
  }
}
