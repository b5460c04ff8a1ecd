package io.messagingkit.core;

import java.util.Objects;

/**
 * A reference to a client-encrypted blob in the {@link io.messagingkit.core.port.MediaStore}. The
 * decryption key and digest travel only inside the (opaque) message body.
 *
 * @param objectKey the server-chosen key of the object
 * @param contentType the declared content type of the ciphertext's plaintext
 * @param sizeBytes the ciphertext size in bytes
 */
public record MediaRef(String objectKey, String contentType, long sizeBytes) {
  public MediaRef {
    Objects.requireNonNull(objectKey, "objectKey");
    Objects.requireNonNull(contentType, "contentType");
    if (objectKey.isEmpty() || objectKey.length() > 256) {
      throw new IllegalArgumentException("media object key must be 1..256 characters");
    }
    if (contentType.length() > 128) {
      throw new IllegalArgumentException("media content type must be at most 128 characters");
    }
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("media size must not be negative, got " + sizeBytes);
    }
  }
}
