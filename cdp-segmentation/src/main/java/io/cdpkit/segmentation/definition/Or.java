package io.cdpkit.segmentation.definition;

import io.cdpkit.segmentation.internal.Rules;
import java.util.List;

/**
 * At least one of the conditions holds. JSON: {@code {"type": "or", "conditions": [...]}}.
 *
 * <p>Immutable.
 *
 * @param conditions 1 to {@value DefinitionLimits#MAX_CHILDREN} conditions
 */
public record Or(List<Condition> conditions) implements Condition {
  /**
   * Checks and copies the conditions.
   *
   * @throws IllegalArgumentException when there are none or more than
   *     {@value DefinitionLimits#MAX_CHILDREN}
   */
  public Or {
    conditions = List.copyOf(conditions);
    Rules.check("or", Rules.children(conditions.size()));
  }
}
