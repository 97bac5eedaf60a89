package io.cdpkit.examples.cli;

import org.jspecify.annotations.Nullable;

/** One record of an input file, read by a {@link RowSource}. */
interface Row {
  /** The line of the file the record starts on (the header is line 1 of a CSV file). */
  long line();

  /**
   * The column's text, or {@code null} when the record does not have the column.
   *
   * @throws BadRow when the column holds something that is not a single value (a JSON object)
   */
  @Nullable String get(String column);
}
