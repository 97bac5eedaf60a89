package io.cdpkit.segmentation.recommend;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Recommender} needs to know of one customer: per item bought, how often and when
 * first and last; how many orders; per item viewed, when last. A {@link CustomerHistory} reduces
 * to one ({@link #of}); the engine ({@link Recommendations}) keeps one per profile as hidden
 * computed traits, so it joins on merges and does not depend on the order events came in.
 *
 * <p>Immutable.
 *
 * @param bought per sku bought: how often, first and last
 * @param orders the customer's orders (the denominator of the "buy again" share)
 * @param viewed per sku viewed: the last view
 */
public record CustomerSummary(Map<String, Bought> bought, long orders,
    Map<String, Instant> viewed) {
  /** A customer with no purchases and no views. */
  public static final CustomerSummary EMPTY = new CustomerSummary(Map.of(), 0, Map.of());

  /**
   * Checks and copies the values.
   *
   * @throws IllegalArgumentException naming the field: a blank sku, negative {@code orders}
   */
  public CustomerSummary {
    for (String sku : bought.keySet()) {
      Checks.sku(sku, "bought");
    }
    for (Map.Entry<String, Instant> e : viewed.entrySet()) {
      Checks.sku(e.getKey(), "viewed");
      Objects.requireNonNull(e.getValue(), "viewed");
    }
    if (orders < 0) {
      throw new IllegalArgumentException("orders must not be negative but was " + orders);
    }
    bought = Map.copyOf(bought);
    viewed = Map.copyOf(viewed);
  }

  /**
   * The summary of a history: per sku, the purchases holding it, the first and the last; the
   * number of purchases; per sku viewed, the last view.
   */
  public static CustomerSummary of(CustomerHistory history) {
    Objects.requireNonNull(history, "history");
    Map<String, Bought> bought = new HashMap<>();
    for (CustomerHistory.Purchase p : history.purchases()) {
      for (String sku : p.skus()) {
        bought.merge(sku, new Bought(1, p.at(), p.at()), Bought::plus);
      }
    }
    Map<String, Instant> viewed = new HashMap<>();
    for (CustomerHistory.View v : history.views()) {
      viewed.merge(v.sku(), v.at(), (a, b) -> a.isAfter(b) ? a : b);
    }
    return new CustomerSummary(bought, history.purchases().size(), viewed);
  }

  /**
   * One item's purchases by one customer.
   *
   * <p>Immutable.
   *
   * @param times how often it was bought (at least 1)
   * @param first the first purchase
   * @param last the last purchase (not before {@code first})
   */
  public record Bought(long times, Instant first, Instant last) {
    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the field: {@code times} below 1, {@code last}
     *     before {@code first}
     */
    public Bought {
      Objects.requireNonNull(first, "first");
      Objects.requireNonNull(last, "last");
      if (times < 1) {
        throw new IllegalArgumentException("times must be at least 1 but was " + times);
      }
      if (last.isBefore(first)) {
        throw new IllegalArgumentException("last must not be before first");
      }
    }

    /** Both together: times added, the earlier first, the later last. */
    public Bought plus(Bought o) {
      return new Bought(Math.addExact(times, o.times), first.isBefore(o.first) ? first : o.first,
          last.isAfter(o.last) ? last : o.last);
    }
  }
}
