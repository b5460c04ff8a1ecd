package io.messagingkit.examples.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * H2's file system with owner-only permissions: every file H2 creates (the database, its trace
 * file, temporary files) is created 0600 and every folder 0700, at creation. Selected by the prefix
 * {@code ownerOnly:} in front of an absolute H2 file name ({@code jdbc:h2:ownerOnly:/data/chat});
 * {@link #register()} makes it known to H2 once per JVM. Without it, H2 creates files with the
 * process's umask (usually world-readable 0644).
 */
public final class OwnerOnlyFilePath extends FilePathWrapper {
  static final String SCHEME = "ownerOnly";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static volatile boolean registered;

  /** Used by H2 (through {@link FilePathWrapper#getPath(String)}) to make wrapped paths. */
  public OwnerOnlyFilePath() {}

  /** Makes the {@code ownerOnly:} prefix known to H2 (idempotent). */
  static synchronized void register() {
    if (!registered) {
      FilePath.register(new OwnerOnlyFilePath());
      registered = true;
    }
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public boolean createFile() {
    try {
      return PrivateFiles.createFile(path());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path(), e);
    }
  }

  @Override
  public void createDirectory() {
    try {
      if (!Files.isDirectory(path())) {
        PrivateFiles.createDirectory(path());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path(), e);
    }
  }

  @Override
  public FileChannel open(String mode) throws IOException {
    if (!"r".equals(mode)) {
      PrivateFiles.createFile(path());
    }
    return super.open(mode);
  }

  @Override
  public OutputStream newOutputStream(boolean append) throws IOException {
    PrivateFiles.createFile(path());
    return super.newOutputStream(append);
  }

  @Override
  public FilePath createTempFile(String suffix, boolean inTempDir) throws IOException {
    Path dir =
        inTempDir
            ? Path.of(System.getProperty("java.io.tmpdir"))
            : path().toAbsolutePath().getParent();
    String prefix = path().getFileName() + ".";
    while (true) {
      byte[] random = new byte[8];
      RANDOM.nextBytes(random);
      Path candidate = dir.resolve(prefix + HexFormat.of().formatHex(random) + suffix);
      if (PrivateFiles.createFile(candidate)) {
        return getPath(getPrefix() + candidate);
      }
    }
  }

  private Path path() {
    String base = getBase().toString();
    return Path.of(base.startsWith("file:") ? base.substring(5) : base);
  }
}
