package io.cdpkit.benchmarks;

import io.cdpkit.core.dedup.CandidatePair;
import io.cdpkit.core.dedup.DedupResult;
import io.cdpkit.core.dedup.DuplicateDetector;
import io.cdpkit.core.dedup.MatchField;
import io.cdpkit.core.dedup.MatchIndex;
import io.cdpkit.core.dedup.MatchModel;
import io.cdpkit.core.dedup.MatchRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A plain program measuring incremental duplicate detection: generates {@code N + M} records
 * with {@link DedupRounds#generate} (fixed seed), learns a model by batch detection over the
 * first {@code N} (timed: that is the batch measurement), puts those {@code N} into a
 * {@link MatchIndex}, then checks each of the {@code M} others against the index and puts it,
 * one after the other on one thread, timing each call. Prints per round the latency
 * percentiles of {@link MatchIndex#check}, of {@link MatchIndex#put} and of the two together
 * (one arrival), in milliseconds, and precision and recall of the auto-links found against the
 * generator's truth for the pairs an arrival forms with an earlier record. Before the first
 * round, {@code min(N, 20,000)} records of the index are checked once to warm the JIT; each
 * round builds a new index. A program, not a library type; stateless.
 *
 * <pre>
 * mvn -B -o -q -pl cdp-benchmarks -am package -DskipTests
 * java -Xmx6g -cp cdp-benchmarks/target/benchmarks.jar \
 *     io.cdpkit.benchmarks.DedupIncrementalRounds 100000 10000 3
 * </pre>
 */
public final class DedupIncrementalRounds {
  private DedupIncrementalRounds() {}

  /**
   * Latencies of one kind of call, in milliseconds. Immutable.
   *
   * @param p50 the median
   * @param p99 the 99th percentile
   * @param max the slowest
   * @param mean the mean
   */
  public record Latency(double p50, double p99, double max, double mean) {
    /** From nanosecond samples (sorted in place). */
    static Latency of(long[] nanos) {
      Arrays.sort(nanos);
      double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
      return new Latency(percentile(nanos, 0.50), percentile(nanos, 0.99),
          nanos.length == 0 ? 0 : nanos[nanos.length - 1] / 1e6, mean);
    }

    private static double percentile(long[] sorted, double q) {
      if (sorted.length == 0) {
        return 0;
      }
      int at = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, at))] / 1e6;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "p50=%.3f p99=%.3f max=%.3f mean=%.3f", p50, p99, max,
          mean);
    }
  }

  /**
   * One round. Immutable.
   *
   * @param indexed records put before the arrivals
   * @param arrivals records checked and put one by one
   * @param indexSeconds putting the first records
   * @param check latency of a check
   * @param put latency of a put
   * @param arrival latency of a check and a put together
   * @param pairs candidate pairs the checks returned
   * @param links auto-links among them
   * @param precision share of the links that are true
   * @param recall share of the true pairs of an arrival with an earlier record that are linked
   * @param skippedBlocks blocks the checks left out for size
   */
  public record Round(int indexed, int arrivals, double indexSeconds, Latency check,
      Latency put, Latency arrival, long pairs, int links, double precision, double recall,
      long skippedBlocks) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "indexed=%d arrivals=%d index-seconds=%.1f%n"
          + "  check   %s%n  put     %s%n  arrival %s%n"
          + "  pairs=%d links=%d precision=%.4f recall=%.4f skipped-blocks=%d", indexed,
          arrivals, indexSeconds, check, put, arrival, pairs, links, precision, recall,
          skippedBlocks);
    }
  }

  public static void main(String[] args) {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: DedupIncrementalRounds N M [ROUNDS]");
      System.exit(2);
    }
    int n = Integer.parseInt(args[0]);
    int m = Integer.parseInt(args[1]);
    int rounds = args.length == 3 ? Integer.parseInt(args[2]) : 1;
    DedupRounds.Generated g = DedupRounds.generate(n + m, DedupRounds.SEED);
    DuplicateDetector detector = DuplicateDetector.builder().fields(MatchField.standard())
        .build();
    List<MatchRecord> first = g.records().subList(0, n);
    long t0 = System.nanoTime();
    DedupResult batch = detector.detect(first);
    System.out.printf(Locale.ROOT, "batch detect over %d records: %.1f s, %d comparisons%n",
        n, (System.nanoTime() - t0) / 1e9, batch.comparisons());
    MatchModel model = batch.model();
    for (int r = 0; r < rounds; r++) {
      System.out.println("round " + (r + 1) + " " + run(detector, model, g, n, r == 0));
    }
  }

  /** Builds an index of the first {@code n} records and checks and puts the rest. */
  public static Round run(DuplicateDetector detector, MatchModel model,
      DedupRounds.Generated g, int n, boolean warmUp) {
    List<MatchRecord> records = g.records();
    MatchIndex index = detector.index(model);
    long t0 = System.nanoTime();
    for (MatchRecord r : records.subList(0, n)) {
      index.put(r);
    }
    double indexSeconds = (System.nanoTime() - t0) / 1e9;
    if (warmUp) {
      long sink = 0;
      for (MatchRecord r : records.subList(0, Math.min(n, 20_000))) {
        sink += index.check(r).pairs().size();
      }
      if (sink < 0) {
        throw new AssertionError();
      }
    }
    int m = records.size() - n;
    long[] check = new long[m];
    long[] put = new long[m];
    long[] arrival = new long[m];
    long pairs = 0;
    int links = 0;
    int correct = 0;
    long skipped = 0;
    for (int k = 0; k < m; k++) {
      MatchRecord r = records.get(n + k);
      long a = System.nanoTime();
      MatchIndex.Check c = index.check(r);
      long b = System.nanoTime();
      index.put(r);
      long e = System.nanoTime();
      check[k] = b - a;
      put[k] = e - b;
      arrival[k] = e - a;
      pairs += c.pairs().size();
      skipped += c.skippedBlocks();
      for (CandidatePair p : c.links()) {
        links++;
        if (g.truePairs().contains(DedupRounds.pairKey(p.first(), p.second()))) {
          correct++;
        }
      }
    }
    // The true pairs an arrival forms with an earlier record: those with a member among the
    // arrivals (ids are r0 to rN+M-1 in input order).
    long truth = g.truePairs().stream().filter(p -> {
      String[] two = p.split(" ");
      return Math.max(number(two[0]), number(two[1])) >= n;
    }).count();
    double precision = links == 0 ? 0 : (double) correct / links;
    double recall = truth == 0 ? 0 : (double) correct / truth;
    return new Round(n, m, indexSeconds, Latency.of(check), Latency.of(put),
        Latency.of(arrival), pairs, links, precision, recall, skipped);
  }

  private static int number(String id) {
    return Integer.parseInt(id.substring(1));
  }
}
