package io.cdpkit.core.spi.extension;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One profile's change within a transaction: created ({@code before} null), updated, or merged
 * away into another ({@code after} null, {@code mergedInto} set).
 *
 * <p>Immutable.
 *
 * @param id the profile
 * @param before its record before the change, or {@code null} when it is new
 * @param after its record after the change, or {@code null} when it is gone
 * @param mergedInto the profile it was merged into, when gone
 */
public record ProfileChange(ProfileId id, @Nullable ProfileRecord before,
    @Nullable ProfileRecord after, @Nullable ProfileId mergedInto) {
  public ProfileChange {
    Objects.requireNonNull(id, "id");
    if (before == null && after == null) {
      throw new IllegalArgumentException("a change needs a before or an after");
    }
  }
}
