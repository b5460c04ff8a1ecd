package io.messagingkit.core;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One page of a conversation's history, newest first.
 *
 * @param messages the messages of the page, newest first; never null
 * @param nextCursor the cursor of the next (older) page, or null when this is the last page
 */
public record HistoryPage(List<Envelope> messages, @Nullable String nextCursor) {
  public HistoryPage {
    messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
  }

  public Optional<String> next() {
    return Optional.ofNullable(nextCursor);
  }
}
