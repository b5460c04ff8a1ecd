package io.messagingkit.bench;

import io.messagingkit.transport.websocket.protocol.WireCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/**
 * The load generator's WebSocket client: Jetty's core WebSocket client (no Jakarta layer), one
 * {@link HttpClient} per loopback source address (127.0.0.1, 127.0.0.2, ...) so connections spread
 * over several source addresses (each has its own ephemeral port range), all sharing one thread
 * pool. Connections are assigned to source addresses round-robin.
 */
final class WsClient implements AutoCloseable {
  private final URI uri;
  private final List<WebSocketCoreClient> clients = new ArrayList<>();
  private final QueuedThreadPool threads;
  private final AtomicInteger next = new AtomicInteger();

  WsClient(URI uri, int sourceAddresses, int threadCount) {
    this.uri = uri;
    this.threads = new QueuedThreadPool(Math.max(4, threadCount), 2);
    threads.setName("bench-client");
    threads.setDaemon(true);
    ScheduledExecutorScheduler scheduler =
        new ScheduledExecutorScheduler("bench-client-scheduler", true);
    try {
      threads.start();
      scheduler.start();
      for (int i = 0; i < sourceAddresses; i++) {
        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        http.setScheduler(scheduler);
        http.setMaxConnectionsPerDestination(1_000_000);
        http.setConnectTimeout(30_000);
        http.setIdleTimeout(0);
        if (sourceAddresses > 1) {
          http.setBindAddress(new InetSocketAddress("127.0.0." + (i + 1), 0));
        }
        WebSocketCoreClient client = new WebSocketCoreClient(http, null);
        client.start();
        clients.add(client);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the WebSocket client", e);
    }
  }

  /** Opens a connection for a device holding {@code token}; completes once the upgrade is done. */
  CompletableFuture<Conn> connect(String token, Conn conn) {
    WebSocketCoreClient client = clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
    CoreClientUpgradeRequest request = CoreClientUpgradeRequest.from(client, uri, conn);
    request.setSubProtocols(WireCodec.SUBPROTOCOL);
    request.headers(h -> h.put("Authorization", "Bearer " + token));
    request.timeout(30, TimeUnit.SECONDS);
    try {
      return client.connect(request).thenApply(s -> conn);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (WebSocketCoreClient c : clients) {
      try {
        c.stop();
        c.getHttpClient().stop();
      } catch (Exception e) {
        // closing anyway
      }
    }
    try {
      threads.stop();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
