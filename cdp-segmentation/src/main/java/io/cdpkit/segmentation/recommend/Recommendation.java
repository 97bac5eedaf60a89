package io.cdpkit.segmentation.recommend;

import java.util.List;

/**
 * One recommended item with its explanation.
 *
 * <p>{@code because} lists every piece of evidence, in the order of their {@link Link} (bought
 * with, then viewed then bought) and then of their source sku; {@code score} is their
 * contributions added in that order, so it equals their sum exactly. A popularity fallback
 * ({@code popularityFallback}) has one {@link Link#POPULAR} reason whose contribution is the
 * share of the workspace's customers who bought the item.
 *
 * <p>Immutable.
 *
 * @param sku the recommended item
 * @param score how strongly it is recommended; personal scores (sums of item-to-item scores) and
 *     popularity scores are on different scales, and personal ones always rank first
 * @param because the reasons, never empty
 * @param popularityFallback whether the item comes from the popularity list rather than from
 *     the customer's own history
 */
public record Recommendation(
    String sku, double score, List<Reason> because, boolean popularityFallback) {
  /**
   * Checks and copies the values.
   *
   * @throws IllegalArgumentException naming the field: a blank sku, an empty {@code because}, a
   *     score that is not a positive finite number
   */
  public Recommendation {
    Checks.sku(sku, "sku");
    because = List.copyOf(because);
    if (because.isEmpty()) {
      throw new IllegalArgumentException("because must not be empty");
    }
    if (!(score > 0 && Double.isFinite(score))) {
      throw new IllegalArgumentException("score must be a positive number but was " + score);
    }
  }

  /** The reason that contributes most (the first such in {@code because} on a tie). */
  public Reason strongest() {
    Reason best = because.get(0);
    for (Reason r : because) {
      if (r.contribution() > best.contribution()) {
        best = r;
      }
    }
    return best;
  }
}
