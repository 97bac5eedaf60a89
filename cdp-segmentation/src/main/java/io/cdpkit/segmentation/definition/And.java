package io.cdpkit.segmentation.definition;

import io.cdpkit.segmentation.internal.Rules;
import java.util.List;

/**
 * Every one of the conditions holds. JSON: {@code {"type": "and", "conditions": [...]}}.
 *
 * <p>Immutable.
 *
 * @param conditions 1 to {@value DefinitionLimits#MAX_CHILDREN} conditions
 */
public record And(List<Condition> conditions) implements Condition {
  /**
   * Checks and copies the conditions.
   *
   * @throws IllegalArgumentException when there are none or more than
   *     {@value DefinitionLimits#MAX_CHILDREN}
   */
  public And {
    conditions = List.copyOf(conditions);
    Rules.check("and", Rules.children(conditions.size()));
  }
}
