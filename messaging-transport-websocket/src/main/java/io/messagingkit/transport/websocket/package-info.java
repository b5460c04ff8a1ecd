/**
 * The Jakarta WebSocket transport: the chat endpoint, its handshake authentication and limits, the
 * default JWT authenticator and launchers for Tyrus and Jetty.
 */
@NullMarked
package io.messagingkit.transport.websocket;

import org.jspecify.annotations.NullMarked;
