package io.cdpkit.segmentation;

import io.cdpkit.core.CdpException;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A segment definition broke one or more rules. Each {@link Violation} names the offending part
 * as an RFC 6901 JSON pointer into the definition's canonical JSON ({@code /id},
 * {@code /condition/conditions/2/value}, {@code /condition/conditions/7/where/0/any/1/op}; the
 * empty pointer {@code ""} means the text as a whole) and says what is wrong. Definitions built
 * in Java get the pointers their canonical JSON would have.
 *
 * <p>The message lists the violations as {@code pointer: message}, at most
 * {@value #MAX_LISTED} of them followed by how many more there are; {@link #violations()} holds
 * them all. Messages may quote the definition's own text (names, operands: definitions hold no
 * personal data) but never a profile's values.
 *
 * <p>Immutable.
 */
public class DefinitionValidationException extends CdpException {
  private static final long serialVersionUID = 1L;

  /** Most violations the exception message lists. */
  public static final int MAX_LISTED = 20;

  /**
   * One rule a definition breaks.
   *
   * @param pointer an RFC 6901 JSON pointer into the canonical JSON; {@code ""} for the whole
   * @param message what is wrong there
   */
  public record Violation(String pointer, String message) implements Serializable {
    public Violation {
      Objects.requireNonNull(pointer, "pointer");
      Objects.requireNonNull(message, "message");
    }

    /** {@code pointer: message}; {@code definition: message} for the empty pointer. */
    @Override
    public String toString() {
      return (pointer.isEmpty() ? "definition" : pointer) + ": " + message;
    }
  }

  private final List<Violation> violations;

  /**
   * An exception listing these violations, in the order given.
   *
   * @throws IllegalArgumentException when there are none
   */
  public DefinitionValidationException(List<Violation> violations) {
    super(describe(violations));
    this.violations = List.copyOf(violations);
  }

  /** Every violation, in document order where there is one; never empty. */
  public List<Violation> violations() {
    return violations;
  }

  private static String describe(List<Violation> violations) {
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("no violations");
    }
    int n = violations.size();
    StringBuilder sb = new StringBuilder("invalid segment definition (")
        .append(n).append(n == 1 ? " violation)" : " violations)");
    for (int i = 0; i < Math.min(n, MAX_LISTED); i++) {
      sb.append(i == 0 ? ": " : "; ").append(violations.get(i));
    }
    if (n > MAX_LISTED) {
      sb.append("; and ").append(n - MAX_LISTED).append(" more");
    }
    return sb.toString();
  }
}
