package io.messagingkit.adversarial.crash;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A device that stays connected the way a real client does: when the connection ends (the server
 * was killed) it reconnects, with a short back-off, until it is stopped. One thread per client;
 * subclasses react to frames and to each new connection on that thread.
 */
abstract class RawClient implements Runnable {
  private static final Duration BACKOFF = Duration.ofMillis(100);
  private static final Duration HEARTBEAT = Duration.ofSeconds(4);

  final String user;
  private final URI uri;
  private final String token;
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean stopped;
  private volatile boolean away;
  private volatile RawLink link;
  private final Thread thread;

  RawClient(String user, URI uri, String token) {
    this.user = user;
    this.uri = uri;
    this.token = token;
    this.thread = new Thread(this, "raw-" + user);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** How many connections this client has opened (each reconnect counts). */
  int connections() {
    return connections.get();
  }

  /** Whether the client is connected right now. */
  boolean connected() {
    RawLink l = link;
    return l != null && l.isOpen();
  }

  /** Disconnects and stays offline until {@link #comeBack()}. */
  void goAway() {
    away = true;
    RawLink l = link;
    if (l != null) {
      l.close();
    }
  }

  void comeBack() {
    away = false;
  }

  void stop() {
    stopped = true;
    RawLink l = link;
    if (l != null) {
      l.close();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public final void run() {
    while (!stopped) {
      if (away) {
        backoff();
        continue;
      }
      RawLink l;
      try {
        l = RawLink.connect(uri, token);
      } catch (RuntimeException refused) {
        backoff();
        continue;
      }
      link = l;
      int connection = connections.incrementAndGet();
      long lastSent = System.nanoTime();
      try {
        onConnected(l, connection);
        while (!stopped && !away) {
          JsonNode frame = l.next(Duration.ofMillis(20));
          if (frame != null) {
            onFrame(l, frame, connection);
          }
          afterEvent(l);
          if (System.nanoTime() - lastSent > HEARTBEAT.toNanos()) {
            l.send(Map.of("type", "HEARTBEAT"));
            lastSent = System.nanoTime();
          }
          if (!l.isOpen()) {
            throw new RawLink.LinkClosed();
          }
        }
      } catch (RawLink.LinkClosed closed) {
        // the server went away: reconnect
      } finally {
        l.close();
      }
    }
  }

  private static void backoff() {
    try {
      TimeUnit.NANOSECONDS.sleep(BACKOFF.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A new connection is up (WELCOME received); {@code connection} counts from 1. */
  abstract void onConnected(RawLink link, int connection);

  /** A frame arrived on connection {@code connection}. */
  abstract void onFrame(RawLink link, JsonNode frame, int connection);

  /** Called after every frame and at least every 20 ms: a chance to send more. */
  void afterEvent(RawLink link) {}
}
