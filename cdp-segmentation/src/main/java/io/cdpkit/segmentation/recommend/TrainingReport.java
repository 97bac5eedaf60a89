package io.cdpkit.segmentation.recommend;

import java.time.Duration;
import java.util.Objects;

/**
 * What one {@link Recommendations#train} did.
 *
 * <p>Immutable.
 *
 * @param profiles profiles read (restricted ones are skipped and not counted)
 * @param customers profiles with at least one purchase: the model's customers
 * @param items items the model knows
 * @param version the stored model's version in the workspace (1 for the first)
 * @param chunks metadata values the model's JSON was split into
 * @param jsonChars the length of the model's JSON, in characters
 * @param took how long the training took, reading and storing included
 */
public record TrainingReport(long profiles, long customers, int items, long version, int chunks,
    long jsonChars, Duration took) {
  /** Checks the values. */
  public TrainingReport {
    Objects.requireNonNull(took, "took");
  }
}
