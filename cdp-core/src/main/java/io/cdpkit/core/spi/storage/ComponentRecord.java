package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.EventKey;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A component of the identity graph: nodes connected by links, whether or not the rules let the
 * links merge. Its nodes and links are stored under its id. A component without links and
 * do-not-link rules (a new visitor's) has no stored record: the engine reads a missing record
 * as {@code new ComponentRecord(id, null, List.of())}.
 *
 * <p>Immutable.
 *
 * @param id the component's id
 * @param latestLink the greatest key of its links, or {@code null} when it has none
 * @param rules the do-not-link rules between its nodes
 */
public record ComponentRecord(String id, @Nullable EventKey latestLink,
    List<DoNotLinkRule> rules) {
  public ComponentRecord {
    Objects.requireNonNull(id, "id");
    rules = List.copyOf(rules);
  }
}
