package io.messagingkit.core.port;

import io.messagingkit.core.UserId;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Object storage for client-encrypted media. The server hands out short-lived presigned URLs and
 * never sees plaintext: clients encrypt before upload and carry the key inside the message body.
 *
 * <p>Object keys are chosen by the store (random, unguessable). Read access is granted per user:
 * the uploader, and each user the services {@linkplain #grantRead granted} because a message
 * referencing the object was sent to them.
 *
 * <p>Thread-safe; blocking; throws {@link io.messagingkit.core.UnavailableException} when the
 * backend is down.
 */
public interface MediaStore {

  /**
   * A presigned upload for a new object of at most {@code sizeBytes} owned by {@code owner}. Throws
   * {@link io.messagingkit.core.InvalidRequestException} if the size exceeds the store's cap.
   */
  UploadGrant grantUpload(UserId owner, String contentType, long sizeBytes);

  /** The object's metadata if it exists and its upload is complete; otherwise empty. */
  Optional<MediaObject> stat(String objectKey);

  /**
   * Makes a complete object immutable before a message references it: afterwards no upload grant (a
   * replayed upload URL included) changes what {@link #stat} and downloads return. Returns the
   * object's metadata, or empty if it is absent or its upload is unfinished. Idempotent. The
   * default suits a store whose objects can be written only once; it returns {@link #stat}.
   */
  default Optional<MediaObject> seal(String objectKey) {
    return stat(objectKey);
  }

  /** Allows {@code reader} to download {@code objectKey}. Idempotent. */
  void grantRead(String objectKey, UserId reader);

  /** Whether {@code reader} is the owner or was granted read access. */
  boolean mayRead(String objectKey, UserId reader);

  /**
   * A presigned download URL for a complete object. Does not check {@link #mayRead}: the services
   * do. Throws {@link io.messagingkit.core.NotFoundException} if the object is absent.
   */
  DownloadGrant grantDownload(String objectKey);

  /** Deletes the object and its grants; returns whether it existed. */
  boolean delete(String objectKey);

  /**
   * Where and how to upload.
   *
   * @param objectKey the key the message will reference
   * @param url the presigned URL; HTTP PUT the ciphertext to it
   * @param headers headers the PUT must carry (content type, length)
   * @param expiresAt after this the URL is refused
   * @param maxBytes the largest accepted body
   */
  record UploadGrant(
      String objectKey, URI url, Map<String, String> headers, Instant expiresAt, long maxBytes) {
    public UploadGrant {
      Objects.requireNonNull(objectKey, "objectKey");
      Objects.requireNonNull(url, "url");
      headers = Map.copyOf(headers);
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  /**
   * Where to download.
   *
   * @param objectKey the object
   * @param url the presigned URL; HTTP GET it
   * @param expiresAt after this the URL is refused
   */
  record DownloadGrant(String objectKey, URI url, Instant expiresAt) {
    public DownloadGrant {
      Objects.requireNonNull(objectKey, "objectKey");
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  /**
   * A stored object.
   *
   * @param objectKey the key
   * @param owner the uploader
   * @param sizeBytes the ciphertext size
   * @param contentType the declared content type
   */
  record MediaObject(String objectKey, UserId owner, long sizeBytes, String contentType) {}
}
