package io.cdpkit.core.dedup;

import java.time.Duration;
import java.util.Objects;

/**
 * What a batch pass of duplicate detection ({@link Duplicates#detect}) found and did.
 *
 * <p>Immutable.
 *
 * @param profiles profiles compared (those with at least one field value)
 * @param comparisons candidate pairs scored
 * @param linked pairs linked through the identity graph (probability at or above the link
 *     threshold)
 * @param queued pairs in the review queue after the pass
 * @param alreadyTogether pairs above the link threshold whose profiles an earlier link of the
 *     same pass had already joined
 * @param doNotLink pairs left alone because a do-not-link rule (an unmerge, a rejection)
 *     separates them
 * @param refusedByRules pairs left alone because joining them would break an identity rule (two
 *     customer ids, say)
 * @param queueFull pairs that were not queued because the queue was full
 * @param skippedBlocks blocks over the detector's largest block size, not compared
 * @param took how long the pass took
 */
public record DetectionReport(long profiles, long comparisons, int linked, int queued,
    int alreadyTogether, int doNotLink, int refusedByRules, int queueFull, int skippedBlocks,
    Duration took) {
  /** Validates. */
  public DetectionReport {
    Objects.requireNonNull(took, "took");
  }
}
