package io.messagingkit.tck;

import io.messagingkit.core.DeviceConnection;
import io.messagingkit.core.ServerEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DeviceConnection} that records what the server pushes, for tests: the transport a test
 * plays. It can be given a capacity to play a device that stops reading (a slow consumer).
 */
public final class RecordingConnection implements DeviceConnection {

  private final String id = "test-" + UUID.randomUUID();
  private final int capacity;
  private final List<ServerEvent> events = new ArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile @Nullable CloseReason closeReason;

  /** A connection that takes everything. */
  public RecordingConnection() {
    this(Integer.MAX_VALUE);
  }

  /** A connection that refuses (returns false) once it holds {@code capacity} events. */
  public RecordingConnection(int capacity) {
    this.capacity = capacity;
  }

  @Override
  public String connectionId() {
    return id;
  }

  @Override
  public synchronized boolean send(ServerEvent event) {
    if (closeReason != null || events.size() >= capacity) {
      return false;
    }
    events.add(event);
    accepted.incrementAndGet();
    notifyAll();
    return true;
  }

  @Override
  public void close(CloseReason reason, String detail) {
    if (closeReason == null) {
      closeReason = reason;
    }
  }

  /** Why the server closed this connection, or null while open. */
  public @Nullable CloseReason closeReason() {
    return closeReason;
  }

  /** Everything received so far, oldest first. */
  public synchronized List<ServerEvent> events() {
    return List.copyOf(events);
  }

  /** The events of one kind received so far, oldest first. */
  public <T extends ServerEvent> List<T> events(Class<T> kind) {
    List<T> result = new ArrayList<>();
    for (ServerEvent e : events()) {
      if (kind.isInstance(e)) {
        result.add(kind.cast(e));
      }
    }
    return result;
  }

  /** Waits until an event of {@code kind} matching {@code filter} arrived; returns the first. */
  public <T extends ServerEvent> T await(Class<T> kind, Predicate<T> filter, Duration timeout) {
    Awaitility.await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(5))
        .until(() -> events(kind).stream().anyMatch(filter));
    return events(kind).stream().filter(filter).findFirst().orElseThrow();
  }

  /** Waits until at least {@code count} events of {@code kind} matching {@code filter} arrived. */
  public <T extends ServerEvent> List<T> awaitCount(
      Class<T> kind, Predicate<T> filter, int count, Duration timeout) {
    Awaitility.await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(5))
        .until(() -> events(kind).stream().filter(filter).count() >= count);
    return events(kind).stream().filter(filter).toList();
  }

  /** Forgets what was received. */
  public synchronized void clear() {
    events.clear();
  }
}
