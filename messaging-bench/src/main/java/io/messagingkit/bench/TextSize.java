package io.messagingkit.bench;

import picocli.CommandLine.Option;

/** The {@code --size} option of the scenarios that send texts, and the texts it makes. */
final class TextSize {
  @Option(
      names = "--size",
      defaultValue = "64",
      description = "message text characters (default: ${DEFAULT-VALUE})")
  int size;

  void validate() {
    ScenarioCommand.positive("--size", size);
  }

  /** A text of {@code size} characters carrying its send time. */
  String text(long sentAtNanos) {
    return Frames.text(sentAtNanos, size);
  }
}
