package io.cdpkit.segmentation.predict;

import static org.apache.commons.math3.special.Gamma.logGamma;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A fitted BG/NBD model (Fader, Hardie and Lee 2005, "Counting your customers the easy way: an
 * alternative to the Pareto/NBD model", Marketing Science 24(2)): while active, a customer buys
 * at a Poisson rate lambda, gamma distributed over customers with shape {@code r} and rate
 * {@code alpha}; after each repeat purchase they drop out with probability p, beta distributed
 * with {@code a} and {@code b}.
 *
 * <p>Formulas (paper, equations 6, 9 and 10, and its technical note on the conditional
 * expectation), with {@code x} repeat purchases, recency {@code t_x} and age {@code T}:
 * <ul>
 *   <li>likelihood: {@code B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / Gamma(r)
 *       * [(alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x)]}, up to the beta ratio
 *       written with log-gammas;
 *   <li>{@code P(alive) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))};
 *   <li>{@code E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x)
 *       2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))] P(alive)}, evaluated after Euler's
 *       transformation as {@code 1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)} so that it
 *       neither overflows for large {@code x} nor sums a slowly converging series;
 *   <li>{@code E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]}.
 * </ul>
 * The expectations are undefined at exactly {@code a = 1}; fits land there with probability
 * zero.
 *
 * <p>Fitted by plain maximum likelihood ({@link #fit}); immutable and thread-safe.
 *
 * @param r shape of the purchase rate's gamma distribution; positive
 * @param alpha rate (scale reciprocal) of the purchase rate's gamma distribution, in the
 *     model's unit; positive
 * @param a first parameter of the dropout probability's beta distribution; positive
 * @param b second parameter of the dropout probability's beta distribution; positive
 * @param fit how, on what and when it was fitted
 */
public record BgNbd(double r, double alpha, double a, double b, ModelFit fit)
    implements PurchaseModel {
  /**
   * Checks the parameters.
   *
   * @throws IllegalArgumentException naming the parameter that is not a positive finite number
   */
  public BgNbd {
    positive("r", r);
    positive("alpha", alpha);
    positive("a", a);
    positive("b", b);
    Objects.requireNonNull(fit, "fit");
  }

  static void positive(String name, double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException(name + " must be a positive finite number");
    }
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
  public static BgNbd fit(Collection<PurchaseSummary> summaries, FitOptions options) {
    Mle.Groups g = new Mle.Groups(summaries);
    double meanAge = 0;
    for (int i = 0; i < g.x.length; i++) {
      meanAge += g.weight[i] * g.age[i];
    }
    meanAge = Math.max(1e-3, meanAge / g.customers);
    List<double[]> starts = List.of(new double[] {0, 0, 0, 0},
        new double[] {Math.log(0.5), Math.log(meanAge / 4), Math.log(0.5), Math.log(2)});
    Mle.Result best = Mle.maximise(p -> logLikelihood(g, p[0], p[1], p[2], p[3]), starts,
        options);
    double[] p = best.logParameters();
    return new BgNbd(Math.exp(p[0]), Math.exp(p[1]), Math.exp(p[2]), Math.exp(p[3]),
        options.modelFit(best.logLikelihood(), g.customers));
  }

  private static double logLikelihood(Mle.Groups g, double r, double alpha, double a,
      double b) {
    double common = -logGamma(r) + r * Math.log(alpha) + logGamma(a + b) - logGamma(b);
    double logA = Math.log(a);
    // What depends on x alone: the log-gammas, and log a - log(b + x - 1).
    double[] gammas = new double[g.xValues.length];
    double[] death = new double[g.xValues.length];
    for (int k = 0; k < gammas.length; k++) {
      double x = g.xValues[k];
      gammas[k] = logGamma(r + x) + logGamma(b + x) - logGamma(a + b + x);
      death[k] = x == 0 ? 0 : logA - Math.log(b + x - 1);
    }
    double[] logAge = logs(alpha, g.ageValues);
    double[] logRecency = logs(alpha, g.recencyValues);
    double sum = 0;
    for (int i = 0; i < g.x.length; i++) {
      int x = g.x[i];
      double a3 = -(r + x) * logAge[g.ageIndex[i]];
      double ll = x == 0 ? a3
          : logAddExp(a3, death[g.xIndex[i]] - (r + x) * logRecency[g.recencyIndex[i]]);
      sum += g.weight[i] * (common + gammas[g.xIndex[i]] + ll);
    }
    return sum;
  }

  /** {@code ln(shift + v)} for each v. */
  static double[] logs(double shift, double[] values) {
    double[] out = new double[values.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = Math.log(shift + values[k]);
    }
    return out;
  }

  /** One customer's log-likelihood without the terms that depend on the parameters only. */
  private static double perCustomer(double r, double alpha, double a, double b, double logA,
      int x, double tx, double age) {
    double a12 = logGamma(r + x) + logGamma(b + x) - logGamma(a + b + x);
    double a3 = -(r + x) * Math.log(alpha + age);
    if (x == 0) {
      return a12 + a3;
    }
    double a4 = logA - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
    return a12 + logAddExp(a3, a4);
  }

  static double logAddExp(double u, double v) {
    double m = Math.max(u, v);
    return m + Math.log1p(Math.exp(Math.min(u, v) - m));
  }

  @Override
  public double logLikelihood(int frequency, double recency, double age) {
    PurchaseSummary.check(frequency, recency, age);
    return -logGamma(r) + r * Math.log(alpha) + logGamma(a + b) - logGamma(b)
        + perCustomer(r, alpha, a, b, Math.log(a), frequency, recency, age);
  }

  @Override
  public double probabilityAlive(int frequency, double recency, double age) {
    PurchaseSummary.check(frequency, recency, age);
    return 1 / (1 + deadOverAlive(frequency, recency, age));
  }

  /** P(dropped out) / P(alive): {@code [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)}. */
  private double deadOverAlive(int x, double tx, double age) {
    if (x == 0) {
      return 0;
    }
    return Math.exp(Math.log(a / (b + x - 1))
        + (r + x) * (Math.log(alpha + age) - Math.log(alpha + tx)));
  }

  @Override
  public double expectedPurchases(double t, int frequency, double recency, double age) {
    PurchaseSummary.check(frequency, recency, age);
    PurchaseSummary.checkHorizon(t);
    if (t == 0) {
      return 0;
    }
    double z = t / (alpha + age + t);
    return growth(b, frequency, z) / (1 + deadOverAlive(frequency, recency, age));
  }

  @Override
  public double expectedPurchasesNew(double t) {
    PurchaseSummary.checkHorizon(t);
    if (t == 0) {
      return 0;
    }
    return growth(b, 0, t / (alpha + t));
  }

  /**
   * {@code c/(a-1) [1 - (1-z)^(r+x) 2F1(r+x, b+x; c; z)]} with {@code c = a+b+x-1}, written after
   * Euler's transformation as {@code c/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z)]}. At
   * {@code c = 0} (only {@code x = 0, a + b = 1}) the 2F1 is undefined but the product is smooth
   * in {@code b}: there it is the mean of the values at {@code b} plus and minus {@code 1e-5}.
   */
  private double growth(double b, int x, double z) {
    double c = a + b + x - 1;
    if (Math.abs(c) < 1e-6) {
      return (growth(b + 1e-5, x, z) + growth(b - 1e-5, x, z)) / 2;
    }
    double scaled = Math.exp((a - 1) * Math.log1p(-z))
        * Hypergeometric.hyp2f1(a + b - 1 - r, a - 1, c, z);
    return c / (a - 1) * (1 - scaled);
  }
}
