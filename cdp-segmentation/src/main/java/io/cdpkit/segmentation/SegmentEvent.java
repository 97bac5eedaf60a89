package io.cdpkit.segmentation;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.Objects;

/**
 * A profile entered or left a segment.
 *
 * <p>Immutable.
 *
 * @param workspace the workspace
 * @param segment the segment's id
 * @param profile the profile
 * @param kind entered or exited
 * @param at when, by the clock of the {@code Cdp}
 * @param cause why: {@code event:<messageId>} (an event changed the profile), {@code time} (a
 *     window slid or a relative date moved on), {@code merge:<survivor id>} (the profile was
 *     merged into another and left all its segments), {@code unmerge}, {@code recompute} (a
 *     computed trait was added), {@code definition} (the segment, or one it reads, was saved or
 *     deleted)
 */
public record SegmentEvent(WorkspaceId workspace, String segment, ProfileId profile, Kind kind,
    Instant at, String cause) {
  /** Entered or exited. */
  public enum Kind {
    ENTERED,
    EXITED
  }

  public SegmentEvent {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(segment, "segment");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(cause, "cause");
  }
}
