package io.cdpkit.benchmarks;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.segmentation.SegmentEvent;
import io.cdpkit.segmentation.SegmentListener;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Latency from calling {@link Cdp#ingest(Event)} with an event that changes a segment membership
 * to a {@link io.cdpkit.segmentation.SegmentListener} hearing of the entry or exit, with the 50
 * real-time segments of {@link RetailSegments} on the in-memory store: an end-to-end runner
 * rather than a JMH benchmark, because only the calls that change a membership count and which
 * ones do is known only afterwards.
 *
 * <p>It replays {@link RetailEvents#rich} (fixed seed) one event per call on one thread, the
 * {@code Cdp}'s clock following the events' times. The first {@code WARM} events warm the JIT
 * and fill the store; of the next {@code MEASURED}, each call whose listener heard an entry or
 * exit gives one sample: {@code System.nanoTime()} at the first entry or exit heard minus
 * {@code System.nanoTime()} just before {@code ingest} was called. Calls run back to back (the
 * ingest path saturated, garbage collections included); samples are sorted and printed as
 * percentiles, next to the latency of every call (membership changing or not) and the
 * collections during the measured part.
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -Xms12g -Xmx12g -cp cdp-benchmarks/target/benchmarks.jar \
 *     io.cdpkit.benchmarks.SegmentLatencyBenchmark 1000000 2000000
 * </pre>
 *
 * <p>A program, not a library type.
 */
public final class SegmentLatencyBenchmark {
  private SegmentLatencyBenchmark() {}

  /**
   * Hears entries and exits: how many, and when the first of the current call came. Written and
   * read by the one ingesting thread (listeners run on it), so not thread-safe.
   */
  private static final class Probe implements SegmentListener {
    long firstHeard;
    long heard;

    @Override
    public void onSegmentEvent(SegmentEvent e) {
      heard++;
      if (firstHeard == 0) {
        firstHeard = System.nanoTime();
      }
    }
  }

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: SegmentLatencyBenchmark WARM MEASURED");
      System.exit(2);
    }
    int warm = Integer.parseInt(args[0]);
    int measured = Integer.parseInt(args[1]);
    RetailEvents gen = RetailEvents.rich(500_000, 0.8, RetailEvents.SEED);
    List<Event> stream = gen.next(warm + measured);
    System.out.println("stream: " + gen.describe() + ", up to " + gen.now());

    StreamClock clock = new StreamClock(stream.get(0).timestamp());
    Probe probe = new Probe();
    Segmentation seg = Segmentation.builder().listener(probe).build();
    long[] changing = new long[measured];
    long[] all = new long[measured];
    int n = 0;
    long gcCount0;
    long gcMillis0;
    long wall0;
    try (Cdp cdp = Cdp.builder().store(Store.inMemory()).clock(clock).extension(seg).build()) {
      for (SegmentDefinition d : RetailSegments.all()) {
        seg.segments().save(d);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < warm; i++) {
        Event e = stream.get(i);
        clock.set(e.timestamp());
        cdp.ingest(e);
      }
      System.out.printf(Locale.ROOT, "warm-up: %,d events in %.1f s, %,d entries and exits%n",
          warm, (System.nanoTime() - t0) / 1e9, probe.heard);
      probe.heard = 0;
      gcCount0 = gcCount();
      gcMillis0 = gcMillis();
      wall0 = System.nanoTime();
      for (int i = 0; i < measured; i++) {
        Event e = stream.get(warm + i);
        clock.set(e.timestamp());
        probe.firstHeard = 0;
        long start = System.nanoTime();
        cdp.ingest(e);
        long end = System.nanoTime();
        all[i] = end - start;
        if (probe.firstHeard != 0) {
          changing[n++] = probe.firstHeard - start;
        }
      }
    }
    double wall = (System.nanoTime() - wall0) / 1e9;
    long[] samples = Arrays.copyOf(changing, n);
    Arrays.sort(samples);
    Arrays.sort(all);
    System.out.printf(Locale.ROOT, "measured: %,d events in %.1f s (%,.0f events/s), %,d entries"
        + " and exits heard, %,d calls changed a membership%n", measured, wall, measured / wall,
        probe.heard, n);
    System.out.printf(Locale.ROOT, "collections during the measured part: %d, %,d ms in total%n",
        gcCount() - gcCount0, gcMillis() - gcMillis0);
    System.out.println("latency (microseconds)           p50      p90      p99    p99.9   p99.99"
        + "      max");
    print("ingest call to first entry/exit", samples);
    print("every ingest call (whole call)  ", all);
  }

  private static void print(String what, long[] sorted) {
    if (sorted.length == 0) {
      System.out.println(what + "  no samples");
      return;
    }
    System.out.printf(Locale.ROOT, "%s %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f   (%,d samples)%n",
        what, p(sorted, 0.50), p(sorted, 0.90), p(sorted, 0.99), p(sorted, 0.999),
        p(sorted, 0.9999), sorted[sorted.length - 1] / 1e3, sorted.length);
  }

  /** The nearest-rank percentile, in microseconds. */
  private static double p(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e3;
  }

  private static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, b.getCollectionCount());
    }
    return n;
  }

  private static long gcMillis() {
    long n = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, b.getCollectionTime());
    }
    return n;
  }
}
