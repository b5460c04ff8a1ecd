package io.messagingkit.core.media;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The 32-byte random secret of one media file, from which {@link MediaCrypto} derives the IV, the
 * AES-256 key and the HMAC key. It travels only inside the (end-to-end encrypted) message body;
 * {@link #toString()} never shows it.
 */
public final class MediaKey {
  /** The length of a media key in bytes. */
  public static final int LENGTH = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] bytes;

  private MediaKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A fresh key from a {@link SecureRandom}. Use one key per file, never twice. */
  public static MediaKey random() {
    byte[] bytes = new byte[LENGTH];
    RANDOM.nextBytes(bytes);
    return new MediaKey(bytes);
  }

  /** The key with these {@value #LENGTH} bytes (copied). */
  public static MediaKey of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "media key must be " + LENGTH + " bytes, got " + bytes.length);
    }
    return new MediaKey(bytes.clone());
  }

  /** The key from its standard Base64 form, as carried in a message body. */
  public static MediaKey fromBase64(String base64) {
    Objects.requireNonNull(base64, "base64");
    try {
      return of(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "media key is not valid Base64 of " + LENGTH + " bytes", e);
    }
  }

  /** A copy of the key bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The key in standard Base64 (with padding), as carried in a message body. */
  public String toBase64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  byte[] raw() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MediaKey other && MessageDigest.isEqual(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Never shows the key. */
  @Override
  public String toString() {
    return "MediaKey[redacted]";
  }
}
