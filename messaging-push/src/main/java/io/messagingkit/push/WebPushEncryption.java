package io.messagingkit.push;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 8291 message encryption for Web Push with the RFC 8188 {@code aes128gcm} content coding, in
 * one record: ECDH between a fresh sender key and the subscription's {@code p256dh}, HKDF-SHA-256
 * keyed with the subscription's {@code auth} secret, AES-128-GCM.
 */
final class WebPushEncryption {

  /** The record size written in the header; the whole payload fits one record. */
  static final int RECORD_SIZE = 4096;

  /** The largest plaintext one record carries (record size less delimiter and tag). */
  static final int MAX_PLAINTEXT = RECORD_SIZE - 1 - 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private WebPushEncryption() {}

  /** Encrypts with a fresh sender key pair and salt. */
  static byte[] encrypt(byte[] plaintext, byte[] uaPublic, byte[] authSecret)
      throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(EcKeys.P256, RANDOM);
    KeyPair sender = generator.generateKeyPair();
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return encrypt(
        plaintext,
        uaPublic,
        authSecret,
        (ECPrivateKey) sender.getPrivate(),
        (ECPublicKey) sender.getPublic(),
        salt);
  }

  /**
   * Encrypts with the given sender key pair and salt (RFC 8291 section 3.4): the body is the header
   * {@code salt || rs || idlen || as_public} followed by the one record.
   */
  static byte[] encrypt(
      byte[] plaintext,
      byte[] uaPublic,
      byte[] authSecret,
      ECPrivateKey asPrivate,
      ECPublicKey asPublicKey,
      byte[] salt)
      throws GeneralSecurityException {
    if (plaintext.length > MAX_PLAINTEXT) {
      throw new GeneralSecurityException(
          "a Web Push payload is at most " + MAX_PLAINTEXT + " bytes, got " + plaintext.length);
    }
    if (authSecret.length != 16) {
      throw new GeneralSecurityException(
          "the subscription's auth secret is 16 bytes, got " + authSecret.length);
    }
    if (salt.length != 16) {
      throw new GeneralSecurityException("the salt is 16 bytes, got " + salt.length);
    }
    ECPublicKey ua = EcKeys.publicKey(uaPublic);
    byte[] asPublic = EcKeys.uncompressed(asPublicKey);

    KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
    agreement.init(asPrivate);
    agreement.doPhase(ua, true);
    byte[] ecdhSecret = agreement.generateSecret();

    byte[] keyInfo =
        concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic);
    byte[] ikm = hkdf(authSecret, ecdhSecret, keyInfo, 32);
    byte[] cek =
        hkdf(salt, ikm, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
    byte[] nonce =
        hkdf(salt, ikm, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);

    byte[] record = Arrays.copyOf(plaintext, plaintext.length + 1);
    record[plaintext.length] = 0x02; // the last (and only) record's padding delimiter
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
    byte[] ciphertext = cipher.doFinal(record);

    ByteBuffer body = ByteBuffer.allocate(16 + 4 + 1 + asPublic.length + ciphertext.length);
    body.put(salt).putInt(RECORD_SIZE).put((byte) asPublic.length).put(asPublic).put(ciphertext);
    return body.array();
  }

  /** HKDF-SHA-256 (RFC 5869) for at most one block of output. */
  static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length)
      throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(salt, "HmacSHA256"));
    byte[] prk = mac.doFinal(ikm);
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    mac.update(info);
    mac.update((byte) 0x01);
    return Arrays.copyOf(mac.doFinal(), length);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    for (byte[] p : parts) {
      out.put(p);
    }
    return out.array();
  }
}
