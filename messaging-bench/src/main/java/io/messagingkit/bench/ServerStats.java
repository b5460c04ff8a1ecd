package io.messagingkit.bench;

/**
 * A bench server's figures, as served by its stats endpoint.
 *
 * @param pid the server's process id
 * @param connections open WebSocket connections
 * @param heapUsed used heap in bytes (live heap when taken after GC)
 * @param rssBytes resident set size in bytes (-1 if unknown)
 * @param cpuNanos process CPU time consumed so far
 * @param threads live threads
 * @param uptimeMillis JVM uptime
 */
public record ServerStats(
    long pid,
    int connections,
    long heapUsed,
    long rssBytes,
    long cpuNanos,
    int threads,
    long uptimeMillis) {}
