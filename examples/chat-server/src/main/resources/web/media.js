// Client-side media encryption for the example page: format v1 of docs/media.md with WebCrypto,
// the same format as io.messagingkit.core.media.MediaCrypto and the Java SDK's MediaAttachment.
// The server only ever sees the encrypted blob; the key travels inside the message body.
// WebCrypto needs a secure context: https, or http on localhost / 127.0.0.1.
"use strict";

const MediaCrypto = (() => {
  const INFO = new TextEncoder().encode("messagingkit media v1");
  const TAG_BYTES = 32;

  function concat(a, b) {
    const out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }

  function toBase64(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(s);
  }

  function fromBase64(text) {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  // HKDF-SHA256(mediaKey, 32 zero bytes, "messagingkit media v1", 80) -> iv | aesKey | macKey
  async function expand(mediaKey) {
    const ikm = await crypto.subtle.importKey("raw", mediaKey, "HKDF", false, ["deriveBits"]);
    const bits = new Uint8Array(await crypto.subtle.deriveBits(
        {name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: INFO}, ikm, 80 * 8));
    const iv = bits.slice(0, 16);
    const aesKey = await crypto.subtle.importKey("raw", bits.slice(16, 48), "AES-CBC", false, ["encrypt", "decrypt"]);
    const macKey = await crypto.subtle.importKey(
        "raw", bits.slice(48, 80), {name: "HMAC", hash: "SHA-256"}, false, ["sign", "verify"]);
    return {iv, aesKey, macKey};
  }

  // plaintext (ArrayBuffer or Uint8Array) -> {blob, key, digest, size}; key and digest in base64.
  async function encrypt(plaintext) {
    const mediaKey = crypto.getRandomValues(new Uint8Array(32));
    const k = await expand(mediaKey);
    const ciphertext = new Uint8Array(await crypto.subtle.encrypt({name: "AES-CBC", iv: k.iv}, k.aesKey, plaintext));
    const tag = new Uint8Array(await crypto.subtle.sign("HMAC", k.macKey, concat(k.iv, ciphertext)));
    const blob = concat(ciphertext, tag);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", blob));
    return {blob, key: toBase64(mediaKey), digest: toBase64(digest), size: blob.length};
  }

  // Checks length, digest and tag before decrypting; any mismatch throws and releases nothing.
  async function decrypt(blob, meta) {
    if (blob.length !== meta.size || blob.length < 16 + TAG_BYTES || (blob.length - TAG_BYTES) % 16 !== 0) {
      throw new Error("media size mismatch");
    }
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", blob));
    const expected = fromBase64(meta.digest);
    let diff = digest.length ^ expected.length;
    for (let i = 0; i < Math.min(digest.length, expected.length); i++) diff |= digest[i] ^ expected[i];
    if (diff !== 0) throw new Error("media digest mismatch");
    const k = await expand(fromBase64(meta.key));
    const ciphertext = blob.subarray(0, blob.length - TAG_BYTES);
    const tag = blob.subarray(blob.length - TAG_BYTES);
    const ok = await crypto.subtle.verify("HMAC", k.macKey, tag, concat(k.iv, ciphertext));
    if (!ok) throw new Error("media authentication failed");
    return new Uint8Array(await crypto.subtle.decrypt({name: "AES-CBC", iv: k.iv}, k.aesKey, ciphertext));
  }

  // The body of a MEDIA message, as the Java SDK writes it (MediaAttachment): base64 of UTF-8 JSON.
  function body(encrypted, contentType, name) {
    const json = {v: 1, key: encrypted.key, digest: encrypted.digest, size: encrypted.size, contentType};
    if (name) json.name = name;
    return toBase64(new TextEncoder().encode(JSON.stringify(json)));
  }

  function readBody(base64) {
    const json = JSON.parse(new TextDecoder().decode(fromBase64(base64)));
    if (json.v !== 1) throw new Error("unknown media body version");
    return json;
  }

  return {encrypt, decrypt, body, readBody};
})();
