package io.cdpkit.segmentation.recommend;

/**
 * Why one item leads to another: the kind of evidence behind a {@link Neighbour} or a
 * {@link Reason}.
 *
 * <p>Immutable.
 */
public enum Link {
  /** Customers who bought the source also bought the item (in the same or another order). */
  BOUGHT_WITH("bought with"),
  /** Customers who viewed the source bought the item soon after (within the view window). */
  VIEWED_THEN_BOUGHT("viewed then bought"),
  /**
   * No personal evidence: the item is among the workspace's most bought (the popularity
   * fallback); the reason's source is the item itself.
   */
  POPULAR("popular"),
  /**
   * The customer bought the item before, outside the purchase window (re-buying); the reason's
   * source is the item itself and its contribution the share of the customer's orders that held
   * it.
   */
  BUY_AGAIN("bought before");

  private final String label;

  Link(String label) {
    this.label = label;
  }

  /** The words an explanation shows: {@code "bought with"}, {@code "viewed then bought"}. */
  public String label() {
    return label;
  }

  /** The name used in stored JSON: {@code bought_with}, {@code viewed_then_bought}, ... */
  public String jsonName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
