package io.cdpkit.segmentation.predict;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Draws customers from the models' own stories, with a fixed seed: each customer's first
 * purchase at time 0, observed until an age drawn uniformly from [minAge, maxAge].
 */
final class Simulation {
  private Simulation() {}

  /** BG/NBD: lambda ~ Gamma(r, alpha), p ~ Beta(a, b); may drop out after each repeat. */
  static List<PurchaseSummary> bgNbd(long seed, int customers, double r, double alpha,
      double a, double b, double minAge, double maxAge) {
    RandomGenerator rng = new Well19937c(seed);
    GammaDistribution lambdas = new GammaDistribution(rng, r, 1 / alpha);
    BetaDistribution ps = new BetaDistribution(rng, a, b);
    List<PurchaseSummary> out = new ArrayList<>();
    for (int i = 0; i < customers; i++) {
      double lambda = lambdas.sample();
      double p = ps.sample();
      double age = minAge + rng.nextDouble() * (maxAge - minAge);
      int x = 0;
      double t = 0;
      double last = 0;
      while (true) {
        t += -Math.log(1 - rng.nextDouble()) / lambda;
        if (t > age) {
          break;
        }
        x++;
        last = t;
        if (rng.nextDouble() < p) {
          break;
        }
      }
      out.add(PurchaseSummary.of(x, last, age));
    }
    return out;
  }

  /** Pareto/NBD: lambda ~ Gamma(r, alpha), mu ~ Gamma(s, beta), lifetime ~ Exp(mu). */
  static List<PurchaseSummary> paretoNbd(long seed, int customers, double r, double alpha,
      double s, double beta, double minAge, double maxAge) {
    RandomGenerator rng = new Well19937c(seed);
    GammaDistribution lambdas = new GammaDistribution(rng, r, 1 / alpha);
    GammaDistribution mus = new GammaDistribution(rng, s, 1 / beta);
    List<PurchaseSummary> out = new ArrayList<>();
    for (int i = 0; i < customers; i++) {
      double lambda = lambdas.sample();
      double mu = mus.sample();
      double age = minAge + rng.nextDouble() * (maxAge - minAge);
      double end = Math.min(age, -Math.log(1 - rng.nextDouble()) / mu);
      int x = 0;
      double last = 0;
      for (double t = -Math.log(1 - rng.nextDouble()) / lambda; t <= end;
          t += -Math.log(1 - rng.nextDouble()) / lambda) {
        x++;
        last = t;
      }
      out.add(PurchaseSummary.of(x, last, age));
    }
    return out;
  }

  /**
   * Gamma-Gamma: nu ~ Gamma(q, v), each of x (1 to maxRepeats) purchases ~ Gamma(p, nu); the
   * summary carries their mean.
   */
  static List<PurchaseSummary> gammaGamma(long seed, int customers, double p, double q,
      double v, int maxRepeats) {
    RandomGenerator rng = new Well19937c(seed);
    GammaDistribution nus = new GammaDistribution(rng, q, 1 / v);
    List<PurchaseSummary> out = new ArrayList<>();
    for (int i = 0; i < customers; i++) {
      double nu = nus.sample();
      GammaDistribution spend = new GammaDistribution(rng, p, 1 / nu);
      int x = 1 + rng.nextInt(maxRepeats);
      double sum = 0;
      for (int k = 0; k < x; k++) {
        sum += spend.sample();
      }
      out.add(new PurchaseSummary(x, 1, 1, sum / x));
    }
    return out;
  }
}
