package io.cdpkit.segmentation.definition;

import io.cdpkit.segmentation.internal.Rules;

/**
 * The profile holds at least one identifier of a type ({@code email}, {@code phone},
 * {@code customer_id}, ...; see {@link io.cdpkit.core.model.IdentifierType}).
 *
 * <p>JSON: {@code {"type": "identifier", "identifierType": "email"}}.
 *
 * <p>Immutable.
 *
 * @param identifierType the type's id, matching {@code [a-z][a-z0-9_]{0,31}}
 */
public record IdentifierCondition(String identifierType) implements Condition {
  /**
   * Checks the type id.
   *
   * @throws IllegalArgumentException when it does not match the pattern
   */
  public IdentifierCondition {
    Rules.check("identifier type", Rules.identifierType(identifierType));
  }
}
