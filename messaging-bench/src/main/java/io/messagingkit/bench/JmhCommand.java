package io.messagingkit.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** Runs the JMH micro-benchmarks of this jar ({@code io.messagingkit.bench.jmh}). */
@Command(
    name = "jmh",
    description = "run the JMH micro-benchmarks (arguments go to JMH, e.g. -f 1 -wi 3 -i 5 Codec)")
final class JmhCommand implements Callable<Integer> {
  @Unmatched String[] args = new String[0];

  @Override
  public Integer call() throws Exception {
    org.openjdk.jmh.Main.main(args);
    return 0;
  }
}
