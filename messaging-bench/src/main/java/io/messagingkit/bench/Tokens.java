package io.messagingkit.bench;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.transport.websocket.JwtIssuer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/** HS256 tokens for bench devices; the bench server accepts exactly these. */
public final class Tokens {
  /** The default shared secret of the bench server and the load generator. */
  public static final String DEFAULT_SECRET = "messagingkit-bench-secret-0123456789abcdef";

  /** The {@code iss} claim. */
  public static final String ISSUER = "messagingkit-bench";

  /** The {@code aud} claim. */
  public static final String AUDIENCE = "messagingkit";

  /** The device id every bench user connects with. */
  public static final String DEVICE = "d";

  private final JwtIssuer issuer;

  /** Tokens signed with {@code secret}, valid for a day. */
  public Tokens(String secret) {
    this.issuer =
        JwtIssuer.hs256(
            secret.getBytes(StandardCharsets.UTF_8),
            ISSUER,
            AUDIENCE,
            Duration.ofDays(1),
            Clock.systemUTC());
  }

  /** A token for device {@link #DEVICE} of {@code user}. */
  public String issue(String user) {
    return issuer.issue(DeviceAddress.of(user, DEVICE));
  }
}
