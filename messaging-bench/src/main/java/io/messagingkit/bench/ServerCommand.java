package io.messagingkit.bench;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Starts a bench target server and runs until killed. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "start a bench target server (in-memory ChatServer, HS256 JWT, stats endpoint)")
final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--container",
      defaultValue = "jetty",
      description = "tyrus or jetty (default: ${DEFAULT-VALUE})")
  BenchServer.Container container;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "WebSocket port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--stats-port",
      defaultValue = "8081",
      description = "stats HTTP port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
  int statsPort;

  @Option(
      names = "--secret",
      defaultValue = Tokens.DEFAULT_SECRET,
      description = "HS256 secret (at least 32 bytes)")
  String secret;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "Tyrus worker threads / Jetty max threads (0: the host's default)")
  int threads;

  @Option(
      names = "--idle-timeout",
      defaultValue = "600",
      description = "seconds a silent connection stays open (default: ${DEFAULT-VALUE})")
  int idleTimeoutSeconds;

  @Option(
      names = "--rate-limit",
      defaultValue = "0",
      description =
          "inbound frames/s per connection, burst twice that (0: no limit; the library's default"
              + " is 20)")
  int rateLimit;

  @Override
  public Integer call() throws Exception {
    BenchServer server =
        BenchServer.start(
            new BenchServer.Config(
                container,
                port,
                statsPort,
                secret,
                threads,
                Duration.ofSeconds(idleTimeoutSeconds),
                rateLimit));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bench-server-stop"));
    spec.commandLine()
        .getOut()
        .printf(
            "bench server (%s) pid %d: %s, stats http://127.0.0.1:%d/stats%n",
            container.name().toLowerCase(java.util.Locale.ROOT),
            ProcessHandle.current().pid(),
            server.url(),
            server.statsPort());
    spec.commandLine().getOut().flush();
    new CountDownLatch(1).await();
    return 0;
  }
}
