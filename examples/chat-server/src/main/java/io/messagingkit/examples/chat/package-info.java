/**
 * The example chat server: a {@link io.messagingkit.core.ChatServer} on embedded defaults behind
 * Jetty, with a web chat page and a sign-in API on the same port.
 */
@NullMarked
package io.messagingkit.examples.chat;

import org.jspecify.annotations.NullMarked;
