/**
 * An in-process S3-compatible server (S3Proxy) for adapter tests. Needs {@code org.gaul:s3proxy}
 * and {@code jakarta.servlet:jakarta.servlet-api} 5 on the test classpath (optional dependencies of
 * the TCK).
 */
@NullMarked
package io.messagingkit.tck.s3;

import org.jspecify.annotations.NullMarked;
