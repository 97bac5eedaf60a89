package io.cdpkit.segmentation.predict;

/**
 * Hears how a fit progresses, so that a long fit (hundreds of thousands of customers) can show
 * progress.
 *
 * <p>Called on the fitting thread, every {@value #EVERY} evaluations of the log-likelihood and
 * once more when the fit ends; calls never overlap. It should return quickly: the fit waits for
 * it. What it throws ends the fit and reaches the caller of {@code fit}.
 */
@FunctionalInterface
public interface FitListener {
  /** How many evaluations pass between two calls. */
  int EVERY = 100;

  /** A listener that ignores everything. */
  FitListener NONE = (evaluations, bestLogLikelihood) -> { };

  /**
   * Progress so far.
   *
   * @param evaluations evaluations of the log-likelihood done so far, over every start
   * @param bestLogLikelihood the best log-likelihood found so far
   */
  void progress(long evaluations, double bestLogLikelihood);
}
