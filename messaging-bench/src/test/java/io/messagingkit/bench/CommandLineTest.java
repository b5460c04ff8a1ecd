package io.messagingkit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {
  private final StringWriter err = new StringWriter();

  private CommandLine cli() {
    CommandLine cl = BenchMain.commandLine();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    return cl;
  }

  @Test
  void scenarioOptionsHaveDocumentedDefaults() {
    CommandLine cl = cli();
    CommandLine.ParseResult parsed = cl.parseArgs("closed-loop");
    ClosedLoopCommand c = (ClosedLoopCommand) parsed.subcommand().commandSpec().userObject();
    assertThat(c.url).isEqualTo(URI.create("ws://127.0.0.1:8080/ws"));
    assertThat(c.stats).isEqualTo("http://127.0.0.1:8081/stats");
    assertThat(c.pairs).isEqualTo(100);
    assertThat(c.window).isEqualTo(4);
    assertThat(c.processes).isEqualTo(1);
    assertThat(c.sources).isEqualTo(4);
    assertThat(c.secret).isEqualTo(Tokens.DEFAULT_SECRET);
  }

  @Test
  void parsesScenarioOptions() {
    CommandLine.ParseResult parsed =
        cli()
            .parseArgs(
                "open-loop", "--rate", "2500", "--pairs=7", "--sources", "3", "--chart", "x.png");
    OpenLoopCommand c = (OpenLoopCommand) parsed.subcommand().commandSpec().userObject();
    assertThat(c.rate).isEqualTo(2500);
    assertThat(c.pairs).isEqualTo(7);
    assertThat(c.sources).isEqualTo(3);
    assertThat(c.chart).isEqualTo(Path.of("x.png"));
  }

  @Test
  void serverContainerIsCaseInsensitive() {
    CommandLine.ParseResult parsed = cli().parseArgs("server", "--container", "Tyrus");
    ServerCommand c = (ServerCommand) parsed.subcommand().commandSpec().userObject();
    assertThat(c.container).isEqualTo(BenchServer.Container.TYRUS);
  }

  @Test
  void refusesNonPositiveValuesWithExitCode2() {
    assertThat(cli().execute("closed-loop", "--pairs", "0", "--stats", "none")).isEqualTo(2);
    assertThat(err.toString()).contains("--pairs must be positive");
  }

  @Test
  void refusesTooManySourceAddresses() {
    assertThat(cli().execute("churn", "--sources", "300", "--stats", "none")).isEqualTo(2);
    assertThat(err.toString()).contains("--sources must be at most 254");
  }

  @Test
  void refusesGroupsOfOne() {
    assertThat(cli().execute("group", "--members", "1", "--stats", "none")).isEqualTo(2);
    assertThat(err.toString()).contains("--members must be at least 2");
  }

  @Test
  void refusesUnknownOptions() {
    assertThat(cli().execute("idle", "--bogus")).isNotZero();
    assertThat(err.toString()).contains("Unknown option");
  }

  @Test
  void childArgumentsReplaceProcessPrefixChartAndResult() {
    assertThat(
            ScenarioCommand.childArgs(
                new String[] {
                  "closed-loop",
                  "--processes",
                  "3",
                  "--pairs",
                  "10",
                  "--prefix=run1",
                  "--chart",
                  "c.png",
                  "--result-file=old.json"
                },
                "run1p2",
                Path.of("r2.json")))
        .containsExactly(
            "closed-loop",
            "--pairs",
            "10",
            "--child",
            "--processes=1",
            "--prefix=run1p2",
            "--result-file=r2.json");
  }

  @Test
  void benchServerRefusesShortSecrets() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new BenchServer.Config(
                    BenchServer.Container.JETTY,
                    0,
                    -1,
                    "short",
                    0,
                    java.time.Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
  }
}
