package io.cdpkit.core.internal;

import io.cdpkit.core.IngestWarning;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.traits.ComputedTraits;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An event validated and normalised outside any lock: what will be stored, and what it adds to
 * its profile.
 *
 * @param stored the event as it will be stored
 * @param contribution its contribution to its profile's state
 * @param traits the computed traits the contribution was made for
 * @param catalog the catalog products it was joined with; {@code null} when the traits read
 *     none
 * @param warnings what the door corrected or dropped
 * @param corrected whether a client time had to be corrected (dated too far in the future)
 */
record PreparedEvent(StoredEvent stored, ProfileState contribution, ComputedTraits traits,
    java.util.@Nullable NavigableMap<String, io.cdpkit.core.catalog.Product> catalog,
    List<IngestWarning> warnings, boolean corrected) {
  PreparedEvent {
    warnings = List.copyOf(warnings);
  }

  PreparedEvent(StoredEvent stored, ProfileState contribution, ComputedTraits traits) {
    this(stored, contribution, traits, null, List.of(), false);
  }
}
