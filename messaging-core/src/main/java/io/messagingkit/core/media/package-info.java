/**
 * Client-side media encryption: a random key per file, AES-256-CBC with HMAC-SHA256
 * (encrypt-then-MAC) and a SHA-256 digest of the uploaded ciphertext. The server stores and serves
 * only ciphertext; the key and digest travel inside the message body. JDK-only, so client SDKs and
 * tests can use it without the server. See {@link io.messagingkit.core.media.MediaCrypto}.
 */
@NullMarked
package io.messagingkit.core.media;

import org.jspecify.annotations.NullMarked;
