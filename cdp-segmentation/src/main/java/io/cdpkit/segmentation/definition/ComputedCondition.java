package io.cdpkit.segmentation.definition;

import io.cdpkit.core.traits.Operator;
import io.cdpkit.segmentation.internal.Rules;
import java.util.List;
import java.util.Objects;

/**
 * A comparison on a computed trait the host declares ({@code orders_90d >= 2}). Whether the
 * trait exists is checked by {@link SegmentValidator}, not here.
 *
 * <p>JSON: {@code {"type": "computed", "name": "orders_90d", "op": ">=", "value": 2}};
 * operands as in {@link TraitCondition}. With a relative date, a time-valued trait gives
 * conditions that change as time passes: {@code newest_product_viewed_created_at >= 30 days
 * ago} (core's {@code CatalogTraits}) holds for who viewed a product created in the last 30
 * days, and stops holding when that product turns 30 days old.
 *
 * <p>Immutable.
 *
 * @param name the computed trait's name, 1 to {@value DefinitionLimits#MAX_TRAIT_NAME_LENGTH}
 *     characters
 * @param operator the comparison
 * @param operands what the trait is compared with, as many as the operator takes
 */
public record ComputedCondition(String name, Operator operator, List<Operand> operands)
    implements Condition {
  /**
   * Checks the name and the operands.
   *
   * @throws IllegalArgumentException when the name is blank or too long, or the operands do not
   *     suit the operator (see {@link TraitCondition})
   */
  public ComputedCondition {
    Rules.check("computed trait name", Rules.traitName(name));
    Objects.requireNonNull(operator, "operator");
    operands = List.copyOf(operands);
    Rules.check("operands", Rules.operands(operator, operands));
  }
}
