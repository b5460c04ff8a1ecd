package io.messagingkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.NotFoundException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.MediaStore;
import io.messagingkit.core.port.MediaStore.DownloadGrant;
import io.messagingkit.core.port.MediaStore.MediaObject;
import io.messagingkit.core.port.MediaStore.UploadGrant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of {@link MediaStore}. Every upload and download goes over real HTTP through the
 * granted URLs with the JDK {@link HttpClient}, so the adapter's URL signing, expiry and size
 * checks are exercised as a client meets them.
 *
 * <p>Implement {@link #createStore}; the stores created in one test must share one backing storage
 * (bucket, folder) that is empty at the start of the test and reachable over HTTP.
 */
public abstract class MediaStoreContract {

  /** The object size cap the contract configures. */
  protected static final long MAX_BYTES = 256 * 1024;

  /** The URL lifetime of the store under test, long enough for any test. */
  protected static final Duration LONG_EXPIRY = Duration.ofMinutes(10);

  protected static final UserId ALICE = UserId.of("alice");
  protected static final UserId BOB = UserId.of("bob");
  protected static final UserId CAROL = UserId.of("carol");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  protected MediaStore store;

  /**
   * A store on this test's backing storage.
   *
   * @param urlExpiry the lifetime of the presigned URLs it grants
   * @param maxObjectBytes its object size cap
   */
  protected abstract MediaStore createStore(Duration urlExpiry, long maxObjectBytes);

  @BeforeEach
  void createStoreUnderTest() {
    store = createStore(LONG_EXPIRY, MAX_BYTES);
  }

  // ---- helpers available to adapter-specific tests

  /** Random bytes, standing in for a client-encrypted blob. */
  protected static byte[] blob(int size) {
    byte[] b = new byte[size];
    new Random(size * 31L + 7).nextBytes(b);
    return b;
  }

  /** PUTs {@code body} to the grant's URL with the grant's headers; returns the status. */
  protected static int put(UploadGrant grant, byte[] body) {
    return put(grant.url(), grant, body);
  }

  /** PUTs {@code body} to {@code url} with the grant's headers; returns the status. */
  protected static int put(URI url, UploadGrant grant, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(30))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    grant
        .headers()
        .forEach(
            (name, value) -> {
              String n = name.toLowerCase(Locale.ROOT);
              // set by the HTTP client itself (from the body) and restricted in the JDK client
              if (!n.equals("content-length") && !n.equals("host")) {
                request.header(name, value);
              }
            });
    return send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** GETs a URL. */
  protected static HttpResponse<byte[]> get(URI url) {
    return send(
        HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Uploads {@code body} as {@code owner} and asserts success; returns the object key. */
  protected String upload(UserId owner, byte[] body) {
    UploadGrant grant = store.grantUpload(owner, "image/jpeg", body.length);
    assertThat(put(grant, body)).as("status of the upload through the granted URL").isEqualTo(200);
    return grant.objectKey();
  }

  private static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) {
    try {
      return HTTP.send(request, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static URI withPathReplaced(URI url, String from, String to) {
    String s = url.toString();
    int q = s.indexOf('?');
    String path = q < 0 ? s : s.substring(0, q);
    assertThat(path).contains(from);
    return URI.create(path.replace(from, to) + (q < 0 ? "" : s.substring(q)));
  }

  private static void awaitPast(Instant instant) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Instant.now().isAfter(instant.plusMillis(1500)));
  }

  @Nested
  @DisplayName("upload")
  class Upload {

    @Test
    @DisplayName(
        "each upload grant names a fresh object key, a future expiry and room for the size")
    void grantsFreshKeys() {
      Set<String> keys = new HashSet<>();
      Instant before = Instant.now().minusSeconds(1);
      for (int i = 0; i < 20; i++) {
        UploadGrant grant = store.grantUpload(ALICE, "image/png", 1000);
        assertThat(keys.add(grant.objectKey())).as("fresh key").isTrue();
        assertThat(grant.maxBytes()).isBetween(1000L, MAX_BYTES);
        assertThat(grant.expiresAt())
            .isAfter(before)
            .isBefore(Instant.now().plus(LONG_EXPIRY).plusSeconds(5));
        assertThat(grant.url().getScheme()).isIn("http", "https");
      }
    }

    @Test
    @DisplayName("an upload larger than the cap is refused before any URL is granted")
    void capEnforcedAtGrant() {
      assertThatThrownBy(() -> store.grantUpload(ALICE, "video/mp4", MAX_BYTES + 1))
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> store.grantUpload(ALICE, "video/mp4", -1))
          .isInstanceOf(InvalidRequestException.class);
      assertThat(store.grantUpload(ALICE, "video/mp4", MAX_BYTES).maxBytes()).isEqualTo(MAX_BYTES);
    }

    @Test
    @DisplayName("stat is empty until the upload completes, then reports owner, size and type")
    void statOnlyAfterUpload() {
      byte[] body = blob(10_000);
      UploadGrant grant = store.grantUpload(ALICE, "image/jpeg", body.length);
      assertThat(store.stat(grant.objectKey())).isEmpty();
      assertThat(store.mayRead(grant.objectKey(), ALICE)).isFalse();

      assertThat(put(grant, body)).isEqualTo(200);

      assertThat(store.stat(grant.objectKey()))
          .contains(new MediaObject(grant.objectKey(), ALICE, body.length, "image/jpeg"));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 48, 65_536, 200_000})
    @DisplayName("the uploaded bytes come back unchanged through a download URL")
    void roundTrip(int size) {
      byte[] body = blob(size);
      String key = upload(ALICE, body);
      HttpResponse<byte[]> response = get(store.grantDownload(key).url());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(body);
    }

    @Test
    @DisplayName("a body larger than the granted size is refused and nothing is stored")
    void oversizeRefused() {
      UploadGrant grant = store.grantUpload(ALICE, "image/jpeg", 1000);
      assertThat(put(grant, blob(1001))).isBetween(400, 499);
      assertThat(put(grant, blob(5000))).isBetween(400, 499);
      assertThat(store.stat(grant.objectKey())).isEmpty();
    }

    @Test
    @DisplayName("a body smaller than the granted size is refused and nothing is stored")
    void undersizeRefused() {
      UploadGrant grant = store.grantUpload(ALICE, "image/jpeg", 1000);
      assertThat(put(grant, blob(999))).isBetween(400, 499);
      assertThat(store.stat(grant.objectKey())).isEmpty();
    }

    @Test
    @DisplayName("an upload URL cannot be pointed at another object key")
    void urlBoundToKey() {
      UploadGrant mine = store.grantUpload(ALICE, "image/jpeg", 100);
      UploadGrant other = store.grantUpload(BOB, "image/jpeg", 100);
      URI forged = withPathReplaced(mine.url(), mine.objectKey(), other.objectKey());
      assertThat(put(forged, mine, blob(100))).isBetween(400, 499);
      assertThat(store.stat(other.objectKey())).isEmpty();
      assertThat(store.stat(mine.objectKey())).isEmpty();
    }

    @Test
    @DisplayName("an expired upload URL is refused and nothing is stored")
    void expiredUploadRefused() {
      MediaStore shortLived = createStore(Duration.ofSeconds(1), MAX_BYTES);
      UploadGrant grant = shortLived.grantUpload(ALICE, "image/jpeg", 100);
      assertThat(grant.expiresAt()).isBefore(Instant.now().plusSeconds(3));
      awaitPast(grant.expiresAt());
      assertThat(put(grant, blob(100))).isBetween(400, 499);
      assertThat(store.stat(grant.objectKey())).isEmpty();
    }

    @Test
    @DisplayName("concurrent uploads of different objects all complete")
    void concurrentUploads() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<String>> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) {
          int size = 1000 + i;
          keys.add(pool.submit(() -> upload(ALICE, blob(size))));
        }
        for (int i = 0; i < keys.size(); i++) {
          assertThat(store.stat(keys.get(i).get())).map(MediaObject::sizeBytes).contains(1000L + i);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * Whether the backend refuses (HTTP 4xx) a replayed upload URL once the object is complete. Where
   * it does not, {@link MediaStore#seal} must still keep what downloads return unchanged.
   */
  protected boolean refusesReplayedUpload() {
    return true;
  }

  @Nested
  @DisplayName("immutability")
  class Immutability {

    @Test
    @DisplayName(
        "a replayed upload URL after the object was sealed (a message references it) changes"
            + " neither its metadata nor the bytes recipients download")
    void replayAfterSeal() {
      byte[] original = blob(10_000);
      byte[] forged = new byte[original.length];
      new Random(99).nextBytes(forged);
      UploadGrant grant = store.grantUpload(ALICE, "image/jpeg", original.length);
      assertThat(put(grant, original)).isEqualTo(200);
      MediaObject sealed = store.seal(grant.objectKey()).orElseThrow();
      assertThat(sealed).isEqualTo(new MediaObject(grant.objectKey(), ALICE, 10_000, "image/jpeg"));

      int replay = put(grant, forged);
      if (refusesReplayedUpload()) {
        assertThat(replay).as("status of the replayed upload").isBetween(400, 499);
      }

      assertThat(store.stat(grant.objectKey())).contains(sealed);
      assertThat(store.seal(grant.objectKey())).contains(sealed);
      HttpResponse<byte[]> download = get(store.grantDownload(grant.objectKey()).url());
      assertThat(download.statusCode()).isEqualTo(200);
      assertThat(download.body()).isEqualTo(original);
    }

    @Test
    @DisplayName("seal is empty for an unfinished, unknown or malformed object and creates nothing")
    void sealAbsent() {
      UploadGrant grant = store.grantUpload(ALICE, "image/jpeg", 100);
      assertThat(store.seal(grant.objectKey())).isEmpty();
      assertThat(store.seal("0123456789abcdef0123456789abcdef")).isEmpty();
      assertThat(store.seal("../etc/passwd")).isEmpty();
      assertThat(put(grant, blob(100))).isEqualTo(200);
      assertThat(store.seal(grant.objectKey())).isPresent();
    }

    @Test
    @DisplayName("delete removes a sealed object entirely")
    void deleteSealed() {
      String key = upload(ALICE, blob(2_000));
      store.seal(key);
      assertThat(store.delete(key)).isTrue();
      assertThat(store.stat(key)).isEmpty();
      assertThat(store.seal(key)).isEmpty();
      assertThatThrownBy(() -> store.grantDownload(key)).isInstanceOf(NotFoundException.class);
    }
  }

  @Nested
  @DisplayName("download")
  class Download {

    @Test
    @DisplayName("a download URL is refused for an absent object")
    void absent() {
      UploadGrant unfinished = store.grantUpload(ALICE, "image/jpeg", 100);
      assertThatThrownBy(() -> store.grantDownload(unfinished.objectKey()))
          .isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> store.grantDownload("0123456789abcdef0123456789abcdef"))
          .isInstanceOf(NotFoundException.class);
    }

    @Test
    @DisplayName("a download URL expires")
    void expiredDownloadRefused() {
      byte[] body = blob(500);
      String key = upload(ALICE, body);
      MediaStore shortLived = createStore(Duration.ofSeconds(1), MAX_BYTES);
      DownloadGrant grant = shortLived.grantDownload(key);
      assertThat(grant.expiresAt()).isBefore(Instant.now().plusSeconds(3));
      awaitPast(grant.expiresAt());
      HttpResponse<byte[]> response = get(grant.url());
      assertThat(response.statusCode()).isBetween(400, 499);
      assertThat(response.body()).isNotEqualTo(body);
    }

    @Test
    @DisplayName("a download URL for one object cannot fetch another")
    void urlBoundToKey() {
      String mine = upload(ALICE, blob(300));
      byte[] secret = blob(301);
      String other = upload(BOB, secret);
      URI forged = withPathReplaced(store.grantDownload(mine).url(), mine, other);
      HttpResponse<byte[]> response = get(forged);
      assertThat(response.statusCode()).isBetween(400, 499);
      assertThat(response.body()).isNotEqualTo(secret);
    }

    @Test
    @DisplayName("an upload URL does not serve downloads")
    void uploadUrlDoesNotDownload() {
      byte[] body = blob(300);
      UploadGrant grant = store.grantUpload(ALICE, "image/jpeg", body.length);
      assertThat(put(grant, body)).isEqualTo(200);
      HttpResponse<byte[]> response = get(grant.url());
      assertThat(response.statusCode()).isBetween(400, 499);
      assertThat(response.body()).isNotEqualTo(body);
    }
  }

  @Nested
  @DisplayName("read grants")
  class ReadGrants {

    @Test
    @DisplayName("the owner may read its complete object; others only once granted")
    void ownerAndGrantees() {
      String key = upload(ALICE, blob(100));
      assertThat(store.mayRead(key, ALICE)).isTrue();
      assertThat(store.mayRead(key, BOB)).isFalse();
      assertThat(store.mayRead(key, CAROL)).isFalse();

      store.grantRead(key, BOB);

      assertThat(store.mayRead(key, BOB)).isTrue();
      assertThat(store.mayRead(key, CAROL)).isFalse();
    }

    @Test
    @DisplayName("granting read is idempotent")
    void idempotent() {
      String key = upload(ALICE, blob(100));
      store.grantRead(key, BOB);
      store.grantRead(key, BOB);
      assertThat(store.mayRead(key, BOB)).isTrue();
    }

    @Test
    @DisplayName("a grant is for one object only")
    void perObject() {
      String first = upload(ALICE, blob(100));
      String second = upload(ALICE, blob(101));
      store.grantRead(first, BOB);
      assertThat(store.mayRead(second, BOB)).isFalse();
    }

    @Test
    @DisplayName("grants are durable: a new store on the same storage still honours them")
    void durable() {
      String key = upload(ALICE, blob(100));
      store.grantRead(key, BOB);
      MediaStore reopened = createStore(LONG_EXPIRY, MAX_BYTES);
      assertThat(reopened.mayRead(key, BOB)).isTrue();
      assertThat(reopened.mayRead(key, ALICE)).isTrue();
      assertThat(reopened.mayRead(key, CAROL)).isFalse();
      assertThat(reopened.stat(key)).isEqualTo(store.stat(key));
    }

    @Test
    @DisplayName("nobody may read an unknown object")
    void unknown() {
      assertThat(store.mayRead("0123456789abcdef0123456789abcdef", ALICE)).isFalse();
    }
  }

  @Nested
  @DisplayName("object keys")
  class Keys {

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
        strings = {
          "../signing.key",
          "grants/x/y",
          "..",
          "a/../b",
          "%2e%2e",
          "ZZZZ",
          "0123456789ABCDEF0123456789ABCDEF0"
        })
    @DisplayName("a key the store did not hand out is never found and never reaches other data")
    void foreignKeys(String key) {
      assertThat(store.stat(key)).isEmpty();
      assertThat(store.mayRead(key, ALICE)).isFalse();
      assertThat(store.delete(key)).isFalse();
      assertThatThrownBy(() -> store.grantDownload(key)).isInstanceOf(NotFoundException.class);
    }
  }

  @Nested
  @DisplayName("delete")
  class Delete {

    @Test
    @DisplayName("delete removes the object and its grants and says whether it existed")
    void deletes() {
      byte[] body = blob(700);
      String key = upload(ALICE, body);
      store.grantRead(key, BOB);
      URI oldUrl = store.grantDownload(key).url();

      assertThat(store.delete(key)).isTrue();

      assertThat(store.stat(key)).isEmpty();
      assertThat(store.mayRead(key, ALICE)).isFalse();
      assertThat(store.mayRead(key, BOB)).isFalse();
      assertThatThrownBy(() -> store.grantDownload(key)).isInstanceOf(NotFoundException.class);
      HttpResponse<byte[]> response = get(oldUrl);
      assertThat(response.statusCode()).isBetween(400, 499);
      assertThat(response.body()).isNotEqualTo(body);
      assertThat(store.delete(key)).isFalse();
    }

    @Test
    @DisplayName("deleting one object leaves the others")
    void deletesOnlyOne() {
      String first = upload(ALICE, blob(100));
      String second = upload(ALICE, blob(101));
      store.grantRead(second, BOB);
      store.delete(first);
      assertThat(store.stat(second)).isPresent();
      assertThat(store.mayRead(second, BOB)).isTrue();
    }
  }
}
