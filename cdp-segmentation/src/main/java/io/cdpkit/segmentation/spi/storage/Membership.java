package io.cdpkit.segmentation.spi.storage;

import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.Objects;

/**
 * A profile's membership of a segment, as stored.
 *
 * <p>Immutable.
 *
 * @param segment the segment's id, 1 to {@value #MAX_SEGMENT_LENGTH} characters
 * @param profile the member
 * @param since when it entered
 */
public record Membership(String segment, ProfileId profile, Instant since) {
  /** Longest segment id, in characters. */
  public static final int MAX_SEGMENT_LENGTH = 64;

  public Membership {
    Objects.requireNonNull(segment, "segment");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(since, "since");
    if (segment.isEmpty() || segment.length() > MAX_SEGMENT_LENGTH) {
      throw new IllegalArgumentException(
          "segment id must be 1 to " + MAX_SEGMENT_LENGTH + " characters");
    }
  }
}
