package io.cdpkit.benchmarks;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import java.util.List;

/**
 * A plain program for profiling ingestion into one store kind (JMH measures it; this gives a
 * profiler a steady run): ingests the first {@code N} events of the {@link RetailEvents} stream
 * in batches of {@code BATCH} (1 = one {@code ingest(Event)} per event) into a fresh store,
 * {@code ROUNDS} times, printing events/s per round. A program, not a library type.
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -Xmx4g -XX:StartFlightRecording=filename=h2.jfr,settings=profile \
 *     -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.StoreIngestRounds \
 *     h2file 200000 100 3
 * </pre>
 */
public final class StoreIngestRounds {
  private StoreIngestRounds() {}

  public static void main(String[] args) {
    if (args.length != 4) {
      System.err.println("usage: StoreIngestRounds STORE EVENTS BATCH ROUNDS  (STORE: "
          + BenchStores.KINDS + ")");
      System.exit(2);
    }
    String kind = args[0];
    int n = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    List<Event> events = new RetailEvents(500_000, 0.8, RetailEvents.SEED).next(n);
    for (int r = 0; r < rounds; r++) {
      try (BenchStores s = BenchStores.open(kind, 100_000);
          Cdp cdp = Cdp.builder().store(s.store()).build()) {
        long t0 = System.nanoTime();
        if (batch == 1) {
          for (Event e : events) {
            cdp.ingest(e);
          }
        } else {
          for (int i = 0; i < n; i += batch) {
            cdp.ingest(events.subList(i, Math.min(n, i + batch)));
          }
        }
        long t1 = System.nanoTime();
        System.out.printf("%s round %d: %,.0f events/s (batch %d)%n", kind, r,
            n / ((t1 - t0) / 1e9), batch);
      }
    }
  }
}
