package io.cdpkit.examples.cli;

/**
 * A problem the user can fix (a missing file, a bad option, an unusable mapping): printed
 * without a stack trace, exit code 1. Immutable.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message, null, false, false);
  }
}
