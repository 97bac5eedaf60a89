package io.cdpkit.benchmarks;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.RecordCodec;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.examples.OnlineRetailEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the row stores (PostgreSQL, MariaDB, H2 with {@code journal(false)}) spend turning records
 * into the JSON text of their {@code body} columns ({@link RecordCodec}), per record: the stored
 * events and the final profiles of a data set, ingested once per trial into an in-memory store
 * and read back from it. On the UCI data a profile holds every order of its customer (up to
 * hundreds), and it is written again whole in every transaction that touches it.
 *
 * <ul>
 *   <li>{@code data=uci}: the UCI Online Retail year (26,562 events, 4,372 profiles); reads
 *       {@code ../shared/data/online-retail/online_retail.csv.gz} from the repository root, or
 *       {@code -Dcdp.bench.onlineRetail=PATH}.
 *   <li>{@code data=retail}: the first 100,000 events of {@link RetailEvents}.
 * </ul>
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -jar cdp-benchmarks/target/benchmarks.jar RecordCodecBenchmark -f 1 -wi 3 -w 5s -i 5 -r 5s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class RecordCodecBenchmark {

  /** The data set: {@code uci} or {@code retail}. */
  @Param({"uci", "retail"})
  public String data;

  private final RecordCodec codec = RecordCodec.create();
  private List<ProfileRecord> profiles;
  private List<StoredEvent> events;
  private int nextProfile;
  private int nextEvent;

  @Setup(Level.Trial)
  public void load() {
    List<Event> input = switch (data) {
      case "uci" -> OnlineRetailEvents.load(OnlineRetailEvents.file());
      case "retail" -> new RetailEvents(500_000, 0.8, RetailEvents.SEED).next(100_000);
      default -> throw new IllegalArgumentException("data: uci or retail, not " + data);
    };
    Store store = Store.inMemory();
    try (Cdp cdp = Cdp.builder().store(store).build()) {
      for (int i = 0; i < input.size(); i += 100) {
        cdp.ingest(input.subList(i, Math.min(input.size(), i + 100)));
      }
      profiles = store.read(WorkspaceId.DEFAULT, tx -> {
        List<ProfileRecord> all = new ArrayList<>();
        List<ProfileRecord> page = tx.profilesAfter(null, 1_000);
        while (!page.isEmpty()) {
          all.addAll(page);
          page = tx.profilesAfter(page.get(page.size() - 1).id(), 1_000);
        }
        return all;
      });
      events = store.read(WorkspaceId.DEFAULT, tx -> {
        List<StoredEvent> all = new ArrayList<>();
        for (Event e : input) {
          tx.event(e.messageId()).ifPresent(all::add);
        }
        return all;
      });
    }
    if (events.size() != input.size() || profiles.isEmpty()) {
      throw new IllegalStateException(events.size() + " of " + input.size() + " events stored, "
          + profiles.size() + " profiles");
    }
    System.out.printf("%n%s: %,d events, %,d profiles, %,d orders in them%n", data,
        events.size(), profiles.size(),
        profiles.stream().mapToLong(p -> p.state().orders().size()).sum());
  }

  /** One profile as the text of its {@code cdp_profiles.body}, the profiles taken in turn. */
  @Benchmark
  public String writeProfile() {
    ProfileRecord p = profiles.get(nextProfile);
    nextProfile = nextProfile + 1 == profiles.size() ? 0 : nextProfile + 1;
    return codec.writeProfile(p);
  }

  /** One stored event as the text of its {@code cdp_events.body}, the events taken in turn. */
  @Benchmark
  public String writeEvent() {
    StoredEvent e = events.get(nextEvent);
    nextEvent = nextEvent + 1 == events.size() ? 0 : nextEvent + 1;
    return codec.writeEvent(e);
  }
}
