/**
 * The ports: small interfaces that adapter modules implement against a real backend. Only JDK types
 * and core records cross a port. Every port is thread-safe; each method's Javadoc says whether it
 * blocks and what "absent" returns. Adapters translate their driver's exceptions into {@link
 * io.messagingkit.core.UnavailableException} (backend down, retryable) or another {@link
 * io.messagingkit.core.MessagingException}.
 */
@NullMarked
package io.messagingkit.core.port;

import org.jspecify.annotations.NullMarked;
