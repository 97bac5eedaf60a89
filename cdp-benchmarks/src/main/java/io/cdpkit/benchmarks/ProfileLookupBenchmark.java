package io.cdpkit.benchmarks;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Profile lookups per second by identifier ({@code cdp.profiles().find(identifier)}), on a store
 * filled once per trial with the first {@code events} events of the {@link RetailEvents} stream.
 * The lookups cycle through identifiers those events carry (anonymousIds and customer ids), in a
 * shuffled order fixed by the seed; each must find a profile, or the benchmark fails.
 *
 * <ul>
 *   <li>{@code cache=warm}: the store's default cache ({@value JdbcStore#DEFAULT_CACHE_SIZE}
 *       entries) and the first {@value #HOT} identifiers only, so that what they need (a node,
 *       a profile, the profile's nodes) fits and the warm-up iterations load it.
 *   <li>{@code cache=cold}: the cache switched off ({@code cacheSize(0)}) and every identifier:
 *       each lookup reads the database in a snapshot transaction.
 * </ul>
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -jar cdp-benchmarks/target/benchmarks.jar ProfileLookupBenchmark -p store=h2file,postgres,mariadb
 * </pre>
 *
 * <p>A JMH state: JMH owns its thread and lifecycle.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@State(Scope.Benchmark)
public class ProfileLookupBenchmark {
  /** The store, one of {@value BenchStores#KINDS}. */
  @Param({"h2file"})
  public String store = "h2file";

  /** {@code warm} (default cache) or {@code cold} (no cache). */
  @Param({"warm", "cold"})
  public String cache = "warm";

  /** Events ingested before measuring. */
  @Param({"50000"})
  public int events = 50_000;

  /** Identifiers the warm lookups cycle through. */
  static final int HOT = 5_000;

  private @Nullable BenchStores stores;
  private @Nullable Cdp cdp;
  private Identifier[] identifiers = new Identifier[0];
  private int next;

  @Setup(Level.Trial)
  public void fill() {
    long cacheSize = switch (cache) {
      case "warm" -> JdbcStore.DEFAULT_CACHE_SIZE;
      case "cold" -> 0;
      default -> throw new IllegalArgumentException("cache " + cache + " is not warm or cold");
    };
    stores = BenchStores.open(store, cacheSize);
    cdp = Cdp.builder().store(stores.store()).build();
    List<Event> stream = new RetailEvents(500_000, 0.8, RetailEvents.SEED).next(events);
    Set<Identifier> ids = new LinkedHashSet<>();
    for (int i = 0; i < stream.size(); i += 500) {
      List<Event> batch = stream.subList(i, Math.min(stream.size(), i + 500));
      cdp.ingest(batch);
      for (Event e : batch) {
        if (e.anonymousId() != null) {
          ids.add(Identifier.anonymousId(e.anonymousId()));
        }
        if (e.userId() != null) {
          ids.add(Identifier.customerId(e.userId()));
        }
      }
    }
    List<Identifier> shuffled = new ArrayList<>(ids);
    java.util.Collections.shuffle(shuffled, new java.util.Random(RetailEvents.SEED));
    if (cache.equals("warm") && shuffled.size() > HOT) {
      shuffled = shuffled.subList(0, HOT);
    }
    identifiers = shuffled.toArray(new Identifier[0]);
    System.out.println();
    System.out.println("# " + identifiers.length + " identifiers of " + events + " events");
  }

  @TearDown(Level.Trial)
  public void close() {
    if (cdp != null) {
      cdp.close();
    }
    if (stores != null) {
      stores.close();
    }
  }

  @Benchmark
  public Profile find() {
    Identifier id = identifiers[next];
    next = next + 1 == identifiers.length ? 0 : next + 1;
    Optional<Profile> p = cdp.profiles().find(id);
    if (p.isEmpty()) {
      throw new IllegalStateException("no profile for an identifier that was ingested");
    }
    return p.get();
  }
}
