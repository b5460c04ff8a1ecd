package io.messagingkit.examples.chat;

import io.messagingkit.core.UserId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Name and password accounts, registered on first sign-in. Passwords are stored only as PBKDF2
 * (HMAC-SHA256, random 16-byte salt, 120,000 iterations) hashes, in {@code users.properties} (an
 * owner-only file) in the data folder when there is one. Thread-safe.
 *
 * <p>No lock is held while hashing: sign-ins of different users run side by side. The hashing
 * itself (about 0.1-0.3 s of CPU each) is bounded by a fair semaphore of {@code hashingPermits}
 * (default: one per core), so a flood of sign-ins queues instead of taking every core, and a
 * sign-in that waits longer than {@code hashingWait} is refused as busy. Every sign-in costs
 * exactly one hash, for a known name (the check) as for an unknown one (the registration), and
 * hashes are compared in constant time.
 */
final class UserAccounts {
  static final int ITERATIONS = 120_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The outcome of a sign-in. */
  enum SignIn {
    REGISTERED,
    SIGNED_IN,
    WRONG_PASSWORD
  }

  /** Thrown when no hashing permit came free within the wait: the server is busy, retry later. */
  static final class BusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BusyException() {
      super("too many sign-ins at once", null, false, false);
    }
  }

  private final @Nullable Path file;
  private final ConcurrentSkipListMap<String, String> hashes = new ConcurrentSkipListMap<>();
  private final Semaphore hashing;
  private final Duration hashingWait;
  private final Object saving = new Object();

  UserAccounts(@Nullable Path dataDir) {
    this(dataDir, Math.max(1, Runtime.getRuntime().availableProcessors()), Duration.ofSeconds(10));
  }

  UserAccounts(@Nullable Path dataDir, int hashingPermits, Duration hashingWait) {
    this.hashing = new Semaphore(hashingPermits, true);
    this.hashingWait = hashingWait;
    this.file = dataDir == null ? null : dataDir.resolve("users.properties");
    if (file != null && Files.exists(file)) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
      p.stringPropertyNames().forEach(n -> hashes.put(n, p.getProperty(n)));
    }
  }

  /**
   * Signs {@code user} in, registering the name with this password if it is new.
   *
   * @throws BusyException if no hashing permit came free in time
   */
  SignIn signIn(UserId user, String password) {
    String stored = hashes.get(user.value());
    if (stored == null) {
      byte[] salt = new byte[16];
      RANDOM.nextBytes(salt);
      String fresh =
          ITERATIONS
              + ":"
              + Base64.getEncoder().encodeToString(salt)
              + ":"
              + Base64.getEncoder().encodeToString(hash(password, salt, ITERATIONS));
      String raced = hashes.putIfAbsent(user.value(), fresh);
      if (raced == null) {
        save();
        return SignIn.REGISTERED;
      }
      stored = raced; // registered by a concurrent sign-in meanwhile: check against theirs
    }
    String[] parts = stored.split(":");
    byte[] salt = Base64.getDecoder().decode(parts[1]);
    byte[] expected = Base64.getDecoder().decode(parts[2]);
    byte[] actual = hash(password, salt, Integer.parseInt(parts[0]));
    return MessageDigest.isEqual(expected, actual) ? SignIn.SIGNED_IN : SignIn.WRONG_PASSWORD;
  }

  List<UserId> users() {
    return hashes.keySet().stream().map(UserId::of).toList();
  }

  private byte[] hash(String password, byte[] salt, int iterations) {
    try {
      if (!hashing.tryAcquire(hashingWait.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new BusyException();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BusyException();
    }
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
    } finally {
      spec.clearPassword();
      hashing.release();
    }
  }

  /** Writes all accounts (a snapshot taken under the lock, so the newest write wins). */
  private void save() {
    if (file == null) {
      return;
    }
    synchronized (saving) {
      Properties p = new Properties();
      p.putAll(hashes);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (Writer w = new OutputStreamWriter(bytes, StandardCharsets.UTF_8)) {
        p.store(w, "messagingkit example accounts: PBKDF2WithHmacSHA256 iterations:salt:hash");
        w.flush();
        PrivateFiles.write(file, bytes.toByteArray());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }
  }
}
