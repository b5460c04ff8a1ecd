package io.messagingkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DomainValuesTest {

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", "semi;colon", "slash/no", "ünïcode"})
  @DisplayName("user ids refuse empty values and characters outside the token alphabet")
  void badUserIds(String value) {
    assertThatThrownBy(() -> UserId.of(value)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("user ids are at most 64 characters")
  void userIdLength() {
    assertThat(UserId.of("a".repeat(64)).value()).hasSize(64);
    assertThatThrownBy(() -> UserId.of("a".repeat(65))).hasMessageContaining("64");
  }

  @Test
  @DisplayName("a device address parses user/device and prints back the same")
  void deviceAddress() {
    DeviceAddress address = DeviceAddress.parse("alice/phone");
    assertThat(address).isEqualTo(DeviceAddress.of("alice", "phone"));
    assertThat(DeviceAddress.parse(address.toString())).isEqualTo(address);
    assertThatThrownBy(() -> DeviceAddress.parse("alice"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("client message ids may not look like server receipts")
  void clientIds() {
    assertThatThrownBy(() -> SendRequest.text("D:x:y", Recipient.user(UserId.of("b")), "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(MessageId.of("D:bob:m1").isServerGenerated()).isTrue();
    assertThat(MessageId.of("m1").isServerGenerated()).isFalse();
  }

  @Test
  @DisplayName("a direct conversation is the same from both sides")
  void directConversation() {
    UserId a = UserId.of("a");
    UserId b = UserId.of("b");
    assertThat(Conversation.direct(a, b)).isEqualTo(Conversation.direct(b, a));
    assertThat(Conversation.direct(a, b).key()).isEqualTo(Conversation.direct(b, a).key());
  }

  @Test
  @DisplayName("an envelope requires refersTo exactly for receipts and a media reference for media")
  void envelopeRules() {
    DeviceAddress sender = DeviceAddress.of("a", "p");
    Recipient to = Recipient.user(UserId.of("b"));
    Instant now = Instant.now();
    assertThatThrownBy(
            () ->
                new Envelope(
                    MessageId.of("r"),
                    sender,
                    to,
                    MessageType.DELIVERED_RECEIPT,
                    new byte[0],
                    null,
                    null,
                    now,
                    now,
                    0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new Envelope(
                    MessageId.of("m"),
                    sender,
                    to,
                    MessageType.MEDIA,
                    new byte[0],
                    null,
                    null,
                    now,
                    now,
                    0))
        .hasMessageContaining("media");
    Envelope e =
        new Envelope(
            MessageId.of("m"),
            sender,
            to,
            MessageType.TEXT,
            new byte[] {1},
            null,
            null,
            now,
            now,
            0);
    assertThat(e.withServerSequence(7).serverSequence()).isEqualTo(7);
    assertThat(e.conversationFor(UserId.of("b")))
        .isEqualTo(Conversation.direct(UserId.of("a"), UserId.of("b")));
  }

  @Test
  @DisplayName("error codes carry their wire names and whether a retry can help")
  void errorCodes() {
    assertThat(new UnavailableException("x").code().retryable()).isTrue();
    assertThat(new ForbiddenException("x").code().retryable()).isFalse();
    assertThat(ErrorCode.INVALID_REQUEST.wireName()).isNotBlank();
  }

  @Test
  @DisplayName("settings refuse an idle timeout that does not exceed the heartbeat interval")
  void settings() {
    ChatServerSettings d = ChatServerSettings.defaults();
    assertThatThrownBy(
            () -> d.withHeartbeat(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5)))
        .hasMessageContaining("idleTimeout");
    assertThatThrownBy(() -> d.withMaxBodyBytes(0)).hasMessageContaining("maxBodyBytes");
  }
}
