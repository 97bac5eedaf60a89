package io.cdpkit.segmentation.predict;

import io.cdpkit.core.ProgressListener;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleValueChecker;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;

/**
 * Plain maximum likelihood over log-parameters (so every parameter stays positive): Nelder-Mead
 * from each start, then restarted from the best point until a restart gains less than
 * {@code 1e-7}, since a simplex can collapse before the optimum. No penalty. Not thread-safe;
 * one per fit.
 */
final class Mle {
  private static final int MAX_RESTARTS = 6;
  /** How many evaluations pass between two progress reports. */
  static final int EVERY = 100;
  /** The phase progress is reported in. */
  static final String PHASE = "fit";

  /** The best point found (log-parameters) and its log-likelihood. */
  record Result(double[] logParameters, double logLikelihood) {}

  private final ToDoubleFunction<double[]> logLikelihood;
  private final FitOptions options;
  private long evaluations;
  private double best = Double.NEGATIVE_INFINITY;

  private Mle(ToDoubleFunction<double[]> logLikelihood, FitOptions options) {
    this.logLikelihood = logLikelihood;
    this.options = options;
  }

  /**
   * Maximises {@code logLikelihood} of the exponentiated point.
   *
   * @throws ArithmeticException if no start converges within the evaluation budget to a finite
   *     log-likelihood
   */
  static Result maximise(ToDoubleFunction<double[]> logLikelihood, List<double[]> starts,
      FitOptions options) {
    return new Mle(logLikelihood, options).run(starts);
  }

  private Result run(List<double[]> starts) {
    PointValuePair bestPair = null;
    for (double[] start : starts) {
      PointValuePair p = optimise(start);
      if (p != null && (bestPair == null || p.getValue() > bestPair.getValue())) {
        bestPair = p;
      }
    }
    if (bestPair == null || !Double.isFinite(bestPair.getValue())) {
      throw new ArithmeticException(
          "no start converged to a finite log-likelihood within maxEvaluations");
    }
    for (int i = 0; i < MAX_RESTARTS; i++) {
      PointValuePair p = optimise(bestPair.getPoint());
      if (p == null || p.getValue() <= bestPair.getValue() + 1e-7) {
        if (p != null && p.getValue() > bestPair.getValue()) {
          bestPair = p;
        }
        break;
      }
      bestPair = p;
    }
    options.listener().progress(PHASE, evaluations, ProgressListener.UNKNOWN);
    return new Result(bestPair.getPoint(), bestPair.getValue());
  }

  private PointValuePair optimise(double[] start) {
    SimplexOptimizer optimizer = new SimplexOptimizer(new SimpleValueChecker(1e-12, 1e-10));
    try {
      return optimizer.optimize(new MaxEval(options.maxEvaluations()),
          new ObjectiveFunction(this::value), GoalType.MAXIMIZE, new InitialGuess(start),
          new NelderMeadSimplex(start.length, 0.5));
    } catch (TooManyEvaluationsException e) {
      return null;
    }
  }

  private double value(double[] logParameters) {
    double[] p = new double[logParameters.length];
    double v;
    boolean ok = true;
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logParameters[i]);
      ok &= p[i] > 0 && Double.isFinite(p[i]);
    }
    try {
      v = ok ? logLikelihood.applyAsDouble(p) : Double.NaN;
    } catch (ArithmeticException e) {
      v = Double.NaN; // a 2F1 series out of reach: a point the optimiser should leave
    }
    if (!Double.isFinite(v)) {
      v = -1e300;
    }
    evaluations++;
    if (v > best) {
      best = v;
    }
    if (evaluations % EVERY == 0) {
      options.listener().progress(PHASE, evaluations, ProgressListener.UNKNOWN);
    }
    return v;
  }

  /**
   * Customers grouped by identical (x, t_x, T): the likelihood is evaluated once per group and
   * weighted by its size, which makes day-based data (many equal summaries) much cheaper. The
   * distinct values of x, t_x and T are listed once more, with each group's index into them, so
   * that what depends on one of them alone (log-gammas of x, logarithms of alpha + T) is
   * computed once per distinct value and evaluation.
   */
  static final class Groups {
    final int[] x;
    final double[] recency;
    final double[] age;
    final double[] weight;
    final int customers;
    /** Distinct x, t_x and T values, and each group's index into them. */
    final double[] xValues;
    final double[] recencyValues;
    final double[] ageValues;
    final int[] xIndex;
    final int[] recencyIndex;
    final int[] ageIndex;
    /**
     * Distinct (x, t_x) and (x, T) pairs: each pair's x and t_x (or T), and each group's index
     * among the pairs. For terms that depend on x and one of the times only.
     */
    final int[] xRecencyPairX;
    final double[] xRecencyPairValue;
    final int[] xRecencyPair;
    final int[] xAgePairX;
    final double[] xAgePairValue;
    final int[] xAgePair;

    private record Key(int x, double recency, double age) {}

    Groups(Collection<PurchaseSummary> summaries) {
      // Sorted, so that the sum runs in one order whatever order the summaries come in.
      Map<Key, Integer> counts = new TreeMap<>(Comparator.comparingInt(Key::x)
          .thenComparingDouble(Key::recency).thenComparingDouble(Key::age));
      for (PurchaseSummary s : summaries) {
        counts.merge(new Key(s.frequency(), s.recency(), s.age()), 1, Integer::sum);
      }
      int n = counts.size();
      x = new int[n];
      recency = new double[n];
      age = new double[n];
      weight = new double[n];
      int i = 0;
      int total = 0;
      for (var e : counts.entrySet()) {
        x[i] = e.getKey().x();
        recency[i] = e.getKey().recency();
        age[i] = e.getKey().age();
        weight[i] = e.getValue();
        total += e.getValue();
        i++;
      }
      customers = total;
      if (customers == 0) {
        throw new IllegalArgumentException("summaries must not be empty");
      }
      double[] xs = new double[n];
      for (int k = 0; k < n; k++) {
        xs[k] = x[k];
      }
      xIndex = new int[n];
      recencyIndex = new int[n];
      ageIndex = new int[n];
      xValues = distinct(xs, xIndex);
      recencyValues = distinct(recency, recencyIndex);
      ageValues = distinct(age, ageIndex);
      xRecencyPair = new int[n];
      xAgePair = new int[n];
      List<Key> recencyPairs = pairs(recency, xRecencyPair);
      List<Key> agePairs = pairs(age, xAgePair);
      xRecencyPairX = recencyPairs.stream().mapToInt(Key::x).toArray();
      xRecencyPairValue = recencyPairs.stream().mapToDouble(Key::recency).toArray();
      xAgePairX = agePairs.stream().mapToInt(Key::x).toArray();
      xAgePairValue = agePairs.stream().mapToDouble(Key::recency).toArray();
    }

    /** The distinct (x, value) pairs in first-seen order (as Keys without age), indexing each. */
    private List<Key> pairs(double[] values, int[] index) {
      Map<Key, Integer> seen = new java.util.LinkedHashMap<>();
      for (int k = 0; k < x.length; k++) {
        Key key = new Key(x[k], values[k], 0);
        Integer at = seen.get(key);
        if (at == null) {
          at = seen.size();
          seen.put(key, at);
        }
        index[k] = at;
      }
      return List.copyOf(seen.keySet());
    }

    /** The sorted distinct values, writing each element's index among them into index. */
    private static double[] distinct(double[] values, int[] index) {
      double[] sorted = values.clone();
      java.util.Arrays.sort(sorted);
      int m = 0;
      for (int k = 0; k < sorted.length; k++) {
        if (k == 0 || sorted[k] != sorted[m - 1]) {
          sorted[m++] = sorted[k];
        }
      }
      double[] out = java.util.Arrays.copyOf(sorted, m);
      for (int k = 0; k < values.length; k++) {
        index[k] = java.util.Arrays.binarySearch(out, values[k]);
      }
      return out;
    }
  }
}
