package io.cdpkit.segmentation.recommend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link ItemSimilarity#train} learned: for every item, its nearest items by
 * {@link Link#BOUGHT_WITH} and by {@link Link#VIEWED_THEN_BOUGHT} (at most
 * {@link #maxNeighbours()} of each, scored as {@link ItemSimilarity} describes), and how many
 * customers bought and viewed it (the popularity fallback). {@link Recommender} queries it;
 * {@link RecommendationModelJson} stores it.
 *
 * <p>Two models trained on the same histories are {@linkplain #equals equal}, whatever the order
 * the histories, their purchases and their views came in.
 *
 * <p>Immutable and thread-safe; lookups by sku are hash lookups.
 */
public final class RecommendationModel {
  static final int BOUGHT = 0;
  static final int VIEWED = 1;

  private final int minSupport;
  private final int maxNeighbours;
  private final Duration viewWindow;
  private final long customers;
  /** Sorted ({@link String#compareTo}), distinct: an item's index is its rank. */
  private final String[] skus;
  private final Map<String, Integer> index;
  private final long[] buyers;
  private final long[] recentBuyers;
  private final long[] viewers;
  /** [kind][item] the neighbours' indexes, by score descending then index ascending. */
  private final int[][][] neighbours;
  private final double[][][] scores;
  private final long[][][] supports;
  /** [kind][item] the neighbours' indexes ascending, and their positions in the lists above. */
  private final int[][][] byIndex;
  private final int[][][] byIndexPosition;
  /** Indexes of the items with a buyer, by buyers descending then index ascending. */
  private final int[] popular;
  /**
   * Indexes of the items with a buyer, by recent buyers descending, then buyers descending,
   * then index ascending.
   */
  private final int[] trending;

  /**
   * A model from its parts, taken over (not copied); each neighbour list is put in canonical
   * order here. The caller has checked them (the trainer builds them right, the JSON reader
   * checks them).
   */
  RecommendationModel(int minSupport, int maxNeighbours, Duration viewWindow, long customers,
      String[] skus, long[] buyers, long[] recentBuyers, long[] viewers, int[][][] neighbours,
      double[][][] scores,
      long[][][] supports) {
    this.minSupport = minSupport;
    this.maxNeighbours = maxNeighbours;
    this.viewWindow = viewWindow;
    this.customers = customers;
    this.skus = skus;
    this.buyers = buyers;
    this.recentBuyers = recentBuyers;
    this.viewers = viewers;
    this.neighbours = neighbours;
    this.scores = scores;
    this.supports = supports;
    Map<String, Integer> idx = new HashMap<>(skus.length * 2);
    for (int i = 0; i < skus.length; i++) {
      idx.put(skus[i], i);
    }
    this.index = idx;
    for (int k = 0; k < 2; k++) {
      for (int i = 0; i < skus.length; i++) {
        canonical(neighbours[k][i], scores[k][i], supports[k][i]);
      }
    }
    this.byIndex = new int[2][skus.length][];
    this.byIndexPosition = new int[2][skus.length][];
    for (int k = 0; k < 2; k++) {
      for (int i = 0; i < skus.length; i++) {
        int[] nb = neighbours[k][i];
        long[] packed = new long[nb.length];
        for (int j = 0; j < nb.length; j++) {
          packed[j] = ((long) nb[j] << 32) | j;
        }
        Arrays.sort(packed);
        byIndex[k][i] = new int[nb.length];
        byIndexPosition[k][i] = new int[nb.length];
        for (int j = 0; j < nb.length; j++) {
          byIndex[k][i][j] = (int) (packed[j] >>> 32);
          byIndexPosition[k][i][j] = (int) packed[j];
        }
      }
    }
    this.popular = Arrays.stream(range(skus.length)).boxed().filter(i -> buyers[i] > 0)
        .sorted((a, b) -> buyers[a] != buyers[b] ? Long.compare(buyers[b], buyers[a])
            : Integer.compare(a, b))
        .mapToInt(Integer::intValue).toArray();
    this.trending = Arrays.stream(range(skus.length)).boxed().filter(i -> buyers[i] > 0)
        .sorted((a, b) -> recentBuyers[a] != recentBuyers[b]
            ? Long.compare(recentBuyers[b], recentBuyers[a])
            : buyers[a] != buyers[b] ? Long.compare(buyers[b], buyers[a])
            : Integer.compare(a, b))
        .mapToInt(Integer::intValue).toArray();
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  /** Sorts one neighbour list by score descending, then index ascending, in place. */
  private static void canonical(int[] nb, double[] sc, long[] sup) {
    Integer[] order = new Integer[nb.length];
    for (int i = 0; i < nb.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> sc[a] != sc[b] ? Double.compare(sc[b], sc[a])
        : Integer.compare(nb[a], nb[b]));
    int[] n2 = new int[nb.length];
    double[] s2 = new double[nb.length];
    long[] p2 = new long[nb.length];
    for (int i = 0; i < nb.length; i++) {
      n2[i] = nb[order[i]];
      s2[i] = sc[order[i]];
      p2[i] = sup[order[i]];
    }
    System.arraycopy(n2, 0, nb, 0, nb.length);
    System.arraycopy(s2, 0, sc, 0, nb.length);
    System.arraycopy(p2, 0, sup, 0, nb.length);
  }

  /** The least number of customers behind a kept neighbour. */
  public int minSupport() {
    return minSupport;
  }

  /** The most neighbours kept per item and kind. */
  public int maxNeighbours() {
    return maxNeighbours;
  }

  /** How long after a view a purchase counts as following it. */
  public Duration viewWindow() {
    return viewWindow;
  }

  /** How many customers of the training data bought anything. */
  public long customers() {
    return customers;
  }

  /** The items the model knows (bought or viewed in the training data), in sku order. */
  public List<String> skus() {
    return Collections.unmodifiableList(Arrays.asList(skus));
  }

  /** How many customers bought the item; 0 for an unknown one. */
  public long buyers(String sku) {
    int i = indexOf(sku);
    return i < 0 ? 0 : buyers[i];
  }

  /** How many customers viewed the item; 0 for an unknown one. */
  public long viewers(String sku) {
    int i = indexOf(sku);
    return i < 0 ? 0 : viewers[i];
  }

  /**
   * The item's neighbours: first those it is {@link Link#BOUGHT_WITH}, then those
   * {@link Link#VIEWED_THEN_BOUGHT} after it; each kind by score descending, then sku. Empty for
   * an unknown item.
   */
  public List<Neighbour> neighbours(String sku) {
    int i = indexOf(sku);
    if (i < 0) {
      return List.of();
    }
    List<Neighbour> out = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      for (int j = 0; j < neighbours[k][i].length; j++) {
        out.add(new Neighbour(skus[neighbours[k][i][j]], link(k), scores[k][i][j],
            supports[k][i][j]));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The {@code n} most bought items (by number of customers who bought them, then sku), or all
   * of them when there are fewer.
   *
   * @throws IllegalArgumentException when {@code n} is negative
   */
  public List<String> popular(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative but was " + n);
    }
    List<String> out = new ArrayList<>(Math.min(n, popular.length));
    for (int i = 0; i < popular.length && out.size() < n; i++) {
      out.add(skus[popular[i]]);
    }
    return List.copyOf(out);
  }

  /**
   * The {@code n} items most bought recently (by customers whose last purchase of the item lies
   * within the training's popularity window before its latest purchase; ties by all customers
   * who bought it, then sku): the order of the popularity fallback.
   *
   * @throws IllegalArgumentException when {@code n} is negative
   */
  public List<String> trending(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative but was " + n);
    }
    List<String> out = new ArrayList<>(Math.min(n, trending.length));
    for (int i = 0; i < trending.length && out.size() < n; i++) {
      out.add(skus[trending[i]]);
    }
    return List.copyOf(out);
  }

  /** How many customers bought the item recently (see {@link #trending}); 0 when unknown. */
  public long recentBuyers(String sku) {
    int i = indexOf(sku);
    return i < 0 ? 0 : recentBuyers[i];
  }

  static Link link(int kind) {
    return kind == BOUGHT ? Link.BOUGHT_WITH : Link.VIEWED_THEN_BOUGHT;
  }

  int indexOf(String sku) {
    Integer i = index.get(sku);
    return i == null ? -1 : i;
  }

  String sku(int i) {
    return skus[i];
  }

  int size() {
    return skus.length;
  }

  long buyersAt(int i) {
    return buyers[i];
  }

  long recentBuyersAt(int i) {
    return recentBuyers[i];
  }

  int[] trendingOrder() {
    return trending;
  }

  long viewersAt(int i) {
    return viewers[i];
  }

  int[] neighboursAt(int kind, int i) {
    return neighbours[kind][i];
  }

  double[] scoresAt(int kind, int i) {
    return scores[kind][i];
  }

  long[] supportsAt(int kind, int i) {
    return supports[kind][i];
  }

  /** Where {@code to} is in the source's list of this kind, or -1. */
  int positionOf(int kind, int source, int to) {
    int j = Arrays.binarySearch(byIndex[kind][source], to);
    return j < 0 ? -1 : byIndexPosition[kind][source][j];
  }

  int[] popularOrder() {
    return popular;
  }

  /** Equal when every setting, count and neighbour (with its score) is the same. */
  @Override
  public boolean equals(Object o) {
    return o instanceof RecommendationModel m && minSupport == m.minSupport
        && maxNeighbours == m.maxNeighbours && viewWindow.equals(m.viewWindow)
        && customers == m.customers && Arrays.equals(skus, m.skus)
        && Arrays.equals(buyers, m.buyers) && Arrays.equals(recentBuyers, m.recentBuyers)
        && Arrays.equals(viewers, m.viewers)
        && Arrays.deepEquals(neighbours, m.neighbours) && Arrays.deepEquals(scores, m.scores)
        && Arrays.deepEquals(supports, m.supports);
  }

  @Override
  public int hashCode() {
    return Objects.hash(minSupport, maxNeighbours, viewWindow, customers,
        Arrays.hashCode(skus), Arrays.deepHashCode(neighbours), Arrays.deepHashCode(scores));
  }

  /** The sizes, not the items: {@code RecommendationModel[items=3684, customers=4339, ...]}. */
  @Override
  public String toString() {
    long links = 0;
    for (int k = 0; k < 2; k++) {
      for (int[] nb : neighbours[k]) {
        links += nb.length;
      }
    }
    return "RecommendationModel[items=" + skus.length + ", customers=" + customers
        + ", neighbours=" + links + ", minSupport=" + minSupport + ", maxNeighbours="
        + maxNeighbours + ", viewWindow=" + viewWindow + "]";
  }
}
