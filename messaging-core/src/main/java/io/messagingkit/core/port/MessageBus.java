package io.messagingkit.core.port;

import io.messagingkit.core.Envelope;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Carries envelopes between chat servers and the messaging service (the seed's figure 4), and
 * deliveries to the chat server that holds a given connection.
 *
 * <p><b>Inbound stream.</b> {@link #publish} appends an envelope to a stream keyed by {@link
 * io.messagingkit.core.Recipient#partitionKey()}: envelopes with the same key reach the consumer in
 * publish order. The returned future completes once the bus has durably accepted the envelope
 * (Kafka: acknowledged by the broker with acks=all; in-process: processed by the consumer), which
 * is when the sender may be given SENT_ACK. The consumer is at-least-once: an envelope whose
 * handler future fails, or whose consumer crashes before completing it, is handed over again, in
 * order. Handlers must therefore be idempotent.
 *
 * <p><b>Deliveries.</b> {@link #deliver} sends a {@link Delivery} to the named chat server, which
 * receives it through the handler it {@linkplain #attachServer attached}. Deliveries are
 * best-effort and may be lost when a server dies: anything that must not be lost is in the {@link
 * OfflineStore} before it is delivered.
 *
 * <p>Thread-safe. {@code publish} and {@code deliver} never block the caller on I/O.
 */
public interface MessageBus extends AutoCloseable {

  /** Appends to the inbound stream; completes when durably accepted, or exceptionally. */
  CompletableFuture<Void> publish(Envelope envelope);

  /**
   * Starts consuming the inbound stream with {@code handler}; a bus has at most one inbound
   * consumer per process. The handler's stage completing normally acknowledges the envelope.
   */
  void consumeInbound(Function<Envelope, CompletionStage<Void>> handler);

  /**
   * Like {@link #consumeInbound}, handing over envelopes in batches so that the handler can store
   * them with fewer round trips. A batch is non-empty and holds envelopes in stream order per key;
   * its stage completing normally acknowledges all of them, failing hands all of them over again (a
   * bus may then hand them one at a time to get past a failing envelope). The default hands over
   * batches of one through {@link #consumeInbound}.
   */
  default void consumeInboundBatches(Function<List<Envelope>, CompletionStage<Void>> handler) {
    consumeInbound(envelope -> handler.apply(List.of(envelope)));
  }

  /** Sends a delivery to chat server {@code serverId}; completes when handed to the transport. */
  CompletableFuture<Void> deliver(String serverId, Delivery delivery);

  /**
   * Registers this process as chat server {@code serverId}: deliveries addressed to it are passed
   * to {@code handler}, in the order they were sent per target device. Closing the handle detaches.
   */
  AutoCloseable attachServer(String serverId, DeliveryHandler handler);

  /** Receives deliveries for one chat server. Must not block. */
  @FunctionalInterface
  interface DeliveryHandler {
    void onDelivery(Delivery delivery);
  }

  @Override
  default void close() {}
}
