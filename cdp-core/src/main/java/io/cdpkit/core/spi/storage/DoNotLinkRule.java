package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.Identifier;
import java.time.Instant;
import java.util.Objects;

/**
 * "These two identifiers never belong to one profile", made by an unmerge.
 *
 * <p>Immutable.
 *
 * @param a one identifier
 * @param b the other
 * @param createdAt when the rule was made
 */
public record DoNotLinkRule(Identifier a, Identifier b, Instant createdAt) {
  public DoNotLinkRule {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(createdAt, "createdAt");
    if (a.equals(b)) {
      throw new IllegalArgumentException("a rule needs two different identifiers");
    }
  }
}
