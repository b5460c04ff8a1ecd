package io.messagingkit.media.s3;

import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.NotFoundException;
import io.messagingkit.core.UnavailableException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.MediaStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * A {@link MediaStore} on Amazon S3 or an S3-compatible object store (MinIO, Ceph, S3Proxy, ...),
 * on the AWS SDK for Java v2. Clients upload and download directly with presigned URLs; the server
 * never handles media bytes.
 *
 * <p>Layout in the bucket (under an optional {@link Builder#keyPrefix key prefix}):
 *
 * <ul>
 *   <li>{@code objects/<key>}: an uploaded blob. The key is 32 lower-case hex characters (128
 *       random bits) chosen here. The presigned PUT signs {@code Content-Length} (the exact granted
 *       size), {@code Content-Type} and the {@code x-amz-meta-owner} header, so the client can
 *       change none of them; S3 writes an object atomically, so {@link #stat} never sees a partial
 *       upload. It also signs {@code If-None-Match: *}, so real S3 refuses a replayed upload once
 *       the object exists (S3Proxy 2.6 ignores the header on PUT).
 *   <li>{@code sealed/<key>}: the copy {@link #seal} makes before a message references the blob; no
 *       upload grant names it, so what recipients download never changes.
 *   <li>{@code grants/<key>/<hex of user id>}: one empty object per read grant. Grants are durable,
 *       need no database, scale to any group size (unlike the ten tags an object can carry) and are
 *       removed with the object by {@link #delete}.
 * </ul>
 *
 * <p>Downloads are presigned with {@code response-content-type: application/octet-stream} and
 * {@code response-content-disposition: attachment}. The bucket must stay private: this store never
 * sets an ACL, and every access goes through a presigned URL. A key of any other form than the
 * store's own is treated as absent, so a client-supplied key can never address a grant object.
 *
 * <p>The bucket must exist ({@link Builder#createBucket} creates it): a HEAD request cannot tell a
 * missing bucket from a missing key, so {@link #stat} on a missing bucket finds nothing, while
 * writes and deletes fail with {@link UnavailableException}.
 *
 * <p>Thread-safe; blocking; SDK and service failures become {@link UnavailableException}. Close the
 * store to release the clients it built (clients passed to {@link Builder#clients} stay open).
 */
public final class S3MediaStore implements MediaStore, AutoCloseable {
  /** The default lifetime of a presigned URL. */
  public static final Duration DEFAULT_URL_EXPIRY = Duration.ofMinutes(15);

  /** The default largest object, 100 MiB. */
  public static final long DEFAULT_MAX_OBJECT_BYTES = 100L * 1024 * 1024;

  /** The largest object a single presigned PUT can create on S3, 5 GiB. */
  public static final long MAX_SINGLE_PUT_BYTES = 5L * 1024 * 1024 * 1024;

  static final String OWNER_METADATA = "owner";
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern CONTENT_TYPE = Pattern.compile("[\\x21-\\x7e][\\x20-\\x7e]{0,127}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Config config;
  private final S3Client s3;
  private final S3Presigner presigner;
  private final boolean ownsClients;
  private volatile boolean batchDelete = true;

  /**
   * The settings of a store.
   *
   * @param bucket the (private) bucket
   * @param keyPrefix prepended to every key this store writes, e.g. {@code "media/"}; may be empty
   * @param urlExpiry lifetime of presigned URLs
   * @param maxObjectBytes the largest object accepted
   */
  public record Config(String bucket, String keyPrefix, Duration urlExpiry, long maxObjectBytes) {
    public Config {
      Objects.requireNonNull(bucket, "bucket");
      Objects.requireNonNull(keyPrefix, "keyPrefix");
      Objects.requireNonNull(urlExpiry, "urlExpiry");
    }
  }

  private S3MediaStore(Config config, S3Client s3, S3Presigner presigner, boolean ownsClients) {
    this.config = config;
    this.s3 = s3;
    this.presigner = presigner;
    this.ownsClients = ownsClients;
  }

  /** A builder for a store on {@code bucket}. */
  public static Builder builder(String bucket) {
    return new Builder(bucket);
  }

  /** The settings in force. */
  public Config config() {
    return config;
  }

  @Override
  public UploadGrant grantUpload(UserId owner, String contentType, long sizeBytes) {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(contentType, "contentType");
    if (!CONTENT_TYPE.matcher(contentType).matches()) {
      throw new InvalidRequestException(
          "media content type must be 1..128 printable ASCII characters");
    }
    if (sizeBytes < 0 || sizeBytes > config.maxObjectBytes()) {
      throw new InvalidRequestException(
          "media size "
              + sizeBytes
              + " is outside 0.."
              + config.maxObjectBytes()
              + " bytes (maxObjectBytes)");
    }
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    String key = HexFormat.of().formatHex(random);
    try {
      PresignedPutObjectRequest presigned =
          presigner.presignPutObject(
              p ->
                  p.signatureDuration(config.urlExpiry())
                      .putObjectRequest(
                          r ->
                              r.bucket(config.bucket())
                                  .key(objectPath(key))
                                  .contentType(contentType)
                                  .contentLength(sizeBytes)
                                  // real S3 refuses a replay once the object exists
                                  .ifNoneMatch("*")
                                  .metadata(Map.of(OWNER_METADATA, owner.value()))));
      Map<String, String> headers = new LinkedHashMap<>();
      presigned
          .signedHeaders()
          .forEach(
              (name, values) -> {
                if (!name.equalsIgnoreCase("host")) {
                  headers.put(name, String.join(",", values));
                }
              });
      return new UploadGrant(
          key, presigned.url().toURI(), headers, presigned.expiration(), sizeBytes);
    } catch (SdkException | URISyntaxException e) {
      throw unavailable("presign upload", key, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The sealed copy if there is one (see {@link #seal}), else the uploaded object.
   */
  @Override
  public Optional<MediaObject> stat(String objectKey) {
    if (!validKey(objectKey)) {
      return Optional.empty();
    }
    Optional<HeadObjectResponse> head = head(sealedPath(objectKey), objectKey);
    if (head.isEmpty()) {
      head = head(objectPath(objectKey), objectKey);
    }
    return head.flatMap(h -> object(objectKey, h));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Copies the uploaded object, inside the bucket, to a sealed key that no upload grant names
   * (only if it is still the version just read: {@code x-amz-copy-source-if-match}); {@link #stat}
   * and downloads prefer the sealed copy. A replayed upload URL can then at most rewrite the
   * unsealed original, which nothing reads any more (and real S3 refuses even that: grants carry a
   * signed {@code If-None-Match: *}).
   */
  @Override
  public Optional<MediaObject> seal(String objectKey) {
    if (!validKey(objectKey)) {
      return Optional.empty();
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      Optional<HeadObjectResponse> sealed = head(sealedPath(objectKey), objectKey);
      if (sealed.isPresent()) {
        return object(objectKey, sealed.get());
      }
      Optional<HeadObjectResponse> upload = head(objectPath(objectKey), objectKey);
      if (upload.isEmpty() || object(objectKey, upload.get()).isEmpty()) {
        return Optional.empty();
      }
      String etag = upload.get().eTag();
      try {
        s3.copyObject(
            r ->
                r.sourceBucket(config.bucket())
                    .sourceKey(objectPath(objectKey))
                    .copySourceIfMatch(etag)
                    .destinationBucket(config.bucket())
                    .destinationKey(sealedPath(objectKey)));
        return object(objectKey, upload.get());
      } catch (S3Exception e) {
        if (e.statusCode() != 412) {
          throw unavailable("seal", objectKey, e);
        }
        // rewritten between the read and the copy: read again
      } catch (SdkException e) {
        throw unavailable("seal", objectKey, e);
      }
    }
    throw new UnavailableException(
        "S3 media store: " + objectKey + " kept changing while being sealed; try again");
  }

  private Optional<HeadObjectResponse> head(String path, String objectKey) {
    try {
      return Optional.of(s3.headObject(r -> r.bucket(config.bucket()).key(path)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw unavailable("stat", objectKey, e);
    } catch (SdkException e) {
      throw unavailable("stat", objectKey, e);
    }
  }

  private static Optional<MediaObject> object(String objectKey, HeadObjectResponse head) {
    String owner = head.metadata().get(OWNER_METADATA);
    if (owner == null) {
      return Optional.empty(); // not written through this store
    }
    return Optional.of(
        new MediaObject(
            objectKey,
            UserId.of(owner),
            head.contentLength(),
            head.contentType() == null ? "application/octet-stream" : head.contentType()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Writes the grant object without checking that the media object exists (one request); a grant
   * on an absent object grants nothing, and {@link #delete} removes it with the object.
   */
  @Override
  public void grantRead(String objectKey, UserId reader) {
    Objects.requireNonNull(reader, "reader");
    if (!validKey(objectKey)) {
      return;
    }
    try {
      s3.putObject(
          r -> r.bucket(config.bucket()).key(grantPath(objectKey, reader)).contentLength(0L),
          RequestBody.empty());
    } catch (SdkException e) {
      throw unavailable("grant read to " + reader + " of", objectKey, e);
    }
  }

  @Override
  public boolean mayRead(String objectKey, UserId reader) {
    Objects.requireNonNull(reader, "reader");
    Optional<MediaObject> object = stat(objectKey);
    if (object.isEmpty()) {
      return false;
    }
    if (object.get().owner().equals(reader)) {
      return true;
    }
    try {
      s3.headObject(r -> r.bucket(config.bucket()).key(grantPath(objectKey, reader)));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw unavailable("check read grant of " + reader + " on", objectKey, e);
    } catch (SdkException e) {
      throw unavailable("check read grant of " + reader + " on", objectKey, e);
    }
  }

  @Override
  public DownloadGrant grantDownload(String objectKey) {
    if (stat(objectKey).isEmpty()) {
      throw new NotFoundException("no complete media object " + objectKey);
    }
    String path =
        head(sealedPath(objectKey), objectKey).isPresent()
            ? sealedPath(objectKey)
            : objectPath(objectKey);
    try {
      PresignedGetObjectRequest presigned =
          presigner.presignGetObject(
              p ->
                  p.signatureDuration(config.urlExpiry())
                      .getObjectRequest(
                          r ->
                              r.bucket(config.bucket())
                                  .key(path)
                                  .responseContentType("application/octet-stream")
                                  .responseContentDisposition("attachment")));
      return new DownloadGrant(objectKey, presigned.url().toURI(), presigned.expiration());
    } catch (SdkException | URISyntaxException e) {
      throw unavailable("presign download", objectKey, e);
    }
  }

  @Override
  public boolean delete(String objectKey) {
    if (!validKey(objectKey)) {
      return false;
    }
    boolean existed = stat(objectKey).isPresent();
    try {
      s3.deleteObject(r -> r.bucket(config.bucket()).key(objectPath(objectKey)));
      s3.deleteObject(r -> r.bucket(config.bucket()).key(sealedPath(objectKey)));
      String prefix = grantPrefix(objectKey);
      String token = null;
      do {
        String continuation = token;
        ListObjectsV2Response page =
            s3.listObjectsV2(
                ListObjectsV2Request.builder()
                    .bucket(config.bucket())
                    .prefix(prefix)
                    .continuationToken(continuation)
                    .build());
        List<ObjectIdentifier> ids = new ArrayList<>();
        for (S3Object o : page.contents()) {
          ids.add(ObjectIdentifier.builder().key(o.key()).build());
        }
        deleteAll(ids);
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
      return existed;
    } catch (SdkException e) {
      throw unavailable("delete", objectKey, e);
    }
  }

  private void deleteAll(List<ObjectIdentifier> ids) {
    if (ids.isEmpty()) {
      return;
    }
    if (batchDelete) {
      try {
        s3.deleteObjects(
            r ->
                r.bucket(config.bucket())
                    .delete(Delete.builder().objects(ids).quiet(true).build()));
        return;
      } catch (S3Exception e) {
        if (e.statusCode() != 501) {
          throw e;
        }
        // some S3-compatible stores lack DeleteObjects (or its checksum header): one by one
        batchDelete = false;
      }
    }
    for (ObjectIdentifier id : ids) {
      s3.deleteObject(r -> r.bucket(config.bucket()).key(id.key()));
    }
  }

  /** Closes the S3 client and presigner if this store built them. */
  @Override
  public void close() {
    if (ownsClients) {
      presigner.close();
      s3.close();
    }
  }

  // ---- layout

  static boolean validKey(@Nullable String objectKey) {
    return objectKey != null && KEY.matcher(objectKey).matches();
  }

  String objectPath(String key) {
    return config.keyPrefix() + "objects/" + key;
  }

  /** The copy made by {@link #seal}: no upload grant names it. */
  String sealedPath(String key) {
    return config.keyPrefix() + "sealed/" + key;
  }

  String grantPrefix(String key) {
    return config.keyPrefix() + "grants/" + key + "/";
  }

  String grantPath(String key, UserId reader) {
    return grantPrefix(key)
        + HexFormat.of().formatHex(reader.value().getBytes(StandardCharsets.UTF_8));
  }

  private UnavailableException unavailable(String what, String objectKey, Exception e) {
    String detail = e instanceof NoSuchBucketException ? "bucket does not exist" : e.getMessage();
    return new UnavailableException(
        "S3 media store: "
            + what
            + " "
            + objectKey
            + " in bucket "
            + config.bucket()
            + " failed: "
            + detail,
        e);
  }

  /** Builds an {@link S3MediaStore}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final @Nullable String bucket;
    private @Nullable URI endpoint;
    private @Nullable String region;
    private @Nullable AwsCredentialsProvider credentials;
    private @Nullable Boolean pathStyle;
    private @Nullable S3Client client;
    private @Nullable S3Presigner clientPresigner;
    private String keyPrefix = "";
    private @Nullable Duration urlExpiry = DEFAULT_URL_EXPIRY;
    private long maxObjectBytes = DEFAULT_MAX_OBJECT_BYTES;
    private boolean createBucket;

    private Builder(@Nullable String bucket) {
      this.bucket = bucket;
    }

    /**
     * The endpoint of an S3-compatible store, e.g. {@code http://127.0.0.1:9000}; default AWS S3.
     * Presigned URLs point at this endpoint, so clients must be able to reach it.
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /** The signing region, e.g. {@code eu-west-1}; default {@code us-east-1}. */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /** Static credentials; default the AWS default credentials chain. */
    public Builder credentials(String accessKeyId, String secretAccessKey) {
      this.credentials =
          StaticCredentialsProvider.create(
              AwsBasicCredentials.create(accessKeyId, secretAccessKey));
      return this;
    }

    /** A credentials provider; default the AWS default credentials chain. */
    public Builder credentialsProvider(AwsCredentialsProvider credentials) {
      this.credentials = credentials;
      return this;
    }

    /**
     * Path-style URLs ({@code endpoint/bucket/key}) instead of virtual-host style ({@code
     * bucket.endpoint/key}); most S3-compatible stores need it. Default false.
     */
    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /**
     * Uses these clients instead of building them (then endpoint, region, credentials and path
     * style must not be set). They must address the same service; the store does not close them.
     */
    public Builder clients(S3Client s3, S3Presigner presigner) {
      this.client = s3;
      this.clientPresigner = presigner;
      return this;
    }

    /** Prepended to every key, e.g. {@code "media/"}; default none. */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
      return this;
    }

    /** Lifetime of presigned URLs; default 15 minutes, from 1 second to 7 days (S3's limit). */
    public Builder urlExpiry(Duration urlExpiry) {
      this.urlExpiry = urlExpiry;
      return this;
    }

    /** The largest object accepted; default 100 MiB, at most 5 GiB (one PUT). */
    public Builder maxObjectBytes(long maxObjectBytes) {
      this.maxObjectBytes = maxObjectBytes;
      return this;
    }

    /** Creates the bucket at {@link #build()} if it does not exist; default false. */
    public Builder createBucket(boolean createBucket) {
      this.createBucket = createBucket;
      return this;
    }

    /**
     * Creates the store.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     * @throws UnavailableException if {@link #createBucket} is set and the bucket cannot be created
     */
    public S3MediaStore build() {
      String bucket = this.bucket;
      Duration urlExpiry = this.urlExpiry;
      if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]")) {
        throw new IllegalArgumentException(
            "bucket must be a valid S3 bucket name (3-63 lower-case letters, digits, '.', '-'),"
                + " got "
                + bucket);
      }
      if (keyPrefix == null || keyPrefix.length() > 512 || keyPrefix.startsWith("/")) {
        throw new IllegalArgumentException(
            "keyPrefix must be at most 512 characters and not start with '/', got " + keyPrefix);
      }
      if (urlExpiry == null
          || urlExpiry.compareTo(Duration.ofSeconds(1)) < 0
          || urlExpiry.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException(
            "urlExpiry must be between 1 second and 7 days, got " + urlExpiry);
      }
      if (maxObjectBytes <= 0 || maxObjectBytes > MAX_SINGLE_PUT_BYTES) {
        throw new IllegalArgumentException(
            "maxObjectBytes must be between 1 and 5 GiB, got " + maxObjectBytes);
      }
      if (endpoint != null
          && (!endpoint.isAbsolute()
              || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())))) {
        throw new IllegalArgumentException(
            "endpoint must be an absolute http(s) URI, got " + endpoint);
      }
      Config config = new Config(bucket, keyPrefix, urlExpiry, maxObjectBytes);
      S3MediaStore store;
      S3Client s3 = client;
      S3Presigner presigner = clientPresigner;
      if (s3 != null || presigner != null) {
        if (s3 == null || presigner == null) {
          throw new IllegalArgumentException("clients needs both an S3Client and an S3Presigner");
        }
        if (endpoint != null || region != null || credentials != null || pathStyle != null) {
          throw new IllegalArgumentException(
              "endpoint, region, credentials and pathStyle cannot be set together with clients");
        }
        store = new S3MediaStore(config, s3, presigner, false);
      } else {
        Region r = Region.of(region == null ? "us-east-1" : region.toLowerCase(Locale.ROOT));
        AwsCredentialsProvider c =
            credentials == null ? DefaultCredentialsProvider.builder().build() : credentials;
        S3Configuration s3Config =
            S3Configuration.builder()
                .pathStyleAccessEnabled(Boolean.TRUE.equals(pathStyle))
                .chunkedEncodingEnabled(false)
                .build();
        var clientBuilder =
            S3Client.builder()
                .region(r)
                .credentialsProvider(c)
                .serviceConfiguration(s3Config)
                // checksums only where S3 requires them: S3-compatible stores lag behind
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        var presignerBuilder =
            S3Presigner.builder().region(r).credentialsProvider(c).serviceConfiguration(s3Config);
        if (endpoint != null) {
          clientBuilder.endpointOverride(endpoint);
          presignerBuilder.endpointOverride(endpoint);
        }
        store = new S3MediaStore(config, clientBuilder.build(), presignerBuilder.build(), true);
      }
      if (createBucket) {
        try {
          store.createBucketIfMissing();
        } catch (RuntimeException e) {
          store.close();
          throw e;
        }
      }
      return store;
    }
  }

  private void createBucketIfMissing() {
    try {
      s3.headBucket(r -> r.bucket(config.bucket()));
      return;
    } catch (NoSuchBucketException e) {
      // create below
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw unavailable("check bucket for", "(none)", e);
      }
    } catch (SdkException e) {
      throw unavailable("check bucket for", "(none)", e);
    }
    try {
      s3.createBucket(r -> r.bucket(config.bucket()));
    } catch (SdkException e) {
      throw new UnavailableException(
          "S3 media store: cannot create bucket " + config.bucket() + ": " + e.getMessage(), e);
    }
  }
}
