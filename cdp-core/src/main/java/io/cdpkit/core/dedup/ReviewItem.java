package io.cdpkit.core.dedup;

import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A pair of profiles waiting for a person to decide whether they are one person
 * ({@link Duplicates#accept}) or not ({@link Duplicates#reject}): their match probability was
 * between the review and the link threshold when they were compared. It holds the evidence, not
 * the values compared: read those from the two profiles.
 *
 * <p>Immutable.
 *
 * @param first the profile with the smaller id
 * @param second the other profile
 * @param probability the match probability when queued
 * @param logOdds its log2 odds: {@code priorWeight} plus every field weight and adjustment
 * @param priorWeight log2 of the prior odds of a match
 * @param weights per field, the level and match weight behind the score
 * @param queuedAt when it was queued, by the {@code Cdp}'s clock
 */
public record ReviewItem(ProfileId first, ProfileId second, double probability, double logOdds,
    double priorWeight, List<FieldWeight> weights, Instant queuedAt) {
  /** Validates and copies. */
  public ReviewItem {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    Objects.requireNonNull(queuedAt, "queuedAt");
    weights = List.copyOf(weights);
    if (first.value().compareTo(second.value()) >= 0) {
      throw new IllegalArgumentException("first must sort before second");
    }
  }

  /** Whether the item names this profile on either side. */
  public boolean involves(ProfileId id) {
    return first.equals(id) || second.equals(id);
  }
}
