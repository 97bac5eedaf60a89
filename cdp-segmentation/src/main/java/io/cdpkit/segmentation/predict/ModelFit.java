package io.cdpkit.segmentation.predict;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;

/**
 * What every fitted purchase model carries besides its parameters: how well and on what it was
 * fitted, and which version of the workspace's model it is.
 *
 * <p>Immutable.
 *
 * @param logLikelihood the maximised log-likelihood; finite
 * @param customers the number of customers it was fitted on; at least one
 * @param unit the time unit of the summaries it was fitted on, and so of its rates
 * @param calibrationEnd the last day of the calibration period
 * @param zone the zone whose calendar days the summaries were built in
 * @param version the model's version, as the host numbers the fits of one workspace; at least
 *     one
 * @param fittedAt when the fit ended
 */
public record ModelFit(double logLikelihood, int customers, PeriodUnit unit,
    LocalDate calibrationEnd, ZoneId zone, long version, Instant fittedAt) {
  /**
   * Checks the fields.
   *
   * @throws IllegalArgumentException naming the field out of range
   * @throws NullPointerException naming the field that is null
   */
  public ModelFit {
    if (!Double.isFinite(logLikelihood)) {
      throw new IllegalArgumentException("logLikelihood must be finite");
    }
    if (customers < 1) {
      throw new IllegalArgumentException("customers must be >= 1");
    }
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(calibrationEnd, "calibrationEnd");
    Objects.requireNonNull(zone, "zone");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1");
    }
    Objects.requireNonNull(fittedAt, "fittedAt");
  }
}
