package io.messagingkit.transport.websocket;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.messagingkit.core.DeviceAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.UUID;

/**
 * Mints HS256 tokens that a {@link JwtAuthenticator} with the same secret, issuer and audience
 * accepts. For applications that sign users in themselves (the example chat server) and for tests;
 * deployments with an identity provider use its tokens instead.
 */
public final class JwtIssuer {
  private final MACSigner signer;
  private final String issuer;
  private final String audience;
  private final String deviceClaim;
  private final Duration ttl;
  private final Clock clock;

  private JwtIssuer(
      byte[] secret,
      String issuer,
      String audience,
      String deviceClaim,
      Duration ttl,
      Clock clock) {
    try {
      this.signer = new MACSigner(secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("hmacSecret must be at least 32 bytes", e);
    }
    this.issuer = issuer;
    this.audience = audience;
    this.deviceClaim = deviceClaim;
    this.ttl = ttl;
    this.clock = clock;
  }

  /**
   * An issuer signing with {@code secret} (at least 32 bytes) for {@code issuer} and {@code
   * audience}; tokens live {@code ttl}.
   */
  public static JwtIssuer hs256(
      byte[] secret, String issuer, String audience, Duration ttl, Clock clock) {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(audience, "audience");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
    return new JwtIssuer(
        secret.clone(), issuer, audience, "device", ttl, Objects.requireNonNull(clock, "clock"));
  }

  /** A signed token for {@code device}. */
  public String issue(DeviceAddress device) {
    Instant now = clock.instant();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(audience)
            .subject(device.user().value())
            .claim(deviceClaim, device.device().value())
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .jwtID(UUID.randomUUID().toString())
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    return jwt.serialize();
  }
}
