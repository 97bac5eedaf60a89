package io.cdpkit.segmentation.predict;

/**
 * A fitted model of how many purchases a customer makes and whether they are still a customer:
 * {@link BgNbd} or {@link ParetoNbd}. Times are in the model's {@link ModelFit#unit()}.
 *
 * <p>Scoring one customer costs a few logarithms and, for expected purchases, one short
 * hypergeometric series: cheap enough to run per profile as a derived value.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public sealed interface PurchaseModel extends FittedModel permits BgNbd, ParetoNbd {
  /**
   * The probability that a customer with this history is still active at the end of
   * calibration; in [0, 1].
   *
   * @throws IllegalArgumentException naming the argument out of range (see
   *     {@link PurchaseSummary})
   */
  double probabilityAlive(int frequency, double recency, double age);

  /**
   * The expected number of purchases in the next {@code t} units of a customer with this
   * history; grows with {@code t}.
   *
   * @throws IllegalArgumentException naming the argument out of range
   * @throws ArithmeticException for BG/NBD, when {@code t} is so long against
   *     {@code alpha + T} that its hypergeometric series does not converge (beyond about 25,000
   *     times {@code alpha + T})
   */
  double expectedPurchases(double t, int frequency, double recency, double age);

  /** The expected number of repeat purchases of a new customer in their first {@code t} units. */
  double expectedPurchasesNew(double t);

  /** The log-likelihood of one customer's history under this model. */
  double logLikelihood(int frequency, double recency, double age);

  /** {@link #probabilityAlive(int, double, double)} of a summary. */
  default double probabilityAlive(PurchaseSummary s) {
    return probabilityAlive(s.frequency(), s.recency(), s.age());
  }

  /** {@link #expectedPurchases(double, int, double, double)} of a summary. */
  default double expectedPurchases(double t, PurchaseSummary s) {
    return expectedPurchases(t, s.frequency(), s.recency(), s.age());
  }

  /** The summed log-likelihood of many customers' histories under this model. */
  default double logLikelihood(Iterable<PurchaseSummary> summaries) {
    double sum = 0;
    for (PurchaseSummary s : summaries) {
      sum += logLikelihood(s.frequency(), s.recency(), s.age());
    }
    return sum;
  }
}
