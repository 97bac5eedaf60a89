package io.cdpkit.segmentation.predict;

/**
 * The Gauss hypergeometric function {@code 2F1(a, b; c; z)} for real arguments and
 * {@code z < 1}, as the purchase models need it.
 *
 * <p>Method: for {@code 0 <= z < 1} the power series {@code sum (a)_n (b)_n / ((c)_n n!) z^n},
 * summed until the next terms cannot change the sum by more than a relative {@code 1e-15}
 * (the tail is bounded geometrically once the term ratio is below one); when
 * {@code c - a - b < 0} the series diverges at {@code z = 1} and converges slowly near it, so
 * Euler's transformation {@code 2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z)}
 * is applied first. For {@code z < 0} Pfaff's transformation
 * {@code 2F1(a, b; c; z) = (1 - z)^(-a) 2F1(a, c - b; c; z / (z - 1))} maps the argument into
 * {@code [0, 1)}. (Abramowitz and Stegun 15.3.3 and 15.3.4.) The series needs about
 * {@code 35 / (1 - z)} terms at worst; beyond {@value #MAX_TERMS} it gives up.
 *
 * <p>Stateless and thread-safe.
 */
final class Hypergeometric {
  /** Most series terms summed before giving up. */
  static final int MAX_TERMS = 1_000_000;
  private static final double EPS = 1e-15;

  private Hypergeometric() {}

  /**
   * {@code 2F1(a, b; c; z)}.
   *
   * @throws IllegalArgumentException if {@code z >= 1}, an argument is not finite, or {@code c}
   *     is zero or a negative integer
   * @throws ArithmeticException if the series does not converge within {@value #MAX_TERMS} terms
   */
  static double hyp2f1(double a, double b, double c, double z) {
    double[] r = logScaled(a, b, c, z);
    return Math.exp(r[0]) * r[1];
  }

  /**
   * The natural logarithm of {@code 2F1(a, b; c; z)}, for arguments where it is positive; it
   * does not overflow where {@code 2F1} itself would.
   *
   * @throws ArithmeticException if the value is not positive
   */
  static double logHyp2f1(double a, double b, double c, double z) {
    double[] r = logScaled(a, b, c, z);
    if (!(r[1] > 0)) {
      throw new ArithmeticException("2F1 is not positive here");
    }
    return r[0] + Math.log(r[1]);
  }

  /** {log prefactor, series}: 2F1 = exp(prefactor) * series. */
  private static double[] logScaled(double a, double b, double c, double z) {
    if (!Double.isFinite(a) || !Double.isFinite(b) || !Double.isFinite(c)
        || !Double.isFinite(z)) {
      throw new IllegalArgumentException("2F1 arguments must be finite");
    }
    if (z >= 1) {
      throw new IllegalArgumentException("2F1 argument z must be below 1");
    }
    if (c <= 0 && c == Math.rint(c)) {
      throw new IllegalArgumentException("2F1 parameter c must not be zero or a negative integer");
    }
    double prefactor = 0;
    if (z < 0) {
      // Pfaff: maps z in (-inf, 0) to w = z / (z - 1) in (0, 1).
      prefactor = -a * Math.log1p(-z);
      b = c - b;
      z = z / (z - 1);
    }
    if (c - a - b < 0 && z > 0 && !nonPositiveInteger(a) && !nonPositiveInteger(b)) {
      // Euler: the new series converges at z = 1, and faster near it. (Not for a polynomial:
      // it would turn a finite sum into an infinite one.)
      prefactor += (c - a - b) * Math.log1p(-z);
      double na = c - a;
      double nb = c - b;
      a = na;
      b = nb;
    }
    return new double[] {prefactor, series(a, b, c, z)};
  }

  private static boolean nonPositiveInteger(double v) {
    return v <= 0 && v == Math.rint(v);
  }

  /** The power series for 0 <= z < 1. */
  private static double series(double a, double b, double c, double z) {
    double sum = 1;
    double term = 1;
    for (int n = 0; n < MAX_TERMS; n++) {
      double ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
      term *= ratio;
      if (term == 0) {
        return sum; // a or b a non-positive integer (a polynomial), or z = 0
      }
      sum += term;
      // The later ratios tend to z from wherever they are; once below one, the tail is at most
      // term * q / (1 - q) with q the larger of the current ratio and z.
      double q = Math.max(Math.abs(ratio), Math.abs(z));
      double nextRatio = Math.abs((a + n + 1) * (b + n + 1) / ((c + n + 1) * (n + 2)) * z);
      if (q < 1 && nextRatio < 1 && Math.abs(term) * q / (1 - q) <= EPS * Math.abs(sum)) {
        return sum;
      }
      if (!Double.isFinite(sum)) {
        throw new ArithmeticException("2F1 series overflowed");
      }
    }
    throw new ArithmeticException("2F1 series did not converge in " + MAX_TERMS + " terms");
  }
}
