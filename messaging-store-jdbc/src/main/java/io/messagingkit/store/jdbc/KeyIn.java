package io.messagingkit.store.jdbc;

import java.util.List;
import java.util.StringJoiner;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * A condition on a composite key for a list of keys: {@code (a, b) IN ((:k0_0, :k0_1), ...)}. Each
 * key is a point lookup in an index on those columns whatever the planner believes about the table;
 * the forms it replaces ({@code a = :a AND b IN (...)}, one query per {@code a}; a join with {@code
 * unnest(...)}) were planned as scans of many rows under the statistics of a young or churning
 * table. Not API.
 */
final class KeyIn {

  /** Keys per statement. */
  static final int CHUNK = 500;

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

  /**
   * Binds the keys of {@link #condition}: {@code values.get(c).get(i)} is column {@code c} of key
   * {@code i}.
   */
  @SafeVarargs
  static <S extends SqlStatement<S>> S bind(S statement, List<String>... values) {
    for (int c = 0; c < values.length; c++) {
      List<String> column = values[c];
      for (int i = 0; i < column.size(); i++) {
        statement.bind("k" + i + "_" + c, column.get(i));
      }
    }
    return statement;
  }
}
