package io.messagingkit.transport.websocket;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of encoded frames held for all connections of one {@link ChatWebSocket}, waiting to be
 * written: a shared budget that keeps many slow readers together from exhausting the heap (each is
 * also bounded on its own, see {@link WebSocketSettings#maxOutboundBytesPerConnection()}). A frame
 * is reserved when queued and released when its write completes, fails, or its connection closes.
 * Thread-safe, lock-free.
 */
final class OutboundBudget {
  private final long limit;
  private final AtomicLong held = new AtomicLong();

  OutboundBudget(long limit) {
    this.limit = limit;
  }

  /** Reserves {@code bytes}; false (nothing reserved) if that would pass the limit. */
  boolean tryReserve(long bytes) {
    while (true) {
      long now = held.get();
      long next = now + bytes;
      if (next > limit) {
        return false;
      }
      if (held.compareAndSet(now, next)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    held.addAndGet(-bytes);
  }

  /** Bytes held right now. */
  long held() {
    return held.get();
  }

  long limit() {
    return limit;
  }

  /** The UTF-8 length of {@code s}: what a text frame of it costs on the wire. */
  static int utf8Length(String s) {
    int n = s.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          bytes += 1;
        } else if (Character.isHighSurrogate(c)) {
          bytes += 2; // with its low surrogate: 4 bytes for 2 chars
          i++;
        } else {
          bytes += 2;
        }
      }
    }
    return bytes;
  }
}
