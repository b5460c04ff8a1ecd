/**
 * Runs the chat endpoint standalone on Tyrus (Grizzly). Needs {@code tyrus-server} and {@code
 * tyrus-container-grizzly-server} on the class path (optional dependencies of this module).
 */
@NullMarked
package io.messagingkit.transport.websocket.tyrus;

import org.jspecify.annotations.NullMarked;
