package io.cdpkit.segmentation.predict;

import static io.cdpkit.segmentation.predict.BgNbd.logAddExp;
import static io.cdpkit.segmentation.predict.BgNbd.positive;
import static org.apache.commons.math3.special.Gamma.logGamma;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A fitted Pareto/NBD model (Schmittlein, Morrison and Colombo 1987, "Counting your customers:
 * who are they and what will they do next?", Management Science 33(1)): while active, a customer
 * buys at a Poisson rate lambda, gamma distributed with shape {@code r} and rate {@code alpha};
 * their lifetime is exponential with rate mu, gamma distributed with shape {@code s} and rate
 * {@code beta}.
 *
 * <p>Formulas from Fader and Hardie, "A Note on Deriving the Pareto/NBD Model and Related
 * Expressions" (2005), with {@code x} repeat purchases, recency {@code t_x} and age {@code T}:
 * <ul>
 *   <li>likelihood (their equation 22): {@code Gamma(r+x) alpha^r beta^s / Gamma(r)
 *       * [1/((alpha+T)^(r+x) (beta+T)^s) + s/(r+s+x) A0]}, where for {@code alpha >= beta}
 *       {@code A0 = F(s+1, alpha-beta, alpha; t_x) - F(s+1, alpha-beta, alpha; T)} and for
 *       {@code alpha < beta} {@code A0 = F(r+x, beta-alpha, beta; t_x) - F(r+x, beta-alpha,
 *       beta; T)}, with {@code F(b, d, m; y) = 2F1(r+s+x, b; r+s+x+1; d/(m+y)) / (m+y)^(r+s+x)}.
 *       The two cases keep the 2F1 argument in {@code [0, 1)}; the sum is taken in logarithms;
 *   <li>{@code P(alive) = [1/((alpha+T)^(r+x) (beta+T)^s)] / [the bracket above]} (equation 23);
 *   <li>{@code E[Y(t) | x, t_x, T] = (r+x)(beta+T) / ((alpha+T)(s-1))
 *       [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive)} (equation 25), with its limit
 *       {@code (r+x)(beta+T)/(alpha+T) ln((beta+T+t)/(beta+T)) P(alive)} at {@code s = 1};
 *   <li>{@code E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]} (equation 17).
 * </ul>
 *
 * <p>Fitted by plain maximum likelihood ({@link #fit}); immutable and thread-safe.
 *
 * @param r shape of the purchase rate's gamma distribution; positive
 * @param alpha rate of the purchase rate's gamma distribution, in the model's unit; positive
 * @param s shape of the dropout rate's gamma distribution; positive
 * @param beta rate of the dropout rate's gamma distribution, in the model's unit; positive
 * @param fit how, on what and when it was fitted
 */
public record ParetoNbd(double r, double alpha, double s, double beta, ModelFit fit)
    implements PurchaseModel {
  /**
   * Checks the parameters.
   *
   * @throws IllegalArgumentException naming the parameter that is not a positive finite number
   */
  public ParetoNbd {
    positive("r", r);
    positive("alpha", alpha);
    positive("s", s);
    positive("beta", beta);
    Objects.requireNonNull(fit, "fit");
  }

  /**
   * Fits the model to customers' summaries by maximum likelihood (Nelder-Mead over the
   * logarithms of the four parameters, from two starts, restarted until it stops improving).
   *
   * @param summaries the customers, built in {@code options}' unit at its calibration end
   * @throws IllegalArgumentException if {@code summaries} is empty
   * @throws ArithmeticException if no start converges to a finite log-likelihood within
   *     {@link FitOptions#maxEvaluations()}
   */
  public static ParetoNbd fit(Collection<PurchaseSummary> summaries, FitOptions options) {
    Mle.Groups g = new Mle.Groups(summaries);
    double meanAge = 0;
    for (int i = 0; i < g.x.length; i++) {
      meanAge += g.weight[i] * g.age[i];
    }
    meanAge = Math.max(1e-3, meanAge / g.customers);
    List<double[]> starts = List.of(new double[] {0, 0, 0, 0},
        new double[] {Math.log(0.5), Math.log(meanAge / 4), Math.log(0.5),
            Math.log(meanAge / 4)});
    Mle.Result best = Mle.maximise(p -> logLikelihood(g, p[0], p[1], p[2], p[3]), starts,
        options);
    double[] p = best.logParameters();
    return new ParetoNbd(Math.exp(p[0]), Math.exp(p[1]), Math.exp(p[2]), Math.exp(p[3]),
        options.modelFit(best.logLikelihood(), g.customers));
  }

  /** The summed log-likelihood of grouped customers. */
  private static double logLikelihood(Mle.Groups g, double r, double alpha, double s,
      double beta) {
    double common = -logGamma(r) + r * Math.log(alpha) + s * Math.log(beta);
    double[] gammas = new double[g.xValues.length];
    for (int k = 0; k < gammas.length; k++) {
      gammas[k] = logGamma(r + g.xValues[k]);
    }
    double m = Math.max(alpha, beta);
    double[] logAlphaAge = BgNbd.logs(alpha, g.ageValues);
    double[] logBetaAge = BgNbd.logs(beta, g.ageValues);
    // log F at t_x and at T depend on (x, t_x) and (x, T) alone: one series per distinct pair.
    double[] fRecency = new double[g.xRecencyPairX.length];
    for (int k = 0; k < fRecency.length; k++) {
      int x = g.xRecencyPairX[k];
      double y = g.xRecencyPairValue[k];
      fRecency[k] = logF(r, alpha, s, beta, x, r + s + x, y, Math.log(m + y));
    }
    double[] fAge = new double[g.xAgePairX.length];
    for (int k = 0; k < fAge.length; k++) {
      int x = g.xAgePairX[k];
      double y = g.xAgePairValue[k];
      fAge[k] = logF(r, alpha, s, beta, x, r + s + x, y, Math.log(m + y));
    }
    double sum = 0;
    for (int i = 0; i < g.x.length; i++) {
      int x = g.x[i];
      int ai = g.ageIndex[i];
      double alive = -(r + x) * logAlphaAge[ai] - s * logBetaAge[ai];
      double a0 = logA0(g.recency[i], g.age[i], fRecency[g.xRecencyPair[i]],
          fAge[g.xAgePair[i]]);
      sum += g.weight[i] * (common + gammas[g.xIndex[i]]
          + logAddExp(alive, Math.log(s / (r + s + x)) + a0));
    }
    return sum;
  }

  /** {log of the alive term, log of s/(r+s+x) A0}. */
  private static double[] terms(double r, double alpha, double s, double beta, int x,
      double tx, double age) {
    double m = Math.max(alpha, beta);
    double alive = -(r + x) * Math.log(alpha + age) - s * Math.log(beta + age);
    double rsx = r + s + x;
    double logA0 = tx >= age ? Double.NEGATIVE_INFINITY
        : logA0(tx, age, logF(r, alpha, s, beta, x, rsx, tx, Math.log(m + tx)),
            logF(r, alpha, s, beta, x, rsx, age, Math.log(m + age)));
    return new double[] {alive, Math.log(s / rsx) + logA0};
  }

  /** log A0 of the class comment, from log F at t_x ({@code hi}) and at T ({@code lo}). */
  private static double logA0(double tx, double age, double hi, double lo) {
    if (tx >= age || lo >= hi) {
      return Double.NEGATIVE_INFINITY;
    }
    return hi + Math.log1p(-Math.exp(lo - hi));
  }

  /**
   * log F(., y) of the class comment, in the case alpha >= beta or the other;
   * {@code logMaxY = ln(max(alpha, beta) + y)}.
   */
  private static double logF(double r, double alpha, double s, double beta, int x, double rsx,
      double y, double logMaxY) {
    if (alpha >= beta) {
      return Hypergeometric.logHyp2f1(rsx, s + 1, rsx + 1, (alpha - beta) / (alpha + y))
          - rsx * logMaxY;
    }
    return Hypergeometric.logHyp2f1(rsx, r + x, rsx + 1, (beta - alpha) / (beta + y))
        - rsx * logMaxY;
  }

  private static double logLikelihood(double r, double alpha, double s, double beta, int x,
      double tx, double age) {
    double[] t = terms(r, alpha, s, beta, x, tx, age);
    return logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + s * Math.log(beta)
        + logAddExp(t[0], t[1]);
  }

  @Override
  public double logLikelihood(int frequency, double recency, double age) {
    PurchaseSummary.check(frequency, recency, age);
    return logLikelihood(r, alpha, s, beta, frequency, recency, age);
  }

  @Override
  public double probabilityAlive(int frequency, double recency, double age) {
    PurchaseSummary.check(frequency, recency, age);
    double[] t = terms(r, alpha, s, beta, frequency, recency, age);
    return Math.exp(t[0] - logAddExp(t[0], t[1]));
  }

  @Override
  public double expectedPurchases(double t, int frequency, double recency, double age) {
    double alive = probabilityAlive(frequency, recency, age);
    PurchaseSummary.checkHorizon(t);
    return (r + frequency) / (alpha + age) * (beta + age) * lifetimeFactor(beta + age, t)
        * alive;
  }

  @Override
  public double expectedPurchasesNew(double t) {
    PurchaseSummary.checkHorizon(t);
    return r / alpha * beta * lifetimeFactor(beta, t);
  }

  /** {@code (1 - (m/(m+t))^(s-1)) / (s-1)}, and its limit {@code ln((m+t)/m)} at s = 1. */
  private double lifetimeFactor(double m, double t) {
    double logRatio = Math.log1p(t / m); // ln((m+t)/m)
    double e = s - 1;
    if (Math.abs(e) < 1e-12) {
      return logRatio;
    }
    return -Math.expm1(-e * logRatio) / e;
  }
}
