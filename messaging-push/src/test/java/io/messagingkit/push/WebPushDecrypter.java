package io.messagingkit.push;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The user agent's side of RFC 8291, written for the tests from the RFC (not from the gateway's
 * code): parses the aes128gcm header, derives the keys, decrypts and strips the padding.
 */
final class WebPushDecrypter {

  private WebPushDecrypter() {}

  static byte[] decrypt(byte[] body, ECPrivateKey uaPrivate, byte[] uaPublic, byte[] authSecret)
      throws GeneralSecurityException {
    ByteBuffer in = ByteBuffer.wrap(body);
    byte[] salt = new byte[16];
    in.get(salt);
    int recordSize = in.getInt();
    int idLength = in.get() & 0xff;
    byte[] keyId = new byte[idLength];
    in.get(keyId);
    byte[] ciphertext = new byte[in.remaining()];
    in.get(ciphertext);
    if (ciphertext.length > recordSize) {
      throw new GeneralSecurityException("more than one record: not what a wake-up needs");
    }
    if (idLength != 65) {
      throw new GeneralSecurityException("keyid must be the sender's 65-byte public key");
    }

    KeyAgreement ka = KeyAgreement.getInstance("ECDH");
    ka.init(uaPrivate);
    ka.doPhase(
        KeyFactory.getInstance("EC")
            .generatePublic(
                new ECPublicKeySpec(
                    new ECPoint(
                        new BigInteger(1, Arrays.copyOfRange(keyId, 1, 33)),
                        new BigInteger(1, Arrays.copyOfRange(keyId, 33, 65))),
                    uaPrivate.getParams())),
        true);
    byte[] shared = ka.generateSecret();

    byte[] prkKey = hmac(authSecret, shared);
    byte[] keyInfo = cat(ascii("WebPush: info\0"), uaPublic, keyId, new byte[] {1});
    byte[] ikm = hmac(prkKey, keyInfo);
    byte[] prk = hmac(salt, ikm);
    byte[] cek = Arrays.copyOf(hmac(prk, cat(ascii("Content-Encoding: aes128gcm\0"), one())), 16);
    byte[] nonce = Arrays.copyOf(hmac(prk, cat(ascii("Content-Encoding: nonce\0"), one())), 12);

    Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
    aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
    byte[] padded = aes.doFinal(ciphertext);
    int end = padded.length - 1;
    while (end >= 0 && padded[end] == 0) {
      end--;
    }
    if (end < 0 || padded[end] != 0x02) {
      throw new GeneralSecurityException("the last record must end with the delimiter 0x02");
    }
    return Arrays.copyOf(padded, end);
  }

  private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  private static byte[] one() {
    return new byte[] {1};
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] cat(byte[]... parts) {
    byte[] out = new byte[0];
    for (byte[] p : parts) {
      int at = out.length;
      out = Arrays.copyOf(out, at + p.length);
      System.arraycopy(p, 0, out, at, p.length);
    }
    return out;
  }
}
