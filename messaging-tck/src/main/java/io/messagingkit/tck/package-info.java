/**
 * The technology compatibility kit: one abstract contract test per port, a scenario suite for a
 * whole {@code ChatServer}, and JUnit 5 extensions for the backing services. Adapters (the
 * project's and yours) extend the contracts and only wire their adapter in.
 */
@NullMarked
package io.messagingkit.tck;

import org.jspecify.annotations.NullMarked;
