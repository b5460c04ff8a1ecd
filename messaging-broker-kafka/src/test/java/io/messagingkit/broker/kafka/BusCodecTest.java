package io.messagingkit.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.MediaRef;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Presence;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BusCodecTest {

  private static final Instant T = Instant.parse("2026-03-04T05:06:07.123456789Z");
  private static final DeviceAddress ALICE = DeviceAddress.of("alice", "phone");

  private static Envelope text(String id, Recipient to) {
    return new Envelope(
        MessageId.of(id),
        ALICE,
        to,
        MessageType.TEXT,
        "héllo ✓".getBytes(StandardCharsets.UTF_8),
        null,
        null,
        T,
        T.plusSeconds(1),
        9);
  }

  @Test
  @DisplayName("round-trips every envelope shape: text, media, encrypted, receipts, group")
  void envelopes() {
    List<Envelope> all =
        List.of(
            text("m1", Recipient.user(UserId.of("bob"))),
            text("m2", Recipient.group(GroupId.of("family"))),
            new Envelope(
                MessageId.of("m3"),
                ALICE,
                Recipient.group(GroupId.of("family")),
                MessageType.MEDIA,
                new byte[] {0, -1, 127, -128},
                new MediaRef("media/2026/abc", "image/jpeg", 1_234_567_890_123L),
                null,
                T,
                T,
                Long.MAX_VALUE),
            new Envelope(
                MessageId.of("m4"),
                ALICE,
                Recipient.user(UserId.of("bob")),
                MessageType.ENCRYPTED,
                new byte[70_000],
                null,
                null,
                Instant.EPOCH,
                T,
                0),
            new Envelope(
                MessageId.of("D:alice:m1"),
                DeviceAddress.of("bob", "web"),
                Recipient.user(UserId.of("alice")),
                MessageType.DELIVERED_RECEIPT,
                new byte[0],
                null,
                MessageId.of("m1"),
                T,
                T,
                0));
    for (Envelope e : all) {
      assertThat(BusCodec.decodeEnvelope(BusCodec.encode(e))).isEqualTo(e);
    }
  }

  @Test
  @DisplayName("round-trips a delivery of every server event kind")
  void deliveries() {
    DeviceAddress bob = DeviceAddress.of("bob", "phone");
    GroupId g = GroupId.of("family");
    List<ServerEvent> events =
        List.of(
            new ServerEvent.Incoming(text("m1", Recipient.user(UserId.of("bob"))), 17),
            new ServerEvent.PresenceChanged(new Presence(UserId.of("alice"), true, T)),
            new ServerEvent.PresenceChanged(Presence.unknown(UserId.of("carol"))),
            new ServerEvent.Typing(UserId.of("alice"), Recipient.user(UserId.of("bob")), false),
            new ServerEvent.Typing(UserId.of("alice"), Recipient.group(g), true),
            new ServerEvent.GroupChanged(
                g, ServerEvent.GroupChanged.Change.CREATED, UserId.of("alice"), null),
            new ServerEvent.GroupChanged(
                g,
                ServerEvent.GroupChanged.Change.MEMBER_REMOVED,
                UserId.of("alice"),
                UserId.of("bob")));
    for (ServerEvent event : events) {
      Delivery d = new Delivery(bob, event);
      assertThat(BusCodec.decodeDelivery(BusCodec.encode(d))).isEqualTo(d);
    }
  }

  @Test
  @DisplayName("refuses records of another version, truncated ones and garbage")
  void refusesBadRecords() {
    byte[] good = BusCodec.encode(text("m1", Recipient.user(UserId.of("bob"))));
    byte[] otherVersion = good.clone();
    otherVersion[0] = 99;
    assertThatThrownBy(() -> BusCodec.decodeEnvelope(otherVersion))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BusCodec.decodeEnvelope(Arrays.copyOf(good, good.length - 3)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BusCodec.decodeEnvelope(new byte[] {1, 0, 5, 'x'}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BusCodec.decodeDelivery(good))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
