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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket session as a {@link DeviceConnection}: a bounded outbound queue drained by one
 * asynchronous send at a time (never the blocking basic remote). {@link #send} never blocks and
 * returns false when the queue is full or the connection closed.
 */
final class WebSocketDeviceConnection implements DeviceConnection {
  private static final Logger log = LoggerFactory.getLogger(WebSocketDeviceConnection.class);

  private final Session session;
  private final WireCodec codec;
  private final int capacity;
  private final Queue<String> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean inFlight;

  WebSocketDeviceConnection(Session session, WireCodec codec, int capacity) {
    this.session = session;
    this.codec = codec;
    this.capacity = capacity;
  }

  @Override
  public String connectionId() {
    return session.getId();
  }

  @Override
  public boolean send(ServerEvent event) {
    return sendFrame(toFrame(event));
  }

  /** Queues a frame; false when the queue is full or the connection is closed. */
  boolean sendFrame(ServerFrame frame) {
    return sendText(codec.encode(frame));
  }

  boolean sendText(String text) {
    if (closed.get() || !session.isOpen()) {
      return false;
    }
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      return false;
    }
    queue.add(text);
    drain();
    return true;
  }

  /** Frames waiting to be written. */
  int queued() {
    return size.get();
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      while (!inFlight && !closed.get()) {
        String next = queue.poll();
        if (next == null) {
          break;
        }
        size.decrementAndGet();
        inFlight = true;
        try {
          session.getAsyncRemote().sendText(next, this::onSent);
        } catch (RuntimeException e) {
          inFlight = false;
          log.warn("send failed on {}; closing", session.getId(), e);
          closeQuietly(CloseCodes.INTERNAL_ERROR, "send failed");
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void onSent(jakarta.websocket.SendResult result) {
    inFlight = false;
    if (!result.isOK()) {
      log.info("write failed on {}: {}", session.getId(), String.valueOf(result.getException()));
      closeQuietly(CloseCodes.INTERNAL_ERROR, "write failed");
      return;
    }
    drain();
  }

  @Override
  public void close(DeviceConnection.CloseReason reason, String detail) {
    closeQuietly(CloseCodes.of(reason), detail);
  }

  void closeQuietly(int code, String detail) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    queue.clear();
    size.set(0);
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
