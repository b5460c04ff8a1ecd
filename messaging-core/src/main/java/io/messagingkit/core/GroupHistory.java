package io.messagingkit.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a group's history at the reader's join time: a member sees only messages accepted from the
 * time it (last) joined. Pages are newest first, so the first message older than the join time ends
 * the history: the page is cut there and has no next cursor, whatever cursor was asked for (a
 * forged or old cursor reaches nothing from before the join).
 */
final class GroupHistory {

  private GroupHistory() {}

  static HistoryPage since(HistoryPage page, Instant joinedAt) {
    List<Envelope> visible = new ArrayList<>(page.messages().size());
    for (Envelope e : page.messages()) {
      if (e.serverTimestamp().isBefore(joinedAt)) {
        return new HistoryPage(visible, null);
      }
      visible.add(e);
    }
    return page;
  }
}
