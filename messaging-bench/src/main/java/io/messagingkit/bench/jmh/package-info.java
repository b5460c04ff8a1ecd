/**
 * JMH micro-benchmarks: the wire codec and the core's routing hot path. Run them with {@code java
 * -jar messaging-bench.jar jmh} (see docs/benchmarks.md).
 */
@NullMarked
package io.messagingkit.bench.jmh;

import org.jspecify.annotations.NullMarked;
