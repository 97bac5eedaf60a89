package io.cdpkit.core.spi.extension;

import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.Objects;

/**
 * Something an extension derived about a profile inside a write transaction that other
 * extensions may act on in the same transaction: segmentation signals {@code segment.entered}
 * and {@code segment.exited}, activation turns them into decisions that commit with them.
 *
 * <p>Immutable.
 *
 * @param kind what happened, a dotted lower-case name ({@code segment.entered})
 * @param profile the profile it happened to
 * @param subject what it is about ({@code vip}: the segment's id)
 * @param at when, by the clock of the {@code Cdp}
 * @param cause why, in the emitter's words ({@code event:<messageId>}, {@code time}, ...)
 */
public record Signal(String kind, ProfileId profile, String subject, Instant at, String cause) {
  /** A profile entered a segment; the subject is the segment's id. */
  public static final String SEGMENT_ENTERED = "segment.entered";

  /** A profile left a segment; the subject is the segment's id. */
  public static final String SEGMENT_EXITED = "segment.exited";

  public Signal {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(cause, "cause");
  }
}
