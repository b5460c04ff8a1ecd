package io.messagingkit.core.memory;

import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.NotFoundException;
import io.messagingkit.core.UnavailableException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.MediaStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * A {@link MediaStore} on a local folder, the embedded default: uploads and downloads go through
 * HMAC-SHA256-signed, expiring URLs under a base URI, served by the {@link LocalMediaHttpHandler}
 * from {@link #httpHandler()} mounted on any HTTP server.
 *
 * <p>Layout of the folder (created if missing):
 *
 * <ul>
 *   <li>{@code objects/<key>}: the uploaded (client-encrypted) bytes; {@code objects/<key>.meta}:
 *       owner and declared content type. An upload is written to {@code tmp/} and moved into place
 *       atomically, so {@link #stat} never sees a partial upload.
 *   <li>{@code grants/<key>/<hex of user id>}: one empty file per read grant; they survive
 *       restarts.
 *   <li>{@code signing.key}: the URL signing key, created on first use unless {@link
 *       Builder#signingKey} is set, so URLs stay valid across restarts.
 * </ul>
 *
 * <p>Object keys are 32 lower-case hex characters (128 random bits); a key of any other form is
 * treated as absent. An upload URL binds the object key, owner, content type, exact size and
 * expiry; a body of another size is refused. Downloads are served as {@code
 * application/octet-stream} attachments whatever the declared type, so an uploaded blob never runs
 * as a page on the server's origin. {@link #grantRead} on an absent object records the grant
 * without checking (it grants nothing until the object exists) so that it never fails a send.
 *
 * <p>Thread-safe; blocking; file system errors become {@link UnavailableException}.
 */
public final class LocalFolderMediaStore implements MediaStore {
  /** The default lifetime of a presigned URL. */
  public static final Duration DEFAULT_URL_EXPIRY = Duration.ofMinutes(15);

  /** The default largest object, 100 MiB. */
  public static final long DEFAULT_MAX_OBJECT_BYTES = 100L * 1024 * 1024;

  private static final Pattern KEY = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern CONTENT_TYPE = Pattern.compile("[\\x21-\\x7e][\\x20-\\x7e]{0,127}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Config config;
  private final Path objects;
  private final Path grants;
  private final Path tmp;
  private final byte[] signingKey;
  private final LocalMediaHttpHandler handler;

  /**
   * The settings of a store.
   *
   * @param folder where objects and grants live
   * @param baseUri the public URI under which {@link #httpHandler()} is mounted, e.g. {@code
   *     http://localhost:8080/media}; object URLs are {@code baseUri + "/" + key + "?..."}
   * @param urlExpiry lifetime of presigned URLs
   * @param maxObjectBytes the largest object accepted
   * @param clock the time source for URL expiry
   */
  public record Config(
      Path folder, URI baseUri, Duration urlExpiry, long maxObjectBytes, Clock clock) {
    public Config {
      Objects.requireNonNull(folder, "folder");
      Objects.requireNonNull(baseUri, "baseUri");
      Objects.requireNonNull(urlExpiry, "urlExpiry");
      Objects.requireNonNull(clock, "clock");
    }
  }

  private LocalFolderMediaStore(Config config, byte[] signingKey) throws IOException {
    this.config = config;
    Path folder = config.folder();
    this.objects = Files.createDirectories(folder.resolve("objects"));
    this.grants = Files.createDirectories(folder.resolve("grants"));
    this.tmp = Files.createDirectories(folder.resolve("tmp"));
    this.signingKey = signingKey;
    this.handler = new LocalMediaHttpHandler(this);
  }

  /**
   * A builder for a store on {@code folder} whose URLs start with {@code baseUri}.
   *
   * @param folder the folder to keep objects in; created if missing
   * @param baseUri absolute http(s) URI where {@link #httpHandler()} is reachable, without a
   *     trailing slash
   */
  public static Builder builder(Path folder, URI baseUri) {
    return new Builder(folder, baseUri);
  }

  /** The settings in force. */
  public Config config() {
    return config;
  }

  /** The HTTP handler that serves this store's presigned URLs; mount it under the base URI. */
  public LocalMediaHttpHandler httpHandler() {
    return handler;
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
    Instant expiresAt = expiry();
    long exp = expiresAt.getEpochSecond();
    String sig = sign(putPayload(key, owner.value(), contentType, sizeBytes, exp));
    URI url =
        objectUri(
            key,
            "op=put&owner="
                + enc(owner.value())
                + "&ct="
                + enc(contentType)
                + "&len="
                + sizeBytes
                + "&exp="
                + exp
                + "&sig="
                + sig);
    return new UploadGrant(
        key,
        url,
        Map.of("Content-Type", contentType, "Content-Length", Long.toString(sizeBytes)),
        expiresAt,
        sizeBytes);
  }

  @Override
  public Optional<MediaObject> stat(String objectKey) {
    if (!validKey(objectKey)) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(read(objectKey));
    } catch (IOException e) {
      throw unavailable("stat " + objectKey, e);
    }
  }

  @Override
  public void grantRead(String objectKey, UserId reader) {
    Objects.requireNonNull(reader, "reader");
    if (!validKey(objectKey)) {
      return;
    }
    try {
      Path dir = Files.createDirectories(grants.resolve(objectKey));
      Files.createFile(dir.resolve(grantName(reader)));
    } catch (FileAlreadyExistsException e) {
      // idempotent
    } catch (IOException e) {
      throw unavailable("grant read of " + objectKey + " to " + reader, e);
    }
  }

  @Override
  public boolean mayRead(String objectKey, UserId reader) {
    Objects.requireNonNull(reader, "reader");
    Optional<MediaObject> object = stat(objectKey);
    if (object.isEmpty()) {
      return false;
    }
    return object.get().owner().equals(reader)
        || Files.exists(grants.resolve(objectKey).resolve(grantName(reader)));
  }

  @Override
  public DownloadGrant grantDownload(String objectKey) {
    if (stat(objectKey).isEmpty()) {
      throw new NotFoundException("no complete media object " + objectKey);
    }
    Instant expiresAt = expiry();
    long exp = expiresAt.getEpochSecond();
    String sig = sign(getPayload(objectKey, exp));
    return new DownloadGrant(
        objectKey, objectUri(objectKey, "op=get&exp=" + exp + "&sig=" + sig), expiresAt);
  }

  @Override
  public boolean delete(String objectKey) {
    if (!validKey(objectKey)) {
      return false;
    }
    try {
      boolean existed = Files.deleteIfExists(objects.resolve(objectKey));
      Files.deleteIfExists(objects.resolve(objectKey + ".meta"));
      Path dir = grants.resolve(objectKey);
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            Files.deleteIfExists(f);
          }
        }
        try {
          Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
          // a grant raced with the delete; it refers to nothing and is harmless
        }
      }
      return existed;
    } catch (IOException e) {
      throw unavailable("delete " + objectKey, e);
    }
  }

  // ---- used by LocalMediaHttpHandler

  static boolean validKey(@Nullable String objectKey) {
    return objectKey != null && KEY.matcher(objectKey).matches();
  }

  String basePath() {
    return config.baseUri().getRawPath();
  }

  boolean verifyPut(String key, String owner, String contentType, long len, long exp, String sig) {
    return verify(putPayload(key, owner, contentType, len, exp), sig);
  }

  boolean verifyGet(String key, long exp, String sig) {
    return verify(getPayload(key, exp), sig);
  }

  boolean expired(long exp) {
    return config.clock().instant().getEpochSecond() >= exp;
  }

  /**
   * Stores an upload: body to a temporary file, then metadata and body moved into place. Write
   * once: the body is linked into place only if no complete object has the key, so a replayed
   * upload URL never replaces what a message already references.
   *
   * @return the number of bytes stored, or -1 if the body was longer than {@code len}, -2 if it was
   *     shorter, -3 if reading it failed (the client went away), -4 if the object is complete
   */
  long store(String key, UserId owner, String contentType, long len, InputStream body)
      throws IOException {
    Path part = Files.createTempFile(tmp, key + "-", ".part");
    try {
      long n = 0;
      try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE);
          OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
        byte[] buf = new byte[64 * 1024];
        int r;
        while ((r = readBody(body, buf)) != -1) {
          if (r == -3) {
            return -3;
          }
          n += r;
          if (n > len) {
            return -1;
          }
          out.write(buf, 0, r);
        }
        if (n != len) {
          return -2;
        }
        ch.force(true);
      }
      if (complete(key)) {
        return -4;
      }
      Properties meta = new Properties();
      meta.setProperty("owner", owner.value());
      meta.setProperty("contentType", contentType);
      Path metaPart = Files.createTempFile(tmp, key + "-", ".meta");
      try {
        try (OutputStream out = Files.newOutputStream(metaPart)) {
          meta.store(out, null);
        }
        move(metaPart, objects.resolve(key + ".meta"));
      } finally {
        Files.deleteIfExists(metaPart);
      }
      try {
        // a hard link fails if the target exists (a rename would replace it)
        Files.createLink(objects.resolve(key), part);
      } catch (FileAlreadyExistsException e) {
        return -4;
      }
      return n;
    } finally {
      Files.deleteIfExists(part);
    }
  }

  private static int readBody(InputStream body, byte[] buf) {
    try {
      return body.read(buf);
    } catch (IOException e) {
      return -3;
    }
  }

  /** Whether a complete object has the key (its body is in place). */
  boolean complete(String key) {
    return Files.exists(objects.resolve(key));
  }

  /** The complete object's metadata, or null if absent or incomplete. */
  @Nullable MediaObject read(String key) throws IOException {
    long size;
    try {
      size = Files.size(objects.resolve(key));
    } catch (NoSuchFileException e) {
      return null;
    }
    Properties meta = new Properties();
    try (InputStream in = Files.newInputStream(objects.resolve(key + ".meta"))) {
      meta.load(in);
    } catch (NoSuchFileException e) {
      return null;
    }
    String owner = meta.getProperty("owner");
    if (owner == null) {
      return null;
    }
    return new MediaObject(
        key, UserId.of(owner), size, meta.getProperty("contentType", "application/octet-stream"));
  }

  /** The object's bytes, or null if absent. */
  @Nullable InputStream open(String key) throws IOException {
    try {
      return Files.newInputStream(objects.resolve(key));
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  // ---- internals

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the media folder must support atomic moves: " + to, e);
    }
  }

  private Instant expiry() {
    return config.clock().instant().plus(config.urlExpiry()).truncatedTo(ChronoUnit.SECONDS);
  }

  private URI objectUri(String key, String query) {
    return URI.create(config.baseUri() + "/" + key + "?" + query);
  }

  private static String putPayload(
      String key, String owner, String contentType, long len, long exp) {
    return "v1\nput\n" + key + "\n" + owner + "\n" + contentType + "\n" + len + "\n" + exp;
  }

  private static String getPayload(String key, long exp) {
    return "v1\nget\n" + key + "\n" + exp;
  }

  private String sign(String payload) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(payload));
  }

  private boolean verify(String payload, String sig) {
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(sig);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(hmac(payload), given);
  }

  private byte[] hmac(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
      return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HMAC-SHA256", e);
    }
  }

  private static String grantName(UserId reader) {
    return HexFormat.of().formatHex(reader.value().getBytes(StandardCharsets.UTF_8));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static UnavailableException unavailable(String what, IOException e) {
    return new UnavailableException("local media store: " + what + " failed: " + e, e);
  }

  /** Builds a {@link LocalFolderMediaStore}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final @Nullable Path folder;
    private final @Nullable URI baseUri;
    private @Nullable Duration urlExpiry = DEFAULT_URL_EXPIRY;
    private long maxObjectBytes = DEFAULT_MAX_OBJECT_BYTES;
    private @Nullable Clock clock = Clock.systemUTC();
    private byte @Nullable [] signingKey;

    private Builder(@Nullable Path folder, @Nullable URI baseUri) {
      this.folder = folder;
      this.baseUri = baseUri;
    }

    /** Lifetime of presigned URLs; default 15 minutes, from 1 second to 7 days. */
    public Builder urlExpiry(Duration urlExpiry) {
      this.urlExpiry = urlExpiry;
      return this;
    }

    /** The largest object accepted; default 100 MiB. */
    public Builder maxObjectBytes(long maxObjectBytes) {
      this.maxObjectBytes = maxObjectBytes;
      return this;
    }

    /** The time source for URL expiry; default the system UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * The URL signing key, at least 32 bytes; several servers sharing one folder must share it. By
     * default a random key is created in {@code <folder>/signing.key} on first use.
     */
    public Builder signingKey(byte[] signingKey) {
      this.signingKey = signingKey.clone();
      return this;
    }

    /**
     * Creates the store and its folders.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     * @throws UnavailableException if the folder cannot be created or read
     */
    public LocalFolderMediaStore build() {
      Path folder = this.folder;
      URI baseUri = this.baseUri;
      Duration urlExpiry = this.urlExpiry;
      Clock clock = this.clock;
      byte[] signingKey = this.signingKey;
      if (folder == null) {
        throw new IllegalArgumentException("folder must be set");
      }
      if (baseUri == null
          || !baseUri.isAbsolute()
          || !("http".equals(baseUri.getScheme()) || "https".equals(baseUri.getScheme()))
          || baseUri.getRawQuery() != null
          || baseUri.getRawFragment() != null
          || baseUri.getRawPath() == null
          || baseUri.getRawPath().endsWith("/")) {
        throw new IllegalArgumentException(
            "baseUri must be an absolute http(s) URI without query, fragment or trailing slash,"
                + " got "
                + baseUri);
      }
      if (urlExpiry == null
          || urlExpiry.compareTo(Duration.ofSeconds(1)) < 0
          || urlExpiry.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException(
            "urlExpiry must be between 1 second and 7 days, got " + urlExpiry);
      }
      if (maxObjectBytes <= 0) {
        throw new IllegalArgumentException(
            "maxObjectBytes must be positive, got " + maxObjectBytes);
      }
      if (clock == null) {
        throw new IllegalArgumentException("clock must be set");
      }
      if (signingKey != null && signingKey.length < 32) {
        throw new IllegalArgumentException(
            "signingKey must be at least 32 bytes, got " + signingKey.length);
      }
      try {
        Files.createDirectories(folder);
        byte[] key = signingKey != null ? signingKey : loadOrCreateKey(folder);
        return new LocalFolderMediaStore(
            new Config(folder, baseUri, urlExpiry, maxObjectBytes, clock), key);
      } catch (IOException e) {
        throw new UnavailableException("local media store: cannot open folder " + folder, e);
      }
    }

    private static byte[] loadOrCreateKey(Path folder) throws IOException {
      Path file = folder.resolve("signing.key");
      if (!Files.exists(file)) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        Path part = Files.createTempFile(folder, "signing-", ".key");
        Files.write(part, key);
        try {
          // a hard link appears atomically and never replaces: if another process won, its key
          // stays
          Files.createLink(file, part);
        } catch (FileAlreadyExistsException e) {
          // keep the other key
        } catch (UnsupportedOperationException e) {
          Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(part);
        }
      }
      byte[] key = Files.readAllBytes(file);
      if (key.length < 32) {
        throw new IOException("signing key file " + file + " holds fewer than 32 bytes");
      }
      return key;
    }
  }
}
