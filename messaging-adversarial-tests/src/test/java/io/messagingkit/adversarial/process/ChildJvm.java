package io.messagingkit.adversarial.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code main} class run in a JVM of its own (the test's class path, the test JVM's {@code
 * java}), so a test can kill it the way an operating system or an operator does: {@link #kill()} is
 * SIGKILL on Linux (no shutdown hook, no finally block, no flush), {@link #stop()} is SIGTERM.
 *
 * <p>The child's standard output and error go, merged, to a log file (appended to, so a restarted
 * child keeps one log); {@link #awaitLine} waits for a line the child prints, for example a "ready"
 * line that carries the port it listens on.
 *
 * <pre>{@code
 * ChildJvm server = ChildJvm.builder(MyServerMain.class).arg("--port=0").log(dir.resolve("server.log")).start();
 * String port = server.awaitLine(Pattern.compile("READY port=(\\d+)"), Duration.ofSeconds(60)).group(1);
 * int exit = server.kill(); // 137: killed by signal 9
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {
  /** The exit status of a process killed by SIGKILL, as Java reports it on Linux (128 + 9). */
  public static final int SIGKILL_EXIT = 137;

  /** The exit status of a process ended by SIGTERM without a handler (128 + 15). */
  public static final int SIGTERM_EXIT = 143;

  private final Process process;
  private final Path log;
  private final List<Watch> watches = new ArrayList<>();
  private final List<String> lines = new ArrayList<>();
  private final Thread pump;

  private ChildJvm(Process process, Path log) {
    this.process = process;
    this.log = log;
    this.pump = new Thread(this::pumpOutput, "child-jvm-" + process.pid());
    pump.setDaemon(true);
    pump.start();
  }

  /** A builder for a child running {@code mainClass} on the current class path. */
  public static Builder builder(Class<?> mainClass) {
    return new Builder(mainClass.getName());
  }

  /** The child's process id. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Where the child's output goes. */
  public Path log() {
    return log;
  }

  /**
   * Waits until the child prints a line matching {@code pattern} (lines printed before this call
   * count too) and returns the match.
   *
   * @throws IllegalStateException if the child exits first or the time runs out (the message
   *     carries the end of its log)
   */
  public Matcher awaitLine(Pattern pattern, Duration timeout) {
    CompletableFuture<Matcher> found = new CompletableFuture<>();
    synchronized (lines) {
      for (String line : lines) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return m;
        }
      }
      watches.add(new Watch(pattern, found));
    }
    process
        .onExit()
        .thenRun(() -> found.completeExceptionally(new IllegalStateException("exited")));
    try {
      return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the child", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "child "
              + pid()
              + " did not print /"
              + pattern
              + "/ within "
              + timeout
              + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")")
              + "; its log ends with:\n"
              + tail(40),
          e);
    }
  }

  /**
   * Kills the child with SIGKILL ({@link Process#destroyForcibly()} on Linux) and waits for it to
   * be gone; returns its exit status ({@link #SIGKILL_EXIT} when the signal killed it).
   */
  public int kill() {
    process.destroyForcibly();
    return waitForExit();
  }

  /** Asks the child to stop with SIGTERM (shutdown hooks run) and waits for it; its exit status. */
  public int stop() {
    process.destroy();
    return waitForExit();
  }

  private int waitForExit() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
      pump.join(TimeUnit.SECONDS.toMillis(5));
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for child " + pid() + " to exit", e);
    }
  }

  /** The last {@code n} lines the child printed. */
  public String tail(int n) {
    synchronized (lines) {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
  }

  /** Kills the child if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  private void pumpOutput() {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer out =
            Files.newBufferedWriter(
                log,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
      out.write("---- child " + process.pid() + " started\n");
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.write('\n');
        out.flush();
        synchronized (lines) {
          lines.add(line);
          if (lines.size() > 10_000) {
            lines.subList(0, 5_000).clear();
          }
          for (var it = watches.iterator(); it.hasNext(); ) {
            Watch w = it.next();
            Matcher m = w.pattern.matcher(line);
            if (m.find()) {
              w.found.complete(m);
              it.remove();
            }
          }
        }
      }
    } catch (IOException e) {
      // the child's pipe closed as it died; the log has what it printed
    }
  }

  private record Watch(Pattern pattern, CompletableFuture<Matcher> found) {}

  /** How to start a child JVM. */
  public static final class Builder {
    private final String mainClass;
    private final List<String> args = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private String classPath = System.getProperty("java.class.path");
    private Path log;

    private Builder(String mainClass) {
      this.mainClass = mainClass;
    }

    public Builder arg(String arg) {
      args.add(Objects.requireNonNull(arg, "arg"));
      return this;
    }

    /** A JVM option such as {@code -Xmx256m}. */
    public Builder jvmOption(String option) {
      jvmOptions.add(Objects.requireNonNull(option, "option"));
      return this;
    }

    public Builder systemProperty(String name, String value) {
      systemProperties.put(name, value);
      return this;
    }

    /** The class path (default: the current JVM's). */
    public Builder classPath(String classPath) {
      this.classPath = classPath;
      return this;
    }

    /** The file the child's output is appended to (required). */
    public Builder log(Path log) {
      this.log = log;
      return this;
    }

    /** Starts the child; it runs until killed, stopped or its main returns. */
    public ChildJvm start() {
      Objects.requireNonNull(log, "log must be set");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
      command.add("-cp");
      command.add(classPath);
      command.add(mainClass);
      command.addAll(args);
      try {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new ChildJvm(p, log);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + mainClass, e);
      }
    }
  }
}
