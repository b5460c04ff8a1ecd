package io.messagingkit.transport.websocket;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.KeyLengthException;
import com.nimbusds.jose.crypto.MACSigner;
import java.nio.charset.StandardCharsets;

/** {@link JwtAuthenticator} with an HS256 secret runs the Authenticator contract. */
class HmacJwtAuthenticatorContractTest extends JwtAuthenticatorContractSupport {

  private static final byte[] SECRET =
      "contract-secret-0123456789abcdef-0123".getBytes(StandardCharsets.UTF_8);
  private static final byte[] OTHER =
      "another-secret-0123456789abcdef-01234".getBytes(StandardCharsets.UTF_8);

  @Override
  JWSAlgorithm algorithm() {
    return JWSAlgorithm.HS256;
  }

  @Override
  JWSSigner trustedSigner() {
    return mac(SECRET);
  }

  @Override
  JWSSigner untrustedSigner() {
    return mac(OTHER);
  }

  private static JWSSigner mac(byte[] secret) {
    try {
      return new MACSigner(secret);
    } catch (KeyLengthException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  JwtAuthenticator.Builder keys() {
    return JwtAuthenticator.builder().hmacSecret(SECRET);
  }
}
