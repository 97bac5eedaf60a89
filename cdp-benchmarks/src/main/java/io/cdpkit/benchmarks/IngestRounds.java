package io.cdpkit.benchmarks;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.traits.CatalogTraits;
import io.cdpkit.core.traits.LoyaltyTraits;
import io.cdpkit.core.traits.RetailTraits;
import io.cdpkit.core.traits.ServiceTraits;
import io.cdpkit.core.traits.WebTraits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain program for profiling the ingest path (JMH measures it; this gives a profiler a steady
 * run): ingests the first {@code N} events of the {@link RetailEvents} stream into a fresh
 * in-memory {@link Cdp}, {@code ROUNDS} times, printing events/s per round, then the heap the
 * last store retains per event (after a forced collection). A third argument names packs of
 * computed traits for the {@code Cdp} to declare, comma-separated ({@code retail},
 * {@code loyalty}, {@code web}, {@code service}, or {@code packs} for all four; {@code catalog}
 * declares the catalog pack and loads the stream's 5,000 products into the workspace's catalog
 * first, so that order lines and product views are joined with it), to measure what they cost
 * per event. A program, not a library type.
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -Xmx8g -XX:+UseParallelGC -XX:StartFlightRecording=filename=ingest.jfr,settings=profile \
 *     -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.IngestRounds 600000 6
 * </pre>
 */
public final class IngestRounds {
  private IngestRounds() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2 && args.length != 3) {
      System.err.println(
          "usage: IngestRounds EVENTS ROUNDS [retail,loyalty,web,service,catalog|packs]");
      System.exit(2);
    }
    List<String> packs = args.length == 2 ? List.of()
        : args[2].equals("packs") ? List.of("retail", "loyalty", "web", "service")
        : List.of(args[2].split(","));
    int n = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    List<Event> events = new RetailEvents(500_000, 0.8, RetailEvents.SEED).next(n);
    Runtime rt = Runtime.getRuntime();
    Cdp last = null;
    long baseline = 0;
    for (int r = 0; r < rounds; r++) {
      if (last != null) {
        last.close();
        last = null;
      }
      if (r == rounds - 1) {
        baseline = usedAfterGc(rt);
      }
      Cdp.Builder b = Cdp.builder();
      for (String pack : packs) {
        b.computedTraits(switch (pack) {
          case "retail" -> RetailTraits.all();
          case "loyalty" -> LoyaltyTraits.of();
          case "web" -> WebTraits.all();
          case "service" -> ServiceTraits.all();
          case "catalog" -> CatalogTraits.all();
          default -> throw new IllegalArgumentException("no pack " + pack);
        });
      }
      Cdp cdp = b.build();
      if (packs.contains("catalog")) {
        List<Product> products = new ArrayList<>();
        for (int p = 0; p < RetailEvents.PRODUCTS; p++) {
          products.add(Product.builder("P-" + p).brand("brand-" + p % 40)
              .category("category-" + p % 12)
              .createdAt(Instant.parse("2024-01-01T00:00:00Z").plusSeconds(3_600L * p)).build());
        }
        cdp.workspace(WorkspaceId.DEFAULT).catalog().putAll(products);
      }
      long t0 = System.nanoTime();
      for (Event e : events) {
        cdp.ingest(e);
      }
      long t1 = System.nanoTime();
      System.out.printf("round %d: %,.0f events/s%n", r, n / ((t1 - t0) / 1e9));
      last = cdp;
    }
    long retained = usedAfterGc(rt) - baseline;
    System.out.printf("retained by the last store: %,.0f bytes per event (%s)%n",
        retained / (double) n, last.profiles().eventCounts().isEmpty() ? "empty" : "full");
  }

  private static long usedAfterGc(Runtime rt) throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    System.gc();
    return rt.totalMemory() - rt.freeMemory();
  }
}
