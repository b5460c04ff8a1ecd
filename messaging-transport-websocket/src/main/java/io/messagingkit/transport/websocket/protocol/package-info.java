/**
 * Wire protocol v1 (subprotocol {@code messagingkit.v1}): the frame model and its JSON codec,
 * shared by the server endpoint and the Java client SDK. See {@code docs/protocol.md}.
 */
@NullMarked
package io.messagingkit.transport.websocket.protocol;

import org.jspecify.annotations.NullMarked;
