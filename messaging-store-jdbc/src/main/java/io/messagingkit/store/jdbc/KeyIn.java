package io.messagingkit.store.jdbc;

import java.util.List;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * A condition on a composite key for a list of keys: {@code (a, b) IN ((:k0_0, :k0_1), ...)}, which
 * PostgreSQL plans as one index probe per key. Used for the dedupe and archive-key lookups, where
 * the form it replaced ({@code a = :a AND b IN (...)}, one query per {@code a}) was planned under a
 * young table's statistics as a read of every row of {@code a}. Not a cure-all: over the offline
 * queue's 4-column key the planner chose a sequential scan of a young table instead, so the queue
 * keeps its per-device lookup. Not API.
 */
final class KeyIn {

  /**
   * Keys per statement. PostgreSQL plans each key as an arm of an OR, and planning grows faster
   * than the number of arms (measured for a 4-column key: 0.7 ms for 32 keys, 9 ms for 128, 88 ms
   * for 500); 32 keeps planning to about as long as executing.
   */
  static final int CHUNK = 32;

  private KeyIn() {}

  /** The condition for {@code count} keys on {@code columns}. */
  static String condition(int count, String... columns) {
    StringJoiner keys = new StringJoiner(", ", "(" + String.join(", ", columns) + ") IN (", ")");
    for (int i = 0; i < count; i++) {
      StringJoiner key = new StringJoiner(", ", "(", ")");
      for (int c = 0; c < columns.length; c++) {
        key.add(":k" + i + "_" + c);
      }
      keys.add(key.toString());
    }
    return keys.toString();
  }

  /** Calls {@code action} with the keys in chunks of at most {@link #CHUNK}, in order. */
  static <K> void chunked(List<K> keys, Consumer<List<K>> action) {
    for (int from = 0; from < keys.size(); from += CHUNK) {
      action.accept(keys.subList(from, Math.min(keys.size(), from + CHUNK)));
    }
  }

  /**
   * Binds the keys of {@link #condition} for {@code chunk}: column {@code c} of each key is {@code
   * columns[c]} applied to it.
   */
  @SafeVarargs
  static <S extends SqlStatement<S>, K> S bind(
      S statement, List<K> chunk, Function<K, String>... columns) {
    for (int i = 0; i < chunk.size(); i++) {
      for (int c = 0; c < columns.length; c++) {
        statement.bind("k" + i + "_" + c, columns[c].apply(chunk.get(i)));
      }
    }
    return statement;
  }
}
