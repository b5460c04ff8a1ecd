package io.messagingkit.tck.memory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.messagingkit.core.memory.LocalFolderMediaStore;
import io.messagingkit.core.memory.LocalMediaHttpHandler;
import io.messagingkit.core.port.MediaStore;
import io.messagingkit.tck.MediaStoreContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The local folder store, served by the JDK HTTP server, passes the MediaStore contract. */
class LocalFolderMediaStoreContractTest extends MediaStoreContract {

  private static HttpServer server;
  private static volatile LocalMediaHttpHandler handler;

  @TempDir Path folder;

  @BeforeAll
  static void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/media", LocalFolderMediaStoreContractTest::serve);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
    server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop(0);
  }

  @Override
  protected MediaStore createStore(Duration urlExpiry, long maxObjectBytes) {
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/media");
    LocalFolderMediaStore store =
        LocalFolderMediaStore.builder(folder, base)
            .urlExpiry(urlExpiry)
            .maxObjectBytes(maxObjectBytes)
            .build();
    // every store on this test's folder shares its signing key, so any of them serves all URLs
    handler = store.httpHandler();
    return store;
  }

  /** Bridges the JDK HTTP server to the JDK-only handler API. */
  static void serve(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream in = exchange.getRequestBody()) {
      URI uri = exchange.getRequestURI();
      String target =
          uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
      try (LocalMediaHttpHandler.Response r =
          handler.handle(exchange.getRequestMethod(), target, exchange.getRequestHeaders(), in)) {
        r.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        long length = r.contentLength() == 0 ? -1 : r.contentLength();
        exchange.sendResponseHeaders(r.status(), length);
        if (length > 0) {
          try (OutputStream out = exchange.getResponseBody()) {
            r.body().transferTo(out);
          }
        }
      }
    }
  }
}
