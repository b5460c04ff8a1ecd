package io.messagingkit.examples.chat;

import io.messagingkit.core.UserId;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Name and password accounts, registered on first sign-in. Passwords are stored only as PBKDF2
 * (HMAC-SHA256, random 16-byte salt, 120,000 iterations) hashes, in {@code users.properties} in the
 * data folder when there is one. Thread-safe.
 */
final class UserAccounts {
  private static final int ITERATIONS = 120_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The outcome of a sign-in. */
  enum SignIn {
    REGISTERED,
    SIGNED_IN,
    WRONG_PASSWORD
  }

  private final @Nullable Path file;
  private final TreeMap<String, String> hashes = new TreeMap<>();
  private final BiConsumer<UserId, List<UserId>> onRegistered;

  UserAccounts(@Nullable Path dataDir, BiConsumer<UserId, List<UserId>> onRegistered) {
    this.onRegistered = onRegistered;
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

  /** Signs {@code user} in, registering the name with this password if it is new. */
  synchronized SignIn signIn(UserId user, String password) {
    String stored = hashes.get(user.value());
    if (stored == null) {
      List<UserId> others = users();
      byte[] salt = new byte[16];
      RANDOM.nextBytes(salt);
      hashes.put(
          user.value(),
          ITERATIONS
              + ":"
              + Base64.getEncoder().encodeToString(salt)
              + ":"
              + Base64.getEncoder().encodeToString(hash(password, salt, ITERATIONS)));
      save();
      onRegistered.accept(user, others);
      return SignIn.REGISTERED;
    }
    String[] parts = stored.split(":");
    byte[] salt = Base64.getDecoder().decode(parts[1]);
    byte[] expected = Base64.getDecoder().decode(parts[2]);
    byte[] actual = hash(password, salt, Integer.parseInt(parts[0]));
    return MessageDigest.isEqual(expected, actual) ? SignIn.SIGNED_IN : SignIn.WRONG_PASSWORD;
  }

  synchronized List<UserId> users() {
    return hashes.keySet().stream().map(UserId::of).toList();
  }

  private static byte[] hash(String password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
    } finally {
      spec.clearPassword();
    }
  }

  private void save() {
    if (file == null) {
      return;
    }
    Properties p = new Properties();
    p.putAll(hashes);
    Path tmp = file.resolveSibling("users.properties.tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "messagingkit example accounts: PBKDF2WithHmacSHA256 iterations:salt:hash");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + tmp, e);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
