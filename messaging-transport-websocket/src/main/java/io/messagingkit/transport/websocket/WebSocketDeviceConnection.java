package io.messagingkit.transport.websocket;

import io.messagingkit.core.DeviceConnection;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import io.messagingkit.transport.websocket.protocol.WireCodec;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket session as a {@link DeviceConnection}: an outbound queue drained by one
 * asynchronous send at a time (never the blocking basic remote), bounded in bytes: each queued
 * frame's encoded size is reserved from this connection's limit and from the server's shared {@link
 * OutboundBudget} when queued, and released when its write completes (or fails, or the connection
 * closes). {@link #send} never blocks and returns false when a limit would be passed or the
 * connection is closed; the caller then closes it as a slow consumer (4004).
 */
final class WebSocketDeviceConnection implements DeviceConnection {
  private static final Logger log = LoggerFactory.getLogger(WebSocketDeviceConnection.class);

  private final Session session;
  private final WireCodec codec;
  private final long maxBytes;
  private final OutboundBudget budget;
  private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong heldBytes = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicReference<@Nullable Pending> inFlight = new AtomicReference<>();
  // While held, frames are queued (and counted) but not written: see hold().
  private volatile boolean held;

  /** One encoded frame and the bytes reserved for it. */
  private record Pending(String text, int bytes) {}

  WebSocketDeviceConnection(
      Session session, WireCodec codec, long maxBytes, OutboundBudget budget) {
    this.session = session;
    this.codec = codec;
    this.maxBytes = maxBytes;
    this.budget = budget;
  }

  @Override
  public String connectionId() {
    return session.getId();
  }

  @Override
  public boolean send(ServerEvent event) {
    return sendFrame(toFrame(event));
  }

  /** Queues a frame; false when a byte limit would be passed or the connection is closed. */
  boolean sendFrame(ServerFrame frame) {
    return sendText(codec.encode(frame));
  }

  boolean sendText(String text) {
    if (closed.get() || !session.isOpen()) {
      return false;
    }
    int bytes = OutboundBudget.utf8Length(text);
    if (!reserve(bytes)) {
      return false;
    }
    queue.add(new Pending(text, bytes));
    if (closed.get()) {
      releaseQueued(); // closed meanwhile: whoever polls first releases each entry once
      return false;
    }
    drain();
    return true;
  }

  private boolean reserve(int bytes) {
    while (true) {
      long now = heldBytes.get();
      // One frame always fits an empty queue, whatever its size (it is bounded by the frame size).
      if (now > 0 && now + bytes > maxBytes) {
        return false;
      }
      if (heldBytes.compareAndSet(now, now + bytes)) {
        break;
      }
    }
    if (!budget.tryReserve(bytes)) {
      heldBytes.addAndGet(-bytes);
      return false;
    }
    return true;
  }

  private void release(Pending p) {
    heldBytes.addAndGet(-p.bytes());
    budget.release(p.bytes());
  }

  /**
   * Queues frames without writing them until {@link #release()}: the endpoint queues WELCOME, then
   * connects the device (which registers it and may queue its first messages), then releases, so
   * the client sees WELCOME first and only once its device exists for senders.
   */
  void hold() {
    held = true;
  }

  /** Writes what {@link #hold()} kept back, in order, and everything after it. */
  void release() {
    held = false;
    drain();
  }

  /** Encoded bytes queued or being written for this connection. */
  long heldBytes() {
    return heldBytes.get();
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      while (inFlight.get() == null && !closed.get() && !held) {
        Pending next = queue.poll();
        if (next == null) {
          break;
        }
        inFlight.set(next);
        try {
          session.getAsyncRemote().sendText(next.text(), result -> onSent(next, result));
        } catch (RuntimeException e) {
          if (inFlight.compareAndSet(next, null)) {
            release(next);
          }
          log.warn("send failed on {}; closing", session.getId(), e);
          closeQuietly(CloseCodes.INTERNAL_ERROR, "send failed");
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void onSent(Pending sent, jakarta.websocket.SendResult result) {
    if (inFlight.compareAndSet(sent, null)) {
      release(sent);
    }
    if (!result.isOK()) {
      log.info("write failed on {}: {}", session.getId(), String.valueOf(result.getException()));
      closeQuietly(CloseCodes.INTERNAL_ERROR, "write failed");
      return;
    }
    drain();
  }

  private void releaseQueued() {
    Pending p;
    while ((p = queue.poll()) != null) {
      release(p);
    }
  }

  @Override
  public void close(DeviceConnection.CloseReason reason, String detail) {
    closeQuietly(CloseCodes.of(reason), detail);
  }

  void closeQuietly(int code, String detail) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    releaseQueued();
    Pending writing = inFlight.getAndSet(null);
    if (writing != null) {
      release(writing); // the container drops it with the connection
    }
    try {
      if (session.isOpen()) {
        session.close(new jakarta.websocket.CloseReason(() -> code, truncate(detail)));
      }
    } catch (IOException | RuntimeException e) {
      log.debug("close failed on {}", session.getId(), e);
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /** A close reason phrase must fit in a control frame (123 bytes). */
  private static String truncate(String detail) {
    return detail.length() <= 100 ? detail : detail.substring(0, 100);
  }

  static ServerFrame toFrame(ServerEvent event) {
    if (event instanceof ServerEvent.Incoming in) {
      return toFrame(in.envelope(), in.queueSequence());
    } else if (event instanceof ServerEvent.PresenceChanged p) {
      return new ServerFrame.Presence(null, p.presence());
    } else if (event instanceof ServerEvent.Typing t) {
      return new ServerFrame.Typing(t.from(), t.to(), t.typing());
    } else {
      ServerEvent.GroupChanged g = (ServerEvent.GroupChanged) event;
      return new ServerFrame.GroupEvent(g.group(), g.change(), g.actor(), g.subject());
    }
  }

  static ServerFrame toFrame(Envelope e, long queueSequence) {
    if (e.type().isReceipt()) {
      return new ServerFrame.Receipt(
          e.type() == MessageType.READ_RECEIPT,
          java.util.Objects.requireNonNull(e.refersTo()),
          e.id(),
          e.sender(),
          e.serverTimestamp(),
          queueSequence);
    }
    ServerFrame.Message m = message(e);
    return new ServerFrame.Message(
        m.id(),
        m.from(),
        m.to(),
        m.kind(),
        m.body(),
        m.media(),
        m.clientTimestamp(),
        m.serverTimestamp(),
        m.sequence(),
        queueSequence);
  }

  static ServerFrame.Message message(Envelope e) {
    return new ServerFrame.Message(
        e.id(),
        e.sender(),
        e.recipient(),
        e.type(),
        e.body(),
        e.media(),
        e.clientTimestamp(),
        e.serverTimestamp(),
        e.serverSequence());
  }
}
