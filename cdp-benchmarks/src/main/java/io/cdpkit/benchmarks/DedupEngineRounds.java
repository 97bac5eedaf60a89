package io.cdpkit.benchmarks;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.dedup.DedupSettings;
import io.cdpkit.core.dedup.DetectionReport;
import io.cdpkit.core.dedup.MatchRecord;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A plain program measuring duplicate detection as a host runs it, through
 * {@code workspace.duplicates()} on the in-memory store: ingests the first {@code N} of
 * {@link DedupRounds#generate generated} person records as identify events (anonymousId = record
 * id, values as traits), runs the batch pass ({@code detect}) and reports its time, its links
 * and their precision and recall against the generator's truth (pairs of records that ended in
 * one profile); then ingests the remaining {@code M} records one call each, with incremental
 * checks on, and reports the latency of each call (p50, p99, max), next to the same calls into
 * a second workspace holding the same {@code N} records with detection off. The difference is
 * what the incremental check costs an ingest. A program, not a library type; stateless.
 *
 * <pre>
 * mvn -B -o -q -pl cdp-benchmarks -am package -DskipTests
 * java -Xmx8g -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.DedupEngineRounds \
 *     100000 2000
 * </pre>
 */
public final class DedupEngineRounds {
  private DedupEngineRounds() {}

  /** What one run measured. */
  public record Result(int profiles, double detectSeconds, int linked, int queued,
      double precision, double recall, long[] withNanos, long[] withoutNanos) {
    static double ms(long[] sorted, double q) {
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "profiles=%d detect_seconds=%.2f linked=%d queued=%d "
          + "precision=%.4f recall=%.4f%n"
          + "ingest with incremental checks: p50=%.3f ms p99=%.3f ms max=%.3f ms%n"
          + "ingest without:                 p50=%.3f ms p99=%.3f ms max=%.3f ms",
          profiles, detectSeconds, linked, queued, precision, recall,
          ms(withNanos, 0.5), ms(withNanos, 0.99), ms(withNanos, 1.0),
          ms(withoutNanos, 0.5), ms(withoutNanos, 0.99), ms(withoutNanos, 1.0));
    }
  }

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int m = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    System.out.println(run(n, m));
  }

  /** Runs once on {@code n} records, then {@code m} single ingests. */
  public static Result run(int n, int m) {
    DedupRounds.Generated g = DedupRounds.generate(n + m, DedupRounds.SEED);
    List<MatchRecord> first = g.records().subList(0, n);
    List<MatchRecord> rest = g.records().subList(n, n + m);
    try (Cdp cdp = Cdp.builder().build()) {
      Workspace with = cdp.workspace(WorkspaceId.of("with"));
      Workspace without = cdp.workspace(WorkspaceId.of("without"));
      ingest(with, first);
      ingest(without, first);
      with.duplicates().configure(DedupSettings.defaults());
      long start = System.nanoTime();
      DetectionReport report = with.duplicates().detect();
      double seconds = (System.nanoTime() - start) / 1e9;
      Set<String> linkedPairs = together(with);
      Set<String> inFirst = new HashSet<>();
      first.forEach(r -> inFirst.add(r.id()));
      long truth = g.truePairs().stream().map(p -> p.split(" "))
          .filter(p -> inFirst.contains(p[0]) && inFirst.contains(p[1])).count();
      long right = linkedPairs.stream().filter(g.truePairs()::contains).count();
      long[] withNanos = new long[m];
      long[] withoutNanos = new long[m];
      for (int i = 0; i < m; i++) {
        Event e = event(rest.get(i));
        long t0 = System.nanoTime();
        with.ingest(e);
        long t1 = System.nanoTime();
        without.ingest(e);
        long t2 = System.nanoTime();
        withNanos[i] = t1 - t0;
        withoutNanos[i] = t2 - t1;
      }
      Arrays.sort(withNanos);
      Arrays.sort(withoutNanos);
      return new Result(first.size(), seconds, report.linked(), report.queued(),
          linkedPairs.isEmpty() ? 0 : (double) right / linkedPairs.size(),
          truth == 0 ? 0 : (double) right / truth, withNanos, withoutNanos);
    }
  }

  static Event event(MatchRecord r) {
    Event.Builder e = Event.identify().messageId("m-" + r.id()).anonymousId(r.id());
    r.values().forEach(e::trait);
    return e.build();
  }

  private static void ingest(Workspace ws, List<MatchRecord> records) {
    List<Event> batch = new ArrayList<>();
    for (MatchRecord r : records) {
      batch.add(event(r));
      if (batch.size() == 1_000) {
        check(ws.ingest(batch));
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      check(ws.ingest(batch));
    }
  }

  private static void check(BatchResult r) {
    for (IngestResult x : r.results()) {
      if (x.status() != IngestResult.Status.STORED) {
        throw new IllegalStateException("event " + x.index() + " was " + x.status());
      }
    }
  }

  /** Pairs of record ids (as {@link DedupRounds#pairKey}) that share a profile. */
  static Set<String> together(Workspace ws) {
    Set<String> pairs = new HashSet<>();
    ProfileId after = null;
    for (List<Profile> page; !(page = ws.profiles().list(after, 1_000)).isEmpty(); ) {
      for (Profile p : page) {
        List<String> ids = p.identifiers(IdentifierType.ANONYMOUS_ID).stream()
            .map(Identifier::value).toList();
        for (int i = 0; i < ids.size(); i++) {
          for (int j = i + 1; j < ids.size(); j++) {
            pairs.add(DedupRounds.pairKey(ids.get(i), ids.get(j)));
          }
        }
      }
      after = page.get(page.size() - 1).id();
    }
    return pairs;
  }
}
