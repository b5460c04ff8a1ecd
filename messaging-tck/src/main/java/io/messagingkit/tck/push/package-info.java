/**
 * The {@link io.messagingkit.tck.push.PushGatewayContract} every push gateway passes, and {@link
 * io.messagingkit.tck.push.FakeHttpProvider}, a local HTTP server that plays a push provider.
 */
@NullMarked
package io.messagingkit.tck.push;

import org.jspecify.annotations.NullMarked;
