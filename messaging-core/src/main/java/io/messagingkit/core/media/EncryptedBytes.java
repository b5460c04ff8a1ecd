package io.messagingkit.core.media;

import java.util.Objects;

/**
 * An in-memory encryption result: the blob to upload and what the receiver needs.
 *
 * @param ciphertext the encrypted blob (not copied; do not modify)
 * @param media the key, digest and size of {@code ciphertext}
 */
public record EncryptedBytes(byte[] ciphertext, EncryptedMedia media) {
  public EncryptedBytes {
    Objects.requireNonNull(ciphertext, "ciphertext");
    Objects.requireNonNull(media, "media");
    if (ciphertext.length != media.size()) {
      throw new IllegalArgumentException("ciphertext length does not match media size");
    }
  }
}
