package io.cdpkit.benchmarks;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.traits.LoyaltyTraits;
import io.cdpkit.core.traits.RetailTraits;
import io.cdpkit.core.traits.ServiceTraits;
import io.cdpkit.core.traits.WebTraits;
import java.util.List;

/**
 * A plain program for profiling the ingest path (JMH measures it; this gives a profiler a steady
 * run): ingests the first {@code N} events of the {@link RetailEvents} stream into a fresh
 * in-memory {@link Cdp}, {@code ROUNDS} times, printing events/s per round, then the heap the
 * last store retains per event (after a forced collection). A third argument names packs of
 * computed traits for the {@code Cdp} to declare, comma-separated ({@code retail},
 * {@code loyalty}, {@code web}, {@code service}, or {@code packs} for all four), to measure what
 * they cost per event. A program, not a library type.
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
      System.err.println("usage: IngestRounds EVENTS ROUNDS [retail,loyalty,web,service|packs]");
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
          default -> throw new IllegalArgumentException("no pack " + pack);
        });
      }
      Cdp cdp = b.build();
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
