package io.cdpkit.segmentation.predict;

import io.cdpkit.core.ProgressListener;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * How to fit a purchase model: what the summaries were built against (unit, calibration end,
 * zone), the version the fitted model gets, the clock that stamps it, and who hears progress.
 *
 * <pre>{@code
 * FitOptions options = FitOptions.of(PeriodUnit.WEEKS, LocalDate.of(1997, 9, 30))
 *     .withVersion(4).withListener((phase, n, total) -> log.debug("{} evaluations", n));
 * BgNbd model = BgNbd.fit(summaries, options);
 * }</pre>
 *
 * <p>Immutable.
 *
 * @param unit the unit of the summaries' recency and age
 * @param calibrationEnd the last day of the calibration period the summaries were built at
 * @param zone the zone of the summaries' calendar days
 * @param version the version the fitted model gets; at least one
 * @param clock stamps {@link ModelFit#fittedAt()}
 * @param listener hears progress: phase {@code "fit"}, the evaluations of the log-likelihood
 *     done so far over every start, total {@link ProgressListener#UNKNOWN}; called every
 *     100 evaluations and once when the fit ends, on the fitting thread; what it
 *     throws ends the fit and reaches the caller
 * @param maxEvaluations most log-likelihood evaluations per start; at least 100
 */
public record FitOptions(PeriodUnit unit, LocalDate calibrationEnd, ZoneId zone, long version,
    Clock clock, ProgressListener listener, int maxEvaluations) {
  /** The default of {@link #maxEvaluations()}. */
  public static final int DEFAULT_MAX_EVALUATIONS = 20_000;

  /**
   * Checks the fields.
   *
   * @throws IllegalArgumentException naming the field out of range
   * @throws NullPointerException naming the field that is null
   */
  public FitOptions {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(calibrationEnd, "calibrationEnd");
    Objects.requireNonNull(zone, "zone");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1");
    }
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(listener, "listener");
    if (maxEvaluations < 100) {
      throw new IllegalArgumentException("maxEvaluations must be >= 100");
    }
  }

  /** Options for summaries in {@code unit} at {@code calibrationEnd} in UTC; version 1. */
  public static FitOptions of(PeriodUnit unit, LocalDate calibrationEnd) {
    return new FitOptions(unit, calibrationEnd, ZoneOffset.UTC, 1, Clock.systemUTC(),
        ProgressListener.none(), DEFAULT_MAX_EVALUATIONS);
  }

  /** These options with another zone. */
  public FitOptions withZone(ZoneId zone) {
    return new FitOptions(unit, calibrationEnd, zone, version, clock, listener, maxEvaluations);
  }

  /** These options with another version. */
  public FitOptions withVersion(long version) {
    return new FitOptions(unit, calibrationEnd, zone, version, clock, listener, maxEvaluations);
  }

  /** These options with another clock. */
  public FitOptions withClock(Clock clock) {
    return new FitOptions(unit, calibrationEnd, zone, version, clock, listener, maxEvaluations);
  }

  /** These options with another listener. */
  public FitOptions withListener(ProgressListener listener) {
    return new FitOptions(unit, calibrationEnd, zone, version, clock, listener, maxEvaluations);
  }

  /** These options with another evaluation budget per start. */
  public FitOptions withMaxEvaluations(int maxEvaluations) {
    return new FitOptions(unit, calibrationEnd, zone, version, clock, listener, maxEvaluations);
  }

  ModelFit modelFit(double logLikelihood, int customers) {
    return new ModelFit(logLikelihood, customers, unit, calibrationEnd, zone, version,
        clock.instant());
  }
}
