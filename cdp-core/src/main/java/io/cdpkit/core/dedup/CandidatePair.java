package io.cdpkit.core.dedup;

import java.util.List;
import java.util.Objects;

/**
 * Two records that a blocking rule brought together, with the model's verdict and its
 * explanation: {@code priorWeight} plus the {@link FieldWeight#weight()}s of {@code weights}
 * is {@code logOdds} (in bits), and {@code probability} is {@code 1 / (1 + 2^-logOdds)}.
 *
 * <p>Immutable.
 *
 * @param first the id of the record that came first in the input
 * @param second the id of the other record
 * @param probability the match probability, 0 to 1
 * @param logOdds the match weight in bits: prior weight plus field weights
 * @param priorWeight {@code log2(prior / (1 - prior))}, what any pair starts with
 * @param weights one per field of the detector, in its order
 */
public record CandidatePair(String first, String second, double probability, double logOdds,
    double priorWeight, List<FieldWeight> weights) {
  /** Validates and copies. */
  public CandidatePair {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    weights = List.copyOf(weights);
  }

  /** The weight of the named field, 0 for a field this pair does not list. */
  public double weightOf(String field) {
    return weights.stream().filter(w -> w.field().equals(field)).mapToDouble(FieldWeight::weight)
        .sum();
  }
}
