package io.messagingkit.core.media;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** The keyed primitives of one media file: HKDF-derived IV and keys, cipher, MAC, digest. */
final class MediaCipher {
  static final byte[] HKDF_INFO = "messagingkit media v1".getBytes(StandardCharsets.US_ASCII);
  static final int IV_LENGTH = 16;
  static final int AES_KEY_LENGTH = 32;
  static final int MAC_KEY_LENGTH = 32;

  final byte[] iv;
  final Cipher cipher;
  final Mac mac;
  final MessageDigest sha256;

  private MediaCipher(MediaKey key, int mode) {
    byte[] okm = hkdfSha256(key.raw(), HKDF_INFO, IV_LENGTH + AES_KEY_LENGTH + MAC_KEY_LENGTH);
    try {
      iv = Arrays.copyOfRange(okm, 0, IV_LENGTH);
      cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
      cipher.init(
          mode, new SecretKeySpec(okm, IV_LENGTH, AES_KEY_LENGTH, "AES"), new IvParameterSpec(iv));
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(okm, IV_LENGTH + AES_KEY_LENGTH, MAC_KEY_LENGTH, "HmacSHA256"));
      mac.update(iv);
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks AES-256-CBC or HMAC-SHA256", e);
    } finally {
      Arrays.fill(okm, (byte) 0);
    }
  }

  static MediaCipher forEncryption(MediaKey key) {
    return new MediaCipher(key, Cipher.ENCRYPT_MODE);
  }

  static MediaCipher forDecryption(MediaKey key) {
    return new MediaCipher(key, Cipher.DECRYPT_MODE);
  }

  /** RFC 5869 HKDF with SHA-256 and an all-zero salt of hash length. */
  static byte[] hkdfSha256(byte[] ikm, byte[] info, int length) {
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
      byte[] prk = hmac.doFinal(ikm);
      hmac.init(new SecretKeySpec(prk, "HmacSHA256"));
      byte[] out = new byte[length];
      byte[] t = new byte[0];
      int done = 0;
      for (int i = 1; done < length; i++) {
        hmac.update(t);
        hmac.update(info);
        hmac.update((byte) i);
        t = hmac.doFinal();
        int n = Math.min(t.length, length - done);
        System.arraycopy(t, 0, out, done, n);
        done += n;
      }
      Arrays.fill(prk, (byte) 0);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HMAC-SHA256", e);
    }
  }
}
