package io.cdpkit.segmentation.recommend;

/**
 * One learned item-to-item score: from a source item (the key it is listed under) to
 * {@code sku}.
 *
 * <p>Immutable.
 *
 * @param sku the item the source leads to
 * @param link the kind of evidence ({@link Link#BOUGHT_WITH} or {@link Link#VIEWED_THEN_BOUGHT})
 * @param score the normalised score, in (0, 1] (see {@link ItemSimilarity} for the formula)
 * @param support how many customers the evidence comes from (at least the model's minimum)
 */
public record Neighbour(String sku, Link link, double score, long support) {
  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the field: a blank sku, the popularity link, a score
   *     that is not a finite number in (0, 1], a support below 1
   */
  public Neighbour {
    Checks.sku(sku, "sku");
    if (link == Link.POPULAR) {
      throw new IllegalArgumentException("link must be bought_with or viewed_then_bought");
    }
    if (!(score > 0 && score <= 1)) {
      throw new IllegalArgumentException("score must be a number in (0, 1] but was " + score);
    }
    if (support < 1) {
      throw new IllegalArgumentException("support must be at least 1 but was " + support);
    }
  }
}
