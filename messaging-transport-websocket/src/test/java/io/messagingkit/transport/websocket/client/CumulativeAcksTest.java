package io.messagingkit.transport.websocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messagingkit.transport.websocket.protocol.ClientFrame;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The SDK's acknowledgments: one ACK {upTo} per batch, never one frame per message. */
class CumulativeAcksTest {

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<ClientFrame> written = new CopyOnWriteArrayList<>();
  private final CumulativeAcks acks = new CumulativeAcks(scheduler, written::add);

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private List<Long> positions() {
    return written.stream().map(f -> ((ClientFrame.AckUpTo) f).upTo()).toList();
  }

  @Test
  @DisplayName(
      "150 entries are acknowledged with three frames: at 64, at 128, and the rest after the delay")
  void oneFramePerBatch() {
    for (long position = 1001; position <= 1150; position++) {
      acks.received(position);
    }
    assertThat(positions()).containsExactly(1064L, 1128L);
    await().atMost(Duration.ofSeconds(5)).until(() -> written.size() == 3);
    assertThat(positions()).containsExactly(1064L, 1128L, 1150L);
  }

  @Test
  @DisplayName("a position received again on the same connection is not acknowledged again")
  void noRepeatOnOneConnection() {
    acks.received(5);
    acks.flush();
    acks.received(5);
    acks.received(3);
    acks.flush();
    assertThat(positions()).containsExactly(5L);
  }

  @Test
  @DisplayName("after a reconnect, entries sent again are acknowledged again")
  void resetOnReconnect() {
    acks.received(5);
    acks.flush();
    acks.reset();
    acks.received(4);
    acks.received(5);
    acks.flush();
    assertThat(positions()).containsExactly(5L, 5L);
  }
}
