package io.messagingkit.core.media;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/** The SHA-256 of an encrypted media blob: exactly the bytes uploaded to the media store. */
public final class MediaDigest {
  /** The length of a SHA-256 digest in bytes. */
  public static final int LENGTH = 32;

  private final byte[] bytes;

  private MediaDigest(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The digest with these {@value #LENGTH} bytes (copied). */
  public static MediaDigest of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "media digest must be " + LENGTH + " bytes, got " + bytes.length);
    }
    return new MediaDigest(bytes.clone());
  }

  /** The digest from its standard Base64 form, as carried in a message body. */
  public static MediaDigest fromBase64(String base64) {
    Objects.requireNonNull(base64, "base64");
    try {
      return of(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "media digest is not valid Base64 of " + LENGTH + " bytes", e);
    }
  }

  /** A copy of the digest bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The digest in standard Base64 (with padding). */
  public String toBase64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  boolean matches(byte[] actual) {
    return MessageDigest.isEqual(bytes, actual);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MediaDigest other && MessageDigest.isEqual(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The digest in lower-case hex. */
  @Override
  public String toString() {
    return "MediaDigest[" + HexFormat.of().formatHex(bytes) + "]";
  }
}
