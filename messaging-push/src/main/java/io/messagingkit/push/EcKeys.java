package io.messagingkit.push;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;

/** P-256 keys to and from the raw forms Web Push uses (65-byte uncompressed points, 32-byte d). */
final class EcKeys {

  static final ECParameterSpec P256;

  static {
    try {
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec("secp256r1"));
      P256 = params.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private EcKeys() {}

  /** A public key from its uncompressed encoding {@code 0x04 || x || y}. */
  static ECPublicKey publicKey(byte[] uncompressed) throws GeneralSecurityException {
    if (uncompressed.length != 65 || uncompressed[0] != 0x04) {
      throw new GeneralSecurityException(
          "a P-256 public key is 65 bytes starting with 0x04, got " + uncompressed.length);
    }
    BigInteger x = new BigInteger(1, Arrays.copyOfRange(uncompressed, 1, 33));
    BigInteger y = new BigInteger(1, Arrays.copyOfRange(uncompressed, 33, 65));
    return (ECPublicKey)
        KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
  }

  /** A private key from its 32-byte scalar. */
  static ECPrivateKey privateKey(byte[] d) throws GeneralSecurityException {
    if (d.length != 32) {
      throw new GeneralSecurityException("a P-256 private key is 32 bytes, got " + d.length);
    }
    return (ECPrivateKey)
        KeyFactory.getInstance("EC")
            .generatePrivate(new ECPrivateKeySpec(new BigInteger(1, d), P256));
  }

  /** The uncompressed encoding {@code 0x04 || x || y} of a public key. */
  static byte[] uncompressed(ECPublicKey key) {
    byte[] out = new byte[65];
    out[0] = 0x04;
    copyUnsigned(key.getW().getAffineX(), out, 1);
    copyUnsigned(key.getW().getAffineY(), out, 33);
    return out;
  }

  /** The 32-byte scalar of a private key. */
  static byte[] raw(ECPrivateKey key) {
    byte[] out = new byte[32];
    copyUnsigned(key.getS(), out, 0);
    return out;
  }

  private static void copyUnsigned(BigInteger value, byte[] out, int offset) {
    byte[] bytes = value.toByteArray();
    int start = bytes.length > 32 ? bytes.length - 32 : 0;
    int length = bytes.length - start;
    System.arraycopy(bytes, start, out, offset + 32 - length, length);
  }
}
