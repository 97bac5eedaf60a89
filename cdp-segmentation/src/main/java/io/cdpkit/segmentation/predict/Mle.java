package io.cdpkit.segmentation.predict;

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
   * @throws ArithmeticException if no start gives a finite log-likelihood
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
      throw new ArithmeticException("no start gave a finite log-likelihood");
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
    options.listener().progress(evaluations, best);
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
    if (evaluations % FitListener.EVERY == 0) {
      options.listener().progress(evaluations, best);
    }
    return v;
  }

  /**
   * Customers grouped by identical (x, t_x, T): the likelihood is evaluated once per group and
   * weighted by its size, which makes day-based data (many equal summaries) much cheaper.
   */
  static final class Groups {
    final int[] x;
    final double[] recency;
    final double[] age;
    final double[] weight;
    final int customers;

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
    }
  }
}
