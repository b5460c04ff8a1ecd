package io.messagingkit.tck.push;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A local HTTP/1.1 server (JDK {@code com.sun.net.httpserver}) that plays a push provider: it
 * records every request and answers from a script, or with a default answer computed from the
 * request. Thread-safe. Start with {@link #start()}, stop with {@link #close()}.
 */
public final class FakeHttpProvider implements AutoCloseable {

  /**
   * A request as the provider received it.
   *
   * @param method the HTTP method
   * @param path the request path (and query, if any)
   * @param headers the headers, names lower-cased, first value of each
   * @param body the raw body
   */
  public record Request(String method, String path, Map<String, String> headers, byte[] body) {
    /** The header {@code name} (case-insensitive), or null. */
    public @Nullable String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * An answer to send back.
   *
   * @param status the HTTP status
   * @param headers response headers
   * @param body the response body (UTF-8)
   */
  public record Response(int status, Map<String, String> headers, String body) {
    public Response {
      headers = Map.copyOf(headers);
      Objects.requireNonNull(body, "body");
    }

    public static Response of(int status) {
      return new Response(status, Map.of(), "");
    }

    public static Response json(int status, String body) {
      return new Response(status, Map.of("Content-Type", "application/json"), body);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Request> received = new ArrayList<>();
  private final Deque<Function<Request, Response>> script = new ArrayDeque<>();
  private volatile Function<Request, Response> fallback;
  private volatile @Nullable CountDownLatch hold;

  /** A provider on a free port of the loopback interface answering {@code fallback} by default. */
  public FakeHttpProvider(Function<Request, Response> fallback) {
    this.fallback = Objects.requireNonNull(fallback, "fallback");
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a local port for the fake provider", e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Starts serving; returns this. */
  public FakeHttpProvider start() {
    server.start();
    return this;
  }

  /** The base URI, such as {@code http://127.0.0.1:41234}. */
  public URI baseUri() {
    InetSocketAddress a = server.getAddress();
    return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort());
  }

  /** Answers the next request with {@code answer} (queued, first in first out). */
  public synchronized void answerNext(Response answer) {
    Objects.requireNonNull(answer, "answer");
    script.addLast(request -> answer);
  }

  /** Answers the next request with what {@code answer} computes from it. */
  public synchronized void answerNext(Function<Request, Response> answer) {
    script.addLast(Objects.requireNonNull(answer, "answer"));
  }

  /** Replaces the default answer (used when the script is empty). */
  public void answerByDefault(Function<Request, Response> answer) {
    this.fallback = Objects.requireNonNull(answer, "answer");
  }

  /** Holds every answer until {@code release} is counted down (null: answer at once). */
  public void holdAnswers(@Nullable CountDownLatch release) {
    this.hold = release;
  }

  /** The requests received so far, oldest first. */
  public synchronized List<Request> received() {
    return List.copyOf(received);
  }

  /** The last request received; fails if none was. */
  public synchronized Request lastRequest() {
    if (received.isEmpty()) {
      throw new AssertionError("the provider received no request");
    }
    return received.get(received.size() - 1);
  }

  /** Forgets the requests and the script. */
  public synchronized void reset() {
    received.clear();
    script.clear();
    hold = null;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Map<String, String> headers = new TreeMap<>();
      exchange
          .getRequestHeaders()
          .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.isEmpty() ? "" : v.get(0)));
      Request request =
          new Request(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawPath()
                  + (exchange.getRequestURI().getRawQuery() == null
                      ? ""
                      : "?" + exchange.getRequestURI().getRawQuery()),
              Map.copyOf(headers),
              body);
      Function<Request, Response> answer;
      synchronized (this) {
        received.add(request);
        answer = script.isEmpty() ? fallback : script.removeFirst();
      }
      CountDownLatch release = hold;
      if (release != null && !release.await(30, TimeUnit.SECONDS)) {
        throw new IOException("held answer never released");
      }
      Response response;
      try {
        response = answer.apply(request);
      } catch (AssertionError | RuntimeException e) {
        // the provider refuses a request it would not accept; the test sees the reason in the body
        response = new Response(400, Map.of(), "fake provider refused: " + e.getMessage());
      }
      byte[] out = response.body().getBytes(StandardCharsets.UTF_8);
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.sendResponseHeaders(response.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream o = exchange.getResponseBody()) {
          o.write(out);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    CountDownLatch release = hold;
    if (release != null) {
      while (release.getCount() > 0) {
        release.countDown();
      }
    }
    server.stop(0);
    executor.shutdownNow();
  }
}
