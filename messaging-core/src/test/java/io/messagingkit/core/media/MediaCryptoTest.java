package io.messagingkit.core.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MediaCryptoTest {

  @TempDir Path dir;

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Nested
  @DisplayName("round trip")
  class RoundTrip {

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 15, 16, 17, 65_535, 65_536, 65_537, 300_001})
    @DisplayName("in-memory encryption decrypts to the same plaintext and has the predicted size")
    void inMemory(int size) {
      byte[] plain = randomBytes(size, size);
      EncryptedBytes enc = MediaCrypto.encrypt(plain);
      assertThat((long) enc.ciphertext().length).isEqualTo(MediaCrypto.ciphertextSize(size));
      assertThat(MediaCrypto.decrypt(enc.ciphertext(), enc.media())).isEqualTo(plain);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 16, 65_536, 1_000_003})
    @DisplayName("streaming encryption and decryption into a file agree with each other")
    void streaming(int size) {
      byte[] plain = randomBytes(size, size);
      ByteArrayOutputStream blob = new ByteArrayOutputStream();
      EncryptedMedia media = MediaCrypto.encrypt(new ByteArrayInputStream(plain), blob);
      assertThat((long) blob.size()).isEqualTo(media.size());
      assertThat(media.size()).isEqualTo(MediaCrypto.ciphertextSize(size));
      // the streaming and in-memory decryptors read the same format
      assertThat(MediaCrypto.decrypt(blob.toByteArray(), media)).isEqualTo(plain);

      Path target = dir.resolve("out.bin");
      long n = MediaCrypto.decrypt(new ByteArrayInputStream(blob.toByteArray()), media, target);
      assertThat(n).isEqualTo(size);
      assertThat(target).hasBinaryContent(plain);
      assertThat(dir).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    @DisplayName("a file of 20 MiB streams through encryption and decryption")
    void bigFile() throws IOException {
      Path source = dir.resolve("big.bin");
      byte[] block = randomBytes(1 << 20, 7);
      try (var out = Files.newOutputStream(source)) {
        for (int i = 0; i < 20; i++) {
          block[0] = (byte) i;
          out.write(block);
        }
      }
      Path encrypted = dir.resolve("big.enc");
      EncryptedMedia media;
      try (InputStream in = Files.newInputStream(source);
          var out = Files.newOutputStream(encrypted)) {
        media = MediaCrypto.encrypt(in, out);
      }
      assertThat(Files.size(encrypted)).isEqualTo(media.size());
      Path target = dir.resolve("big.out");
      try (InputStream in = Files.newInputStream(encrypted)) {
        MediaCrypto.decrypt(in, media, target);
      }
      assertThat(Files.mismatch(source, target)).isEqualTo(-1L);
    }

    @Test
    @DisplayName("the pull-style encrypting stream yields a decryptable blob and then its digest")
    void encryptingStream() throws IOException {
      byte[] plain = randomBytes(200_000, 3);
      byte[] blob;
      EncryptingInputStream in = MediaCrypto.encryptingStream(new ByteArrayInputStream(plain));
      assertThatThrownBy(in::media).isInstanceOf(IllegalStateException.class);
      try (in) {
        int first = in.read(); // the single-byte read and the bulk read share one buffer
        assertThat(first).isBetween(0, 255);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(first);
        in.transferTo(all);
        blob = all.toByteArray();
      }
      EncryptedMedia media = in.media();
      assertThat(in.key()).isEqualTo(media.key());
      assertThat((long) blob.length).isEqualTo(MediaCrypto.ciphertextSize(plain.length));
      assertThat(media.digest().bytes()).isEqualTo(sha256(blob));
      assertThat(MediaCrypto.decrypt(blob, media)).isEqualTo(plain);
    }

    @Test
    @DisplayName("every file gets a fresh key, so equal plaintexts give unrelated blobs")
    void freshKeys() {
      byte[] plain = "same picture".getBytes(StandardCharsets.UTF_8);
      EncryptedBytes a = MediaCrypto.encrypt(plain);
      EncryptedBytes b = MediaCrypto.encrypt(plain);
      assertThat(a.media().key()).isNotEqualTo(b.media().key());
      assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
    }
  }

  @Nested
  @DisplayName("format")
  class Format {

    @Test
    @DisplayName("HKDF-SHA256 matches RFC 5869 test case 3 (zero salt, empty info)")
    void hkdfKnownAnswer() {
      byte[] ikm = new byte[22];
      Arrays.fill(ikm, (byte) 0x0b);
      byte[] okm = MediaCipher.hkdfSha256(ikm, new byte[0], 42);
      assertThat(HexFormat.of().formatHex(okm))
          .isEqualTo(
              "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                  + "9d201395faa4b61a96c8");
    }

    @Test
    @DisplayName("the blob is AES-256-CBC(iv, aesKey) followed by HMAC-SHA256(iv || ciphertext)")
    void documentedLayout() throws Exception {
      byte[] plain = randomBytes(1000, 11);
      EncryptedBytes enc = MediaCrypto.encrypt(plain);
      byte[] okm =
          MediaCipher.hkdfSha256(
              enc.media().key().bytes(),
              "messagingkit media v1".getBytes(StandardCharsets.US_ASCII),
              80);
      byte[] iv = Arrays.copyOfRange(okm, 0, 16);
      byte[] blob = enc.ciphertext();
      byte[] ct = Arrays.copyOf(blob, blob.length - 32);

      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(okm, 48, 32, "HmacSHA256"));
      mac.update(iv);
      assertThat(mac.doFinal(ct))
          .isEqualTo(Arrays.copyOfRange(blob, blob.length - 32, blob.length));

      Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
      aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(okm, 16, 32, "AES"), new IvParameterSpec(iv));
      assertThat(aes.doFinal(ct)).isEqualTo(plain);
      assertThat(enc.media().digest().bytes()).isEqualTo(sha256(blob));
    }

    @Test
    @DisplayName("keys and digests survive their Base64 form; a key never shows in toString")
    void base64() {
      EncryptedMedia m = MediaCrypto.encrypt(new byte[] {1, 2, 3}).media();
      assertThat(MediaKey.fromBase64(m.key().toBase64())).isEqualTo(m.key());
      assertThat(MediaDigest.fromBase64(m.digest().toBase64())).isEqualTo(m.digest());
      assertThat(m.toString()).doesNotContain(m.key().toBase64());
      assertThatThrownBy(() -> MediaKey.fromBase64("AAAA"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> MediaDigest.fromBase64("not base64!"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new EncryptedMedia(m.key(), m.digest(), 47))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("integrity")
  class Integrity {

    final byte[] plain = randomBytes(100_000, 5);
    final EncryptedBytes enc = MediaCrypto.encrypt(plain);

    @ParameterizedTest(name = "byte {0}")
    @ValueSource(ints = {0, 15, 16, 50_000, 100_000, 100_015, 100_047})
    @DisplayName("a flipped bit anywhere in the blob is detected, in memory and streaming")
    void tamperedCiphertext(int position) throws IOException {
      byte[] bad = enc.ciphertext().clone();
      bad[position] ^= 0x01;
      assertThatThrownBy(() -> MediaCrypto.decrypt(bad, enc.media()))
          .isInstanceOf(MediaIntegrityException.class);
      assertStreamingRefusedWithoutOutput(bad, enc.media());
    }

    @Test
    @DisplayName("a tampered blob with a matching digest still fails authentication")
    void tamperedWithRecomputedDigest() throws IOException {
      byte[] bad = enc.ciphertext().clone();
      bad[1234] ^= 0x40;
      EncryptedMedia forged =
          new EncryptedMedia(enc.media().key(), MediaDigest.of(sha256(bad)), bad.length);
      assertThatThrownBy(() -> MediaCrypto.decrypt(bad, forged))
          .isInstanceOf(MediaIntegrityException.class)
          .hasMessageContaining("authentication");
      assertStreamingRefusedWithoutOutput(bad, forged);
    }

    @Test
    @DisplayName("the wrong key is refused before any plaintext is released")
    void wrongKey() throws IOException {
      EncryptedMedia wrong =
          new EncryptedMedia(MediaKey.random(), enc.media().digest(), enc.media().size());
      assertThatThrownBy(() -> MediaCrypto.decrypt(enc.ciphertext(), wrong))
          .isInstanceOf(MediaIntegrityException.class)
          .hasMessageContaining("wrong key");
      assertStreamingRefusedWithoutOutput(enc.ciphertext(), wrong);
    }

    @Test
    @DisplayName("an intact blob with a different expected digest is refused")
    void digestMismatch() throws IOException {
      byte[] otherDigest = enc.media().digest().bytes();
      otherDigest[0] ^= 1;
      EncryptedMedia wrong =
          new EncryptedMedia(enc.media().key(), MediaDigest.of(otherDigest), enc.media().size());
      assertThatThrownBy(() -> MediaCrypto.decrypt(enc.ciphertext(), wrong))
          .isInstanceOf(MediaIntegrityException.class)
          .hasMessageContaining("digest");
      assertStreamingRefusedWithoutOutput(enc.ciphertext(), wrong);
    }

    @Test
    @DisplayName("a truncated or extended blob is refused")
    void wrongLength() throws IOException {
      byte[] truncated = Arrays.copyOf(enc.ciphertext(), enc.ciphertext().length - 16);
      byte[] extended = Arrays.copyOf(enc.ciphertext(), enc.ciphertext().length + 16);
      assertThatThrownBy(() -> MediaCrypto.decrypt(truncated, enc.media()))
          .isInstanceOf(MediaIntegrityException.class);
      assertThatThrownBy(() -> MediaCrypto.decrypt(extended, enc.media()))
          .isInstanceOf(MediaIntegrityException.class);
      assertStreamingRefusedWithoutOutput(truncated, enc.media());
      assertStreamingRefusedWithoutOutput(extended, enc.media());
    }

    private void assertStreamingRefusedWithoutOutput(byte[] blob, EncryptedMedia media)
        throws IOException {
      Path target = dir.resolve("existing.jpg");
      Files.writeString(target, "previous content");
      assertThatThrownBy(() -> MediaCrypto.decrypt(new ByteArrayInputStream(blob), media, target))
          .isInstanceOf(MediaIntegrityException.class);
      assertThat(target).hasContent("previous content");
      Path fresh = dir.resolve("fresh.jpg");
      assertThatThrownBy(() -> MediaCrypto.decrypt(new ByteArrayInputStream(blob), media, fresh))
          .isInstanceOf(MediaIntegrityException.class);
      assertThat(fresh).doesNotExist();
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("existing.jpg");
      }
    }
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
