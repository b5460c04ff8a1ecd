package io.messagingkit.core;

import java.time.Instant;

/**
 * The server's SENT_ACK: the message is durably accepted and will reach every recipient device.
 *
 * @param id the message id
 * @param serverTimestamp when the server accepted it
 * @param duplicate true when this id had been accepted before (a resend): acknowledged again,
 *     delivered once
 */
public record SendReceipt(MessageId id, Instant serverTimestamp, boolean duplicate) {}
