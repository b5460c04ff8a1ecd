package io.messagingkit.core;

import java.util.Locale;

/** Machine-readable error codes, sent on the wire in lower case. */
public enum ErrorCode {
  /** The request is malformed or violates a limit. */
  INVALID_REQUEST(false),
  /** The caller is authenticated but may not do this (acting as another user, not a member). */
  FORBIDDEN(false),
  /** Authentication failed. */
  UNAUTHENTICATED(false),
  /** The group, message or object does not exist. */
  NOT_FOUND(false),
  /** The thing already exists. */
  CONFLICT(false),
  /**
   * A per-user quota or resource limit is reached (devices, groups created, a recipient's queue,
   * upload bytes or unfinished uploads); retrying the same request does not help until the usage
   * falls.
   */
  LIMIT_EXCEEDED(false),
  /** Too many requests; slow down. */
  RATE_LIMITED(true),
  /** A backing service is down; the request was not accepted and may be retried. */
  UNAVAILABLE(true),
  /** An unexpected server fault. */
  INTERNAL(true);

  private final boolean retryable;

  ErrorCode(boolean retryable) {
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
