package io.cdpkit.segmentation.definition;

import io.cdpkit.core.traits.Operator;
import io.cdpkit.segmentation.internal.Rules;
import java.util.List;
import java.util.Objects;

/**
 * A comparison on a profile trait, as set by {@code identify} events: {@code tier in ["gold",
 * "platinum"]}, {@code birthday exists}. The operator's semantics are {@link Operator}'s.
 *
 * <p>JSON: {@code {"type": "trait", "name": "tier", "op": "in", "values": ["gold",
 * "platinum"]}}; {@code value} for one operand, {@code values} for {@code between} and
 * {@code in}, neither for {@code exists} and {@code missing}.
 *
 * <p>Immutable.
 *
 * @param trait the trait's name, 1 to {@value DefinitionLimits#MAX_TRAIT_NAME_LENGTH} characters
 * @param operator the comparison
 * @param operands what the trait is compared with, as many as the operator takes
 */
public record TraitCondition(String trait, Operator operator, List<Operand> operands)
    implements Condition {
  /**
   * Checks the name and the operands.
   *
   * @throws IllegalArgumentException when the name is blank or too long, or the operands do not
   *     suit the operator (see {@link Operator#checkOperands}; relative dates only with
   *     {@code =}, {@code !=}, {@code <}, {@code <=}, {@code >}, {@code >=}, {@code between})
   */
  public TraitCondition {
    Rules.check("trait name", Rules.traitName(trait));
    Objects.requireNonNull(operator, "operator");
    operands = List.copyOf(operands);
    Rules.check("operands", Rules.operands(operator, operands));
  }
}
