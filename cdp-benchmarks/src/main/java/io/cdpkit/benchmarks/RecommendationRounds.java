package io.cdpkit.benchmarks;

import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.examples.OnlineRetailEvents;
import io.cdpkit.segmentation.recommend.CustomerHistory;
import io.cdpkit.segmentation.recommend.CustomerHistory.Purchase;
import io.cdpkit.segmentation.recommend.CustomerHistory.View;
import io.cdpkit.segmentation.recommend.ItemSimilarity;
import io.cdpkit.segmentation.recommend.RecommendationModel;
import io.cdpkit.segmentation.recommend.RecommendationModelJson;
import io.cdpkit.segmentation.recommend.Recommender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A plain program measuring item-to-item recommendations on the UCI Online Retail year (the
 * file of {@link OnlineRetailEvents}, {@code -Dcdp.bench.onlineRetail=PATH} to name another):
 * groups the orders before 2011-11-08 per customer into {@link CustomerHistory}s (straight from
 * the events, no {@code Cdp}, so the time is training alone), then per round prints
 * <ul>
 *   <li>the seconds of {@link ItemSimilarity#train} with its defaults, and the JSON's size and
 *       write and read seconds;
 *   <li>the latency of {@link Recommender#recommend} (top 5, default window) over every
 *       customer's own training history: median, 90th and 99th percentile, in microseconds
 *       (the UCI customers are wholesalers: a median of 33 distinct items, a tenth above 129,
 *       the largest 1,633);
 *   <li>the mean latency of one call for a typical webshop history, 3 orders of 1 to 4 items
 *       and 5 views drawn from the known items with a fixed seed, over 200,000 calls.
 * </ul>
 * A program, not a library type; stateless.
 *
 * <pre>
 * mvn -B -o -q -pl cdp-benchmarks -am package -DskipTests
 * java -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.RecommendationRounds 5
 * </pre>
 */
public final class RecommendationRounds {
  private static final Instant CUTOFF = Instant.parse("2011-11-08T00:00:00Z");

  private RecommendationRounds() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0].trim()) : 5;
    long t0 = System.nanoTime();
    List<Event> events = OnlineRetailEvents.load(OnlineRetailEvents.file());
    Map<String, List<Event>> byCustomer = new LinkedHashMap<>();
    for (Event e : events) {
      if (e.eventTime().isBefore(CUTOFF)) {
        byCustomer.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e);
      }
    }
    List<CustomerHistory> histories = new ArrayList<>();
    for (List<Event> es : byCustomer.values()) {
      histories.add(CustomerHistory.fromEvents(es));
    }
    System.out.printf(Locale.ROOT, "loaded %d customers in %.1f s%n", histories.size(),
        (System.nanoTime() - t0) / 1e9);

    for (int round = 1; round <= rounds; round++) {
      long start = System.nanoTime();
      RecommendationModel model = ItemSimilarity.defaults().train(histories,
          ProgressListener.none());
      double trainSeconds = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      String json = RecommendationModelJson.write(model);
      double writeSeconds = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      RecommendationModelJson.read(json);
      double readSeconds = (System.nanoTime() - start) / 1e9;

      Recommender recommender = Recommender.builder(model).build();
      long[] nanos = new long[histories.size()];
      long sink = 0;
      for (int i = 0; i < histories.size(); i++) {
        long s = System.nanoTime();
        sink += recommender.recommend(histories.get(i), CUTOFF, 5, Set.of()).size();
        nanos[i] = System.nanoTime() - s;
      }
      Arrays.sort(nanos);

      CustomerHistory typical = typical(model, new Random(round));
      int calls = 200_000;
      start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        sink += recommender.recommend(typical, CUTOFF, 5, Set.of()).size();
      }
      double typicalMicros = (System.nanoTime() - start) / 1e3 / calls;
      System.out.printf(Locale.ROOT, "round %d: %s train=%.3f s json=%.1f MB write=%.3f s "
          + "read=%.3f s | UCI histories p50=%.1f us p90=%.1f us p99=%.1f us | typical "
          + "history %.2f us/call (sink %d)%n", round, model, trainSeconds,
          json.length() / 1e6, writeSeconds, readSeconds, micros(nanos, 0.5),
          micros(nanos, 0.9), micros(nanos, 0.99), typicalMicros, sink);
    }
  }

  private static double micros(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1e3;
  }

  /** 3 orders of 1 to 4 known items in the last 200 days, 5 views in the last week. */
  private static CustomerHistory typical(RecommendationModel model, Random random) {
    List<String> skus = model.popular(model.skus().size());
    List<Purchase> orders = new ArrayList<>();
    for (int o = 0; o < 3; o++) {
      List<String> items = new ArrayList<>();
      for (int k = 1 + random.nextInt(4); k > 0; k--) {
        items.add(skus.get(random.nextInt(Math.min(skus.size(), 1_000))));
      }
      orders.add(new Purchase(CUTOFF.minus(Duration.ofDays(1 + random.nextInt(200))),
          Set.copyOf(items)));
    }
    List<View> views = new ArrayList<>();
    for (int v = 0; v < 5; v++) {
      views.add(new View(CUTOFF.minus(Duration.ofHours(1 + random.nextInt(168))),
          skus.get(random.nextInt(Math.min(skus.size(), 1_000)))));
    }
    return new CustomerHistory(orders, views);
  }
}
