package io.messagingkit.tck.memory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.messagingkit.core.memory.LocalMediaHttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a {@link LocalMediaHttpHandler} on the JDK's {@code com.sun.net.httpserver}, on a free
 * loopback port under {@code /media}: the bridge docs/media.md shows.
 */
final class LocalMediaHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private volatile LocalMediaHttpHandler handler;

  LocalMediaHttpServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/media", this::serve);
    server.setExecutor(executor);
    server.start();
  }

  /** The base URI to give the store. */
  URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/media");
  }

  /** Serves requests with {@code handler} from now on. */
  void mount(LocalMediaHttpHandler handler) {
    this.handler = handler;
  }

  // --8<-- [start:bridge]
  private void serve(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream in = exchange.getRequestBody()) {
      URI uri = exchange.getRequestURI();
      String target =
          uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
      try (LocalMediaHttpHandler.Response r =
          handler.handle(exchange.getRequestMethod(), target, exchange.getRequestHeaders(), in)) {
        r.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        boolean head = exchange.getRequestMethod().equals("HEAD");
        long length = head || r.contentLength() == 0 ? -1 : r.contentLength();
        exchange.sendResponseHeaders(r.status(), length);
        if (length > 0) {
          try (OutputStream out = exchange.getResponseBody()) {
            r.body().transferTo(out);
          }
        }
      }
    }
  }

  // --8<-- [end:bridge]

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
