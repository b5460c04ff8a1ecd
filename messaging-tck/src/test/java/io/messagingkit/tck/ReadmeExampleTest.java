package io.messagingkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.SendReceipt;
import io.messagingkit.core.SendRequest;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The README's sample, compiled and run. */
class ReadmeExampleTest {

  @Test
  @DisplayName("the README sample delivers a message and a DELIVERED receipt")
  void readmeSample() {
    RecordingConnection aliceConnection = new RecordingConnection();
    RecordingConnection bobConnection = new RecordingConnection();
    // README: start
    try (ChatServer server = ChatServer.builder().build().start()) {
      DeviceSession alice = server.connect(DeviceAddress.of("alice", "phone"), aliceConnection);
      DeviceSession bob = server.connect(DeviceAddress.of("bob", "phone"), bobConnection);

      SendReceipt sent =
          alice.send(SendRequest.text("m1", Recipient.user(UserId.of("bob")), "hi")).join();
      // README: end
      assertThat(sent.duplicate()).isFalse();
      bobConnection.await(ServerEvent.Incoming.class, in -> true, Duration.ofSeconds(5));
      bob.acknowledge(UserId.of("alice"), MessageId.of("m1"));
      aliceConnection.await(
          ServerEvent.Incoming.class,
          in -> in.envelope().type() == MessageType.DELIVERED_RECEIPT,
          Duration.ofSeconds(5));
    }
  }
}
