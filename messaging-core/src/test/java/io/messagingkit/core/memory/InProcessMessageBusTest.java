package io.messagingkit.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UnavailableException;
import io.messagingkit.core.UserId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InProcessMessageBusTest {

  private final InProcessMessageBus bus =
      InProcessMessageBus.builder().stripes(4).retryBackoff(Duration.ofMillis(1)).build();

  @AfterEach
  void close() {
    bus.close();
  }

  private static Envelope envelope(String id, String to) {
    Instant now = Instant.now();
    return new Envelope(
        MessageId.of(id),
        DeviceAddress.of("a", "p"),
        Recipient.user(UserId.of(to)),
        MessageType.TEXT,
        new byte[0],
        null,
        null,
        now,
        now,
        0);
  }

  @Test
  @DisplayName("publish fails with UNAVAILABLE while no consumer is attached")
  void noConsumer() {
    assertThatThrownBy(() -> bus.publish(envelope("m", "b")).join())
        .hasCauseInstanceOf(UnavailableException.class);
  }

  @Test
  @DisplayName("a failing handler is retried in place, then publish completes")
  void retried() {
    AtomicInteger calls = new AtomicInteger();
    bus.consumeInbound(
        e ->
            calls.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new IllegalStateException("boom"))
                : CompletableFuture.completedFuture(null));
    bus.publish(envelope("m", "b")).join();
    assertThat(calls).hasValue(2);
  }

  @Test
  @DisplayName("publish fails once the handler failed max-attempts times")
  void givesUp() {
    bus.consumeInbound(e -> CompletableFuture.failedFuture(new UnavailableException("db down")));
    assertThatThrownBy(() -> bus.publish(envelope("m", "b")).join())
        .hasCauseInstanceOf(UnavailableException.class);
  }

  @Test
  @DisplayName("envelopes for one recipient are handled one at a time in publish order")
  void orderPerKey() {
    List<String> seen = new CopyOnWriteArrayList<>();
    bus.consumeInbound(
        e -> {
          seen.add(e.id().value());
          return CompletableFuture.completedFuture(null);
        });
    CompletableFuture<?>[] all = new CompletableFuture<?>[200];
    for (int i = 0; i < 200; i++) {
      all[i] = bus.publish(envelope("m" + i, i % 2 == 0 ? "even" : "odd"));
    }
    CompletableFuture.allOf(all).join();
    List<Integer> even =
        seen.stream().map(s -> Integer.parseInt(s.substring(1))).filter(i -> i % 2 == 0).toList();
    assertThat(even).hasSize(100).isSorted();
  }

  @Test
  @DisplayName("a second inbound consumer is refused")
  void oneConsumer() {
    bus.consumeInbound(e -> CompletableFuture.completedFuture(null));
    assertThatThrownBy(() -> bus.consumeInbound(e -> CompletableFuture.completedFuture(null)))
        .isInstanceOf(IllegalStateException.class);
  }
}
