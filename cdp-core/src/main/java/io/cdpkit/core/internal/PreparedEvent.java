package io.cdpkit.core.internal;

import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.traits.ComputedTraits;

/**
 * An event validated and normalised outside any lock: what will be stored, and what it adds to
 * its profile.
 *
 * @param stored the event as it will be stored
 * @param contribution its contribution to its profile's state
 * @param traits the computed traits the contribution was made for
 */
record PreparedEvent(StoredEvent stored, ProfileState contribution, ComputedTraits traits) {}
