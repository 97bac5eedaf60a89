package io.cdpkit.segmentation.spi.storage;

import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.Objects;

/**
 * The next instant at which a profile must be looked at again because time alone may change
 * something about it (a segment membership whose window slides, say). A profile has at most one.
 *
 * <p>Immutable.
 *
 * @param profile the profile
 * @param at when to look again
 */
public record ScheduledCheck(ProfileId profile, Instant at) {
  public ScheduledCheck {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(at, "at");
  }
}
