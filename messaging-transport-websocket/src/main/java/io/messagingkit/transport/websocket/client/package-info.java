/** The Java client SDK: {@link io.messagingkit.transport.websocket.client.MessagingClient}. */
@NullMarked
package io.messagingkit.transport.websocket.client;

import org.jspecify.annotations.NullMarked;
