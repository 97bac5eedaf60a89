package io.cdpkit.core.spi.storage;

import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import java.util.Map;
import java.util.Objects;

/**
 * A profile as stored: its state, how many identifiers of each type it holds (for the limits),
 * and a version that increases with every write.
 *
 * <p>Immutable.
 *
 * @param id the profile's id
 * @param state the joined contributions of its events
 * @param identifierCounts identifiers per type
 * @param version 1 for a new profile, then one more per write
 */
public record ProfileRecord(ProfileId id, ProfileState state,
    Map<IdentifierType, Integer> identifierCounts, long version) {
  public ProfileRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    identifierCounts = Map.copyOf(identifierCounts);
  }
}
