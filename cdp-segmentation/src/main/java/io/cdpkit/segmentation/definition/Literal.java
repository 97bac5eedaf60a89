package io.cdpkit.segmentation.definition;

import io.cdpkit.core.traits.Values;
import java.util.Objects;

/**
 * A fixed value: a string, a number ({@link Long}, or {@link java.math.BigDecimal} for
 * fractions and very large numbers; never a floating-point type), a boolean or an
 * {@link java.time.Instant}, compared under the rules of {@link Values}.
 *
 * <p>The value is kept in its canonical form ({@link Values#canonical}): an {@link Integer} or a
 * decimal without a fraction becomes a {@link Long}, other decimals lose trailing zeros, so
 * {@code 1000}, {@code 1000L} and {@code new BigDecimal("1000.00")} make equal literals.
 *
 * <p>JSON: the value itself ({@code "gold"}, {@code 1000}, {@code 12.5}, {@code true}); an
 * instant is {@code {"instant": "2026-03-01T10:15:00Z"}} so it reads back as an instant rather
 * than as text.
 *
 * <p>Immutable.
 *
 * @param value the canonical value
 */
public record Literal(Object value) implements Operand {
  /**
   * Canonicalises and checks the value.
   *
   * @throws IllegalArgumentException when the value is not a string, long, integer, decimal,
   *     boolean or instant
   */
  public Literal {
    Objects.requireNonNull(value, "value");
    value = Values.canonical(value);
    if (!Values.isScalar(value)) {
      throw new IllegalArgumentException("a literal is a string, long, BigDecimal, boolean or "
          + "Instant, not a " + value.getClass().getSimpleName()
          + (value instanceof Double || value instanceof Float ? " (use BigDecimal)" : ""));
    }
  }
}
