package io.cdpkit.segmentation.definition;

import io.cdpkit.segmentation.internal.Rules;

/**
 * The profile is a member of another segment. {@link SegmentValidator} checks the segment
 * exists and that no chain of references leads back to the referring segment.
 *
 * <p>JSON: {@code {"type": "segment", "segment": "staff"}}.
 *
 * <p>Immutable.
 *
 * @param segment the other segment's id, matching {@code [a-z0-9][a-z0-9_-]{0,63}}
 */
public record SegmentCondition(String segment) implements Condition {
  /**
   * Checks the id.
   *
   * @throws IllegalArgumentException when it does not match the pattern
   */
  public SegmentCondition {
    Rules.check("segment id", Rules.segmentId(segment));
  }
}
