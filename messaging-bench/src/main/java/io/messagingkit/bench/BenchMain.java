package io.messagingkit.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code messaging-bench} command line. */
@Command(
    name = "messaging-bench",
    mixinStandardHelpOptions = true,
    version = "messaging-bench 0.1.0",
    description = "Load generator and bench server for messagingkit (wire protocol v1).",
    subcommands = {
      ServerCommand.class,
      ClosedLoopCommand.class,
      OpenLoopCommand.class,
      GroupCommand.class,
      BacklogCommand.class,
      ChurnCommand.class,
      IdleCommand.class,
      JmhCommand.class
    })
public final class BenchMain implements Runnable {
  private static volatile String[] originalArgs = new String[0];

  private BenchMain() {}

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line; returns its exit status. */
  public static int run(String... args) {
    return execute(commandLine(), args);
  }

  /** Runs {@code args} on {@code cl}, remembering them for child processes. */
  static int execute(CommandLine cl, String... args) {
    originalArgs = args.clone();
    return cl.execute(args);
  }

  /** The configured command line (for tests and embedding). */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new BenchMain());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(
        (e, c, parse) -> {
          if (e instanceof IllegalArgumentException) {
            c.getErr().println("error: " + e.getMessage());
            c.usage(c.getErr());
            return 2;
          }
          throw e;
        });
    return cl;
  }

  static String[] originalArgs() {
    return originalArgs.clone();
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
