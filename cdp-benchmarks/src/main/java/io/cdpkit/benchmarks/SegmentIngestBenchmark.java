package io.cdpkit.benchmarks;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.segmentation.SegmentEvent;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Events per second through {@link Cdp#ingest} with real-time segments: after every change to a
 * profile, inside the ingest transaction, the segments that read what changed are evaluated
 * again and memberships written; listeners hear of entries and exits before {@code ingest}
 * returns. {@code -p segments=0} is the baseline (no {@link Segmentation} at all),
 * {@code segments=50} keeps the 50 segments of {@link RetailSegments}.
 *
 * <p>The stream is {@link RetailEvents#rich} (the classic mix with products lists, sizes,
 * consents and more traits; Zipf-skewed visitors; about 23 days of events per million), generated
 * once per trial with a fixed seed and not timed. The {@code Cdp}'s clock follows the stream:
 * before each call it is set to the time of the (last) event ingested, so windows and relative
 * dates are evaluated as they would be live. Each iteration (warm-up included) starts a fresh
 * {@code Cdp} on a fresh in-memory store, saves the segments (into the empty store) and replays
 * the stream from its start; it fails rather than wrap when the stream runs out, and checks after
 * the iteration that every consumed event was stored. The number of entries and exits heard is
 * printed per iteration.
 *
 * <p>{@code single} ingests one event per call; {@code batch} lists of {@value #BATCH} (one store
 * transaction each), reported per event.
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -jar cdp-benchmarks/target/benchmarks.jar SegmentIngestBenchmark -f 1 -wi 2 -w 5s -i 3 -r 10s
 * </pre>
 *
 * <p>A JMH state, driven by one thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms12g", "-Xmx12g"})
@State(Scope.Benchmark)
public class SegmentIngestBenchmark {
  /** Events per {@code batch} call. */
  static final int BATCH = 100;

  /** Real-time segments kept: 0 (no segmentation, the baseline) or 50. */
  @Param({"0", "50"})
  public int segments = 50;

  /** Length of the pre-generated stream; one iteration must not consume more. */
  @Param({"4000000"})
  public int events = 4_000_000;

  /** Distinct visitors in the stream. */
  @Param({"500000"})
  public int visitors = 500_000;

  private List<Event> stream = List.of();
  private Instant[] times = new Instant[0];
  private List<List<Event>> batches = List.of();
  private int next;
  private int nextBatch;
  private long heard;
  private final StreamClock clock = new StreamClock(Instant.EPOCH);
  private @Nullable Cdp cdp;

  @Setup(Level.Trial)
  public void generate() {
    if (segments != 0 && segments != RetailSegments.all().size()) {
      throw new IllegalArgumentException("segments must be 0 or " + RetailSegments.all().size());
    }
    RetailEvents gen = RetailEvents.rich(visitors, 0.8, RetailEvents.SEED);
    stream = List.copyOf(gen.next(events));
    times = new Instant[stream.size()];
    for (int i = 0; i < times.length; i++) {
      Instant t = stream.get(i).timestamp();
      times[i] = t == null ? Instant.EPOCH : t;
    }
    List<List<Event>> b = new ArrayList<>(events / BATCH);
    for (int i = 0; i + BATCH <= stream.size(); i += BATCH) {
      b.add(stream.subList(i, i + BATCH));
    }
    batches = List.copyOf(b);
    System.out.println();
    System.out.println("# stream: " + gen.describe() + ", up to " + gen.now());
  }

  @Setup(Level.Iteration)
  public void openCdp() {
    clock.set(times[0]);
    Cdp.Builder b = Cdp.builder().store(Store.inMemory()).clock(clock);
    Segmentation seg = null;
    if (segments > 0) {
      seg = Segmentation.builder().listener(this::hear).build();
      b.extension(seg);
    }
    Cdp c = b.build();
    if (seg != null) {
      for (SegmentDefinition d : RetailSegments.all()) {
        seg.segments().save(d);
      }
    }
    cdp = c;
    next = 0;
    nextBatch = 0;
    heard = 0;
  }

  private void hear(SegmentEvent e) {
    heard++;
  }

  @TearDown(Level.Iteration)
  public void checkAndClose() {
    Cdp c = cdp;
    if (c == null) {
      return;
    }
    long consumed = Math.min(next, stream.size()) + (long) Math.min(nextBatch, batches.size())
        * BATCH;
    long stored = c.profiles().eventCounts().values().stream().mapToLong(Long::longValue).sum();
    c.close();
    cdp = null;
    System.out.printf("  [%,d events, %,d segment entries and exits heard]%n", consumed, heard);
    if (stored != consumed) {
      throw new IllegalStateException("ingested " + consumed + " events but " + stored
          + " were stored: the stream has rejected or duplicate events");
    }
  }

  @Benchmark
  public IngestResult single() {
    int i = next++;
    if (i >= stream.size()) {
      throw exhausted();
    }
    clock.set(times[i]);
    return cdp().ingest(stream.get(i));
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public BatchResult batch() {
    int i = nextBatch++;
    if (i >= batches.size()) {
      throw exhausted();
    }
    clock.set(times[i * BATCH + BATCH - 1]);
    return cdp().ingest(batches.get(i));
  }

  private Cdp cdp() {
    Cdp c = cdp;
    if (c == null) {
      throw new IllegalStateException("no Cdp: iteration setup did not run");
    }
    return c;
  }

  private IllegalStateException exhausted() {
    return new IllegalStateException("the stream of " + stream.size() + " events ran out within "
        + "one iteration; run with a larger -p events=... or a shorter -r");
  }
}
