package io.messagingkit.transport.websocket;

import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.MessagingException;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.time.DateTimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failed request into the {@code ERROR} frame the client sees, and keeps the server's
 * internals out of it: no exception class name, no stack, no driver or JDK message ever reaches the
 * wire. Only messages the library wrote for clients pass: those of a {@link MessagingException}
 * with a client-error code and those of an {@link IllegalArgumentException} thrown by the library's
 * own validation. A value out of range anywhere (a time, an overflow) is the client's {@code
 * invalid_request}; a server fault is {@code internal} with a fixed text, logged in full here.
 */
final class ClientErrors {
  private static final Logger log = LoggerFactory.getLogger(ClientErrors.class);
  private static final int MAX_MESSAGE = 200;

  private ClientErrors() {}

  static ServerFrame.Error of(@Nullable String ref, String frameType, Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof MessagingException e) {
      return switch (e.code()) {
        case INTERNAL -> {
          log.warn("{} {} failed", frameType, ref, e);
          yield new ServerFrame.Error(ErrorCode.INTERNAL, ref, "internal error");
        }
        case UNAVAILABLE -> {
          log.info("{} {} failed: a backing service is unavailable", frameType, ref, e);
          yield new ServerFrame.Error(
              ErrorCode.UNAVAILABLE, ref, "service unavailable; retry later");
        }
        default -> new ServerFrame.Error(e.code(), ref, clip(e.getMessage(), frameType));
      };
    }
    if (t instanceof IllegalArgumentException e) {
      return new ServerFrame.Error(
          ErrorCode.INVALID_REQUEST,
          ref,
          ours(e) ? clip(e.getMessage(), frameType) : frameType + ": invalid request");
    }
    if (t instanceof DateTimeException || t instanceof ArithmeticException) {
      return new ServerFrame.Error(
          ErrorCode.INVALID_REQUEST, ref, frameType + ": a value is out of range");
    }
    log.warn("{} {} failed", frameType, ref, t);
    return new ServerFrame.Error(ErrorCode.INTERNAL, ref, "internal error");
  }

  /** Thrown by the library's own validation (its message was written for clients). */
  private static boolean ours(Throwable e) {
    StackTraceElement[] trace = e.getStackTrace();
    return trace.length > 0 && trace[0].getClassName().startsWith("io.messagingkit.");
  }

  private static String clip(@Nullable String message, String frameType) {
    if (message == null || message.isBlank()) {
      return frameType + ": invalid request";
    }
    return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
  }
}
