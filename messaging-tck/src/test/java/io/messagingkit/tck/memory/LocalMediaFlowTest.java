package io.messagingkit.tck.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.ForbiddenException;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.MediaRef;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.SendRequest;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import io.messagingkit.core.media.EncryptedBytes;
import io.messagingkit.core.media.EncryptedMedia;
import io.messagingkit.core.media.MediaCrypto;
import io.messagingkit.core.media.MediaDigest;
import io.messagingkit.core.media.MediaIntegrityException;
import io.messagingkit.core.media.MediaKey;
import io.messagingkit.core.memory.LocalFolderMediaStore;
import io.messagingkit.core.port.MediaStore.DownloadGrant;
import io.messagingkit.core.port.MediaStore.UploadGrant;
import io.messagingkit.tck.RecordingConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole media flow on the embedded defaults: encrypt, upload through the granted URL, send a
 * MEDIA message carrying key and digest in its body, download through a granted URL, verify and
 * decrypt. The server only ever holds ciphertext.
 */
class LocalMediaFlowTest {

  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path folder;
  @TempDir Path downloads;
  LocalMediaHttpServer http;
  LocalFolderMediaStore media;
  ChatServer server;

  record Client(UserId user, RecordingConnection connection, DeviceSession session) {}

  @BeforeEach
  void start() {
    http = new LocalMediaHttpServer();
    media = LocalFolderMediaStore.builder(folder.resolve("media"), http.baseUri()).build();
    http.mount(media.httpHandler());
    server = ChatServer.builder().serverId("media-flow").mediaStore(media).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
    http.close();
  }

  Client connect(String name) {
    UserId user = UserId.of(name);
    RecordingConnection connection = new RecordingConnection();
    DeviceSession session =
        server.connect(new DeviceAddress(user, DeviceId.of("phone")), connection);
    return new Client(user, connection, session);
  }

  /** Encrypts, uploads and returns the MEDIA request a client SDK would send. */
  SendRequest encryptAndUpload(Client from, String id, UserId to, byte[] plaintext)
      throws Exception {
    EncryptedBytes enc = MediaCrypto.encrypt(plaintext);
    UploadGrant grant =
        from.session().requestUpload("application/octet-stream", enc.media().size());
    HttpRequest.Builder put =
        HttpRequest.newBuilder(grant.url())
            .PUT(HttpRequest.BodyPublishers.ofByteArray(enc.ciphertext()));
    grant
        .headers()
        .forEach(
            (k, v) -> {
              if (!k.equalsIgnoreCase("content-length")) {
                put.header(k, v);
              }
            });
    assertThat(HTTP.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(200);
    return mediaMessage(id, to, grant.objectKey(), enc.media());
  }

  static SendRequest mediaMessage(String id, UserId to, String objectKey, EncryptedMedia m) {
    String body =
        "key=" + m.key().toBase64() + "\ndigest=" + m.digest().toBase64() + "\nsize=" + m.size();
    return new SendRequest(
        MessageId.of(id),
        Recipient.user(to),
        MessageType.MEDIA,
        body.getBytes(StandardCharsets.UTF_8),
        new MediaRef(objectKey, "image/jpeg", m.size()),
        null,
        null);
  }

  static EncryptedMedia fromBody(Envelope e) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(new String(e.body(), StandardCharsets.UTF_8)));
    return new EncryptedMedia(
        MediaKey.fromBase64(p.getProperty("key")),
        MediaDigest.fromBase64(p.getProperty("digest")),
        Long.parseLong(p.getProperty("size")));
  }

  static Envelope awaitMessage(Client c, String id) {
    return c.connection()
        .await(
            ServerEvent.Incoming.class,
            in -> !in.envelope().type().isReceipt() && in.envelope().id().value().equals(id),
            WAIT)
        .envelope();
  }

  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  long download(Client c, Envelope message, Path target) throws Exception {
    DownloadGrant grant = c.session().requestDownload(message.media().objectKey());
    HttpResponse<InputStream> r =
        HTTP.send(
            HttpRequest.newBuilder(grant.url()).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    try (InputStream in = r.body()) {
      return MediaCrypto.decrypt(in, fromBody(message), target);
    }
  }

  @Test
  @DisplayName("a recipient downloads, verifies and decrypts; the store holds only ciphertext")
  void roundTrip() throws Exception {
    Client alice = connect("alice");
    Client bob = connect("bob");
    byte[] photo = new byte[300_000];
    new Random(1).nextBytes(photo);

    SendRequest request = encryptAndUpload(alice, "pic-1", bob.user(), photo);
    alice.session().send(request).join();

    Envelope got = awaitMessage(bob, "pic-1");
    assertThat(got.media()).isEqualTo(request.media());
    Path target = downloads.resolve("photo.jpg");
    assertThat(download(bob, got, target)).isEqualTo(photo.length);
    assertThat(Files.readAllBytes(target)).isEqualTo(photo);

    byte[] stored =
        Files.readAllBytes(folder.resolve("media/objects").resolve(got.media().objectKey()));
    assertThat(stored).hasSize((int) MediaCrypto.ciphertextSize(photo.length)).isNotEqualTo(photo);
  }

  @Test
  @DisplayName("a user who was not sent the media cannot get a download URL")
  void strangerRefused() throws Exception {
    Client alice = connect("alice");
    Client bob = connect("bob");
    Client carol = connect("carol");
    SendRequest request = encryptAndUpload(alice, "pic-2", bob.user(), new byte[] {1, 2, 3});
    alice.session().send(request).join();
    awaitMessage(bob, "pic-2");

    String key = request.media().objectKey();
    assertThatThrownBy(() -> carol.session().requestDownload(key))
        .isInstanceOf(ForbiddenException.class);
    assertThat(bob.session().requestDownload(key).url()).isNotNull();
  }

  @Test
  @DisplayName("a MEDIA message pointing at a missing or unfinished upload is refused")
  void unfinishedUploadRefused() throws Exception {
    Client alice = connect("alice");
    Client bob = connect("bob");
    EncryptedMedia m = MediaCrypto.encrypt(new byte[] {4, 5, 6}).media();
    UploadGrant notUploaded = alice.session().requestUpload("application/octet-stream", m.size());

    assertThatThrownBy(
            () ->
                alice
                    .session()
                    .send(mediaMessage("pic-3", bob.user(), notUploaded.objectKey(), m))
                    .join())
        .satisfies(t -> assertThat(unwrap(t)).isInstanceOf(InvalidRequestException.class));
    assertThatThrownBy(
            () ->
                alice
                    .session()
                    .send(mediaMessage("pic-4", bob.user(), "0123456789abcdef0123456789abcdef", m))
                    .join())
        .satisfies(t -> assertThat(unwrap(t)).isInstanceOf(InvalidRequestException.class));
    assertThat(media.mayRead(notUploaded.objectKey(), bob.user())).isFalse();
  }

  @Test
  @DisplayName("media tampered with in storage is detected and no file is written")
  void tamperedInStorage() throws Exception {
    Client alice = connect("alice");
    Client bob = connect("bob");
    SendRequest request = encryptAndUpload(alice, "pic-5", bob.user(), new byte[5000]);
    alice.session().send(request).join();
    Envelope got = awaitMessage(bob, "pic-5");

    Path stored = folder.resolve("media/objects").resolve(got.media().objectKey());
    byte[] bytes = Files.readAllBytes(stored);
    bytes[100] ^= 1;
    Files.write(stored, bytes);

    Path target = downloads.resolve("tampered.jpg");
    assertThatThrownBy(() -> download(bob, got, target))
        .isInstanceOf(MediaIntegrityException.class);
    assertThat(target).doesNotExist();
  }
}
