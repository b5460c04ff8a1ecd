package io.messagingkit.core.media;

import java.util.Objects;

/**
 * What a receiver needs to verify and decrypt one encrypted media blob; the sender puts these three
 * values (with the object key and content type) into the MEDIA message body.
 *
 * @param key the per-file secret
 * @param digest the SHA-256 of the encrypted blob
 * @param size the length of the encrypted blob in bytes (what is uploaded)
 */
public record EncryptedMedia(MediaKey key, MediaDigest digest, long size) {
  public EncryptedMedia {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(digest, "digest");
    if (size < MediaCrypto.MIN_CIPHERTEXT_SIZE || (size - MediaCrypto.TAG_LENGTH) % 16 != 0) {
      throw new IllegalArgumentException("not a valid encrypted media size: " + size);
    }
  }
}
