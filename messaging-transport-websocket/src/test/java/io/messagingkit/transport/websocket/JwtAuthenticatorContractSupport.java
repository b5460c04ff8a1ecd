package io.messagingkit.transport.websocket;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.port.Authenticator;
import io.messagingkit.tck.AuthenticatorContract;
import io.messagingkit.tck.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * What the {@link JwtAuthenticator} contract leaves share: tokens minted as an issuer would (and
 * forged as an attacker would) for one signing algorithm. A leaf gives the trusted signer, an
 * untrusted one, and the authenticator verifying the trusted one's tokens.
 */
abstract class JwtAuthenticatorContractSupport extends AuthenticatorContract {

  static final String ISSUER = "https://chat.messagingkit.test";
  static final String AUDIENCE = "messagingkit";
  static final Duration LEEWAY = Duration.ofSeconds(30);

  /** The algorithm and signer of the trusted issuer. */
  abstract JWSAlgorithm algorithm();

  abstract JWSSigner trustedSigner();

  /** A signer of the same algorithm with a key the authenticator does not know. */
  abstract JWSSigner untrustedSigner();

  /** The authenticator's builder with its key source set. */
  abstract JwtAuthenticator.Builder keys();

  @Override
  protected Authenticator createAuthenticator(MutableClock clock) {
    return keys().issuer(ISSUER).audience(AUDIENCE).leeway(LEEWAY).clock(clock).build();
  }

  @Override
  protected Duration allowedClockSkew() {
    return LEEWAY;
  }

  @Override
  protected int maxCredentialLength() {
    return JwtAuthenticator.MAX_TOKEN_LENGTH;
  }

  JWTClaimsSet.Builder claims(String user, String device) {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject(user)
        .claim("device", device)
        .notBeforeTime(Date.from(now.minusSeconds(60)))
        .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
  }

  String sign(JWTClaimsSet claims, JWSSigner signer) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm()), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected String credential(String user, String device, Instant notBefore, Instant expiresAt) {
    return sign(
        claims(user, device)
            .notBeforeTime(Date.from(notBefore))
            .expirationTime(Date.from(expiresAt))
            .build(),
        trustedSigner());
  }

  @Override
  protected String credentialWithForgedSignature(DeviceAddress d) {
    return sign(claims(d.user().value(), d.device().value()).build(), untrustedSigner());
  }

  @Override
  protected String credentialWithSwappedClaims(DeviceAddress device, DeviceAddress other) {
    String mine =
        sign(claims(device.user().value(), device.device().value()).build(), trustedSigner());
    String theirs =
        sign(claims(other.user().value(), other.device().value()).build(), trustedSigner());
    String[] m = mine.split("\\.");
    String[] t = theirs.split("\\.");
    return m[0] + "." + m[1] + "." + t[2];
  }

  @Override
  protected String credentialForAnotherAudience(DeviceAddress d) {
    return sign(
        claims(d.user().value(), d.device().value()).audience("another-service").build(),
        trustedSigner());
  }

  @Override
  protected String credentialFromAnotherIssuer(DeviceAddress d) {
    return sign(
        claims(d.user().value(), d.device().value()).issuer("https://evil.test").build(),
        trustedSigner());
  }

  @Override
  protected String unsignedCredential(DeviceAddress d) {
    return new PlainJWT(claims(d.user().value(), d.device().value()).build()).serialize();
  }

  @Override
  protected String credentialOfLength(DeviceAddress d, int chars) {
    return sign(
        claims(d.user().value(), d.device().value()).claim("pad", "p".repeat(chars)).build(),
        trustedSigner());
  }
}
