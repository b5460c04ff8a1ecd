package io.messagingkit.media.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.UnavailableException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.MediaStore.UploadGrant;
import io.messagingkit.tck.s3.S3ProxyExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** What is specific to S3: key layout, what the presigned PUT signs, bucket creation, failures. */
class S3MediaStoreIT {

  @RegisterExtension static final S3ProxyExtension S3 = new S3ProxyExtension();

  static final UserId ALICE = UserId.of("alice");
  static final UserId BOB = UserId.of("bob");
  static final HttpClient HTTP = HttpClient.newHttpClient();

  S3Client admin;
  S3MediaStore store;

  @BeforeEach
  void setUp() {
    admin =
        S3Client.builder()
            .endpointOverride(S3.endpoint())
            .region(Region.of(S3ProxyExtension.REGION))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        S3ProxyExtension.ACCESS_KEY, S3ProxyExtension.SECRET_KEY)))
            .forcePathStyle(true)
            // like the store: no aws-chunked uploads nor trailing checksums (S3Proxy lacks them)
            .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .build();
    store = builder(S3.bucket()).keyPrefix("chat/").build();
  }

  @AfterEach
  void tearDown() {
    store.close();
    admin.close();
  }

  static S3MediaStore.Builder builder(String bucket) {
    return S3MediaStore.builder(bucket)
        .endpoint(S3.endpoint())
        .region(S3ProxyExtension.REGION)
        .credentials(S3ProxyExtension.ACCESS_KEY, S3ProxyExtension.SECRET_KEY)
        .pathStyle(true);
  }

  static int put(URI url, Map<String, String> headers, byte[] body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(url).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(
        (k, v) -> {
          if (!k.equalsIgnoreCase("content-length")) {
            b.header(k, v);
          }
        });
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  String upload(UserId owner, byte[] body) throws Exception {
    UploadGrant grant = store.grantUpload(owner, "image/png", body.length);
    assertThat(put(grant.url(), grant.headers(), body)).isEqualTo(200);
    return grant.objectKey();
  }

  @Test
  @DisplayName(
      "objects and grants live under the key prefix as objects/<key> and grants/<key>/<hex user>")
  void keyLayout() throws Exception {
    String key = upload(ALICE, new byte[] {1, 2, 3});
    store.grantRead(key, BOB);
    var keys =
        admin.listObjectsV2(r -> r.bucket(S3.bucket())).contents().stream()
            .map(S3Object::key)
            .collect(Collectors.toList());
    assertThat(keys)
        .containsExactlyInAnyOrder(
            "chat/objects/" + key,
            "chat/grants/"
                + key
                + "/"
                + HexFormat.of().formatHex("bob".getBytes(StandardCharsets.UTF_8)));
    var head = admin.headObject(r -> r.bucket(S3.bucket()).key("chat/objects/" + key));
    assertThat(head.metadata()).containsEntry("owner", "alice");
    assertThat(head.contentType()).isEqualTo("image/png");
  }

  @Test
  @DisplayName("the presigned PUT signs the size, the type and the owner: none can be changed")
  void putSignsHeaders() throws Exception {
    UploadGrant grant = store.grantUpload(ALICE, "image/png", 3);
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(grant.headers());
    assertThat(headers)
        .containsEntry("content-length", "3")
        .containsEntry("content-type", "image/png")
        .containsEntry("x-amz-meta-owner", "alice");

    Map<String, String> otherType = new TreeMap<>(headers);
    otherType.put("content-type", "text/html");
    assertThat(put(grant.url(), otherType, new byte[3])).isEqualTo(403);

    Map<String, String> otherOwner = new TreeMap<>(headers);
    otherOwner.put("x-amz-meta-owner", "bob");
    assertThat(put(grant.url(), otherOwner, new byte[3])).isEqualTo(403);

    Map<String, String> noOwner = new TreeMap<>(headers);
    noOwner.remove("x-amz-meta-owner");
    assertThat(put(grant.url(), noOwner, new byte[3])).isEqualTo(403);

    assertThat(store.stat(grant.objectKey())).isEmpty();
    assertThat(put(grant.url(), headers, new byte[3])).isEqualTo(200);
    assertThat(store.stat(grant.objectKey())).isPresent();
  }

  @Test
  @DisplayName("an object written to the bucket by anything else than the store is not media")
  void foreignObjectsInvisible() {
    String key = "0123456789abcdef0123456789abcdef";
    admin.putObject(
        r -> r.bucket(S3.bucket()).key("chat/objects/" + key), RequestBody.fromBytes(new byte[4]));
    assertThat(store.stat(key)).isEmpty();
    assertThat(store.mayRead(key, ALICE)).isFalse();
  }

  @Test
  @DisplayName("the download URL is served as an opaque attachment")
  void downloadIsAttachment() throws Exception {
    String key = upload(ALICE, new byte[] {9, 9});
    HttpResponse<byte[]> r =
        HTTP.send(
            HttpRequest.newBuilder(store.grantDownload(key).url()).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("application/octet-stream");
    assertThat(r.headers().firstValue("content-disposition")).contains("attachment");
  }

  @Test
  @DisplayName("createBucket creates a missing bucket and accepts an existing one")
  void createsBucket() {
    String name = "mk-created-" + Long.toHexString(System.nanoTime());
    try (S3MediaStore created = builder(name).createBucket(true).build()) {
      assertThat(S3.bucketExists(name)).isTrue();
      assertThat(created.stat("0123456789abcdef0123456789abcdef")).isEmpty();
    }
    try (S3MediaStore again = builder(name).createBucket(true).build()) {
      assertThat(again.config().bucket()).isEqualTo(name);
    } finally {
      S3.deleteBucket(name);
    }
  }

  @Test
  @DisplayName("a missing bucket or an unreachable endpoint is reported as UnavailableException")
  void unavailable() throws IOException {
    try (S3MediaStore missing = builder("mk-no-such-bucket").build()) {
      // a HEAD cannot tell a missing bucket from a missing key: stat just finds nothing
      assertThat(missing.stat("0123456789abcdef0123456789abcdef")).isEmpty();
      assertThatThrownBy(() -> missing.delete("0123456789abcdef0123456789abcdef"))
          .isInstanceOf(UnavailableException.class);
      assertThatThrownBy(() -> missing.grantRead("0123456789abcdef0123456789abcdef", BOB))
          .isInstanceOf(UnavailableException.class)
          .hasMessageContaining("mk-no-such-bucket");
    }
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (S3MediaStore down =
        S3MediaStore.builder("bucket")
            .endpoint(URI.create("http://127.0.0.1:" + closedPort))
            .credentials("a", "b")
            .pathStyle(true)
            .build()) {
      assertThatThrownBy(() -> down.stat("0123456789abcdef0123456789abcdef"))
          .isInstanceOf(UnavailableException.class);
      assertThatThrownBy(() -> down.delete("0123456789abcdef0123456789abcdef"))
          .isInstanceOf(UnavailableException.class);
    }
  }

  @Test
  @DisplayName("build() names the invalid setting")
  void validation() {
    assertThatThrownBy(() -> S3MediaStore.builder("Bad_Bucket").build())
        .hasMessageContaining("bucket");
    assertThatThrownBy(() -> builder("ok-bucket").urlExpiry(Duration.ofDays(8)).build())
        .hasMessageContaining("urlExpiry");
    assertThatThrownBy(() -> builder("ok-bucket").maxObjectBytes(6L << 30).build())
        .hasMessageContaining("maxObjectBytes");
    assertThatThrownBy(() -> builder("ok-bucket").keyPrefix("/abs").build())
        .hasMessageContaining("keyPrefix");
    assertThatThrownBy(() -> builder("ok-bucket").endpoint(URI.create("ftp://x")).build())
        .hasMessageContaining("endpoint");
    try (S3Client c = S3Client.builder().region(Region.US_EAST_1).build()) {
      assertThatThrownBy(
              () ->
                  builder("ok-bucket")
                      .clients(
                          c,
                          software.amazon.awssdk.services.s3.presigner.S3Presigner.builder()
                              .region(Region.US_EAST_1)
                              .build())
                      .build())
          .hasMessageContaining("clients");
    }
  }
}
