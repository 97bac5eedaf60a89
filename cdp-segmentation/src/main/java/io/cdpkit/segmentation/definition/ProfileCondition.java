package io.cdpkit.segmentation.definition;

import io.cdpkit.core.traits.Operator;
import io.cdpkit.segmentation.internal.Rules;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A comparison on a built-in {@link ProfileField}: {@code totalSpend in EUR >= 1000},
 * {@code customerSince >= start of this month}.
 *
 * <p>JSON: {@code {"type": "profile", "field": "totalSpend", "currency": "EUR", "op": ">=",
 * "value": 1000}}; {@code currency} only for money fields; operands as in
 * {@link TraitCondition}.
 *
 * <p>Immutable.
 *
 * @param field the field
 * @param currency the ISO 4217 currency of a money field ({@link ProfileField#isMoney()});
 *     {@code null} for every other field
 * @param operator the comparison
 * @param operands what the field is compared with, as many as the operator takes
 */
public record ProfileCondition(ProfileField field, @Nullable String currency, Operator operator,
    List<Operand> operands) implements Condition {
  /**
   * Checks the currency and the operands.
   *
   * @throws IllegalArgumentException when a money field has no currency or an unknown one,
   *     another field has one, or the operands do not suit the operator (see
   *     {@link TraitCondition})
   */
  public ProfileCondition {
    Objects.requireNonNull(field, "field");
    Rules.check("currency", Rules.currencyFor(field, currency));
    Objects.requireNonNull(operator, "operator");
    operands = List.copyOf(operands);
    Rules.check("operands", Rules.operands(operator, operands));
  }
}
