package io.messagingkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.AuthenticationException;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.port.Authenticator;
import io.messagingkit.core.port.Authenticator.Authenticated;
import io.messagingkit.core.port.Authenticator.Handshake;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Authenticator} for bearer credentials (a signed token a client presents at
 * the handshake): a valid credential yields exactly the (user, device) it names, and everything
 * else is refused with {@link AuthenticationException} (code {@code unauthenticated}: the transport
 * refuses the handshake), whose message never repeats the credential: expired, not yet valid,
 * forged signature, for another audience or from another issuer, unsigned ({@code alg: none}),
 * oversize, malformed or missing credentials, and credentials naming a reserved device id ({@code
 * _pending}). Any other exception would surface as a server fault.
 *
 * <p>Extend it and wire: {@link #createAuthenticator} gets the clock to verify against; the other
 * hooks mint credentials the way the real issuer would, or forge them the way an attacker would.
 */
public abstract class AuthenticatorContract {

  /** The verifier's clock; tests move it instead of sleeping. */
  protected final MutableClock clock = MutableClock.start();

  protected Authenticator authenticator;

  private static final DeviceAddress ALICE_PHONE = DeviceAddress.of("alice", "phone");
  private static final DeviceAddress ALICE_LAPTOP = DeviceAddress.of("alice", "laptop");
  private static final DeviceAddress BOB_PHONE = DeviceAddress.of("bob", "phone");

  /** An authenticator that verifies against {@code clock}; called before each test. */
  protected abstract Authenticator createAuthenticator(MutableClock clock);

  /**
   * A credential the real issuer would give {@code device}, valid from {@code notBefore} until
   * {@code expiresAt}. The device id is passed as text: it may be one that {@link
   * io.messagingkit.core.DeviceId} reserves.
   */
  protected abstract String credential(
      String user, String device, Instant notBefore, Instant expiresAt);

  /** A credential for {@code device} signed with a key the authenticator does not trust. */
  protected abstract String credentialWithForgedSignature(DeviceAddress device);

  /** A credential for {@code device} whose signature was copied from another credential. */
  protected abstract String credentialWithSwappedClaims(DeviceAddress device, DeviceAddress other);

  /** A correctly signed credential for {@code device} meant for another service (audience). */
  protected abstract String credentialForAnotherAudience(DeviceAddress device);

  /** A correctly signed credential for {@code device} from another issuer. */
  protected abstract String credentialFromAnotherIssuer(DeviceAddress device);

  /** An unsigned credential for {@code device} ({@code alg: none}). */
  protected abstract String unsignedCredential(DeviceAddress device);

  /** A correctly signed credential for {@code device} of at least {@code chars} characters. */
  protected abstract String credentialOfLength(DeviceAddress device, int chars);

  /** The longest credential accepted, in characters (a longer one is refused unread). */
  protected abstract int maxCredentialLength();

  /** The clock skew the authenticator tolerates on expiry and not-before (default none). */
  protected Duration allowedClockSkew() {
    return Duration.ZERO;
  }

  /** How a client presents {@code credential} at the handshake; default {@code Authorization}. */
  protected Handshake present(String credential) {
    return new Handshake(
        Map.of("Authorization", List.of("Bearer " + credential)), Map.of(), List.of(), "192.0.2.7");
  }

  @BeforeEach
  void setUpAuthenticator() {
    authenticator = createAuthenticator(clock);
  }

  private String valid(DeviceAddress device) {
    Instant now = clock.instant();
    return credential(
        device.user().value(),
        device.device().value(),
        now.minus(Duration.ofMinutes(1)),
        now.plus(Duration.ofHours(1)));
  }

  /** Asserts that presenting {@code credential} is refused as the port documents. */
  protected void assertRefused(Handshake handshake, String credential) {
    assertThatThrownBy(() -> authenticator.authenticateSession(handshake))
        .isInstanceOfSatisfying(
            AuthenticationException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
              if (credential.length() >= 16) {
                assertThat(String.valueOf(e.getMessage()))
                    .as("the refusal must not repeat the credential")
                    .doesNotContain(credential);
              }
            });
    assertThatThrownBy(() -> authenticator.authenticate(handshake))
        .isInstanceOf(AuthenticationException.class);
  }

  private void assertRefused(String credential) {
    assertRefused(present(credential), credential);
  }

  @Nested
  @DisplayName("a valid credential")
  class Valid {
    @Test
    @DisplayName("yields exactly the user and device it names")
    void yieldsItsDevice() {
      for (DeviceAddress device : List.of(ALICE_PHONE, ALICE_LAPTOP, BOB_PHONE)) {
        assertThat(authenticator.authenticate(present(valid(device)))).isEqualTo(device);
      }
    }

    @Test
    @DisplayName("says until when it is valid, never later than its expiry")
    void expiry() {
      Instant expires = clock.instant().plus(Duration.ofMinutes(10));
      String c =
          credential("alice", "phone", clock.instant().minus(Duration.ofMinutes(1)), expires);
      Authenticated session = authenticator.authenticateSession(present(c));
      assertThat(session.device()).isEqualTo(ALICE_PHONE);
      if (session.expiresAt() != null) {
        assertThat(session.expiresAt()).isBeforeOrEqualTo(expires);
      }
    }

    @Test
    @DisplayName("within the allowed clock skew of its validity is still accepted")
    void skew() {
      Instant now = clock.instant();
      String justStarted =
          credential("alice", "phone", now.plus(allowedClockSkew()), now.plus(Duration.ofHours(1)));
      assertThat(authenticator.authenticate(present(justStarted))).isEqualTo(ALICE_PHONE);
    }
  }

  @Nested
  @DisplayName("a credential out of its validity")
  class Validity {
    @Test
    @DisplayName("is refused once expired (beyond the allowed skew)")
    void expired() {
      String c = valid(ALICE_PHONE);
      assertThat(authenticator.authenticate(present(c))).isEqualTo(ALICE_PHONE);
      clock.advance(Duration.ofHours(1).plus(allowedClockSkew()).plusSeconds(1));
      assertRefused(c);
    }

    @Test
    @DisplayName("is refused before it becomes valid (beyond the allowed skew)")
    void notYetValid() {
      Instant now = clock.instant();
      String c =
          credential(
              "alice",
              "phone",
              now.plus(allowedClockSkew()).plusSeconds(60),
              now.plus(Duration.ofHours(2)));
      assertRefused(c);
    }
  }

  @Nested
  @DisplayName("a forged or misdirected credential")
  class Forged {
    @Test
    @DisplayName("signed with an untrusted key is refused")
    void forgedSignature() {
      assertRefused(credentialWithForgedSignature(ALICE_PHONE));
    }

    @Test
    @DisplayName("with another credential's signature over changed claims is refused")
    void swappedClaims() {
      assertRefused(credentialWithSwappedClaims(BOB_PHONE, ALICE_PHONE));
    }

    @Test
    @DisplayName("unsigned (alg none) is refused")
    void unsigned() {
      assertRefused(unsignedCredential(ALICE_PHONE));
    }

    @Test
    @DisplayName("meant for another audience is refused")
    void audience() {
      assertRefused(credentialForAnotherAudience(ALICE_PHONE));
    }

    @Test
    @DisplayName("from another issuer is refused")
    void issuer() {
      assertRefused(credentialFromAnotherIssuer(ALICE_PHONE));
    }

    @Test
    @DisplayName("naming a reserved device id (_pending, or any id starting with _) is refused")
    void reservedDevice() {
      Instant now = clock.instant();
      for (String reserved : List.of("_pending", "_x")) {
        assertRefused(credential("alice", reserved, now.minusSeconds(60), now.plusSeconds(600)));
      }
    }

    @Test
    @DisplayName("no user's credential yields another user's or device's identity")
    void noOneElse() {
      List<DeviceAddress> all = List.of(ALICE_PHONE, ALICE_LAPTOP, BOB_PHONE);
      for (DeviceAddress holder : all) {
        DeviceAddress got = authenticator.authenticate(present(valid(holder)));
        for (DeviceAddress other : all) {
          if (!other.equals(holder)) {
            assertThat(got).isNotEqualTo(other);
          }
        }
      }
    }
  }

  @Nested
  @DisplayName("a credential that cannot be read")
  class Unreadable {
    @Test
    @DisplayName("longer than the limit is refused, even when correctly signed")
    void oversize() {
      String big = credentialOfLength(ALICE_PHONE, maxCredentialLength() + 1);
      assertThat(big.length()).isGreaterThan(maxCredentialLength());
      assertRefused(big);
      assertRefused("A".repeat(4 * 1024 * 1024));
    }

    @Test
    @DisplayName("that is malformed is refused with the documented exception, never another")
    void malformed() {
      for (String garbage :
          List.of(
              "x",
              "a.b.c",
              "..",
              "...",
              "e30.e30.",
              "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln",
              "eyJhbGciOiJIUzI1NiJ9..",
              "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSIsImRldmljZSI6InBob25lIn0.",
              "\u0000\u0001\u0002",
              "%%%.%%%.%%%",
              "bearer.bearer.bearer",
              "eyJhbGciOiJIUzI1NiJ9.W10.c2ln",
              "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2ln")) {
        assertRefused(garbage);
      }
    }

    @Test
    @DisplayName("that is missing is refused")
    void missing() {
      assertRefused(new Handshake(Map.of(), Map.of(), List.of(), null), "");
      assertRefused(
          new Handshake(Map.of("Authorization", List.of("Bearer ")), Map.of(), List.of(), null),
          "");
      assertRefused(
          new Handshake(Map.of("Authorization", List.of("Basic YTpi")), Map.of(), List.of(), null),
          "");
    }
  }
}
