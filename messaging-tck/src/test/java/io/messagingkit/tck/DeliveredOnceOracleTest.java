package io.messagingkit.tck;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The oracle of the scenario {@code resendDeliveredOnce} can fail: it counts raw deliveries. */
class DeliveredOnceOracleTest {
  private static Envelope message(String id, long seq) {
    return new Envelope(
        MessageId.of(id),
        DeviceAddress.of("alice", "phone"),
        Recipient.user(UserId.of("bob")),
        MessageType.TEXT,
        "x".getBytes(StandardCharsets.UTF_8),
        null,
        null,
        Instant.EPOCH,
        Instant.EPOCH,
        seq);
  }

  private static ChatServerScenarios.Device bobWith(String... ids) {
    RecordingConnection connection = new RecordingConnection();
    long seq = 1;
    for (String id : ids) {
      connection.send(new ServerEvent.Incoming(message(id, seq), seq++));
    }
    return new ChatServerScenarios.Device(DeviceAddress.of("bob", "phone"), connection, null);
  }

  @Test
  @DisplayName("a message delivered twice fails the delivered-once assertion")
  void doubleDeliveryFails() {
    assertThatThrownBy(
            () ->
                ChatServerScenarios.assertDeliveredOnce(
                    bobWith("dup", "dup", "after"), "dup", "after"))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  @DisplayName("single deliveries pass it")
  void singleDeliveryPasses() {
    assertThatCode(
            () -> ChatServerScenarios.assertDeliveredOnce(bobWith("dup", "after"), "dup", "after"))
        .doesNotThrowAnyException();
  }
}
