package io.cdpkit.examples.cli;

/**
 * A row the mapping cannot turn into an event: its line, the column (or {@code row} for the
 * record as a whole) and the reason. Never carries the value itself. Immutable.
 */
final class BadRow extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long line;
  private final String column;
  private final String reason;

  BadRow(long line, String column, String reason) {
    super("line " + line + ": " + column + " " + reason, null, false, false);
    this.line = line;
    this.column = column;
    this.reason = reason;
  }

  long line() {
    return line;
  }

  String column() {
    return column;
  }

  String reason() {
    return reason;
  }
}
