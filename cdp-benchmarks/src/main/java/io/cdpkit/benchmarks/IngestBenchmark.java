package io.cdpkit.benchmarks;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Event;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Events per second through the whole ingest path of {@link Cdp}: validation, receivedAt,
 * identifier normalisation (e-mail, E.164 phone), identity resolution with stitching and merges,
 * profile state, and the store's write transaction.
 *
 * <p>The events come from {@link RetailEvents} (70% page and product views, 10% identify, 10%
 * cart, 10% orders, Zipf-skewed visitors, 20% of them customers who get stitched), generated once
 * per trial with a fixed seed and not timed. Every iteration starts a fresh {@link Cdp} on a fresh
 * store and replays the stream from its start, so every ingested messageId is new to the store
 * (no cheap duplicates) and the store grows from empty during each iteration. When an iteration
 * would run past the end of the stream the benchmark fails instead of wrapping around: raise
 * {@code -p events=...}. After each iteration the benchmark checks that every consumed event was
 * stored (none rejected, none a duplicate).
 *
 * <p>{@code single} ingests one event per call; {@code batch} ingests lists of
 * {@value #BATCH} events per call (one store transaction each) and reports per event. The
 * {@code *TwoThreads} variants run the same with two threads on one shared {@code Cdp}, taking
 * events from one shared cursor; {@code singleEightThreads} with eight, which is where gathering
 * ({@code -p gatherMs=2}) pays on the JDBC stores.
 *
 * <p>Build and run from the repository root:
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -jar cdp-benchmarks/target/benchmarks.jar IngestBenchmark -f 1 -wi 2 -w 5s -i 5 -r 10s
 * </pre>
 *
 * <p>Results and the machine they were taken on are in {@code BENCHMARKS.md}. A JMH state: JMH
 * owns its threads and lifecycle (thread-safe for the {@code @Threads(2)} methods, whose shared
 * cursor is atomic).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms8g", "-Xmx8g"})
@State(Scope.Benchmark)
public class IngestBenchmark {
  /** Events per {@code batch} call. */
  static final int BATCH = 100;

  /** The store, one of {@value BenchStores#KINDS}; see {@link BenchStores}. */
  @Param({"memory"})
  public String store = "memory";

  /**
   * Gathering of single ingests ({@code Cdp.Builder.gatherIngests}) in milliseconds of maximum
   * delay, groups of up to {@value #GATHER_BATCH}; 0 leaves it off.
   */
  @Param({"0"})
  public int gatherMs = 0;

  /**
   * Encryption at rest of the JDBC stores ({@code JdbcStore.Builder.encryption}): {@code off}
   * or {@code on}.
   */
  @Param({"off"})
  public String encryption = "off";

  /** The most events of one gathered group. */
  static final int GATHER_BATCH = 256;

  /** Length of the pre-generated stream; one iteration must not consume more. */
  @Param({"4000000"})
  public int events = 4_000_000;

  /** Distinct visitors in the stream. */
  @Param({"500000"})
  public int visitors = 500_000;

  /** Zipf exponent of visitor activity. */
  @Param({"0.8"})
  public double skew = 0.8;

  private List<Event> stream = List.of();
  private List<List<Event>> batches = List.of();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger nextBatch = new AtomicInteger();
  private @Nullable BenchStores currentStore;
  private @Nullable Cdp cdp;

  @Setup(Level.Trial)
  public void generate() {
    RetailEvents gen = new RetailEvents(visitors, skew, RetailEvents.SEED);
    stream = List.copyOf(gen.next(events));
    List<List<Event>> b = new ArrayList<>(events / BATCH);
    for (int i = 0; i + BATCH <= stream.size(); i += BATCH) {
      b.add(stream.subList(i, i + BATCH));
    }
    batches = List.copyOf(b);
    System.out.println();
    System.out.println("# stream: " + gen.describe());
  }

  @Setup(Level.Iteration)
  public void openCdp() {
    currentStore = BenchStores.open(store, JdbcStore.DEFAULT_CACHE_SIZE,
        switch (encryption) {
          case "off" -> false;
          case "on" -> true;
          default -> throw new IllegalArgumentException("encryption: on or off, was "
              + encryption);
        });
    Cdp.Builder b = Cdp.builder().store(currentStore.store());
    if (gatherMs > 0) {
      b.gatherIngests(Duration.ofMillis(gatherMs), GATHER_BATCH);
    }
    cdp = b.build();
    next.set(0);
    nextBatch.set(0);
  }

  @TearDown(Level.Iteration)
  public void checkAndClose() {
    Cdp c = cdp;
    BenchStores s = currentStore;
    if (c == null || s == null) {
      return;
    }
    long consumed = Math.min(next.get(), stream.size())
        + (long) Math.min(nextBatch.get(), batches.size()) * BATCH;
    long stored = c.profiles().eventCounts().values().stream().mapToLong(Long::longValue).sum();
    c.close();
    s.close();
    cdp = null;
    currentStore = null;
    if (stored != consumed) {
      throw new IllegalStateException("ingested " + consumed + " events but " + stored
          + " were stored: the stream has rejected or duplicate events");
    }
  }

  @Benchmark
  public IngestResult single() {
    return ingestOne();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public BatchResult batch() {
    return ingestBatch();
  }

  @Benchmark
  @Threads(2)
  public IngestResult singleTwoThreads() {
    return ingestOne();
  }

  /** Eight callers of single ingests: what gathering is for (use with {@code -p gatherMs=2}). */
  @Benchmark
  @Threads(8)
  public IngestResult singleEightThreads() {
    return ingestOne();
  }

  @Benchmark
  @Threads(2)
  @OperationsPerInvocation(BATCH)
  public BatchResult batchTwoThreads() {
    return ingestBatch();
  }

  private IngestResult ingestOne() {
    int i = next.getAndIncrement();
    if (i >= stream.size()) {
      throw exhausted();
    }
    return cdp().ingest(stream.get(i));
  }

  private BatchResult ingestBatch() {
    int i = nextBatch.getAndIncrement();
    if (i >= batches.size()) {
      throw exhausted();
    }
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
