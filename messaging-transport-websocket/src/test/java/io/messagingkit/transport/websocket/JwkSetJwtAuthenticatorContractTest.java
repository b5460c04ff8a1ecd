package io.messagingkit.transport.websocket;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/** {@link JwtAuthenticator} with the ES256 keys of a JWK set runs the Authenticator contract. */
class JwkSetJwtAuthenticatorContractTest extends JwtAuthenticatorContractSupport {

  private static final ECKey TRUSTED = generate();
  private static final ECKey UNTRUSTED = generate();

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  JWSAlgorithm algorithm() {
    return JWSAlgorithm.ES256;
  }

  @Override
  JWSSigner trustedSigner() {
    return signer(TRUSTED);
  }

  @Override
  JWSSigner untrustedSigner() {
    return signer(UNTRUSTED);
  }

  private static JWSSigner signer(ECKey key) {
    try {
      return new ECDSASigner(key);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  JwtAuthenticator.Builder keys() {
    return JwtAuthenticator.builder().jwkSet(new JWKSet(TRUSTED.toPublicJWK()));
  }
}
