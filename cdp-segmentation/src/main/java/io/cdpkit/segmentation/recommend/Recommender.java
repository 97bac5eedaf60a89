package io.cdpkit.segmentation.recommend;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Top-N recommendations for one customer from a {@link RecommendationModel}, explained.
 *
 * <h2>What is recommended</h2>
 * The sources are the items the customer bought (any time up to {@code now}) and viewed (up to
 * {@code now}) that the model knows. An item's score is the mean, over the bought sources, of
 * its {@link Link#BOUGHT_WITH} score from that source (0 where it is no neighbour), plus the
 * mean, over the viewed sources, of its {@link Link#VIEWED_THEN_BOUGHT} score, plus its
 * {@link Link#BUY_AGAIN} share: the share of the customer's orders (up to {@code now}) that held
 * it, for an item last bought before the purchase window. Every term is one {@link Reason}, so
 * the reasons add up to the score; each term lies in [0, 1], so a long history's many weak
 * similarities do not drown the customer's own re-buying (a wholesale customer orders the same
 * items again and again). Items rank by score, then sku. Never recommended:
 * <ul>
 *   <li>an item the customer bought within the purchase window ({@link Builder#purchaseWindow},
 *       default {@value #DEFAULT_PURCHASE_WINDOW_DAYS} days): bought at or after
 *       {@code now - window}, including purchases the history dates after {@code now};
 *   <li>an item in the call's {@code exclusions};
 *   <li>an item the availability predicate ({@link Builder#availability}) refuses, for example
 *       "in the catalog with stock above 0".
 * </ul>
 * Items bought longer ago may be recommended again (consumables are bought again).
 *
 * <h2>Popularity fallback</h2>
 * When the history holds no item the model knows, or its evidence yields fewer than {@code n}
 * items, the list is filled up with the items most bought recently
 * ({@link RecommendationModel#trending}: customers who bought them within the training's
 * popularity window, ties by all their buyers), under the same three exclusions, after the
 * personal ones; such items are flagged {@link Recommendation#popularityFallback()} and scored
 * by the share of customers who bought them recently (plus the all-time share divided by
 * customers + 1, which only breaks ties).
 *
 * <h2>Cost</h2>
 * One call touches the neighbour lists of the history's known items (at most
 * {@code maxNeighbours} each) and sorts the candidates; the availability predicate is asked only
 * for candidates in rank order until {@code n} are found. A few microseconds for a typical
 * history (see BENCHMARKS.md).
 *
 * <pre>{@code
 * Recommender recommender = Recommender.builder(model)
 *     .purchaseWindow(Duration.ofDays(60))
 *     .availability(sku -> catalog.product(sku).map(p -> p.stock() > 0).orElse(false))
 *     .build();
 * List<Recommendation> top = recommender.recommend(history, clock.instant(), 5, Set.of());
 * }</pre>
 *
 * <p>Immutable and thread-safe when its availability predicate is; {@code recommend} may run
 * concurrently from any number of threads.
 */
public final class Recommender {
  /** The default purchase window, in days. */
  public static final int DEFAULT_PURCHASE_WINDOW_DAYS = 90;
  /** The most recommendations one call gives. */
  public static final int MAX_N = 1_000;

  private final RecommendationModel model;
  private final Duration purchaseWindow;
  private final Predicate<String> availability;

  private Recommender(Builder b) {
    this.model = b.model;
    this.purchaseWindow = b.purchaseWindow;
    this.availability = b.availability;
  }

  /** A builder for recommendations from this model. */
  public static Builder builder(RecommendationModel model) {
    return new Builder(model);
  }

  /** The model recommended from. */
  public RecommendationModel model() {
    return model;
  }

  /** How long a purchase keeps its item from being recommended. */
  public Duration purchaseWindow() {
    return purchaseWindow;
  }

  /**
   * The best {@code n} items for this customer at {@code now}, best first (fewer when the model
   * has fewer items left to offer).
   *
   * @param history the customer's purchases and views
   * @param now the time of the question: the purchase window ends here, and later purchases and
   *     views are not evidence
   * @param n how many, 1 to {@value #MAX_N}
   * @param exclusions skus never to recommend in this call (for example what is in the cart)
   * @throws IllegalArgumentException naming the field: {@code n} out of range, a blank sku in
   *     {@code exclusions}
   */
  public List<Recommendation> recommend(CustomerHistory history, Instant now, int n,
      Set<String> exclusions) {
    Objects.requireNonNull(history, "history");
    return recommend(CustomerSummary.of(history), now, n, exclusions);
  }

  /**
   * The best {@code n} items for a customer summarised so, as {@link #recommend(CustomerHistory,
   * Instant, int, Set)}: an item is recent (never recommended) when its last purchase is at or
   * after {@code now - window}, a source when its first purchase (its last view) is not after
   * {@code now}, and its "buy again" share is {@code times / orders}, at most 1.
   *
   * @throws IllegalArgumentException as the other {@code recommend}
   */
  public List<Recommendation> recommend(CustomerSummary summary, Instant now, int n,
      Set<String> exclusions) {
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(exclusions, "exclusions");
    if (n < 1 || n > MAX_N) {
      throw new IllegalArgumentException("n must be within 1 and " + MAX_N + " but was " + n);
    }
    for (String sku : exclusions) {
      Checks.sku(sku, "exclusions");
    }
    Instant windowStart = minus(now, purchaseWindow);
    Set<String> recent = new HashSet<>();
    // Per kind: the known items the customer bought (viewed) by now.
    IntSet[] known = {new IntSet(), new IntSet()};
    // Buy again: known items last bought before the window, by the share of the customer's
    // orders that held them.
    IntDoubleMap again = new IntDoubleMap();
    long orders = Math.max(1, summary.orders());
    for (Map.Entry<String, CustomerSummary.Bought> e : summary.bought().entrySet()) {
      String sku = e.getKey();
      CustomerSummary.Bought b = e.getValue();
      if (!b.last().isBefore(windowStart)) {
        recent.add(sku);
      }
      if (!b.first().isAfter(now)) {
        int i = model.indexOf(sku);
        if (i >= 0) {
          known[RecommendationModel.BOUGHT].add(i);
          if (!recent.contains(sku)) {
            again.add(i, Math.min(1.0, (double) b.times() / orders));
          }
        }
      }
    }
    for (Map.Entry<String, Instant> v : summary.viewed().entrySet()) {
      if (!v.getValue().isAfter(now)) {
        int i = model.indexOf(v.getKey());
        if (i >= 0) {
          known[RecommendationModel.VIEWED].add(i);
        }
      }
    }
    int[][] sources = {known[0].sorted(), known[1].sorted()};

    // Sums in the order the reasons are listed in (kind, then source), so they match exactly.
    IntDoubleMap scores = new IntDoubleMap();
    for (int kind = 0; kind < 2; kind++) {
      for (int source : sources[kind]) {
        int[] nb = model.neighboursAt(kind, source);
        double[] sc = model.scoresAt(kind, source);
        for (int j = 0; j < nb.length; j++) {
          scores.add(nb[j], sc[j] / sources[kind].length);
        }
      }
    }
    for (int i : again.keys()) {
      scores.add(i, again.get(i));
    }
    int[] candidates = scores.keys();
    double[] candidateScores = new double[candidates.length];
    for (int j = 0; j < candidates.length; j++) {
      candidateScores[j] = scores.get(candidates[j]);
    }
    // A heap of candidate positions, best on top: only as many are taken out as are needed.
    CandidateHeap heap = new CandidateHeap(candidates, candidateScores);
    List<Recommendation> out = new ArrayList<>(n);
    Set<Integer> chosen = new HashSet<>();
    while (out.size() < n && !heap.isEmpty()) {
      int item = candidates[heap.poll()];
      String sku = model.sku(item);
      if (recent.contains(sku) || exclusions.contains(sku) || !availability.test(sku)) {
        continue;
      }
      chosen.add(item);
      out.add(explain(item, sources, again));
    }
    if (out.size() < n) {
      double customers = model.customers();
      for (int item : model.trendingOrder()) {
        if (out.size() >= n) {
          break;
        }
        String sku = model.sku(item);
        if (chosen.contains(item) || recent.contains(sku) || exclusions.contains(sku)
            || !availability.test(sku)) {
          continue;
        }
        // The recent buyers' share, ties by the all-time share (which is below 1).
        double share = (model.recentBuyersAt(item) + model.buyersAt(item) / (customers + 1))
            / customers;
        out.add(new Recommendation(sku, share, List.of(new Reason(sku, Link.POPULAR, share)),
            true));
      }
    }
    return List.copyOf(out);
  }

  /** The item's reasons, in the order its score was summed in, and that sum. */
  private Recommendation explain(int item, int[][] sources, IntDoubleMap again) {
    List<Reason> because = new ArrayList<>();
    double score = 0;
    for (int kind = 0; kind < 2; kind++) {
      for (int source : sources[kind]) {
        int j = model.positionOf(kind, source, item);
        if (j >= 0) {
          double c = model.scoresAt(kind, source)[j] / sources[kind].length;
          score += c;
          because.add(new Reason(model.sku(source), RecommendationModel.link(kind), c));
        }
      }
    }
    double c = again.get(item);
    if (c > 0) {
      score += c;
      because.add(new Reason(model.sku(item), Link.BUY_AGAIN, c));
    }
    return new Recommendation(model.sku(item), score, because, false);
  }

  private static Instant minus(Instant t, Duration d) {
    try {
      return t.minus(d);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return Instant.MIN;
    }
  }

  /** Recommender settings; each is checked when set. Not thread-safe. */
  public static final class Builder {
    private final RecommendationModel model;
    private Duration purchaseWindow = Duration.ofDays(DEFAULT_PURCHASE_WINDOW_DAYS);
    private Predicate<String> availability = sku -> true;

    private Builder(RecommendationModel model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    /**
     * How long a purchase keeps its item from being recommended (default
     * {@value Recommender#DEFAULT_PURCHASE_WINDOW_DAYS} days; zero excludes only what is bought
     * at {@code now} or later).
     *
     * @throws IllegalArgumentException when negative
     */
    public Builder purchaseWindow(Duration purchaseWindow) {
      Objects.requireNonNull(purchaseWindow, "purchaseWindow");
      if (purchaseWindow.isNegative()) {
        throw new IllegalArgumentException(
            "purchaseWindow must not be negative but was " + purchaseWindow);
      }
      this.purchaseWindow = purchaseWindow;
      return this;
    }

    /**
     * Which skus may be recommended (default: all). Called on the thread of
     * {@link Recommender#recommend}, possibly from several threads at once, at most once per
     * candidate and call; it should be quick (an in-memory lookup). What it throws reaches the
     * caller of {@code recommend}.
     */
    public Builder availability(Predicate<String> availability) {
      this.availability = Objects.requireNonNull(availability, "availability");
      return this;
    }

    /** The recommender. */
    public Recommender build() {
      return new Recommender(this);
    }
  }
}
