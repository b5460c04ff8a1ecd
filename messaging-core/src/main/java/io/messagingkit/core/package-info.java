/**
 * messagingkit core: the domain values, the wire-independent protocol model, the {@link
 * io.messagingkit.core.ChatServer} assembly API and the services that route, acknowledge, store and
 * fan out messages.
 */
@NullMarked
package io.messagingkit.core;

import org.jspecify.annotations.NullMarked;
