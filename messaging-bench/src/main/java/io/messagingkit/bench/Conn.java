package io.messagingkit.bench;

import io.messagingkit.transport.websocket.protocol.ServerFrame;
import io.messagingkit.transport.websocket.protocol.WireCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.jspecify.annotations.Nullable;

/**
 * One bench device connection: decodes every text frame with the real {@link WireCodec} and hands
 * it to a {@link Listener}; sends frames as text. Failures count as errors in {@link Metrics}.
 */
final class Conn implements FrameHandler {
  /** Receives decoded server frames (on a client thread). */
  interface Listener {
    void onFrame(Conn conn, ServerFrame frame);

    /** The connection closed (by either side). */
    default void onClosed(Conn conn, int code) {}
  }

  private static final WireCodec CODEC = new WireCodec();

  final String user;
  private final Listener listener;
  private final Metrics metrics;
  private final CompletableFuture<Conn> welcomed = new CompletableFuture<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile @Nullable CoreSession session;
  private @Nullable StringBuilder partial;

  /** Free for the scenario's per-connection state. */
  volatile @Nullable Object state;

  Conn(String user, Listener listener, Metrics metrics) {
    this.user = user;
    this.listener = listener;
    this.metrics = metrics;
  }

  /** Completes with this connection when WELCOME arrived. */
  CompletableFuture<Conn> welcomed() {
    return welcomed;
  }

  /** Completes with the close code once closed. */
  CompletableFuture<Integer> closed() {
    return closed;
  }

  boolean isOpen() {
    CoreSession s = session;
    return s != null && s.isOutputOpen() && !closed.isDone();
  }

  /** Sends one text frame; a failed write counts as an error. */
  void send(String text) {
    CoreSession s = session;
    if (s == null) {
      metrics.error("send before open");
      return;
    }
    s.sendFrame(
        new Frame(OpCode.TEXT, text),
        Callback.from(() -> {}, t -> metrics.error("write failed: " + t)),
        false);
  }

  /** Closes normally. */
  void close() {
    CoreSession s = session;
    if (s != null) {
      s.close(CloseStatus.NORMAL, "bench done", Callback.NOOP);
    }
  }

  /** Drops the connection without a close handshake. */
  void abort() {
    CoreSession s = session;
    if (s != null) {
      s.abort();
    }
  }

  @Override
  public void onOpen(CoreSession coreSession, Callback callback) {
    this.session = coreSession;
    callback.succeeded();
    coreSession.demand();
  }

  @Override
  public void onFrame(Frame frame, Callback callback) {
    byte op = frame.getOpCode();
    if (op == OpCode.TEXT || op == OpCode.CONTINUATION) {
      String text = frame.getPayloadAsUTF8();
      if (!frame.isFin() || partial != null) {
        if (partial == null) {
          partial = new StringBuilder();
        }
        partial.append(text);
        if (frame.isFin()) {
          text = partial.toString();
          partial = null;
        } else {
          text = null;
        }
      }
      if (text != null) {
        dispatch(text);
      }
    } else if (op == OpCode.BINARY) {
      metrics.error("unexpected binary frame");
    }
    callback.succeeded();
    CoreSession s = session;
    if (s != null && op != OpCode.CLOSE) {
      s.demand();
    }
  }

  private void dispatch(String text) {
    if (System.getenv("BENCH_TRACE") != null) {
      System.err.println(user + " <- " + text);
    }
    ServerFrame frame;
    try {
      frame = CODEC.decodeServer(text);
    } catch (RuntimeException e) {
      metrics.error("undecodable frame: " + e.getMessage());
      return;
    }
    if (frame instanceof ServerFrame.Welcome) {
      welcomed.complete(this);
    } else if (frame instanceof ServerFrame.Error e) {
      metrics.error("server error " + e.code() + ": " + e.message());
    }
    try {
      listener.onFrame(this, frame);
    } catch (RuntimeException e) {
      metrics.error("listener failed: " + e);
    }
  }

  @Override
  public void onError(Throwable cause, Callback callback) {
    if (!closed.isDone()) {
      metrics.error("connection error: " + cause);
    }
    welcomed.completeExceptionally(cause);
    callback.succeeded();
  }

  @Override
  public void onClosed(CloseStatus closeStatus, Callback callback) {
    int code = closeStatus.getCode();
    welcomed.completeExceptionally(new IllegalStateException("closed " + closeStatus));
    closed.complete(code);
    callback.succeeded();
    listener.onClosed(this, code);
  }

  /** The sender's {@code System.nanoTime()} carried in a bench message text ({@code n=...}). */
  static long nanoStamp(byte[] body) {
    long value = 0;
    boolean seen = false;
    for (int i = 0; i < body.length; i++) {
      byte b = body[i];
      if (!seen) {
        if (b == '=' && i > 0 && body[i - 1] == 'n') {
          seen = true;
        }
      } else if (b >= '0' && b <= '9') {
        value = value * 10 + (b - '0');
      } else {
        break;
      }
    }
    return seen ? value : Long.MIN_VALUE;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
