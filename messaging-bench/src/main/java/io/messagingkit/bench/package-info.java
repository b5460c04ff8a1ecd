/**
 * The messagingkit load generator: a picocli command line ({@link io.messagingkit.bench.BenchMain})
 * that starts a bench target server and drives a running server over wire protocol v1.
 */
@NullMarked
package io.messagingkit.bench;

import org.jspecify.annotations.NullMarked;
