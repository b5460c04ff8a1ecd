package io.messagingkit.tck.kafka;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker (broker and controller in one process) run from the {@code
 * org.apache.kafka:kafka_2.13} artifact in a child JVM. The storage is formatted with a fresh
 * cluster id on first start; {@link #stop()} and {@link #start()} keep the ports and the log
 * directory, so a restart finds every committed record again. The child halts when this JVM exits
 * (it watches its standard input), so no broker outlives its test run.
 *
 * <p>The child's classpath is this JVM's: {@code java.class.path} plus the URLs of the context
 * class loader chain, which must hold {@code kafka_2.13} and its dependencies. The broker's log is
 * {@code <dir>/broker.log}. Thread-safe.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final boolean ownsDir;
  private final int port;
  private final int controllerPort;
  private final String classpath;
  private final String heap;
  private final Map<String, String> overrides;
  private @Nullable Process process;
  private boolean formatted;
  private boolean closed;

  private KafkaBroker(Builder b, Path dir, boolean ownsDir) {
    this.dir = dir;
    this.ownsDir = ownsDir;
    this.port = b.port != 0 ? b.port : freePort();
    this.controllerPort = freePort();
    this.classpath = b.classpath != null ? b.classpath : currentClasspath();
    this.heap = b.heap;
    this.overrides = Map.copyOf(b.overrides);
  }

  /** A broker on free loopback ports in a new temporary directory, not yet started. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code 127.0.0.1:<port>}: what clients put in {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The client port (stays the same across restarts). */
  public int port() {
    return port;
  }

  /** The data and log directory. */
  public Path directory() {
    return dir;
  }

  /** Whether the broker process is alive. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Starts the broker (formatting the storage the first time) and waits until it serves metadata.
   * Does nothing if it is running.
   *
   * @throws IllegalStateException if it does not come up within 90 seconds (the message holds the
   *     tail of its log)
   */
  public synchronized KafkaBroker start() {
    if (closed) {
      throw new IllegalStateException("the broker in " + dir + " is closed");
    }
    if (isRunning()) {
      return this;
    }
    try {
      Path config = writeConfig();
      if (!formatted) {
        format(config);
        formatted = true;
      }
      Process p = java("kafka.Kafka", config.toString()).start();
      process = p;
      awaitReady(p);
      log.info("Kafka broker up on {} (data in {})", bootstrapServers(), dir);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the Kafka broker in " + dir, e);
    }
  }

  /**
   * Stops the broker gracefully (controlled shutdown), or kills it after 30 seconds; keeps its data
   * for a later {@link #start()}.
   */
  public synchronized void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        log.warn(
            "Kafka broker on {} did not stop in {}; killing it", bootstrapServers(), STOP_TIMEOUT);
        p.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
    process = null;
  }

  /** Kills the broker process at once (no controlled shutdown); keeps its data. */
  public synchronized void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Stops the broker and deletes its directory if this broker created it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stop();
    closed = true;
    if (ownsDir) {
      deleteRecursively(dir);
    }
  }

  private Path writeConfig() throws IOException {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", dir.resolve("data").toString());
    p.setProperty("metadata.log.dir", dir.resolve("metadata").toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "4");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("min.insync.replicas", "1");
    p.setProperty("default.replication.factor", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    p.setProperty("num.network.threads", "2");
    p.setProperty("num.io.threads", "4");
    p.putAll(overrides);
    Files.createDirectories(dir);
    Path file = dir.resolve("server.properties");
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, "single-node KRaft broker for messagingkit");
    }
    return file;
  }

  private void format(Path config) throws IOException {
    String clusterId =
        Base64.getUrlEncoder().withoutPadding().encodeToString(uuidBytes(UUID.randomUUID()));
    Process p =
        // "--cluster-id=<id>": a random id may start with '-', which the parser would take for an
        // option if it came as a separate argument (one run in 64 failed so)
        java(
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id=" + clusterId,
                "-c",
                config.toString())
            .start();
    try {
      if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("formatting Kafka storage in " + dir + " timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted while formatting Kafka storage", e);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "formatting Kafka storage in "
              + dir
              + " failed (exit "
              + p.exitValue()
              + "):\n"
              + tail());
    }
  }

  private ProcessBuilder java(String mainClass, String... args) {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx" + heap);
    command.add("-Xms64m");
    command.add("-XX:+UseG1GC");
    command.add("-Djava.awt.headless=true");
    command.add("-cp");
    command.add(classpath);
    command.add(KafkaBrokerMain.class.getName());
    command.add(mainClass);
    command.addAll(List.of(args));
    File logFile = dir.resolve("broker.log").toFile();
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile));
  }

  private void awaitReady(Process p) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!portOpen()) {
      if (!p.isAlive()) {
        process = null;
        throw new IllegalStateException(
            "the Kafka broker exited with " + p.exitValue() + " while starting:\n" + tail());
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        process = null;
        throw new IllegalStateException(
            "the Kafka broker did not open " + bootstrapServers() + " in time:\n" + tail());
      }
      pause();
    }
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000))) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          log.debug("broker not ready yet", e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          process = null;
          throw new IllegalStateException("the Kafka broker did not become ready:\n" + tail());
        }
        pause();
      }
    }
  }

  private boolean portOpen() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker", e);
    }
  }

  /** The last lines of the broker's log, for error messages. */
  String tail() {
    Path file = dir.resolve("broker.log");
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log at " + file + ")";
    }
  }

  private static byte[] uuidBytes(UUID uuid) {
    byte[] b = new byte[16];
    long hi = uuid.getMostSignificantBits();
    long lo = uuid.getLeastSignificantBits();
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (hi >>> (56 - 8 * i));
      b[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    return b;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** {@code java.class.path} plus every URL of the context class loader chain, deduplicated. */
  static String currentClasspath() {
    Set<String> entries = new LinkedHashSet<>();
    for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!e.isBlank()) {
        entries.add(e);
      }
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    while (loader != null) {
      if (loader instanceof URLClassLoader u) {
        for (URL url : u.getURLs()) {
          if ("file".equals(url.getProtocol())) {
            try {
              entries.add(Paths.get(url.toURI()).toString());
            } catch (URISyntaxException | IllegalArgumentException e) {
              log.debug("skipping class path entry {}", url, e);
            }
          }
        }
      }
      loader = loader.getParent();
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("could not delete {}", root, e);
    }
  }

  /** Settings of a {@link KafkaBroker}. */
  public static final class Builder {
    private @Nullable Path directory;
    private int port;
    private @Nullable String classpath;
    private String heap = "512m";
    private final Map<String, String> overrides = new java.util.HashMap<>();

    private Builder() {}

    /** Where the broker keeps its data; default a new temporary directory, deleted on close. */
    public Builder directory(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** The client port; default a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** The child JVM's class path; default this JVM's (see the class comment). */
    public Builder classpath(String classpath) {
      this.classpath = Objects.requireNonNull(classpath, "classpath");
      return this;
    }

    /** The child JVM's maximum heap, e.g. {@code 512m} (the default). */
    public Builder heap(String heap) {
      this.heap = Objects.requireNonNull(heap, "heap");
      return this;
    }

    /** A broker setting that replaces or adds to the generated {@code server.properties}. */
    public Builder property(String key, String value) {
      overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Creates the broker (not started). */
    public KafkaBroker build() {
      try {
        if (directory != null) {
          return new KafkaBroker(this, directory, false);
        }
        return new KafkaBroker(this, Files.createTempDirectory("mk-kafka-"), true);
      } catch (IOException e) {
        throw new UncheckedIOException("could not create a directory for the Kafka broker", e);
      }
    }
  }
}
