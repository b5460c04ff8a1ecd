package io.messagingkit.examples.chat;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and folders only their owner can read: the data folder holds the token secret, the VAPID
 * private key, password hashes and the database. Permissions are given at creation (never a chmod
 * afterwards, which would leave a window in which the file is readable by others); on file systems
 * without POSIX permissions (Windows) the platform's defaults apply.
 */
final class PrivateFiles {
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private PrivateFiles() {}

  /** Creates {@code dir} and any missing parents as owner-only folders (0700). */
  static Path createDirectories(Path dir) throws IOException {
    return POSIX
        ? Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(FOLDER))
        : Files.createDirectories(dir);
  }

  /** Creates the folder {@code dir} (0700); its parent must exist. */
  static void createDirectory(Path dir) throws IOException {
    if (POSIX) {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(FOLDER));
    } else {
      Files.createDirectory(dir);
    }
  }

  /** Creates the empty file {@code file} (0600); false if it already existed. */
  static boolean createFile(Path file) throws IOException {
    try {
      if (POSIX) {
        Files.createFile(file, fileAttribute());
      } else {
        Files.createFile(file);
      }
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  /**
   * Replaces {@code file} with {@code content} atomically: written to a fresh owner-only sibling
   * first, then moved over the file, so readers see the old or the new content, never a part.
   */
  static void write(Path file, byte[] content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp); // left by a crash: its permissions are not ours to trust
    if (POSIX) {
      Files.write(
          Files.createFile(tmp, fileAttribute()), content, StandardOpenOption.TRUNCATE_EXISTING);
    } else {
      Files.write(tmp, content, StandardOpenOption.CREATE_NEW);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * True if {@code path} (a file or a folder) can be read or entered by its group or others, which
   * happens to data folders written by versions before 0.1 or by hand.
   */
  static boolean visibleToOthers(Path path) throws IOException {
    if (!POSIX || !Files.exists(path)) {
      return false;
    }
    Set<PosixFilePermission> p = Files.getPosixFilePermissions(path);
    return p.contains(PosixFilePermission.GROUP_READ)
        || p.contains(PosixFilePermission.OTHERS_READ)
        || p.contains(PosixFilePermission.GROUP_EXECUTE)
        || p.contains(PosixFilePermission.OTHERS_EXECUTE);
  }

  private static FileAttribute<Set<PosixFilePermission>> fileAttribute() {
    return PosixFilePermissions.asFileAttribute(FILE);
  }
}
