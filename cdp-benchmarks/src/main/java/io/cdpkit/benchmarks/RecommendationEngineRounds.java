package io.cdpkit.benchmarks;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.examples.OnlineRetailEvents;
import io.cdpkit.segmentation.recommend.Recommendations;
import io.cdpkit.segmentation.recommend.TrainingReport;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A plain program measuring recommendations through the engine on the UCI Online Retail year
 * (the file of {@link OnlineRetailEvents}): ingests the orders before 2011-11-08 into an
 * in-memory {@link Cdp} with the {@link Recommendations} extension (clock at the cutoff), then
 * per round prints the time of {@link Recommendations#train} (reading every profile's events,
 * training, writing the JSON into the workspace's metadata in chunks), the time a second
 * {@code Cdp} on the same store takes to start and load the stored model, and the latency of
 * {@link Recommendations#recommend} (top 5) for every profile: median, 90th and 99th percentile
 * and mean, in microseconds, and of reading every profile with its computed traits (the
 * {@code recommended_products} trait included). A program, not a library type; stateless.
 *
 * <pre>
 * mvn -B -o -q -pl cdp-benchmarks -am package -DskipTests
 * java -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.RecommendationEngineRounds 5
 * </pre>
 */
public final class RecommendationEngineRounds {
  private static final Instant CUTOFF = Instant.parse("2011-11-08T00:00:00Z");

  private RecommendationEngineRounds() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0].trim()) : 5;
    List<Event> events = new ArrayList<>();
    for (Event e : OnlineRetailEvents.load(OnlineRetailEvents.file())) {
      if (e.eventTime().isBefore(CUTOFF)) {
        events.add(e);
      }
    }
    Store store = Store.inMemory();
    Recommendations engine = Recommendations.builder().build();
    Clock clock = Clock.fixed(CUTOFF, ZoneOffset.UTC);
    try (Cdp cdp = Cdp.builder().store(store).clock(clock).extension(engine).build()) {
      long t0 = System.nanoTime();
      for (int from = 0; from < events.size(); from += 1_000) {
        cdp.ingest(List.copyOf(events.subList(from, Math.min(events.size(), from + 1_000))));
      }
      List<ProfileId> ids = new ArrayList<>();
      ProfileId after = null;
      for (List<Profile> page; !(page = cdp.profiles().list(after, 1_000)).isEmpty(); ) {
        page.forEach(p -> ids.add(p.id()));
        after = page.get(page.size() - 1).id();
      }
      System.out.printf(Locale.ROOT, "ingested %d events, %d profiles in %.1f s%n",
          events.size(), ids.size(), (System.nanoTime() - t0) / 1e9);
      for (int round = 1; round <= rounds; round++) {
        long start = System.nanoTime();
        TrainingReport report = engine.train(WorkspaceId.DEFAULT, ProgressListener.none());
        double trainSeconds = (System.nanoTime() - start) / 1e9;

        Recommendations fresh = Recommendations.builder().build();
        // Opening the default workspace loads the stored model (chunks, checksum, JSON).
        start = System.nanoTime();
        try (Cdp other = Cdp.builder().store(store).clock(clock)
            .extension(fresh).build()) {
          other.profiles();
        }
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        if (fresh.model(WorkspaceId.DEFAULT).isEmpty()) {
          throw new IllegalStateException("the stored model was not loaded");
        }

        long[] nanos = new long[ids.size()];
        long sink = 0;
        long total = 0;
        for (int i = 0; i < ids.size(); i++) {
          long s = System.nanoTime();
          sink += engine.recommend(WorkspaceId.DEFAULT, ids.get(i), 5).size();
          nanos[i] = System.nanoTime() - s;
          total += nanos[i];
        }
        Arrays.sort(nanos);
        start = System.nanoTime();
        for (ProfileId id : ids) {
          sink += cdp.profiles().get(id).orElseThrow().computedTraits().size();
        }
        double profileMicros = (System.nanoTime() - start) / 1e3 / ids.size();
        System.out.printf(Locale.ROOT, "round %d: train=%.3f s (v%d, %d chunks, %.1f MB) "
            + "load=%.3f s | recommend p50=%.1f us p90=%.1f us p99=%.1f us mean=%.1f us | "
            + "profile with traits %.1f us (sink %d)%n", round, trainSeconds, report.version(),
            report.chunks(), report.jsonChars() / 1e6, loadSeconds, micros(nanos, 0.5),
            micros(nanos, 0.9), micros(nanos, 0.99), total / 1e3 / ids.size(), profileMicros,
            sink);
      }
    }
  }

  private static double micros(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1e3;
  }
}
