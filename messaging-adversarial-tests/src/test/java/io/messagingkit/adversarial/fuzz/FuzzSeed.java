package io.messagingkit.adversarial.fuzz;

import java.util.SplittableRandom;

/**
 * The seed of a fuzz run: {@code -Dfuzz.seed=<long>} when given, else a fresh random one. It is
 * printed when the run starts and named in every failure, so {@code -Dfuzz.seed=} replays the run's
 * frames exactly.
 */
record FuzzSeed(long value) {
  static FuzzSeed forRun(String run) {
    Long given = Long.getLong("fuzz.seed");
    long seed = given != null ? given : new SplittableRandom().nextLong();
    FuzzSeed s = new FuzzSeed(seed);
    System.out.printf("%s: %s%n", run, s);
    return s;
  }

  SplittableRandom random() {
    return new SplittableRandom(value);
  }

  /** A failure of the run, named with the seed that replays it. */
  AssertionError failure(String what, Throwable cause) {
    return new AssertionError(this + ": " + what + ": " + cause.getMessage(), cause);
  }

  @Override
  public String toString() {
    return "seed " + value + " (replay with -Dfuzz.seed=" + value + ")";
  }
}
