package io.cdpkit.segmentation.recommend;

/**
 * One part of a {@link Recommendation}'s score: "{@code sourceSku} {@link Link#label()}" (for
 * example "bought with 85123A") adds {@code contribution}.
 *
 * <p>Immutable.
 *
 * @param sourceSku the item of the customer's history the evidence starts from (for
 *     {@link Link#POPULAR}, the recommended item itself)
 * @param link the kind of evidence
 * @param contribution what this reason adds to the score (positive)
 */
public record Reason(String sourceSku, Link link, double contribution) {
  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the field: a blank sku, a contribution that is not a
   *     positive finite number
   */
  public Reason {
    Checks.sku(sourceSku, "sourceSku");
    java.util.Objects.requireNonNull(link, "link");
    if (!(contribution > 0 && Double.isFinite(contribution))) {
      throw new IllegalArgumentException(
          "contribution must be a positive number but was " + contribution);
    }
  }

  /** The explanation as words: {@code "bought with 85123A"}. */
  @Override
  public String toString() {
    return link.label() + " " + sourceSku + " (" + contribution + ")";
  }
}
