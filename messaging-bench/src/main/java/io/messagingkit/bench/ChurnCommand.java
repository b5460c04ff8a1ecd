package io.messagingkit.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Connection churn: {@code concurrency} loops each open a new authenticated session (WebSocket
 * upgrade with a JWT, until WELCOME), close it, and start over, cycling through {@code users}
 * users. The rate is sessions per second; latency is connect to WELCOME.
 */
@Command(
    name = "churn",
    mixinStandardHelpOptions = true,
    description = "new authenticated sessions per second")
final class ChurnCommand extends ScenarioCommand {
  @Option(
      names = "--concurrency",
      defaultValue = "64",
      description = "sessions being opened at once (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(
      names = "--users",
      defaultValue = "2000",
      description = "distinct users cycled through (default: ${DEFAULT-VALUE})")
  int users;

  private volatile boolean running = true;
  private final AtomicLong next = new AtomicLong();
  private final AtomicLong live = new AtomicLong();
  private List<String> tokenPool = List.of();

  @Override
  String scenario() {
    return "churn";
  }

  @Override
  void validate() {
    super.validate();
    positive("--concurrency", concurrency);
    positive("--users", users);
  }

  @Override
  RunResult runScenario() throws Exception {
    List<String> pool = new ArrayList<>(users);
    for (int i = 0; i < users; i++) {
      pool.add(tokens().issue(user("c", i)));
    }
    tokenPool = pool;
    for (int i = 0; i < concurrency; i++) {
      cycle();
    }
    RunResult r = measure(concurrency, metrics.sessions::sum);
    running = false;
    await(() -> live.get() == 0, java.time.Duration.ofSeconds(10));
    return r;
  }

  private void cycle() {
    if (!running) {
      return;
    }
    int i = (int) (next.getAndIncrement() % users);
    Conn conn = new Conn(user("c", i), (c, f) -> {}, metrics);
    long start = System.nanoTime();
    live.incrementAndGet();
    conn.welcomed()
        .whenComplete(
            (c, e) -> {
              if (e == null) {
                metrics.latencyNanos(System.nanoTime() - start);
                metrics.sessions.increment();
                conn.close();
              } else {
                metrics.error("session failed: " + e);
                conn.abort();
              }
            });
    conn.closed()
        .orTimeout(30, TimeUnit.SECONDS)
        .whenComplete(
            (code, e) -> {
              live.decrementAndGet();
              cycle();
            });
    try {
      client()
          .connect(tokenPool.get(i), conn)
          .whenComplete(
              (c, e) -> {
                if (e != null) {
                  conn.welcomed().completeExceptionally(e);
                  conn.closed().complete(-1);
                }
              });
    } catch (RuntimeException e) {
      metrics.error("connect failed: " + e);
      conn.closed().complete(-1);
    }
  }
}
