package io.messagingkit.core.memory;

import io.messagingkit.core.Envelope;
import io.messagingkit.core.UnavailableException;
import io.messagingkit.core.port.Delivery;
import io.messagingkit.core.port.MessageBus;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MessageBus} inside one process. The inbound stream is split into stripes by {@link
 * io.messagingkit.core.Recipient#partitionKey()}; each stripe is one thread, so envelopes with the
 * same key are handled one at a time in publish order. {@link #publish}'s future completes when the
 * handler's stage completed, i.e. when the messaging service has stored the envelope. A failed
 * handler stage is retried in place (keeping order) up to {@code maxAttempts}; then the publish
 * future fails and the sender gets an error instead of SENT_ACK.
 *
 * <p>Deliveries are handed to the attached server's handler on the caller's thread, so they keep
 * the caller's order. Thread-safe.
 */
public final class InProcessMessageBus implements MessageBus {

  private static final Logger log = LoggerFactory.getLogger(InProcessMessageBus.class);

  private final ExecutorService[] stripes;
  private final int maxAttempts;
  private final Duration retryBackoff;
  private final Map<String, DeliveryHandler> servers = new ConcurrentHashMap<>();
  private volatile @Nullable Function<Envelope, CompletionStage<Void>> consumer;
  private volatile boolean closed;

  private InProcessMessageBus(Builder builder) {
    this.maxAttempts = builder.maxAttempts;
    this.retryBackoff = builder.retryBackoff;
    this.stripes = new ExecutorService[builder.stripes];
    for (int i = 0; i < stripes.length; i++) {
      String name = "messagingkit-bus-" + i;
      stripes[i] =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
              });
    }
  }

  /** A bus with one stripe per available processor (at least 2). */
  public static InProcessMessageBus create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletableFuture<Void> publish(Envelope envelope) {
    Objects.requireNonNull(envelope, "envelope");
    Function<Envelope, CompletionStage<Void>> handler = consumer;
    if (closed) {
      return CompletableFuture.failedFuture(new UnavailableException("message bus is closed"));
    }
    if (handler == null) {
      return CompletableFuture.failedFuture(
          new UnavailableException("no messaging service consumes the bus yet"));
    }
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    int stripe = Math.floorMod(envelope.recipient().partitionKey().hashCode(), stripes.length);
    try {
      stripes[stripe].execute(() -> handle(handler, envelope, accepted));
    } catch (RejectedExecutionException e) {
      accepted.completeExceptionally(new UnavailableException("message bus is closed"));
    }
    return accepted;
  }

  private void handle(
      Function<Envelope, CompletionStage<Void>> handler,
      Envelope envelope,
      CompletableFuture<Void> accepted) {
    Throwable last = null;
    for (int attempt = 1; attempt <= maxAttempts && !closed; attempt++) {
      try {
        handler.apply(envelope).toCompletableFuture().get();
        accepted.complete(null);
        return;
      } catch (ExecutionException e) {
        last = e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        last = e;
        break;
      } catch (RuntimeException e) {
        last = e;
      }
      log.debug("handler failed for {} (attempt {} of {})", envelope, attempt, maxAttempts, last);
      if (attempt < maxAttempts) {
        try {
          Thread.sleep(retryBackoff.toMillis() * attempt);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    accepted.completeExceptionally(
        last instanceof RuntimeException r
            ? r
            : new UnavailableException("messaging service failed to take " + envelope.id(), last));
  }

  @Override
  public void consumeInbound(Function<Envelope, CompletionStage<Void>> handler) {
    Objects.requireNonNull(handler, "handler");
    synchronized (this) {
      if (consumer != null) {
        throw new IllegalStateException("the inbound stream already has a consumer");
      }
      consumer = handler;
    }
  }

  @Override
  public CompletableFuture<Void> deliver(String serverId, Delivery delivery) {
    DeliveryHandler handler = servers.get(serverId);
    if (handler == null) {
      return CompletableFuture.failedFuture(
          new UnavailableException("no chat server " + serverId + " is attached"));
    }
    try {
      handler.onDelivery(delivery);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      log.warn("chat server {} failed to take a delivery for {}", serverId, delivery.target(), e);
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public AutoCloseable attachServer(String serverId, DeliveryHandler handler) {
    Objects.requireNonNull(handler, "handler");
    if (servers.putIfAbsent(serverId, handler) != null) {
      throw new IllegalStateException("chat server " + serverId + " is already attached");
    }
    return () -> servers.remove(serverId, handler);
  }

  @Override
  public void close() {
    closed = true;
    for (ExecutorService stripe : stripes) {
      stripe.shutdown();
    }
  }

  /** Settings of an {@link InProcessMessageBus}. */
  public static final class Builder {
    private int stripes = Math.max(2, Runtime.getRuntime().availableProcessors());
    private int maxAttempts = 3;
    private Duration retryBackoff = Duration.ofMillis(20);

    private Builder() {}

    /** How many threads handle the inbound stream (each key always lands on the same one). */
    public Builder stripes(int stripes) {
      this.stripes = stripes;
      return this;
    }

    /** How often a failing handler is tried before publish fails (default 3). */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The pause before a retry, times the attempt number (default 20 ms). */
    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff");
      return this;
    }

    public InProcessMessageBus build() {
      if (stripes < 1) {
        throw new IllegalArgumentException("stripes must be at least 1, got " + stripes);
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
      }
      return new InProcessMessageBus(this);
    }
  }
}
