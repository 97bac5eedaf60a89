package io.cdpkit.segmentation.predict;

import java.util.Objects;

/**
 * What {@link Predictions#fit} did: the models it stored and what it fitted them on.
 *
 * <p>Immutable.
 *
 * @param models the models stored
 * @param profiles profiles read
 * @param customers profiles with at least one order in the workspace's currency on or before
 *     the calibration end: what the purchase model was fitted on
 * @param repeatBuyers customers with a repeat purchase of positive value: what the spend model
 *     was fitted on
 */
public record ModelReport(FittedModels models, long profiles, int customers, int repeatBuyers) {
  /**
   * Checks the fields.
   *
   * @throws IllegalArgumentException naming the field out of range
   */
  public ModelReport {
    Objects.requireNonNull(models, "models");
    if (profiles < customers || customers < repeatBuyers || repeatBuyers < 0) {
      throw new IllegalArgumentException(
          "must hold profiles >= customers >= repeatBuyers >= 0");
    }
  }
}
