/**
 * In-memory and local reference adapters: the embedded defaults of a {@code ChatServer}. They are
 * real, thread-safe implementations of the ports (not test doubles), keep nothing across restarts
 * (except {@code LocalFolderMediaStore}) and pass the same TCK contracts as the external adapters.
 */
@NullMarked
package io.messagingkit.core.memory;

import org.jspecify.annotations.NullMarked;
