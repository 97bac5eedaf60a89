package io.cdpkit.benchmarks;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestWarning;
import io.cdpkit.core.model.Event;
import io.cdpkit.examples.OnlineRetailEvents;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Loading a real retailer's year into CDPKit against loading it with the plain JDBC code the
 * retailer would write instead ({@link PlainRetailLoader}): the {@link OnlineRetailEvents} of the
 * UCI Online Retail data set (read once into memory, not timed), {@code BATCH} events per
 * {@code cdp.ingest(List)} call and per loader transaction, on a fresh store and a fresh schema
 * of the same database kind each round. Each round runs both, alternating which goes first so
 * that drift in the machine's load falls on both, after one warm-up pair that is not counted.
 * It prints events/s per round (with the CPU time per event of the ingesting thread and of a
 * PostgreSQL or MariaDB server on this machine, read from {@code /proc}: {@link ServerCpu}),
 * then the medians and the ratio of CDPKit's time to the loader's (at most 1.0: CDPKit is as
 * fast or faster), and the median of each round's own ratio (the two
 * runs of a round see about the same load of the machine). After each round it checks what was
 * stored: CDPKit's event counts per name ({@code Profiles.eventCounts()}) and nothing rejected;
 * the loader's rows per table and its customer sums. A mismatch ends the program with an
 * exception. With {@code -Dbench.serverWork=true} (PostgreSQL) each round also prints what the
 * server did per event in counts ({@link ServerWork}: WAL, rows written, buffers), read outside
 * the timed part. A program, not a library type.
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.OnlineRetailRounds \
 *     h2file 1000 3
 * </pre>
 *
 * STORE is {@code h2file}, {@code h2rows} (CDPKit's H2 file store in the row layout; the loader
 * on H2 file as for {@code h2file}), {@code postgres} or {@code mariadb} (servers as in
 * {@link BenchStores}). For the journaled H2 file layout CDPKit's rounds are also timed with a
 * checkpoint at the end ({@code JdbcStore.checkpoint}: the journal applied to the row tables),
 * and the ratio is given both ways. Run it from the repository root, or name the data file with
 * {@code -Dcdp.bench.onlineRetail=PATH}.
 */
public final class OnlineRetailRounds {
  /** Pairs of rounds run first and not counted. */
  static final int WARM_UP_PAIRS = 1;

  private OnlineRetailRounds() {}

  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: OnlineRetailRounds STORE BATCH ROUNDS  (STORE: "
          + PlainRetailLoader.KINDS + ")");
      System.exit(2);
    }
    String kind = args[0];
    if (!List.of("h2file", "h2rows", "postgres", "mariadb").contains(kind)) {
      System.err.println("STORE: one of " + PlainRetailLoader.KINDS + ", was " + kind);
      System.exit(2);
    }
    int batch = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    if (batch < 1 || rounds < 1) {
      System.err.println("BATCH and ROUNDS must be at least 1");
      System.exit(2);
    }
    long t0 = System.nanoTime();
    List<Event> events = OnlineRetailEvents.load(OnlineRetailEvents.file());
    Map<String, Long> expected = OnlineRetailEvents.countByName(events);
    System.out.printf("%,d events %s from %s in %.1f s%n", events.size(), expected,
        OnlineRetailEvents.file(), (System.nanoTime() - t0) / 1e9);

    for (int w = 0; w < WARM_UP_PAIRS; w++) {
      cdpRound(kind, events, expected, batch, -1);
      loaderRound(kind, events, expected, batch, -1);
    }
    List<Double> cdp = new ArrayList<>();
    List<Double> cdpCheckpointed = new ArrayList<>();
    List<Double> plain = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      if (r % 2 == 0) {
        double[] c = cdpRound(kind, events, expected, batch, r);
        cdp.add(c[0]);
        cdpCheckpointed.add(c[1]);
        plain.add(loaderRound(kind, events, expected, batch, r));
      } else {
        plain.add(loaderRound(kind, events, expected, batch, r));
        double[] c = cdpRound(kind, events, expected, batch, r);
        cdp.add(c[0]);
        cdpCheckpointed.add(c[1]);
      }
    }
    List<Double> ratios = new ArrayList<>();
    List<Double> checkpointedRatios = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      ratios.add(plain.get(r) / cdp.get(r));
      checkpointedRatios.add(plain.get(r) / cdpCheckpointed.get(r));
    }
    double mCdp = median(cdp);
    double mPlain = median(plain);
    System.out.printf("%s batch %d, median of %d rounds: CDPKit %,.0f events/s, plain JDBC"
        + " %,.0f events/s, CDPKit time / plain time %.2f (median of the rounds' own ratios"
        + " %.2f)%n", kind, batch, rounds, mCdp, mPlain, mPlain / mCdp, median(ratios));
    if (kind.equals("h2file")) {
      double mCk = median(cdpCheckpointed);
      System.out.printf("%s batch %d, with the checkpoint at the end: CDPKit %,.0f events/s,"
          + " CDPKit time / plain time %.2f (median of the rounds' own ratios %.2f)%n", kind,
          batch, mCk, mPlain / mCk, median(checkpointedRatios));
    }
  }

  private static double[] cdpRound(String kind, List<Event> events, Map<String, Long> expected,
      int batch, int r) {
    int n = events.size();
    List<BatchResult> results = new ArrayList<>(n / batch + 1);
    try (BenchStores s = BenchStores.open(kind, 100_000);
        Cdp cdp = Cdp.builder().store(s.store()).build()) {
      ServerWork work = ServerWork.start(kind);
      ServerCpu.Round cpuRound = ServerCpu.Round.start(kind);
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i += batch) {
        results.add(cdp.ingest(events.subList(i, Math.min(n, i + batch))));
      }
      long t1 = System.nanoTime();
      String cpu = cpuRound.perEvent(n);
      s.checkpoint();
      long t2 = System.nanoTime();
      if (work != null) {
        cpu += "; " + work.perEvent(n);
      }
      long stored = 0;
      long rejected = 0;
      long rounded = 0;
      for (BatchResult b : results) {
        stored += b.stored();
        rejected += b.rejected();
        rounded += b.warnings(IngestWarning.Kind.AMOUNT_ROUNDED);
      }
      Map<String, Long> counts = new TreeMap<>(cdp.profiles().eventCounts());
      if (stored != n || rejected != 0 || !counts.equals(expected)) {
        throw new IllegalStateException(String.format("CDPKit on %s stored %d of %d events"
            + " (%d rejected); stored per name %s, expected %s", kind, stored, n, rejected,
            counts, expected));
      }
      double rate = n / ((t1 - t0) / 1e9);
      double checkpointed = n / ((t2 - t0) / 1e9);
      System.out.printf("%s %s CDPKit:     %,8.0f events/s (batch %d; %d events stored, %d"
          + " totals rounded to pence; %,.0f events/s with the checkpoint at the end; %s)%n", kind,
          label(r), rate, batch, stored, rounded, checkpointed, cpu);
      return new double[] {rate, checkpointed};
    }
  }

  private static double loaderRound(String kind, List<Event> events, Map<String, Long> expected,
      int batch, int r) {
    int n = events.size();
    try (PlainRetailLoader loader = PlainRetailLoader.open(
        kind.equals("h2rows") ? "h2file" : kind)) {
      ServerWork work = ServerWork.start(kind);
      ServerCpu.Round cpuRound = ServerCpu.Round.start(kind);
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i += batch) {
        loader.load(events.subList(i, Math.min(n, i + batch)));
      }
      long t1 = System.nanoTime();
      String cpu = cpuRound.perEvent(n);
      if (work != null) {
        cpu += "; " + work.perEvent(n);
      }
      Map<String, Long> rows = loader.counts();
      long orders = expected.getOrDefault(OnlineRetailEvents.ORDER, 0L);
      long refunds = expected.getOrDefault(OnlineRetailEvents.REFUND, 0L);
      long customers = expected.getOrDefault(OnlineRetailEvents.IDENTIFY, 0L);
      if (rows.get("orders") != orders || rows.get("refunds") != refunds
          || rows.get("customers") != customers || rows.get("customer_orders") != orders
          || rows.get("spent_off_by") != 0 || rows.get("bad_order_times") != 0) {
        throw new IllegalStateException(String.format("the plain loader on %s wrote %s;"
            + " expected %d orders, %d refunds, %d customers with %d orders in all, spent and"
            + " order times agreeing with the rows", kind, rows,
            orders, refunds, customers, orders));
      }
      double rate = n / ((t1 - t0) / 1e9);
      System.out.printf("%s %s plain JDBC: %,8.0f events/s (batch %d; rows %s; %s)%n", kind,
          label(r), rate, batch, rows, cpu);
      return rate;
    }
  }

  private static String label(int r) {
    return r < 0 ? "warm-up" : "round " + r;
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    Collections.sort(sorted);
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }
}
