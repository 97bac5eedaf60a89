package io.cdpkit.core.dedup;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The learned parameters of a Fellegi-Sunter match model: the prior (the probability that two
 * records drawn at random are the same person) and, per field and comparison level, m (how
 * often a true match falls into the level) and u (how often a non-match does).
 *
 * <p>Immutable.
 *
 * @param prior the probability that a random pair matches, above 0 and below 1
 * @param fields the parameters per field, in the detector's order
 */
public record MatchModel(double prior, List<FieldParameters> fields) {
  /** Validates and copies. */
  public MatchModel {
    if (!(prior > 0 && prior < 1)) {
      throw new IllegalArgumentException("prior must be above 0 and below 1 but was " + prior);
    }
    fields = List.copyOf(fields);
  }

  /** The parameters of the named field. */
  public Optional<FieldParameters> field(String name) {
    return fields.stream().filter(f -> f.field().name().equals(name)).findFirst();
  }

  /**
   * The m and u probabilities of one field, per level of its kind ({@link FieldKind#levels()}).
   *
   * <p>Immutable.
   *
   * @param field the field
   * @param m per level, the probability that a match (with both values present) falls into it
   * @param u per level, the probability that a non-match falls into it, from random pairs
   * @param estimated false when no blocked pair could inform m (the field is in every blocking
   *     rule, or never present), and m is a fixed guess (0.9 for exact, the rest spread evenly)
   */
  public record FieldParameters(MatchField field, List<Double> m, List<Double> u,
      boolean estimated) {
    /** Validates and copies. */
    public FieldParameters {
      Objects.requireNonNull(field, "field");
      m = List.copyOf(m);
      u = List.copyOf(u);
      int levels = field.kind().levels().size();
      if (m.size() != levels || u.size() != levels) {
        throw new IllegalArgumentException("m and u must have " + levels + " levels for field "
            + field.name() + " but had " + m.size() + " and " + u.size());
      }
    }

    /** The match weight of a level without term-frequency adjustment: {@code log2(m / u)}. */
    public double weight(int level) {
      return Math.log(m.get(level) / u.get(level)) / Math.log(2);
    }
  }
}
