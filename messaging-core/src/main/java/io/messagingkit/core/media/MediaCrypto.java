package io.messagingkit.core.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Client-side encryption of media files, before upload and after download. The server only ever
 * stores and serves the output of {@link #encrypt}.
 *
 * <p>The format (version 1), which any client (Java, browser WebCrypto) can implement:
 *
 * <ol>
 *   <li>{@code mediaKey}: 32 random bytes, fresh for every file ({@link MediaKey#random()}).
 *   <li>{@code HKDF-SHA256(ikm = mediaKey, salt = 32 zero bytes, info = "messagingkit media v1", L
 *       = 80)} gives {@code iv} (bytes 0-15), {@code aesKey} (16-47) and {@code macKey} (48-79).
 *   <li>{@code ciphertext = AES-256-CBC(aesKey, iv, PKCS#7 padded plaintext)}.
 *   <li>{@code blob = ciphertext || HMAC-SHA256(macKey, iv || ciphertext)} (a 32-byte tag).
 *   <li>{@code digest = SHA-256(blob)}; the blob is what is uploaded, its length is {@link
 *       #ciphertextSize(long)}.
 * </ol>
 *
 * <p>Decryption checks the size, the digest and the tag before any plaintext is released: the
 * in-memory {@link #decrypt(byte[], EncryptedMedia)} verifies first, the streaming {@link
 * #decrypt(InputStream, EncryptedMedia, Path)} decrypts into a temporary file next to the target
 * and moves it into place only after verification. A mismatch throws {@link
 * MediaIntegrityException}; no partial or corrupt plaintext is ever left behind.
 *
 * <p>Stateless and thread-safe.
 */
public final class MediaCrypto {
  /** The length of the authentication tag appended to the ciphertext. */
  public static final int TAG_LENGTH = 32;

  /** The smallest possible blob: one padding block plus the tag. */
  public static final long MIN_CIPHERTEXT_SIZE = 16 + TAG_LENGTH;

  static final int CHUNK = 64 * 1024;

  private MediaCrypto() {}

  /** The exact length of the blob for a plaintext of {@code plaintextSize} bytes. */
  public static long ciphertextSize(long plaintextSize) {
    if (plaintextSize < 0) {
      throw new IllegalArgumentException("plaintext size must not be negative");
    }
    return (plaintextSize / 16 + 1) * 16 + TAG_LENGTH;
  }

  /** Encrypts {@code plaintext} in memory under a fresh random key. */
  public static EncryptedBytes encrypt(byte[] plaintext) {
    Objects.requireNonNull(plaintext, "plaintext");
    MediaKey key = MediaKey.random();
    MediaCipher c = MediaCipher.forEncryption(key);
    try {
      byte[] ct = c.cipher.doFinal(plaintext);
      c.mac.update(ct);
      byte[] tag = c.mac.doFinal();
      byte[] blob = Arrays.copyOf(ct, ct.length + TAG_LENGTH);
      System.arraycopy(tag, 0, blob, ct.length, TAG_LENGTH);
      MediaDigest digest = MediaDigest.of(c.sha256.digest(blob));
      return new EncryptedBytes(blob, new EncryptedMedia(key, digest, blob.length));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-CBC encryption failed", e);
    }
  }

  /**
   * Encrypts {@code plaintext} to {@code ciphertext} under a fresh random key, streaming in 64 KiB
   * chunks. Neither stream is closed.
   *
   * @return the key, digest and size of what was written
   * @throws UncheckedIOException if reading or writing fails
   */
  public static EncryptedMedia encrypt(InputStream plaintext, OutputStream ciphertext) {
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(ciphertext, "ciphertext");
    try (EncryptingInputStream in = new EncryptingInputStream(plaintext, false)) {
      in.transferTo(ciphertext);
      return in.media();
    } catch (IOException e) {
      throw new UncheckedIOException("media encryption failed: " + e.getMessage(), e);
    }
  }

  /**
   * A stream of the blob for {@code plaintext}, encrypted as it is read, under a fresh random key:
   * hand it to an HTTP client as the upload body when the plaintext size is known (the body length
   * is {@link #ciphertextSize(long)}). {@link EncryptingInputStream#media()} is available once the
   * stream has been read to its end. Closing it closes {@code plaintext}.
   */
  public static EncryptingInputStream encryptingStream(InputStream plaintext) {
    return new EncryptingInputStream(Objects.requireNonNull(plaintext, "plaintext"), true);
  }

  /**
   * Verifies and decrypts an in-memory blob.
   *
   * @throws MediaIntegrityException if the blob does not match {@code media}'s size, digest or key
   */
  public static byte[] decrypt(byte[] blob, EncryptedMedia media) {
    Objects.requireNonNull(blob, "blob");
    Objects.requireNonNull(media, "media");
    if (blob.length != media.size()) {
      throw new MediaIntegrityException(
          "encrypted media is " + blob.length + " bytes, expected " + media.size());
    }
    MediaCipher c = MediaCipher.forDecryption(media.key());
    if (!media.digest().matches(c.sha256.digest(blob))) {
      throw new MediaIntegrityException("encrypted media does not match its SHA-256 digest");
    }
    int ctLength = blob.length - TAG_LENGTH;
    c.mac.update(blob, 0, ctLength);
    if (!java.security.MessageDigest.isEqual(
        c.mac.doFinal(), Arrays.copyOfRange(blob, ctLength, blob.length))) {
      throw new MediaIntegrityException("encrypted media failed authentication: wrong key");
    }
    try {
      return c.cipher.doFinal(blob, 0, ctLength);
    } catch (GeneralSecurityException e) {
      throw new MediaIntegrityException("encrypted media has invalid padding", e);
    }
  }

  /**
   * Verifies and decrypts a blob read from {@code blob} (for example an HTTP download) into the
   * file {@code target}, streaming with constant memory. The plaintext goes to a temporary file in
   * the target's folder, which replaces {@code target} atomically only once the size, digest and
   * tag have been verified; on any failure the temporary file is deleted and {@code target} is left
   * as it was. Reading stops with an error as soon as the stream is longer than {@code
   * media.size()}. {@code blob} is not closed.
   *
   * @return the plaintext size in bytes
   * @throws MediaIntegrityException if the blob does not match {@code media}
   * @throws UncheckedIOException if reading or writing fails
   */
  public static long decrypt(InputStream blob, EncryptedMedia media, Path target) {
    Objects.requireNonNull(blob, "blob");
    Objects.requireNonNull(media, "media");
    Path dir = target.toAbsolutePath().getParent();
    Path temp = null;
    boolean done = false;
    try {
      temp = Files.createTempFile(dir, ".media-", ".part");
      long plaintextSize;
      try (OutputStream out = Files.newOutputStream(temp)) {
        plaintextSize = decrypt(blob, media, out);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      done = true;
      return plaintextSize;
    } catch (IOException e) {
      throw new UncheckedIOException("media decryption to " + target + " failed", e);
    } finally {
      if (!done && temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // best effort: the temporary file holds unverified plaintext only
        }
      }
    }
  }

  /** Decrypts while verifying; the output holds unverified plaintext until this returns. */
  private static long decrypt(InputStream blob, EncryptedMedia media, OutputStream out)
      throws IOException {
    MediaCipher c = MediaCipher.forDecryption(media.key());
    long ctLength = media.size() - TAG_LENGTH;
    byte[] tag = new byte[TAG_LENGTH];
    int tagFill = 0;
    byte[] buf = new byte[CHUNK];
    long read = 0;
    long plaintextSize = 0;
    int n;
    while ((n = blob.read(buf)) != -1) {
      if (read + n > media.size()) {
        throw new MediaIntegrityException(
            "encrypted media is longer than the expected " + media.size() + " bytes");
      }
      c.sha256.update(buf, 0, n);
      int ctPart = (int) Math.max(0, Math.min(n, ctLength - read));
      if (ctPart > 0) {
        c.mac.update(buf, 0, ctPart);
        byte[] plain = c.cipher.update(buf, 0, ctPart);
        if (plain != null) {
          out.write(plain);
          plaintextSize += plain.length;
        }
      }
      int tagPart = n - ctPart;
      System.arraycopy(buf, ctPart, tag, tagFill, tagPart);
      tagFill += tagPart;
      read += n;
    }
    if (read != media.size()) {
      throw new MediaIntegrityException(
          "encrypted media is " + read + " bytes, expected " + media.size());
    }
    if (!media.digest().matches(c.sha256.digest())) {
      throw new MediaIntegrityException("encrypted media does not match its SHA-256 digest");
    }
    if (!java.security.MessageDigest.isEqual(c.mac.doFinal(), tag)) {
      throw new MediaIntegrityException("encrypted media failed authentication: wrong key");
    }
    try {
      byte[] last = c.cipher.doFinal();
      out.write(last);
      return plaintextSize + last.length;
    } catch (GeneralSecurityException e) {
      throw new MediaIntegrityException("encrypted media has invalid padding", e);
    }
  }
}
