package io.cdpkit.core.dedup;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one field adds to a pair's match weight, in bits (log base 2 of a Bayes factor):
 * {@code log2(m / u)} of the comparison level the pair fell into, plus the term-frequency
 * adjustment of an exact match on a field that has one. Positive weights speak for a match,
 * negative against; a field missing on either side weighs 0 and has no level. A field implied
 * by another (the city when the postcodes agree exactly) weighs 0 and has the level
 * {@code "implied by postcode"}.
 *
 * <p>Immutable.
 *
 * @param field the field's name
 * @param level the comparison level's name, {@code "implied by "} and the implying field's
 *     name, or null when a value is missing
 * @param weight the field's whole weight, adjustment included
 * @param termFrequencyAdjustment the part of the weight due to the value's frequency
 *     ({@code log2(u / frequency)}: negative for a common value), 0 when none applies
 */
public record FieldWeight(String field, @Nullable String level, double weight,
    double termFrequencyAdjustment) {
  /** Validates. */
  public FieldWeight {
    Objects.requireNonNull(field, "field");
  }
}
