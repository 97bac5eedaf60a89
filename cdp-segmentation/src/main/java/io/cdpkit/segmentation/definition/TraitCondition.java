package io.cdpkit.segmentation.definition;

import io.cdpkit.core.traits.Operator;
import io.cdpkit.segmentation.internal.Rules;
import java.util.List;
import java.util.Objects;

/**
 * A comparison on a profile trait, as set by {@code identify} events (and declared mappings of
 * track properties and {@code context.traits}): {@code tier in ["gold", "platinum"]},
 * {@code birthday exists}, or a dotted path into a nested trait: {@code address.city = "Utrecht"}
 * (see {@link io.cdpkit.core.traits.TraitPath}: a trait whose whole name is the path is read
 * first; a path through a list, {@code addresses[].city}, matches when any element does, as
 * event property paths do). The operator's semantics are {@link Operator}'s.
 *
 * <p>JSON: {@code {"type": "trait", "name": "tier", "op": "in", "values": ["gold",
 * "platinum"]}}; {@code value} for one operand, {@code values} for {@code between} and
 * {@code in}, neither for {@code exists} and {@code missing}.
 *
 * <p>Immutable.
 *
 * @param trait the trait's name or path, 1 to {@value DefinitionLimits#MAX_TRAIT_NAME_LENGTH}
 *     characters; a name with {@code .}, {@code [} or {@code ]} must be a well-formed path of at
 *     most {@value io.cdpkit.core.traits.PropertyPath#MAX_DEPTH} keys
 * @param operator the comparison
 * @param operands what the trait is compared with, as many as the operator takes
 */
public record TraitCondition(String trait, Operator operator, List<Operand> operands)
    implements Condition {
  /**
   * Checks the name and the operands.
   *
   * @throws IllegalArgumentException when the name is blank, too long or a malformed path, or
   *     the operands do not
   *     suit the operator (see {@link Operator#checkOperands}; relative dates only with
   *     {@code =}, {@code !=}, {@code <}, {@code <=}, {@code >}, {@code >=}, {@code between})
   */
  public TraitCondition {
    Rules.check("trait name", Rules.traitPath(trait));
    Objects.requireNonNull(operator, "operator");
    operands = List.copyOf(operands);
    Rules.check("operands", Rules.operands(operator, operands));
  }
}
