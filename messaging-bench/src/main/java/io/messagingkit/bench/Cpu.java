package io.messagingkit.bench;

import java.lang.management.ManagementFactory;

/** Process CPU time of this JVM. */
final class Cpu {
  private Cpu() {}

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
