package io.cdpkit.examples.cli;

/**
 * A mapping file that cannot be used: names the place in it as a JSON pointer and the reason.
 * Immutable.
 */
final class MappingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  MappingException(String pointer, String reason) {
    super("mapping " + (pointer.isEmpty() ? "/" : pointer) + ": " + reason);
  }
}
