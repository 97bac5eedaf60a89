package io.cdpkit.benchmarks;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ErasureReport;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain program that times the erasure of one heavy person on the in-memory store: ingests
 * {@code N} events of one customer (in batches of 1,000) plus a few other shoppers, then erases
 * her while another thread keeps ingesting single events of another shopper into the same
 * workspace, and prints the erasure's wall time and the longest time one of those concurrent
 * writes waited. A program, not a library type; one run is one measurement (no warm-up), which
 * is what a host's erasure request meets.
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -Xmx8g -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.HeavyErasure 1000000
 * </pre>
 */
public final class HeavyErasure {
  private HeavyErasure() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 1) {
      System.err.println("usage: HeavyErasure EVENTS");
      System.exit(2);
    }
    int n = Integer.parseInt(args[0]);
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    Clock clock = Clock.fixed(t0.plusSeconds(n + 86_400L), ZoneOffset.UTC);
    try (Cdp cdp = Cdp.builder().clock(clock).build()) {
      long load = System.nanoTime();
      List<Event> batch = new ArrayList<>(1000);
      for (int i = 0; i < n; i++) {
        batch.add(Event.track("Product Viewed").userId("heavy-1").messageId("h-" + i)
            .timestamp(t0.plusSeconds(i)).property("sku", "SKU-" + (i % 500)).build());
        if (batch.size() == 1000) {
          cdp.ingest(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        cdp.ingest(batch);
      }
      System.out.printf("loaded %,d events in %.1f s%n", n, (System.nanoTime() - load) / 1e9);

      AtomicLong longestWait = new AtomicLong();
      AtomicLong writes = new AtomicLong();
      Thread writer = new Thread(() -> {
        int i = 0;
        while (!Thread.currentThread().isInterrupted()) {
          long s = System.nanoTime();
          cdp.ingest(Event.track("Product Viewed").userId("light-1").messageId("l-" + i++)
              .timestamp(t0.plusSeconds(i)).build());
          longestWait.accumulateAndGet(System.nanoTime() - s, Math::max);
          writes.incrementAndGet();
        }
      }, "concurrent-writer");
      writer.start();
      Thread.sleep(200);
      longestWait.set(0);
      long s = System.nanoTime();
      ErasureReport r = cdp.privacy().erase(Identifier.customerId("heavy-1"));
      double seconds = (System.nanoTime() - s) / 1e9;
      Thread.sleep(200);
      writer.interrupt();
      writer.join();
      System.out.printf("erased %,d events in %.2f s; longest concurrent write %.2f s"
          + " (%,d writes)%n", r.events(), seconds, longestWait.get() / 1e9, writes.get());
    }
  }
}
