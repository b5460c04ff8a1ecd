package io.messagingkit.bench;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Runs the JMH micro-benchmarks of this jar ({@code io.messagingkit.bench.jmh}). */
@Command(
    name = "jmh",
    mixinStandardHelpOptions = false,
    description = "run the JMH micro-benchmarks (arguments go to JMH, e.g. -f 1 -wi 3 -i 5 Codec)")
final class JmhCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", description = "JMH arguments")
  List<String> args = List.of();

  @Override
  public Integer call() throws Exception {
    org.openjdk.jmh.Main.main(args.toArray(String[]::new));
    return 0;
  }
}
