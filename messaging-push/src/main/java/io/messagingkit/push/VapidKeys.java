package io.messagingkit.push;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.Objects;

/**
 * The application server's VAPID key pair (RFC 8292): a P-256 key that signs the JWT sent with each
 * Web Push request. The browser subscribes with the {@link #publicKey()} as its {@code
 * applicationServerKey}, and the push service accepts only requests signed by the matching private
 * key. Keep both stable: a new pair invalidates every subscription made with the old one.
 */
public final class VapidKeys {

  private final ECPublicKey publicKey;
  private final ECPrivateKey privateKey;

  private VapidKeys(ECPublicKey publicKey, ECPrivateKey privateKey) {
    this.publicKey = publicKey;
    this.privateKey = privateKey;
  }

  /** A fresh key pair; store {@link #publicKey()} and {@link #privateKey()} to reuse it. */
  public static VapidKeys generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(EcKeys.P256, new SecureRandom());
      KeyPair pair = generator.generateKeyPair();
      return new VapidKeys((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot generate P-256 keys", e);
    }
  }

  /**
   * The key pair from its unpadded base64url forms (as printed by {@code web-push
   * generate-vapid-keys}).
   *
   * @param publicKey the 65-byte uncompressed public point
   * @param privateKey the 32-byte private scalar
   * @throws IllegalArgumentException if either is malformed or they do not belong together
   */
  public static VapidKeys of(String publicKey, String privateKey) {
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(privateKey, "privateKey");
    VapidKeys keys;
    try {
      keys =
          new VapidKeys(
              EcKeys.publicKey(Base64Url.decode(publicKey)),
              EcKeys.privateKey(Base64Url.decode(privateKey)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed VAPID key: " + e.getMessage(), e);
    }
    if (!keys.belongTogether()) {
      throw new IllegalArgumentException("the VAPID public key does not match the private key");
    }
    return keys;
  }

  /** The public key, unpadded base64url of the uncompressed point: the applicationServerKey. */
  public String publicKey() {
    return Base64Url.encode(EcKeys.uncompressed(publicKey));
  }

  /** The private key, unpadded base64url of the scalar. Keep it secret. */
  public String privateKey() {
    return Base64Url.encode(EcKeys.raw(privateKey));
  }

  ECPrivateKey signingKey() {
    return privateKey;
  }

  ECPublicKey verificationKey() {
    return publicKey;
  }

  private boolean belongTogether() {
    try {
      byte[] probe = "vapid".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "VapidKeys[publicKey=" + publicKey() + "]";
  }

  /** Unpadded base64url, the encoding Web Push uses for keys. */
  static final class Base64Url {
    private Base64Url() {}

    static String encode(byte[] bytes) {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Decodes base64url or standard base64, padded or not. */
    static byte[] decode(String text) {
      String s = text.trim().replace('+', '-').replace('/', '_');
      int pad = s.indexOf('=');
      if (pad >= 0) {
        s = s.substring(0, pad);
      }
      return Base64.getUrlDecoder().decode(s);
    }
  }
}
