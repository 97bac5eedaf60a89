package io.cdpkit.segmentation.predict;

import java.time.Instant;
import java.util.Objects;

/**
 * A workspace's fitted models as {@link Predictions} keeps them: the purchase model, the spend
 * model, the currency they were fitted in, and the churn cohorts' cut points.
 *
 * <p>A profile whose probability alive is below {@code highRiskBelow} is in the {@code high}
 * churn cohort, below {@code mediumRiskBelow} in {@code medium}, else in {@code low}; the cut
 * points are the tertiles of the probabilities alive of the workspace's customers at fit time,
 * so at fit time each cohort holds about a third of them (ties at a cut point go up).
 *
 * <p>Immutable.
 *
 * @param purchases the purchase model ({@link BgNbd} or {@link ParetoNbd}); its
 *     {@link ModelFit#version()} is the version of the whole set
 * @param spend the Gamma-Gamma spend model, fitted at the same time; {@code q > 1}
 * @param currency the ISO 4217 code of the orders they were fitted on
 * @param highRiskBelow the lower cut point, in [0, 1]
 * @param mediumRiskBelow the upper cut point, in [{@code highRiskBelow}, 1]
 */
public record FittedModels(PurchaseModel purchases, GammaGamma spend, String currency,
    double highRiskBelow, double mediumRiskBelow) {
  /**
   * Checks the fields.
   *
   * @throws IllegalArgumentException naming the field out of range
   * @throws NullPointerException naming the field that is null
   */
  public FittedModels {
    Objects.requireNonNull(purchases, "purchases");
    Objects.requireNonNull(spend, "spend");
    Objects.requireNonNull(currency, "currency");
    try {
      java.util.Currency.getInstance(currency);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("currency must be an ISO 4217 code", e);
    }
    if (!(highRiskBelow >= 0 && highRiskBelow <= 1)) {
      throw new IllegalArgumentException("highRiskBelow must be in [0, 1]");
    }
    if (!(mediumRiskBelow >= highRiskBelow && mediumRiskBelow <= 1)) {
      throw new IllegalArgumentException("mediumRiskBelow must be in [highRiskBelow, 1]");
    }
    if (!(spend.q() > 1)) {
      throw new IllegalArgumentException("spend.q must be > 1 (a finite mean spend)");
    }
    if (spend.fit().version() != purchases.fit().version()) {
      throw new IllegalArgumentException("spend.fit.version must equal purchases.fit.version");
    }
  }

  /** The version of this set of models, one more than the workspace's previous fit. */
  public long version() {
    return purchases.fit().version();
  }

  /** When the fit ended. */
  public Instant fittedAt() {
    return purchases.fit().fittedAt();
  }

  /** Decimal places of the minor unit of {@link #currency()} (2 for EUR, 0 for JPY). */
  public int fractionDigits() {
    return Math.max(0, java.util.Currency.getInstance(currency).getDefaultFractionDigits());
  }

  /** The churn cohort of a probability alive: {@code high}, {@code medium} or {@code low}. */
  public String cohort(double probabilityAlive) {
    if (probabilityAlive < highRiskBelow) {
      return "high";
    }
    return probabilityAlive < mediumRiskBelow ? "medium" : "low";
  }
}
