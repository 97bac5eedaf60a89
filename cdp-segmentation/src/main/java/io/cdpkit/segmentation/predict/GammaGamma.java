package io.cdpkit.segmentation.predict;

import static io.cdpkit.segmentation.predict.BgNbd.positive;
import static org.apache.commons.math3.special.Gamma.logGamma;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A fitted Gamma-Gamma spend model (Fader, Hardie and Lee 2005, "RFM and CLV: using iso-value
 * curves for customer base analysis", Journal of Marketing Research 42(4); Fader and Hardie,
 * "The Gamma-Gamma Model of Monetary Value", 2013): each of a customer's purchases is worth a
 * gamma distributed amount with shape {@code p} and rate nu, and nu is gamma distributed over
 * customers with shape {@code q} and rate {@code v}. Spend is assumed independent of how often
 * and how long a customer buys.
 *
 * <p>Fitted on repeat buyers only ({@code x >= 1}, {@code zbar > 0}), on the distribution of
 * their mean repeat spend: {@code zbar | nu, x ~ Gamma(p x, nu x)}, so a customer's
 * log-likelihood is {@code ln Gamma(px+q) - ln Gamma(px) - ln Gamma(q) + q ln v + (px-1) ln zbar
 * + px ln x - (px+q) ln(x zbar + v)}. The conditional expected spend per purchase is
 * {@code p (v + x zbar) / (p x + q - 1)}, a weighted mean of the population mean
 * {@code p v / (q - 1)} and the customer's own {@code zbar}; it needs {@code q > 1}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param p shape of the spend per purchase; positive
 * @param q shape of the spend rate's gamma distribution over customers; positive
 * @param v rate of that gamma distribution; positive
 * @param fit how, on what and when it was fitted; {@code customers} counts the repeat buyers
 */
public record GammaGamma(double p, double q, double v, ModelFit fit) implements FittedModel {
  /**
   * Checks the parameters.
   *
   * @throws IllegalArgumentException naming the parameter that is not a positive finite number
   */
  public GammaGamma {
    positive("p", p);
    positive("q", q);
    positive("v", v);
    Objects.requireNonNull(fit, "fit");
  }

  /**
   * Fits the model by maximum likelihood on the repeat buyers among {@code summaries} (those
   * with {@code frequency >= 1} and {@code meanRepeatSpend > 0}); the others are skipped.
   *
   * @throws IllegalArgumentException if there is no repeat buyer
   * @throws ArithmeticException if no start converges to a finite log-likelihood within
   *     {@link FitOptions#maxEvaluations()}
   */
  public static GammaGamma fit(Collection<PurchaseSummary> summaries, FitOptions options) {
    List<PurchaseSummary> buyers = new ArrayList<>();
    double meanSpend = 0;
    for (PurchaseSummary s : summaries) {
      if (s.frequency() >= 1 && s.meanRepeatSpend() > 0) {
        buyers.add(s);
        meanSpend += s.meanRepeatSpend();
      }
    }
    if (buyers.isEmpty()) {
      throw new IllegalArgumentException("summaries must hold at least one repeat buyer");
    }
    meanSpend /= buyers.size();
    int n = buyers.size();
    int maxX = buyers.stream().mapToInt(PurchaseSummary::frequency).max().orElseThrow();
    // Per customer: (px - 1) ln zbar + px ln x - (px + q) ln(x zbar + v); the log-gammas depend
    // on x alone and are computed once per distinct x and evaluation.
    int[] x = new int[n];
    double[] logX = new double[n];
    double[] xz = new double[n];
    double[] logZ = new double[n];
    boolean[] seen = new boolean[maxX + 1];
    for (int i = 0; i < n; i++) {
      x[i] = buyers.get(i).frequency();
      logX[i] = Math.log(x[i]);
      xz[i] = x[i] * buyers.get(i).meanRepeatSpend();
      logZ[i] = Math.log(buyers.get(i).meanRepeatSpend());
      seen[x[i]] = true;
    }
    int[] distinctX = java.util.stream.IntStream.rangeClosed(0, maxX).filter(k -> seen[k])
        .toArray();
    List<double[]> starts = List.of(new double[] {0, 0, 0},
        new double[] {Math.log(2), Math.log(3), Math.log(meanSpend)});
    Mle.Result best = Mle.maximise(par -> {
      double p = par[0];
      double q = par[1];
      double v = par[2];
      double[] gammas = new double[maxX + 1];
      for (int k : distinctX) {
        gammas[k] = logGamma(p * k + q) - logGamma(p * k);
      }
      double common = -logGamma(q) + q * Math.log(v);
      double sum = 0;
      for (int i = 0; i < n; i++) {
        double px = p * x[i];
        sum += common + gammas[x[i]] + (px - 1) * logZ[i] + px * logX[i]
            - (px + q) * Math.log(xz[i] + v);
      }
      return sum;
    }, starts, options);
    double[] par = best.logParameters();
    return new GammaGamma(Math.exp(par[0]), Math.exp(par[1]), Math.exp(par[2]),
        options.modelFit(best.logLikelihood(), n));
  }

  /**
   * The expected spend per purchase of a customer with {@code frequency} repeat purchases of
   * mean value {@code meanRepeatSpend}: {@code p (v + x zbar) / (p x + q - 1)}; for a customer
   * without repeats, the population mean {@code p v / (q - 1)}.
   *
   * @throws IllegalArgumentException naming the argument out of range
   * @throws IllegalStateException if {@code q <= 1} (the mean spend is then infinite)
   */
  public double conditionalExpectedSpend(int frequency, double meanRepeatSpend) {
    if (frequency < 0) {
      throw new IllegalArgumentException("frequency must be >= 0");
    }
    if (!Double.isFinite(meanRepeatSpend) || meanRepeatSpend < 0) {
      throw new IllegalArgumentException("meanRepeatSpend must be a finite number >= 0");
    }
    if (q <= 1) {
      throw new IllegalStateException("q must be above 1 for a finite expected spend");
    }
    return p * (v + frequency * meanRepeatSpend) / (p * frequency + q - 1);
  }

  /** {@link #conditionalExpectedSpend(int, double)} of a summary. */
  public double conditionalExpectedSpend(PurchaseSummary s) {
    return conditionalExpectedSpend(s.frequency(), s.meanRepeatSpend());
  }

  /** The log-likelihood of one repeat buyer's mean spend (x >= 1, zbar > 0). */
  public double logLikelihood(int frequency, double meanRepeatSpend) {
    if (frequency < 1) {
      throw new IllegalArgumentException("frequency must be >= 1");
    }
    if (!(meanRepeatSpend > 0) || !Double.isFinite(meanRepeatSpend)) {
      throw new IllegalArgumentException("meanRepeatSpend must be a positive finite number");
    }
    double px = p * frequency;
    return logGamma(px + q) - logGamma(px) - logGamma(q) + q * Math.log(v)
        + (px - 1) * Math.log(meanRepeatSpend) + px * Math.log(frequency)
        - (px + q) * Math.log(frequency * meanRepeatSpend + v);
  }

  /**
   * A customer's expected value over a horizon, discounted: the sum over periods
   * {@code i = 1..periods} of {@code [E[Y(i L)] - E[Y((i-1) L)]] * spend / (1 + d)^i}, where
   * {@code E[Y(t)]} is {@code model}'s conditional expected number of purchases in the next
   * {@code t} units, {@code L} the period length in the model's unit, {@code spend} this model's
   * {@linkplain #conditionalExpectedSpend(PurchaseSummary) conditional expected spend} and
   * {@code d} the discount rate per period. This is the discrete form lifetimes and Fader, Hardie
   * and Lee's "RFM and CLV" use (each period's purchases discounted at its end). A monthly rate
   * with weeks as unit: {@code periodLength = 52.0 / 12}; an annual rate {@code k} turns into
   * the monthly {@code (1 + k)^(1/12) - 1}.
   *
   * @param periods the horizon in periods; at least zero
   * @param periodLength one period in the model's unit; positive
   * @param discountRate the discount rate per period; at least zero
   * @throws IllegalArgumentException naming the argument out of range
   * @throws IllegalStateException if {@code q <= 1}
   */
  public double customerValue(PurchaseModel model, PurchaseSummary summary, int periods,
      double periodLength, double discountRate) {
    Objects.requireNonNull(model, "model");
    if (periods < 0) {
      throw new IllegalArgumentException("periods must be >= 0");
    }
    if (!(periodLength > 0) || !Double.isFinite(periodLength)) {
      throw new IllegalArgumentException("periodLength must be a positive finite number");
    }
    if (!(discountRate >= 0) || !Double.isFinite(discountRate)) {
      throw new IllegalArgumentException("discountRate must be a finite number >= 0");
    }
    double spend = conditionalExpectedSpend(summary);
    double value = 0;
    double previous = 0;
    double discount = 1;
    for (int i = 1; i <= periods; i++) {
      double cumulative = model.expectedPurchases(i * periodLength, summary);
      discount /= 1 + discountRate;
      value += (cumulative - previous) * spend * discount;
      previous = cumulative;
    }
    return value;
  }
}
