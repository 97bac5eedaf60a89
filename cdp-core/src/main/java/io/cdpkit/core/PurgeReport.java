package io.cdpkit.core;

import java.time.Instant;
import java.util.Objects;

/**
 * What a retention purge did. Immutable.
 *
 * @param startedAt the instant expiry was measured from
 * @param profilesScanned profiles looked at
 * @param profilesChanged profiles whose state changed when recomputed from the events left
 * @param eventsDeleted events deleted
 */
public record PurgeReport(Instant startedAt, long profilesScanned, long profilesChanged,
    long eventsDeleted) {
  public PurgeReport {
    Objects.requireNonNull(startedAt, "startedAt");
    if (profilesScanned < 0 || profilesChanged < 0 || eventsDeleted < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
  }
}
