package io.cdpkit.examples;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.segmentation.recommend.CustomerHistory;
import io.cdpkit.segmentation.recommend.Recommendation;
import io.cdpkit.segmentation.recommend.RecommendationModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Measures item-to-item recommendations on the UCI Online Retail year (see
 * {@code ../shared/data/README.md} and {@link OnlineRetailEvents} for how invoices become
 * {@code Order Completed} events) through the engine: loads the invoices placed before
 * {@link #CUTOFF} (2011-11-08T00:00Z) into an in-memory {@link Cdp} whose clock stands at the
 * cutoff, with the {@link io.cdpkit.segmentation.recommend.Recommendations} extension (defaults:
 * 90-day purchase window), trains the workspace's model ({@code train}: every profile's events,
 * stored in the workspace's metadata) and asks {@code recommend} for every customer who placed
 * an order on or after the cutoff (by their profile; one without earlier orders has none and
 * gets the popularity fallback). Prints one line:
 *
 * <pre>hit_rate_at_5=&lt;h&gt; popularity_hit_rate_at_5=&lt;p&gt; recall_at_10=&lt;r&gt;</pre>
 *
 * <h2>The measures</h2>
 * For a customer c in the evaluated set E (every customer with an order on or after the cutoff,
 * including those without earlier orders, who get the popularity fallback):
 * <ul>
 *   <li>{@code later(c)}: the distinct skus of c's orders on or after the cutoff. An item bought
 *       several times later counts once; an item c also bought before the cutoff counts too,
 *       although when that purchase lies within the 90-day window it is excluded from the
 *       candidates by construction and can never be hit (the price of never offering what was
 *       just bought; so recall cannot reach 1).
 *   <li>{@code hit_rate_at_5} = |{c in E : top5(c) ∩ later(c) ≠ ∅}| / |E|, with {@code top5}
 *       the recommender's first 5.
 *   <li>{@code popularity_hit_rate_at_5}: the same with, for {@code top5}, the 5 items bought by
 *       the most training customers ({@link RecommendationModel#popular}) that c did not buy
 *       within the window.
 *   <li>{@code recall_at_10} = mean over c in E of |top10(c) ∩ later(c)| / |later(c)|.
 * </ul>
 *
 * <p>Run it with {@code mvn -q -pl examples -am package exec:java -DskipTests
 * -Dexample=Recommendations -Dexec.args="../shared/data/online-retail/online_retail.csv.gz"}.
 * Stateless.
 */
public final class Recommendations {
  /** Training uses orders before this instant; the evaluation, orders at or after it. */
  public static final Instant CUTOFF = Instant.parse("2011-11-08T00:00:00Z");

  private Recommendations() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: Recommendations ONLINE_RETAIL_CSV_GZ");
      System.exit(2);
    }
    run(System.out, Path.of(args[0].trim()));
  }

  /** The measures of one evaluation. */
  record Outcome(int customers, double hitRate, double popularityHitRate, double recall) {
    String line() {
      return String.format(Locale.ROOT,
          "hit_rate_at_5=%.4f popularity_hit_rate_at_5=%.4f recall_at_10=%.4f",
          hitRate, popularityHitRate, recall);
    }
  }

  /** One customer's orders before the cutoff, and the skus they bought on or after it. */
  private record Split(CustomerHistory training, Set<String> later) {}

  /** Evaluates on this file, printing the one line to out. */
  static Outcome run(PrintStream out, Path file) {
    List<Event> events = OnlineRetailEvents.load(file);
    // Per customer (userId): events before the cutoff and after it.
    Map<String, List<Event>> before = new TreeMap<>();
    Map<String, List<Event>> after = new TreeMap<>();
    List<Event> training = new ArrayList<>();
    for (Event e : events) {
      boolean early = e.eventTime().isBefore(CUTOFF);
      if (early) {
        training.add(e);
      }
      if (e.userId() != null) {
        (early ? before : after).computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e);
      }
    }
    io.cdpkit.segmentation.recommend.Recommendations engine =
        io.cdpkit.segmentation.recommend.Recommendations.builder().build();
    int evaluated = 0;
    int hits = 0;
    int popularityHits = 0;
    double recall = 0;
    try (Cdp cdp = Cdp.builder().clock(Clock.fixed(CUTOFF, ZoneOffset.UTC))
        .extension(engine).build()) {
      for (int from = 0; from < training.size(); from += 1_000) {
        List<Event> batch = training.subList(from, Math.min(training.size(), from + 1_000));
        BatchResult result = cdp.ingest(List.copyOf(batch));
        if (result.results().size() != batch.size()) {
          throw new IllegalStateException("ingest returned " + result.results().size()
              + " results for " + batch.size() + " events");
        }
      }
      engine.train(WorkspaceId.DEFAULT, ProgressListener.none());
      RecommendationModel model = engine.model(WorkspaceId.DEFAULT).orElseThrow();
      Instant windowStart = CUTOFF.minus(engine.purchaseWindow());
      List<String> popular = model.popular(model.skus().size());

      for (Map.Entry<String, List<Event>> customer : after.entrySet()) {
        Split c = split(before.getOrDefault(customer.getKey(), List.of()), customer.getValue());
        if (c.later().isEmpty()) {
          continue;
        }
        evaluated++;
        // A customer without orders before the cutoff has no profile: an unknown id gets the
        // popularity fallback, as a new visitor does.
        ProfileId id = cdp.profiles()
            .find(Identifier.of(IdentifierType.CUSTOMER_ID, customer.getKey()))
            .map(Profile::id).orElseGet(ProfileId::random);
        List<Recommendation> top = engine.recommend(WorkspaceId.DEFAULT, id, 10);
        int hit5 = 0;
        int hit10 = 0;
        for (int i = 0; i < top.size(); i++) {
          if (c.later().contains(top.get(i).sku())) {
            hit10++;
            hit5 += i < 5 ? 1 : 0;
          }
        }
        hits += hit5 > 0 ? 1 : 0;
        recall += (double) hit10 / c.later().size();

        Set<String> recent = new HashSet<>();
        for (CustomerHistory.Purchase p : c.training().purchases()) {
          if (!p.at().isBefore(windowStart)) {
            recent.addAll(p.skus());
          }
        }
        int taken = 0;
        boolean popularityHit = false;
        for (int i = 0; i < popular.size() && taken < 5; i++) {
          String sku = popular.get(i);
          if (!recent.contains(sku)) {
            taken++;
            popularityHit |= c.later().contains(sku);
          }
        }
        popularityHits += popularityHit ? 1 : 0;
      }
    }
    Outcome outcome = new Outcome(evaluated, ratio(hits, evaluated),
        ratio(popularityHits, evaluated), evaluated == 0 ? 0 : recall / evaluated);
    out.println(outcome.line());
    return outcome;
  }

  private static double ratio(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }

  /** A customer's orders before the cutoff and the skus they bought from then on. */
  private static Split split(List<Event> before, List<Event> later) {
    Set<String> bought = new HashSet<>();
    for (CustomerHistory.Purchase p : CustomerHistory.fromEvents(later).purchases()) {
      bought.addAll(p.skus());
    }
    return new Split(CustomerHistory.fromEvents(before), Set.copyOf(bought));
  }
}
