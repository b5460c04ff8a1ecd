/**
 * Runs the chat endpoint in Jetty 12's ee10 Jakarta WebSocket container, next to static files and
 * servlets. Needs {@code jetty-ee10-websocket-jakarta-server} on the class path (an optional
 * dependency of this module).
 */
@NullMarked
package io.messagingkit.transport.websocket.jetty;

import org.jspecify.annotations.NullMarked;
