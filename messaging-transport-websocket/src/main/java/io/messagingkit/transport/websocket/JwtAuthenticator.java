package io.messagingkit.transport.websocket;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.messagingkit.core.AuthenticationException;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.Authenticator;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The default {@link Authenticator}: a signed JWT (nimbus-jose-jwt) whose {@code sub} is the user
 * id and whose device claim (default {@code device}) is the device id. Verified with an HS256
 * secret or with the keys of a JWK set (RS256/ES256 by default); issuer, audience, expiry and
 * not-before are checked with a bounded leeway. Unsigned tokens ({@code alg: none}), tokens signed
 * with any algorithm other than the configured ones (algorithm confusion), tokens longer than
 * {@link #MAX_TOKEN_LENGTH} (refused unread) and tokens naming a reserved device id (one starting
 * with {@code _}, such as {@code _pending}) are refused.
 *
 * <p>The token is read from, in order: the {@code Authorization: Bearer} header; a subprotocol
 * offered as {@code bearer.<token>} (browsers cannot set headers on a WebSocket); the query
 * parameter {@code access_token}.
 *
 * <pre>{@code
 * Authenticator auth = JwtAuthenticator.builder()
 *     .hmacSecret(secret32bytes).issuer("https://chat.example").audience("messagingkit")
 *     .build();
 * }</pre>
 */
public final class JwtAuthenticator implements Authenticator {
  /** The prefix of a token offered in the subprotocol list. */
  public static final String SUBPROTOCOL_PREFIX = "bearer.";

  /** The query parameter carrying a token. */
  public static final String QUERY_PARAMETER = "access_token";

  /**
   * The longest token read, in characters; a longer one is refused before it is decoded. 8 KiB is
   * more than any token of a user, a device and the registered claims needs, and what HTTP servers
   * commonly allow for one header.
   */
  public static final int MAX_TOKEN_LENGTH = 8192;

  private static final Duration MAX_LEEWAY = Duration.ofMinutes(5);

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final String issuer;
  private final String audience;
  private final String deviceClaim;
  private final Duration leeway;
  private final Clock clock;

  private JwtAuthenticator(Builder b, JWSVerificationKeySelector<SecurityContext> selector) {
    this.issuer = Objects.requireNonNull(b.issuer);
    this.audience = Objects.requireNonNull(b.audience);
    this.deviceClaim = b.deviceClaim;
    this.leeway = b.leeway;
    this.clock = b.clock;
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(selector);
    processor.setJWTClaimsSetVerifier((claims, context) -> verify(claims));
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public DeviceAddress authenticate(Handshake handshake) {
    return authenticateSession(handshake).device();
  }

  /** The token's device and its expiry ({@code exp}), after which the connection is closed. */
  @Override
  public Authenticated authenticateSession(Handshake handshake) {
    String token =
        bearer(handshake)
            .or(() -> subprotocolToken(handshake))
            .or(() -> handshake.queryParameter(QUERY_PARAMETER))
            .orElseThrow(() -> new AuthenticationException("no token in the handshake"));
    return verifySession(token);
  }

  /** Verifies a token and returns its device. */
  public DeviceAddress verify(String token) {
    return verifySession(token).device();
  }

  /** Verifies a token and returns its device and expiry. */
  public Authenticated verifySession(String token) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw new AuthenticationException(
          "token is longer than " + MAX_TOKEN_LENGTH + " characters: not read");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      throw new AuthenticationException("token is not a JWT");
    } catch (BadJOSEException e) {
      throw new AuthenticationException("token refused: " + e.getMessage());
    } catch (JOSEException e) {
      throw new AuthenticationException("token could not be verified: " + e.getMessage());
    }
    DeviceAddress device;
    try {
      device =
          new DeviceAddress(
              UserId.of(claims.getSubject()), DeviceId.of(claims.getStringClaim(deviceClaim)));
    } catch (ParseException | IllegalArgumentException e) {
      throw new AuthenticationException("token names no valid user and device");
    }
    if (device.device().value().startsWith("_")) {
      // the server's own queues (the pending queue of a user without devices) use these ids
      throw new AuthenticationException("token names a reserved device id (starting with '_')");
    }
    return new Authenticated(device, claims.getExpirationTime().toInstant());
  }

  private void verify(JWTClaimsSet claims) throws BadJWTException {
    Instant now = clock.instant();
    if (!issuer.equals(claims.getIssuer())) {
      throw new BadJWTException("wrong issuer");
    }
    List<String> aud = claims.getAudience();
    if (aud == null || !aud.contains(audience)) {
      throw new BadJWTException("wrong audience");
    }
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw new BadJWTException("no expiry");
    }
    if (!now.isBefore(exp.toInstant().plus(leeway))) {
      throw new BadJWTException("expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.isBefore(nbf.toInstant().minus(leeway))) {
      throw new BadJWTException("not yet valid");
    }
    if (claims.getSubject() == null) {
      throw new BadJWTException("no subject");
    }
    if (claims.getClaim(deviceClaim) == null) {
      throw new BadJWTException("no '" + deviceClaim + "' claim");
    }
  }

  private static Optional<String> bearer(Handshake h) {
    return h.header("Authorization")
        .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(v -> v.substring(7).trim());
  }

  private static Optional<String> subprotocolToken(Handshake h) {
    for (String p : h.subprotocols()) {
      if (p.toLowerCase(Locale.ROOT).startsWith(SUBPROTOCOL_PREFIX)) {
        return Optional.of(p.substring(SUBPROTOCOL_PREFIX.length()));
      }
    }
    return Optional.empty();
  }

  /** Builds a {@link JwtAuthenticator}: one key source, an issuer and an audience are required. */
  public static final class Builder {
    private byte @Nullable [] secret;
    private @Nullable JWKSource<SecurityContext> jwks;
    private Set<JWSAlgorithm> jwkAlgorithms = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    private @Nullable String issuer;
    private @Nullable String audience;
    private String deviceClaim = "device";
    private Duration leeway = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Verifies HS256 tokens with this secret (at least 32 bytes). */
    public Builder hmacSecret(byte[] secret) {
      this.secret = secret.clone();
      return this;
    }

    /** Verifies tokens with the public keys of this JWK set. */
    public Builder jwkSet(JWKSet set) {
      this.jwks = new ImmutableJWKSet<>(set);
      return this;
    }

    /** Verifies tokens with the JWK set at {@code url} (fetched and cached by nimbus). */
    public Builder jwkSetUrl(URL url) {
      this.jwks = JWKSourceBuilder.create(url).build();
      return this;
    }

    /** The asymmetric algorithms accepted with a JWK set (default RS256 and ES256). */
    public Builder jwkAlgorithms(Set<JWSAlgorithm> algorithms) {
      this.jwkAlgorithms = Set.copyOf(algorithms);
      return this;
    }

    /** The required {@code iss}. */
    public Builder issuer(String issuer) {
      this.issuer = issuer;
      return this;
    }

    /** The required {@code aud} (one of the token's audiences). */
    public Builder audience(String audience) {
      this.audience = audience;
      return this;
    }

    /** The claim holding the device id (default {@code device}). */
    public Builder deviceClaim(String claim) {
      this.deviceClaim = claim;
      return this;
    }

    /** Clock skew allowed on {@code exp} and {@code nbf} (default 30 s, at most 5 min). */
    public Builder leeway(Duration leeway) {
      this.leeway = leeway;
      return this;
    }

    /** The clock (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public JwtAuthenticator build() {
      if ((secret == null) == (jwks == null)) {
        throw new IllegalArgumentException(
            "set exactly one of hmacSecret or jwkSet/jwkSetUrl for JwtAuthenticator");
      }
      if (issuer == null || issuer.isBlank()) {
        throw new IllegalArgumentException("issuer is required");
      }
      if (audience == null || audience.isBlank()) {
        throw new IllegalArgumentException("audience is required");
      }
      if (leeway.isNegative() || leeway.compareTo(MAX_LEEWAY) > 0) {
        throw new IllegalArgumentException("leeway must be 0.." + MAX_LEEWAY + ", got " + leeway);
      }
      JWSVerificationKeySelector<SecurityContext> selector;
      if (secret != null) {
        if (secret.length < 32) {
          throw new IllegalArgumentException(
              "hmacSecret must be at least 32 bytes for HS256, got " + secret.length);
        }
        selector =
            new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(secret));
      } else {
        for (JWSAlgorithm a : jwkAlgorithms) {
          if (JWSAlgorithm.Family.HMAC_SHA.contains(a)) {
            throw new IllegalArgumentException(
                "jwkAlgorithms must be asymmetric (algorithm confusion), got " + a);
          }
        }
        selector = new JWSVerificationKeySelector<>(jwkAlgorithms, Objects.requireNonNull(jwks));
      }
      return new JwtAuthenticator(this, selector);
    }
  }
}
