package io.messagingkit.core;

import java.util.regex.Pattern;

/** Validation shared by the identifier records. Not API. */
final class Ids {
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._@+\\-]+");

  private Ids() {}

  static String token(String kind, String value, int maxLength) {
    if (value == null) {
      throw new IllegalArgumentException(kind + " must not be null");
    }
    if (value.isEmpty() || value.length() > maxLength) {
      throw new IllegalArgumentException(
          kind + " must be 1.." + maxLength + " characters, got " + value.length());
    }
    if (!TOKEN.matcher(value).matches()) {
      throw new IllegalArgumentException(
          kind + " may contain only letters, digits and . _ @ + -, got '" + value + "'");
    }
    return value;
  }
}
