package io.cdpkit.segmentation.definition;

import java.util.Objects;

/**
 * The condition does not hold. JSON: {@code {"type": "not", "condition": {...}}}.
 *
 * <p>Immutable.
 *
 * @param condition the negated condition
 */
public record Not(Condition condition) implements Condition {
  public Not {
    Objects.requireNonNull(condition, "condition");
  }
}
