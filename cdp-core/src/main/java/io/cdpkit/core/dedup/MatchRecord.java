package io.cdpkit.core.dedup;

import java.util.Map;
import java.util.Objects;

/**
 * One record to deduplicate: the host's id for it (a profile id) and its values by
 * {@link MatchField#name()}. A field without a value, or with a blank one, is missing and
 * neither counts for nor against a match.
 *
 * <p>Immutable.
 *
 * @param id the host's id, not blank
 * @param values field values by field name (copied)
 */
public record MatchRecord(String id, Map<String, String> values) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException when the id is blank
   * @throws NullPointerException when a field name or value is null (leave the field out)
   */
  public MatchRecord {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("id must not be blank");
    }
    values = Map.copyOf(values);
  }
}
