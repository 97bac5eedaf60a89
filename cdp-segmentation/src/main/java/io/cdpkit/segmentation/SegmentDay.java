package io.cdpkit.segmentation;

import java.time.LocalDate;
import java.util.Objects;

/**
 * The entries and exits of one segment on one UTC day, as {@link Segments#history} reports
 * them: counts only, no profile ids.
 *
 * <p>Immutable.
 *
 * @param day the UTC day
 * @param entries profiles that entered on that day (an entry, an exit and a new entry of one
 *     profile count two entries and one exit)
 * @param exits profiles that left on that day, for any cause (a changed profile, time, a
 *     definition saved or deleted, a merge into another profile, an erasure)
 */
public record SegmentDay(LocalDate day, long entries, long exits) {
  public SegmentDay {
    Objects.requireNonNull(day, "day");
    if (entries < 0 || exits < 0) {
      throw new IllegalArgumentException("entries and exits must not be negative");
    }
  }
}
