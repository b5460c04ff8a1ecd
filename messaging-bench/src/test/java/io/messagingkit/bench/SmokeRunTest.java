package io.messagingkit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/** Short real runs against in-process bench servers: messages are delivered and acknowledged. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmokeRunTest {
  private final Map<BenchServer.Container, BenchServer> servers =
      new java.util.EnumMap<>(BenchServer.Container.class);
  @TempDir Path dir;

  @BeforeAll
  void start() {
    for (BenchServer.Container c : BenchServer.Container.values()) {
      servers.put(
          c,
          BenchServer.start(
              new BenchServer.Config(c, 0, 0, Tokens.DEFAULT_SECRET, 0, Duration.ofMinutes(2))));
    }
  }

  @AfterAll
  void stop() {
    servers.values().forEach(BenchServer::close);
  }

  private RunResult run(BenchServer.Container container, String... scenarioArgs) throws Exception {
    BenchServer server = servers.get(container);
    Path result = Files.createTempFile(dir, "result", ".json");
    List<String> args = new ArrayList<>(List.of(scenarioArgs));
    args.addAll(
        List.of(
            "--url",
            server.url(),
            "--stats",
            "http://127.0.0.1:" + server.statsPort() + "/stats",
            "--warmup",
            "0",
            "--duration",
            "1",
            "--sources",
            "2",
            "--result-file",
            result.toString()));
    CommandLine cl = BenchMain.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    assertThat(BenchMain.execute(cl, args.toArray(String[]::new))).as(out.toString()).isZero();
    @SuppressWarnings("unchecked")
    Map<String, Object> map = Json.MAPPER.readValue(result.toFile(), Map.class);
    return RunResult.fromMap(map);
  }

  @ParameterizedTest
  @EnumSource(BenchServer.Container.class)
  void closedLoopDeliversAndAcknowledges(BenchServer.Container container) throws Exception {
    RunResult r = run(container, "closed-loop", "--pairs", "3", "--window", "2");
    assertThat(r.connections()).isEqualTo(6);
    assertThat(r.sent()).isPositive();
    assertThat(r.sentAcks()).isPositive();
    assertThat(r.delivered()).isPositive();
    assertThat(r.receipts()).isPositive();
    assertThat(r.errors()).as(r.errorSamples().toString()).isZero();
    assertThat(r.latency().getTotalCount()).isPositive();
    assertThat(r.serverCpuNanos()).isNotNegative();
  }

  @Test
  void openLoopSendsAtTheRate() throws Exception {
    RunResult r = run(BenchServer.Container.JETTY, "open-loop", "--pairs", "2", "--rate", "200");
    assertThat(r.sent()).isPositive();
    assertThat(r.delivered()).isPositive();
    assertThat(r.sentAcks()).isPositive();
    assertThat(r.errors()).as(r.errorSamples().toString()).isZero();
  }

  @Test
  void groupMessagesReachEveryMember() throws Exception {
    RunResult r = run(BenchServer.Container.JETTY, "group", "--groups", "2", "--members", "4");
    assertThat(r.sentAcks()).isPositive();
    assertThat(r.delivered()).isGreaterThanOrEqualTo(r.sentAcks());
    assertThat(r.errors()).as(r.errorSamples().toString()).isZero();
  }

  @Test
  void backlogDrainsEveryQueuedMessage() throws Exception {
    RunResult r =
        run(BenchServer.Container.TYRUS, "backlog", "--receivers", "3", "--backlog", "50");
    assertThat(r.delivered()).isEqualTo(150);
    assertThat(r.latency().getTotalCount()).isEqualTo(150);
    assertThat(r.errors()).as(r.errorSamples().toString()).isZero();
  }

  @Test
  void churnOpensSessions() throws Exception {
    RunResult r = run(BenchServer.Container.JETTY, "churn", "--concurrency", "4", "--users", "10");
    assertThat(r.sessions()).isPositive();
    // the run keeps cycling while the interval closes: counts may differ by sessions in flight
    assertThat(r.latency().getTotalCount()).isBetween(r.sessions() - 8, r.sessions() + 8);
    assertThat(r.errors()).as(r.errorSamples().toString()).isZero();
  }

  @Test
  void idleMeasuresTheServerPerConnection() throws Exception {
    RunResult r = run(BenchServer.Container.JETTY, "idle", "--connections", "50", "--hold", "1");
    assertThat(r.connections()).isEqualTo(50);
    assertThat(r.extra()).containsKeys("heap per connection KB", "RSS per connection KB");
    assertThat(r.errors()).as(r.errorSamples().toString()).isZero();
  }

  @Test
  void severalProcessesMergeTheirResults() throws Exception {
    RunResult r =
        run(
            BenchServer.Container.JETTY,
            "closed-loop",
            "--pairs",
            "2",
            "--window",
            "1",
            "--processes",
            "2");
    assertThat(r.connections()).isEqualTo(8);
    assertThat(r.delivered()).isPositive();
    assertThat(r.sentAcks()).isPositive();
    assertThat(r.errors()).as(r.errorSamples().toString()).isZero();
  }
}
