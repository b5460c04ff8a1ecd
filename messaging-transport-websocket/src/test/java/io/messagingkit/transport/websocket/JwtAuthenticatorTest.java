package io.messagingkit.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.messagingkit.core.AuthenticationException;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.port.Authenticator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorTest {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  final JwtAuthenticator hmac =
      JwtAuthenticator.builder()
          .hmacSecret(SECRET)
          .issuer("iss")
          .audience("aud")
          .leeway(Duration.ofSeconds(30))
          .clock(CLOCK)
          .build();

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer("iss")
        .audience("aud")
        .subject("alice")
        .claim("device", "phone")
        .expirationTime(Date.from(NOW.plusSeconds(60)));
  }

  static String hs256(JWTClaimsSet claims, byte[] secret) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret));
    return jwt.serialize();
  }

  static Authenticator.Handshake bearer(String token) {
    return new Authenticator.Handshake(
        Map.of("Authorization", List.of("Bearer " + token)), Map.of(), List.of(), null);
  }

  @Nested
  @DisplayName("accepts")
  class Accepts {
    @Test
    @DisplayName("a valid HS256 token as a bearer header, a subprotocol or a query parameter")
    void sources() throws Exception {
      String token = hs256(claims().build(), SECRET);
      DeviceAddress alice = DeviceAddress.of("alice", "phone");
      assertThat(hmac.authenticate(bearer(token))).isEqualTo(alice);
      assertThat(
              hmac.authenticate(
                  new Authenticator.Handshake(
                      Map.of(), Map.of(), List.of("messagingkit.v1", "bearer." + token), null)))
          .isEqualTo(alice);
      assertThat(
              hmac.authenticate(
                  new Authenticator.Handshake(
                      Map.of(), Map.of("access_token", List.of(token)), List.of(), null)))
          .isEqualTo(alice);
    }

    @Test
    @DisplayName("a token expired less than the leeway ago")
    void withinLeeway() throws Exception {
      String token =
          hs256(claims().expirationTime(Date.from(NOW.minusSeconds(20))).build(), SECRET);
      assertThat(hmac.verify(token)).isEqualTo(DeviceAddress.of("alice", "phone"));
    }

    @Test
    @DisplayName("an RS256 token signed by a key of the JWK set")
    void jwkSet() throws Exception {
      RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
      JwtAuthenticator rsa =
          JwtAuthenticator.builder()
              .jwkSet(new JWKSet(key.toPublicJWK()))
              .issuer("iss")
              .audience("aud")
              .clock(CLOCK)
              .build();
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims().build());
      jwt.sign(new RSASSASigner(key));
      assertThat(rsa.verify(jwt.serialize())).isEqualTo(DeviceAddress.of("alice", "phone"));
    }
  }

  @Nested
  @DisplayName("refuses")
  class Refuses {
    void refused(String token) {
      assertThatThrownBy(() -> hmac.authenticate(bearer(token)))
          .isInstanceOf(AuthenticationException.class)
          .hasMessageNotContaining(token);
    }

    @Test
    @DisplayName("a handshake without a token")
    void none() {
      assertThatThrownBy(
              () ->
                  hmac.authenticate(
                      new Authenticator.Handshake(Map.of(), Map.of(), List.of(), null)))
          .isInstanceOf(AuthenticationException.class);
    }

    @Test
    @DisplayName("a token expired beyond the leeway")
    void expired() throws Exception {
      refused(hs256(claims().expirationTime(Date.from(NOW.minusSeconds(31))).build(), SECRET));
    }

    @Test
    @DisplayName("a token without expiry, not yet valid, or naming no device")
    void claims_() throws Exception {
      refused(hs256(claims().expirationTime(null).build(), SECRET));
      refused(hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(120))).build(), SECRET));
      refused(hs256(claims().claim("device", null).build(), SECRET));
      refused(hs256(claims().subject("not a valid id!").build(), SECRET));
    }

    @Test
    @DisplayName("a wrong issuer or audience")
    void issuerAudience() throws Exception {
      refused(hs256(claims().issuer("other").build(), SECRET));
      refused(hs256(claims().audience("other").build(), SECRET));
    }

    @Test
    @DisplayName("a token signed with another secret, or garbage")
    void signature() throws Exception {
      refused(
          hs256(
              claims().build(),
              "ffffffffffffffffffffffffffffffff".getBytes(StandardCharsets.UTF_8)));
      refused("not.a.jwt");
    }

    @Test
    @DisplayName("an unsigned token (alg: none)")
    void algNone() {
      refused(new PlainJWT(claims().build()).serialize());
    }

    @Test
    @DisplayName("algorithm confusion: HS256 signed with the RSA public key of the JWK set")
    void confusion() throws Exception {
      RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
      JwtAuthenticator rsa =
          JwtAuthenticator.builder()
              .jwkSet(new JWKSet(key.toPublicJWK()))
              .issuer("iss")
              .audience("aud")
              .clock(CLOCK)
              .build();
      byte[] publicKeyAsSecret = key.toPublicJWK().toRSAPublicKey().getEncoded();
      String forged = hs256(claims().build(), publicKeyAsSecret);
      assertThatThrownBy(() -> rsa.verify(forged)).isInstanceOf(AuthenticationException.class);
    }
  }

  @Test
  @DisplayName("the builder refuses short secrets, unbounded leeway, two key sources and HMAC JWKs")
  void builderValidation() throws Exception {
    assertThatThrownBy(
            () ->
                JwtAuthenticator.builder()
                    .hmacSecret(new byte[8])
                    .issuer("i")
                    .audience("a")
                    .build())
        .hasMessageContaining("hmacSecret");
    assertThatThrownBy(
            () ->
                JwtAuthenticator.builder()
                    .hmacSecret(SECRET)
                    .issuer("i")
                    .audience("a")
                    .leeway(Duration.ofMinutes(10))
                    .build())
        .hasMessageContaining("leeway");
    RSAKey key = new RSAKeyGenerator(2048).generate();
    assertThatThrownBy(
            () ->
                JwtAuthenticator.builder()
                    .hmacSecret(SECRET)
                    .jwkSet(new JWKSet(key.toPublicJWK()))
                    .issuer("i")
                    .audience("a")
                    .build())
        .hasMessageContaining("exactly one");
    assertThatThrownBy(
            () ->
                JwtAuthenticator.builder()
                    .jwkSet(new JWKSet(key.toPublicJWK()))
                    .jwkAlgorithms(java.util.Set.of(JWSAlgorithm.HS256))
                    .issuer("i")
                    .audience("a")
                    .build())
        .hasMessageContaining("confusion");
    assertThatThrownBy(() -> JwtAuthenticator.builder().hmacSecret(SECRET).audience("a").build())
        .hasMessageContaining("issuer");
  }
}
