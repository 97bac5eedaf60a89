package io.cdpkit.segmentation.recommend;

import io.cdpkit.core.ProgressListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Learns item-to-item scores from customers' histories: the training settings and
 * {@link #train}.
 *
 * <h2>The scores</h2>
 * Both kinds count <em>customers</em>, not orders or units, so that one wholesaler who orders
 * the same pair every week weighs as much as any other customer.
 * <ul>
 *   <li><b>Bought with</b> (symmetric): with {@code B(x)} the customers who bought {@code x}
 *       (in any order) and {@code c(x, y) = |B(x) ∩ B(y)|} the customers who bought both, in the
 *       same order or in different ones,
 *       <pre>bought_with(x, y) = c(x, y) / sqrt(|B(x)| · |B(y)|)</pre>
 *       the cosine of the two items' customer vectors, as in Amazon's item-to-item
 *       collaborative filtering (Linden, Smith and York 2003, IEEE Internet Computing 7(1)).
 *   <li><b>Viewed then bought</b> (directed): with {@code V(x)} the customers who viewed
 *       {@code x} and {@code s(x, y)} the customers who viewed {@code x} and, within the view
 *       window after that view (strictly after, at most the window later), placed an order
 *       containing {@code y ≠ x},
 *       <pre>viewed_then_bought(x, y) = s(x, y) / sqrt(|V(x)| · |B(y)|)</pre>
 *       the same cosine between "viewed x" and "bought y". As {@code s(x, y)} is at most
 *       {@code |V(x)|} and {@code |B(y)|}, it lies in (0, 1].
 * </ul>
 * Why cosine: it is bounded, symmetric in the two popularities and cheap to keep per pair; raw
 * co-counts would recommend the best-sellers to everyone, and conditional probability
 * {@code c(x, y)/|B(x)|} would too (every item "goes with" the best-seller). Cosine's weakness
 * is the other end: two items bought once, by the same customer, score 1. Hence the minimum
 * support: a pair is kept only when at least {@link Builder#minSupport} customers (default
 * {@value #DEFAULT_MIN_SUPPORT}) stand behind it. Of the remaining, each item keeps its
 * {@link Builder#maxNeighbours} best of each kind (default {@value #DEFAULT_MAX_NEIGHBOURS}),
 * by score and then sku, so the model's size grows with the number of items only.
 *
 * <h2>Determinism</h2>
 * Scores are ratios of whole counts, and every order (neighbours, ties) is by score and then
 * sku, so the same histories in any order, with their purchases and views in any order, give
 * an {@linkplain RecommendationModel#equals equal} model.
 *
 * <h2>Cost</h2>
 * Time is about the sum over customers of (distinct items bought)², plus the view-to-order
 * pairs within the window; memory is the histories' items plus one counter per item. The UCI
 * Online Retail orders before 2011-11-08 (4,055 customers, 3,623 items, a sum of squares of 38
 * million) train in about half a second once the JIT has warmed up, 1.5 to 3 s cold (see
 * BENCHMARKS.md). The histories are read once.
 *
 * <pre>{@code
 * RecommendationModel model = ItemSimilarity.builder().minSupport(3).build()
 *     .train(histories, ProgressListener.none());
 * }</pre>
 *
 * <p>Immutable and thread-safe; {@link #train} may run concurrently on different inputs.
 */
public final class ItemSimilarity {
  /** The default least number of customers behind a kept pair. */
  public static final int DEFAULT_MIN_SUPPORT = 2;
  /** The default most neighbours kept per item and kind. */
  public static final int DEFAULT_MAX_NEIGHBOURS = 20;
  /** The default view window: a purchase within 7 days after a view follows it. */
  public static final Duration DEFAULT_VIEW_WINDOW = Duration.ofDays(7);
  /**
   * The default popularity window (30 days): an item's recent buyers are the customers whose
   * last purchase of it lies within this long before the training data's latest purchase.
   */
  public static final Duration DEFAULT_POPULARITY_WINDOW = Duration.ofDays(30);
  /** How often the listener hears (histories read, items scored). */
  public static final int PROGRESS_EVERY = 1_000;

  private final int minSupport;
  private final int maxNeighbours;
  private final Duration viewWindow;
  private final Duration popularityWindow;

  private ItemSimilarity(Builder b) {
    this.minSupport = b.minSupport;
    this.maxNeighbours = b.maxNeighbours;
    this.viewWindow = b.viewWindow;
    this.popularityWindow = b.popularityWindow;
  }

  /** The defaults; see {@link Builder}. */
  public static ItemSimilarity defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The least number of customers behind a kept pair. */
  public int minSupport() {
    return minSupport;
  }

  /** The most neighbours kept per item and kind. */
  public int maxNeighbours() {
    return maxNeighbours;
  }

  /** How long after a view an order counts as following it. */
  public Duration viewWindow() {
    return viewWindow;
  }

  /**
   * How far back from the training data's latest purchase a buyer counts as recent, for the
   * recency-ordered popularity fallback ({@link RecommendationModel#trending}).
   */
  public Duration popularityWindow() {
    return popularityWindow;
  }

  /**
   * Learns the model from these histories, one per customer, read once.
   *
   * @param histories one history per customer; a customer split over two histories counts as
   *     two customers
   * @param listener hears the progress on this thread: phase {@code "read"} (histories read,
   *     total unknown) every {@value #PROGRESS_EVERY} histories and once after the last, then
   *     {@code "score"} (items whose neighbours are computed, of all items) every
   *     {@value #PROGRESS_EVERY} items and once at the end; what it throws ends the training
   * @throws NullPointerException when a history is {@code null}
   */
  public RecommendationModel train(Iterable<CustomerHistory> histories,
      ProgressListener listener) {
    Objects.requireNonNull(histories, "histories");
    Objects.requireNonNull(listener, "listener");
    Map<String, Integer> ids = new HashMap<>();
    List<String> names = new ArrayList<>();
    List<int[]> baskets = new ArrayList<>();
    // Per basket, per item (same order): the epoch second of the customer's last purchase of it.
    List<long[]> lastBought = new ArrayList<>();
    long latest = Long.MIN_VALUE;
    LongList viewerCounts = new LongList();
    Map<Long, Integer> viewedThenBought = new HashMap<>();
    long read = 0;
    for (CustomerHistory h : histories) {
      Objects.requireNonNull(h, "histories must not hold null");
      read++;
      Map<Integer, Long> bought = new HashMap<>();
      for (CustomerHistory.Purchase p : h.purchases()) {
        long at = p.at().getEpochSecond();
        latest = Math.max(latest, at);
        for (String sku : p.skus()) {
          bought.merge(id(sku, ids, names), at, Math::max);
        }
      }
      if (!bought.isEmpty()) {
        int[] basket = bought.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        long[] last = new long[basket.length];
        for (int j = 0; j < basket.length; j++) {
          last[j] = bought.get(basket[j]);
        }
        baskets.add(basket);
        lastBought.add(last);
      }
      Set<Integer> viewed = new HashSet<>();
      for (CustomerHistory.View v : h.views()) {
        viewed.add(id(v.sku(), ids, names));
      }
      for (int v : viewed) {
        viewerCounts.add(v, 1);
      }
      if (!viewed.isEmpty() && !h.purchases().isEmpty()) {
        for (long pair : sequences(h, ids)) {
          viewedThenBought.merge(pair, 1, Integer::sum);
        }
      }
      if (read % PROGRESS_EVERY == 0) {
        listener.progress("read", read, ProgressListener.UNKNOWN);
      }
    }
    listener.progress("read", read, ProgressListener.UNKNOWN);

    int n = names.size();
    // Final indexes are ranks in sku order, so every tie below breaks by sku.
    String[] skus = names.toArray(new String[0]);
    Arrays.sort(skus);
    int[] rank = new int[n];
    for (int i = 0; i < n; i++) {
      rank[ids.get(skus[i])] = i;
    }
    long[] buyers = new long[n];
    long[] recentBuyers = new long[n];
    long[] viewers = new long[n];
    // Recent: at or after the latest purchase of the training data minus the popularity window.
    long recentFrom = latest == Long.MIN_VALUE ? Long.MAX_VALUE
        : latest - Math.min(popularityWindow.getSeconds(), latest - Instant.MIN.getEpochSecond());
    // (Instant.MIN bounds every epoch second, so the subtraction above cannot overflow.)
    List<int[]> ranked = new ArrayList<>(baskets.size());
    for (int b = 0; b < baskets.size(); b++) {
      int[] basket = baskets.get(b);
      int[] r = new int[basket.length];
      for (int j = 0; j < basket.length; j++) {
        r[j] = rank[basket[j]];
        buyers[r[j]]++;
        if (lastBought.get(b)[j] >= recentFrom) {
          recentBuyers[r[j]]++;
        }
      }
      ranked.add(r);
    }
    for (int id = 0; id < n; id++) {
      viewers[rank[id]] = viewerCounts.get(id);
    }
    int[][][] nb = new int[2][n][];
    double[][][] sc = new double[2][n][];
    long[][][] sup = new long[2][n][];
    boughtWith(ranked, buyers, n, nb, sc, sup, listener);

    List<List<long[]>> byViewed = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byViewed.add(null);
    }
    for (Map.Entry<Long, Integer> e : viewedThenBought.entrySet()) {
      if (e.getValue() < minSupport) {
        continue;
      }
      int x = rank[(int) (e.getKey() >>> 32)];
      int y = rank[(int) (long) e.getKey()];
      if (byViewed.get(x) == null) {
        byViewed.set(x, new ArrayList<>());
      }
      byViewed.get(x).add(new long[] {y, e.getValue()});
    }
    for (int x = 0; x < n; x++) {
      List<long[]> pairs = byViewed.get(x);
      int m = pairs == null ? 0 : pairs.size();
      int[] ys = new int[m];
      double[] scores = new double[m];
      long[] supports = new long[m];
      for (int j = 0; j < m; j++) {
        ys[j] = (int) pairs.get(j)[0];
        supports[j] = pairs.get(j)[1];
        scores[j] = supports[j] / Math.sqrt((double) viewers[x] * buyers[ys[j]]);
      }
      keepBest(ys, scores, supports, 1, x, nb, sc, sup);
    }
    return new RecommendationModel(minSupport, maxNeighbours, viewWindow, baskets.size(), skus,
        buyers, recentBuyers, viewers, nb, sc, sup);
  }

  /** Cosine neighbours of each item over the customers' item sets (indexes in sku order). */
  private void boughtWith(List<int[]> baskets, long[] buyers, int n, int[][][] nb,
      double[][][] sc, long[][][] sup, ProgressListener listener) {
    // Customers of each item, as one array with offsets.
    int[] start = new int[n + 1];
    for (int[] basket : baskets) {
      for (int item : basket) {
        start[item + 1]++;
      }
    }
    for (int i = 0; i < n; i++) {
      start[i + 1] += start[i];
    }
    int[] customers = new int[start[n]];
    int[] fill = Arrays.copyOf(start, n);
    for (int c = 0; c < baskets.size(); c++) {
      for (int item : baskets.get(c)) {
        customers[fill[item]++] = c;
      }
    }
    int[] count = new int[n];
    int[] touched = new int[n];
    for (int x = 0; x < n; x++) {
      int t = 0;
      for (int k = start[x]; k < start[x + 1]; k++) {
        for (int y : baskets.get(customers[k])) {
          if (y != x && count[y]++ == 0) {
            touched[t++] = y;
          }
        }
      }
      int m = 0;
      for (int j = 0; j < t; j++) {
        if (count[touched[j]] >= minSupport) {
          m++;
        }
      }
      int[] ys = new int[m];
      double[] scores = new double[m];
      long[] supports = new long[m];
      m = 0;
      for (int j = 0; j < t; j++) {
        int y = touched[j];
        if (count[y] >= minSupport) {
          ys[m] = y;
          supports[m] = count[y];
          scores[m] = count[y] / Math.sqrt((double) buyers[x] * buyers[y]);
          m++;
        }
        count[y] = 0;
      }
      keepBest(ys, scores, supports, 0, x, nb, sc, sup);
      if ((x + 1) % PROGRESS_EVERY == 0) {
        listener.progress("score", x + 1, n);
      }
    }
    listener.progress("score", n, n);
  }

  /** Keeps the best {@code maxNeighbours} by score descending, then index ascending. */
  private void keepBest(int[] ys, double[] scores, long[] supports, int kind, int x,
      int[][][] nb, double[][][] sc, long[][][] sup) {
    int keep = Math.min(ys.length, maxNeighbours);
    CandidateHeap heap = new CandidateHeap(ys, scores);
    nb[kind][x] = new int[keep];
    sc[kind][x] = new double[keep];
    sup[kind][x] = new long[keep];
    for (int j = 0; j < keep; j++) {
      int at = heap.poll();
      nb[kind][x][j] = ys[at];
      sc[kind][x][j] = scores[at];
      sup[kind][x][j] = supports[at];
    }
  }

  /**
   * The (viewed, bought) id pairs of one customer, each once: a view of x and an order
   * containing y ≠ x placed after it, at most the view window later.
   */
  private Set<Long> sequences(CustomerHistory h, Map<String, Integer> ids) {
    List<CustomerHistory.Purchase> orders = new ArrayList<>(h.purchases());
    orders.sort((a, b) -> a.at().compareTo(b.at()));
    Instant[] at = new Instant[orders.size()];
    for (int i = 0; i < at.length; i++) {
      at[i] = orders.get(i).at();
    }
    Set<Long> pairs = new HashSet<>();
    for (CustomerHistory.View v : h.views()) {
      int x = ids.get(v.sku());
      Instant until = plus(v.at(), viewWindow);
      for (int i = firstAfter(at, v.at()); i < at.length && !at[i].isAfter(until); i++) {
        for (String sku : orders.get(i).skus()) {
          int y = ids.get(sku);
          if (y != x) {
            pairs.add(((long) x << 32) | y);
          }
        }
      }
    }
    return pairs;
  }

  /** The first index whose instant is strictly after {@code t}. */
  private static int firstAfter(Instant[] at, Instant t) {
    int lo = 0;
    int hi = at.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (at[mid].isAfter(t)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  static Instant plus(Instant t, Duration d) {
    try {
      return t.plus(d);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return Instant.MAX;
    }
  }

  private static int id(String sku, Map<String, Integer> ids, List<String> names) {
    Integer id = ids.get(sku);
    if (id == null) {
      id = names.size();
      ids.put(sku, id);
      names.add(sku);
    }
    return id;
  }

  /** A growable array of counters by id. */
  private static final class LongList {
    private long[] values = new long[64];

    void add(int i, long delta) {
      if (i >= values.length) {
        values = Arrays.copyOf(values, Math.max(i + 1, values.length * 2));
      }
      values[i] += delta;
    }

    long get(int i) {
      return i < values.length ? values[i] : 0;
    }
  }

  /** Training settings; each is checked when set. Not thread-safe. */
  public static final class Builder {
    private int minSupport = DEFAULT_MIN_SUPPORT;
    private int maxNeighbours = DEFAULT_MAX_NEIGHBOURS;
    private Duration viewWindow = DEFAULT_VIEW_WINDOW;
    private Duration popularityWindow = DEFAULT_POPULARITY_WINDOW;

    private Builder() {}

    /**
     * The least number of customers behind a kept pair (default
     * {@value ItemSimilarity#DEFAULT_MIN_SUPPORT}).
     *
     * @throws IllegalArgumentException when below 1
     */
    public Builder minSupport(int minSupport) {
      if (minSupport < 1) {
        throw new IllegalArgumentException("minSupport must be at least 1 but was " + minSupport);
      }
      this.minSupport = minSupport;
      return this;
    }

    /**
     * The most neighbours kept per item and kind (default
     * {@value ItemSimilarity#DEFAULT_MAX_NEIGHBOURS}).
     *
     * @throws IllegalArgumentException when below 1
     */
    public Builder maxNeighbours(int maxNeighbours) {
      if (maxNeighbours < 1) {
        throw new IllegalArgumentException(
            "maxNeighbours must be at least 1 but was " + maxNeighbours);
      }
      this.maxNeighbours = maxNeighbours;
      return this;
    }

    /**
     * How long after a view an order counts as following it (default 7 days).
     *
     * @throws IllegalArgumentException when negative or zero
     */
    public Builder viewWindow(Duration viewWindow) {
      Objects.requireNonNull(viewWindow, "viewWindow");
      if (viewWindow.isNegative() || viewWindow.isZero()) {
        throw new IllegalArgumentException("viewWindow must be positive but was " + viewWindow);
      }
      this.viewWindow = viewWindow;
      return this;
    }

    /**
     * How far back from the training data's latest purchase a buyer counts as recent (default
     * 30 days), for the popularity fallback's order.
     *
     * @throws IllegalArgumentException when negative or zero
     */
    public Builder popularityWindow(Duration popularityWindow) {
      Objects.requireNonNull(popularityWindow, "popularityWindow");
      if (popularityWindow.isNegative() || popularityWindow.isZero()) {
        throw new IllegalArgumentException(
            "popularityWindow must be positive but was " + popularityWindow);
      }
      this.popularityWindow = popularityWindow;
      return this;
    }

    /** The settings. */
    public ItemSimilarity build() {
      return new ItemSimilarity(this);
    }
  }
}
