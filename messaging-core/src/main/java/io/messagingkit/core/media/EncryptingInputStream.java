package io.messagingkit.core.media;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The encrypted blob of a plaintext stream, produced as it is read (see {@link
 * MediaCrypto#encryptingStream}). Not thread-safe.
 */
public final class EncryptingInputStream extends InputStream {
  private final InputStream plaintext;
  private final boolean closePlaintext;
  private final MediaKey key = MediaKey.random();
  private final MediaCipher cipher = MediaCipher.forEncryption(key);
  private final byte[] in = new byte[MediaCrypto.CHUNK];
  private byte[] pending = new byte[0];
  private int pos;
  private long size;
  private boolean finished;
  private @Nullable EncryptedMedia media;

  EncryptingInputStream(InputStream plaintext, boolean closePlaintext) {
    this.plaintext = plaintext;
    this.closePlaintext = closePlaintext;
  }

  /** The per-file key; available at once, so a sender may prepare its message early. */
  public MediaKey key() {
    return key;
  }

  /**
   * The key, digest and size of the blob.
   *
   * @throws IllegalStateException if the stream has not been read to its end yet
   */
  public EncryptedMedia media() {
    EncryptedMedia m = media;
    if (m == null) {
      throw new IllegalStateException("the encrypted stream has not been read to its end");
    }
    return m;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (pos == pending.length) {
      if (!fill()) {
        return -1;
      }
    }
    int n = Math.min(len, pending.length - pos);
    System.arraycopy(pending, pos, b, off, n);
    pos += n;
    return n;
  }

  private boolean fill() throws IOException {
    if (finished) {
      return false;
    }
    int n = plaintext.read(in);
    byte[] out;
    if (n == -1) {
      try {
        byte[] last = cipher.cipher.doFinal();
        cipher.mac.update(last);
        byte[] tag = cipher.mac.doFinal();
        out = new byte[last.length + tag.length];
        System.arraycopy(last, 0, out, 0, last.length);
        System.arraycopy(tag, 0, out, last.length, tag.length);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-256-CBC encryption failed", e);
      }
      finished = true;
    } else {
      out = cipher.cipher.update(in, 0, n);
      if (out == null) {
        out = new byte[0];
      }
      cipher.mac.update(out);
    }
    cipher.sha256.update(out);
    size += out.length;
    if (finished) {
      media = new EncryptedMedia(key, MediaDigest.of(cipher.sha256.digest()), size);
    }
    pending = out;
    pos = 0;
    return true;
  }

  @Override
  public void close() throws IOException {
    if (closePlaintext) {
      plaintext.close();
    }
  }
}
