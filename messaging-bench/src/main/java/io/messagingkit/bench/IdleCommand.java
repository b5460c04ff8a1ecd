package io.messagingkit.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Idle connections: opens {@code connections} authenticated connections that then stay silent, and
 * reads the server's live heap (after GC) and RSS from its stats endpoint before and after: the
 * difference per connection is what an idle authenticated connection costs the server. With {@code
 * --processes N} every process opens {@code connections} and the parent measures the server while
 * they all hold them.
 */
@Command(
    name = "idle",
    mixinStandardHelpOptions = true,
    description = "server memory per idle authenticated connection")
final class IdleCommand extends ScenarioCommand {
  @Option(
      names = "--connections",
      defaultValue = "5000",
      description = "connections per process (default: ${DEFAULT-VALUE})")
  int connections;

  @Option(
      names = "--hold",
      defaultValue = "15",
      description = "seconds to hold the connections open (default: ${DEFAULT-VALUE})")
  int holdSeconds;

  @Override
  String scenario() {
    return "idle";
  }

  @Override
  void validate() {
    super.validate();
    positive("--connections", connections);
    positive("--hold", holdSeconds);
  }

  @Override
  RunResult runScenario() throws Exception {
    ServerStats before = child ? null : serverStats(true);
    List<Conn> conns = new ArrayList<>(connections);
    for (int i = 0; i < connections; i++) {
      conns.add(new Conn(user("i", i), (c, f) -> {}, metrics));
    }
    long t0 = System.nanoTime();
    connectAll(conns);
    double connectSeconds = (System.nanoTime() - t0) / 1e9;
    RunResult r = measureNow(connections, () -> 0, () -> false, 1, () -> {});
    r.extra().put("connect seconds", connectSeconds);
    if (!child) {
      Thread.sleep(1000);
      ServerStats after = serverStats(true);
      if (before != null && after != null) {
        perConnection(before, after, r.extra());
      }
    }
    Thread.sleep(Duration.ofSeconds(holdSeconds).toMillis());
    long open = conns.stream().filter(Conn::isOpen).count();
    if (open < connections) {
      metrics.error((connections - open) + " connections closed while idle");
    }
    closeAll(conns);
    return r;
  }

  @Override
  void whileChildrenRun(List<Process> children, Map<String, Double> extra) throws Exception {
    ServerStats before = serverStats(true);
    long target = (long) connections * children.size();
    boolean all =
        await(
            () -> {
              ServerStats s = serverStats(false);
              return s != null
                  && s.connections() - (before == null ? 0 : before.connections()) >= target;
            },
            Duration.ofMinutes(5));
    if (!all) {
      metrics.error("not every child connected");
    }
    Thread.sleep(1000);
    ServerStats after = serverStats(true);
    if (before != null && after != null) {
      perConnection(before, after, extra);
    }
  }

  static void perConnection(ServerStats before, ServerStats after, Map<String, Double> extra) {
    long n = after.connections() - before.connections();
    extra.put("server connections", (double) after.connections());
    extra.put("server heap before MB", before.heapUsed() / 1e6);
    extra.put("server heap after MB", after.heapUsed() / 1e6);
    extra.put("server RSS before MB", before.rssBytes() / 1e6);
    extra.put("server RSS after MB", after.rssBytes() / 1e6);
    if (n > 0) {
      extra.put("heap per connection KB", (after.heapUsed() - before.heapUsed()) / 1024.0 / n);
      extra.put("RSS per connection KB", (after.rssBytes() - before.rssBytes()) / 1024.0 / n);
    }
    extra.put("server threads", (double) after.threads());
  }
}
