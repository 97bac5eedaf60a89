package io.cdpkit.segmentation.definition;

/**
 * What a trait, computed trait or profile field is compared with: a {@link Literal} value, or a
 * {@link RelativeDate} resolved at evaluation time ("30 days ago", "the start of this month").
 *
 * <p>Every implementation is an immutable record.
 */
public sealed interface Operand permits Literal, RelativeDate {
  /**
   * The operand itself when {@code value} is one, else a {@link Literal} of it.
   *
   * @throws IllegalArgumentException when {@code value} is neither an operand nor a scalar
   */
  static Operand of(Object value) {
    return value instanceof Operand o ? o : new Literal(value);
  }
}
