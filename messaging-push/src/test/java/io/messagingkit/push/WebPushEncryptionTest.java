package io.messagingkit.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WebPushEncryptionTest {

  // RFC 8291, section 5 and appendix A
  private static final String PLAINTEXT = "V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24";
  private static final String AS_PUBLIC =
      "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
  private static final String AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
  private static final String UA_PUBLIC =
      "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
  private static final String UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
  private static final String SALT = "DGv6ra1nlYgDCS1FRnbzlw";
  private static final String AUTH = "BTBZMqHH6r4Tts7J_aSIgg";
  private static final String BODY =
      "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYW"
          + "AmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexS"
          + "gSxsj_Qulcy4a-fN";

  private static byte[] b64(String s) {
    return Base64.getUrlDecoder().decode(s);
  }

  @Test
  @DisplayName("reproduces the RFC 8291 section 5 message byte for byte")
  void rfc8291Vector() throws Exception {
    byte[] body =
        WebPushEncryption.encrypt(
            b64(PLAINTEXT),
            b64(UA_PUBLIC),
            b64(AUTH),
            EcKeys.privateKey(b64(AS_PRIVATE)),
            EcKeys.publicKey(b64(AS_PUBLIC)),
            b64(SALT));
    assertThat(Base64.getUrlEncoder().withoutPadding().encodeToString(body)).isEqualTo(BODY);
  }

  @Test
  @DisplayName("the test decrypter reads the RFC 8291 message back")
  void rfcDecrypts() throws Exception {
    byte[] plain =
        WebPushDecrypter.decrypt(
            b64(BODY), EcKeys.privateKey(b64(UA_PRIVATE)), b64(UA_PUBLIC), b64(AUTH));
    assertThat(new String(plain, StandardCharsets.UTF_8))
        .isEqualTo("When I grow up, I want to be a watermelon");
  }

  @Test
  @DisplayName("a fresh key and salt each time: same plaintext, different bodies, both readable")
  void freshKeys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(EcKeys.P256);
    KeyPair ua = g.generateKeyPair();
    byte[] uaPublic = EcKeys.uncompressed((ECPublicKey) ua.getPublic());
    byte[] auth = new byte[16];
    new java.security.SecureRandom().nextBytes(auth);
    byte[] plain = "{\"type\":\"messages\",\"pending\":3}".getBytes(StandardCharsets.UTF_8);
    byte[] one = WebPushEncryption.encrypt(plain, uaPublic, auth);
    byte[] two = WebPushEncryption.encrypt(plain, uaPublic, auth);
    assertThat(one).isNotEqualTo(two);
    assertThat(WebPushDecrypter.decrypt(one, (ECPrivateKey) ua.getPrivate(), uaPublic, auth))
        .isEqualTo(plain);
    assertThat(WebPushDecrypter.decrypt(two, (ECPrivateKey) ua.getPrivate(), uaPublic, auth))
        .isEqualTo(plain);
  }

  @Test
  @DisplayName("a wrong auth secret cannot read the message")
  void wrongAuth() throws Exception {
    byte[] wrong = b64(AUTH);
    wrong[0] ^= 1;
    assertThatThrownBy(
            () ->
                WebPushDecrypter.decrypt(
                    b64(BODY), EcKeys.privateKey(b64(UA_PRIVATE)), b64(UA_PUBLIC), wrong))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  @DisplayName("malformed subscription keys and oversized payloads are refused")
  void refuses() {
    byte[] auth = b64(AUTH);
    assertThatThrownBy(() -> WebPushEncryption.encrypt(new byte[1], new byte[64], auth))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> WebPushEncryption.encrypt(new byte[1], b64(UA_PUBLIC), new byte[8]))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(
            () ->
                WebPushEncryption.encrypt(
                    new byte[WebPushEncryption.MAX_PLAINTEXT + 1], b64(UA_PUBLIC), auth))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  @DisplayName("VAPID keys round-trip through their base64url forms and must match")
  void vapidKeys() {
    VapidKeys keys = VapidKeys.generate();
    VapidKeys again = VapidKeys.of(keys.publicKey(), keys.privateKey());
    assertThat(again.publicKey()).isEqualTo(keys.publicKey());
    assertThat(b64(keys.publicKey())).hasSize(65);
    assertThat(VapidKeys.of(AS_PUBLIC, AS_PRIVATE).publicKey()).isEqualTo(AS_PUBLIC);
    assertThatThrownBy(() -> VapidKeys.of(UA_PUBLIC, AS_PRIVATE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> VapidKeys.of("not-a-key", AS_PRIVATE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName(
      "Topic: a collapse key in the header's alphabet as is, any other as a 32-char digest")
  void topic() {
    assertThat(WebPushGateway.topic("messages-phone")).isEqualTo("messages-phone");
    String digest = WebPushGateway.topic("messages:phone");
    assertThat(digest).matches("[A-Za-z0-9_-]{32}");
    assertThat(WebPushGateway.topic("messages:phone")).isEqualTo(digest);
    assertThat(WebPushGateway.topic("messages:laptop")).isNotEqualTo(digest);
  }
}
