package io.messagingkit.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.function.IntSupplier;

/**
 * A tiny HTTP endpoint of the bench server: {@code GET /stats} answers a {@link ServerStats} as
 * JSON; {@code GET /stats?gc=true} runs three full GCs first, so {@code heapUsed} is the live heap.
 */
final class StatsEndpoint implements AutoCloseable {
  private final HttpServer http;

  private StatsEndpoint(HttpServer http) {
    this.http = http;
  }

  static StatsEndpoint start(int port, IntSupplier connections) {
    try {
      HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
      http.createContext(
          "/stats",
          exchange -> {
            try {
              boolean gc =
                  exchange.getRequestURI().getQuery() != null
                      && exchange.getRequestURI().getQuery().contains("gc=true");
              byte[] body = Json.MAPPER.writeValueAsBytes(snapshot(gc, connections.getAsInt()));
              exchange.getResponseHeaders().add("Content-Type", "application/json");
              exchange.sendResponseHeaders(200, body.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
              }
            } finally {
              exchange.close();
            }
          });
      http.setExecutor(Executors.newSingleThreadExecutor());
      http.start();
      return new StatsEndpoint(http);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on stats port " + port, e);
    }
  }

  int port() {
    return http.getAddress().getPort();
  }

  /** This process's figures now; with {@code gc}, after three full GCs. */
  static ServerStats snapshot(boolean gc, int connections) {
    if (gc) {
      for (int i = 0; i < 3; i++) {
        System.gc();
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return new ServerStats(
        ProcessHandle.current().pid(),
        connections,
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
        rssBytes(),
        Cpu.processCpuNanos(),
        Thread.activeCount(),
        ManagementFactory.getRuntimeMXBean().getUptime());
  }

  /** Resident set size from /proc/self/status, or -1 where there is none. */
  static long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[1]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
