package io.messagingkit.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.UserId;
import io.messagingkit.core.port.MediaStore.DownloadGrant;
import io.messagingkit.core.port.MediaStore.UploadGrant;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** URL signing, expiry and atomic writes of the local folder store, driven through its handler. */
class LocalFolderMediaStoreTest {

  static final URI BASE = URI.create("http://localhost:8080/media");
  static final UserId ALICE = UserId.of("alice");
  static final UserId BOB = UserId.of("bob");

  @TempDir Path folder;
  final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));

  LocalFolderMediaStore store(Duration expiry) {
    return LocalFolderMediaStore.builder(folder, BASE)
        .urlExpiry(expiry)
        .maxObjectBytes(10_000)
        .clock(clock)
        .build();
  }

  static LocalMediaHttpHandler.Response send(
      LocalFolderMediaStore store, String method, URI url, byte[] body) {
    return send(store, method, url, body, Map.of());
  }

  static LocalMediaHttpHandler.Response send(
      LocalFolderMediaStore store,
      String method,
      URI url,
      byte[] body,
      Map<String, List<String>> headers) {
    String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    return store.httpHandler().handle(method, target, headers, new ByteArrayInputStream(body));
  }

  static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 7);
    }
    return b;
  }

  static URI withQueryParam(URI url, String name, String value) {
    String s = url.toString();
    return URI.create(s.replaceAll("([?&]" + name + "=)[^&]*", "$1" + value));
  }

  @Nested
  @DisplayName("expiry")
  class Expiry {

    @Test
    @DisplayName("an upload URL works until its expiry second and is refused from then on")
    void uploadExpiry() {
      LocalFolderMediaStore store = store(Duration.ofMinutes(15));
      UploadGrant grant = store.grantUpload(ALICE, "image/png", 10);
      assertThat(grant.expiresAt()).isEqualTo(Instant.parse("2026-01-01T00:15:00Z"));
      clock.set(grant.expiresAt().minusMillis(1));
      UploadGrant second = store.grantUpload(ALICE, "image/png", 10);
      assertThat(send(store, "PUT", grant.url(), bytes(10)).status()).isEqualTo(200);

      clock.set(second.expiresAt());
      assertThat(send(store, "PUT", second.url(), bytes(10)).status()).isEqualTo(403);
      assertThat(store.stat(second.objectKey())).isEmpty();
    }

    @Test
    @DisplayName("a download URL is refused once expired, and a fresh grant works again")
    void downloadExpiry() throws IOException {
      LocalFolderMediaStore store = store(Duration.ofMinutes(5));
      UploadGrant up = store.grantUpload(ALICE, "image/png", 10);
      assertThat(send(store, "PUT", up.url(), bytes(10)).status()).isEqualTo(200);
      DownloadGrant down = store.grantDownload(up.objectKey());
      clock.advance(Duration.ofMinutes(5));
      assertThat(send(store, "GET", down.url(), new byte[0]).status()).isEqualTo(403);
      try (var r = send(store, "GET", store.grantDownload(up.objectKey()).url(), new byte[0])) {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().readAllBytes()).isEqualTo(bytes(10));
      }
    }

    @Test
    @DisplayName("moving the expiry in the URL breaks its signature")
    void expiryIsSigned() {
      LocalFolderMediaStore store = store(Duration.ofMinutes(1));
      UploadGrant grant = store.grantUpload(ALICE, "image/png", 10);
      URI extended =
          withQueryParam(
              grant.url(), "exp", Long.toString(grant.expiresAt().getEpochSecond() + 3600));
      clock.advance(Duration.ofMinutes(2));
      assertThat(send(store, "PUT", extended, bytes(10)).status()).isEqualTo(403);
    }
  }

  @Nested
  @DisplayName("signatures")
  class Signatures {

    @Test
    @DisplayName("changing the owner, type or size in an upload URL breaks its signature")
    void boundParameters() {
      LocalFolderMediaStore store = store(Duration.ofMinutes(15));
      UploadGrant grant = store.grantUpload(ALICE, "image/png", 10);
      assertThat(
              send(store, "PUT", withQueryParam(grant.url(), "owner", "bob"), bytes(10)).status())
          .isEqualTo(403);
      assertThat(
              send(store, "PUT", withQueryParam(grant.url(), "ct", "text%2Fhtml"), bytes(10))
                  .status())
          .isEqualTo(403);
      assertThat(send(store, "PUT", withQueryParam(grant.url(), "len", "11"), bytes(11)).status())
          .isEqualTo(403);
      assertThat(send(store, "PUT", withQueryParam(grant.url(), "sig", "AAAA"), bytes(10)).status())
          .isEqualTo(403);
      assertThat(store.stat(grant.objectKey())).isEmpty();
    }

    @Test
    @DisplayName("the signing key persists in the folder, so URLs survive a restart")
    void keyPersists() {
      LocalFolderMediaStore first = store(Duration.ofMinutes(15));
      UploadGrant grant = first.grantUpload(ALICE, "image/png", 10);
      LocalFolderMediaStore restarted = store(Duration.ofMinutes(15));
      assertThat(send(restarted, "PUT", grant.url(), bytes(10)).status()).isEqualTo(200);
      assertThat(folder.resolve("signing.key")).exists();
    }

    @Test
    @DisplayName("a store with another signing key refuses the URLs")
    void otherKeyRefuses() {
      UploadGrant grant = store(Duration.ofMinutes(15)).grantUpload(ALICE, "image/png", 10);
      byte[] otherKey = new byte[32];
      otherKey[0] = 1;
      LocalFolderMediaStore other =
          LocalFolderMediaStore.builder(folder, BASE).signingKey(otherKey).clock(clock).build();
      assertThat(send(other, "PUT", grant.url(), bytes(10)).status()).isEqualTo(403);
    }

    @Test
    @DisplayName(
        "a URL without its signature, on another path, or with the wrong method is refused")
    void malformed() {
      LocalFolderMediaStore store = store(Duration.ofMinutes(15));
      UploadGrant grant = store.grantUpload(ALICE, "image/png", 10);
      URI unsigned = URI.create(BASE + "/" + grant.objectKey());
      assertThat(send(store, "PUT", unsigned, bytes(10)).status()).isEqualTo(403);
      URI elsewhere = URI.create(grant.url().toString().replace("/media/", "/other/"));
      assertThat(send(store, "PUT", elsewhere, bytes(10)).status()).isEqualTo(404);
      assertThat(send(store, "DELETE", grant.url(), new byte[0]).status()).isEqualTo(405);
      assertThat(send(store, "GET", grant.url(), new byte[0]).status()).isEqualTo(405);
      assertThat(send(store, "PUT", URI.create(grant.url() + "&exp=1"), bytes(10)).status())
          .isEqualTo(400);
    }
  }

  @Nested
  @DisplayName("uploads")
  class Uploads {

    @Test
    @DisplayName("a declared Content-Length above the granted size is refused before reading")
    void declaredLengthTooLarge() {
      LocalFolderMediaStore store = store(Duration.ofMinutes(15));
      UploadGrant grant = store.grantUpload(ALICE, "image/png", 10);
      InputStream unreadable =
          new InputStream() {
            @Override
            public int read() {
              throw new AssertionError("the body must not be read");
            }
          };
      var r =
          store
              .httpHandler()
              .handle(
                  "PUT",
                  grant.url().getRawPath() + "?" + grant.url().getRawQuery(),
                  Map.of("content-length", List.of("11")),
                  unreadable);
      assertThat(r.status()).isEqualTo(413);
    }

    @Test
    @DisplayName("an upload that breaks off leaves no object and no temporary file")
    void brokenUpload() throws IOException {
      LocalFolderMediaStore store = store(Duration.ofMinutes(15));
      UploadGrant grant = store.grantUpload(ALICE, "image/png", 5000);
      InputStream breaking =
          new InputStream() {
            int sent;

            @Override
            public int read() throws IOException {
              if (sent++ >= 3000) {
                throw new IOException("connection reset");
              }
              return 1;
            }
          };
      var r =
          store
              .httpHandler()
              .handle(
                  "PUT",
                  grant.url().getRawPath() + "?" + grant.url().getRawQuery(),
                  Map.of(),
                  breaking);
      assertThat(r.status()).isEqualTo(400);
      assertThat(store.stat(grant.objectKey())).isEmpty();
      try (Stream<Path> tmp = Files.list(folder.resolve("tmp"))) {
        assertThat(tmp).isEmpty();
      }
    }

    @Test
    @DisplayName("an upload replaces the object atomically and stores grants as hex-named files")
    void layout() throws IOException {
      LocalFolderMediaStore store = store(Duration.ofMinutes(15));
      UploadGrant grant = store.grantUpload(ALICE, "image/png", 10);
      assertThat(send(store, "PUT", grant.url(), bytes(10)).status()).isEqualTo(200);
      store.grantRead(grant.objectKey(), UserId.of(".."));
      assertThat(folder.resolve("objects").resolve(grant.objectKey())).hasBinaryContent(bytes(10));
      assertThat(
              folder
                  .resolve("grants")
                  .resolve(grant.objectKey())
                  .resolve(HexFormat.of().formatHex("..".getBytes(StandardCharsets.UTF_8))))
          .exists();
      assertThat(store.mayRead(grant.objectKey(), UserId.of(".."))).isTrue();
    }

    @Test
    @DisplayName("downloads are served as opaque attachments whatever the declared type")
    void downloadHeaders() throws IOException {
      LocalFolderMediaStore store = store(Duration.ofMinutes(15));
      UploadGrant grant = store.grantUpload(ALICE, "text/html", 10);
      assertThat(send(store, "PUT", grant.url(), bytes(10)).status()).isEqualTo(200);
      URI url = store.grantDownload(grant.objectKey()).url();
      try (var r = send(store, "GET", url, new byte[0])) {
        assertThat(r.headers())
            .containsEntry("Content-Type", "application/octet-stream")
            .containsEntry("Content-Disposition", "attachment")
            .containsEntry("X-Content-Type-Options", "nosniff");
        assertThat(r.contentLength()).isEqualTo(10);
      }
      try (var r = send(store, "HEAD", url, new byte[0])) {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentLength()).isEqualTo(10);
        assertThat(r.body().readAllBytes()).isEmpty();
      }
    }
  }

  @Nested
  @DisplayName("configuration")
  class Configuration {

    @Test
    @DisplayName("build() names the invalid setting")
    void validation() {
      assertThatThrownBy(() -> LocalFolderMediaStore.builder(folder, URI.create("/media")).build())
          .hasMessageContaining("baseUri");
      assertThatThrownBy(
              () -> LocalFolderMediaStore.builder(folder, URI.create("http://h/media/")).build())
          .hasMessageContaining("baseUri");
      assertThatThrownBy(
              () -> LocalFolderMediaStore.builder(folder, BASE).urlExpiry(Duration.ZERO).build())
          .hasMessageContaining("urlExpiry");
      assertThatThrownBy(
              () -> LocalFolderMediaStore.builder(folder, BASE).maxObjectBytes(0).build())
          .hasMessageContaining("maxObjectBytes");
      assertThatThrownBy(
              () -> LocalFolderMediaStore.builder(folder, BASE).signingKey(new byte[8]).build())
          .hasMessageContaining("signingKey");
    }

    @Test
    @DisplayName("a content type with control characters is refused")
    void contentType() {
      LocalFolderMediaStore store = store(Duration.ofMinutes(15));
      assertThatThrownBy(() -> store.grantUpload(ALICE, "image/png\r\nX-Evil: 1", 10))
          .isInstanceOf(io.messagingkit.core.InvalidRequestException.class);
      assertThatThrownBy(() -> store.grantUpload(ALICE, "", 10))
          .isInstanceOf(io.messagingkit.core.InvalidRequestException.class);
    }
  }

  /** A settable clock (the TCK's MutableClock is not visible from core's tests). */
  static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
