/**
 * {@link io.messagingkit.core.port.PushGateway} adapters: {@link
 * io.messagingkit.push.WebPushGateway} (RFC 8030 delivery, RFC 8291 encryption, RFC 8292 VAPID),
 * {@link io.messagingkit.push.FcmPushGateway} (FCM HTTP v1) and {@link
 * io.messagingkit.push.ApnsPushGateway} (APNs over HTTP/2 with token authentication).
 */
@NullMarked
package io.messagingkit.push;

import org.jspecify.annotations.NullMarked;
