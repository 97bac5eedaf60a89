package io.cdpkit.benchmarks;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.traits.ComputedTraits;
import io.cdpkit.segmentation.predict.ModelReport;
import io.cdpkit.segmentation.predict.Predictions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Predictions} through the engine on the CDNOW data: the CDNOW transactions up to
 * 1997-09-30 are ingested as {@code Order Completed} events (USD) into an in-memory {@code Cdp}
 * whose clock stands at noon UTC that day, once per trial, outside the timed code.
 *
 * <ul>
 *   <li>{@code fit}: one whole {@code Predictions.fit} (reading every profile, summaries, BG/NBD,
 *       Gamma-Gamma, cut points, storing), single shot, in milliseconds.
 *   <li>{@code trait}: the value of one prediction trait for one profile, as a segment condition
 *       asks for it ({@code ComputedTraits.value(workspace, name, state, now)}: builds the
 *       profile's summary from its state, then scores it), cycling through all profiles, in
 *       nanoseconds.
 * </ul>
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -jar cdp-benchmarks/target/benchmarks.jar PredictionsBenchmark -p file=master
 * </pre>
 *
 * <p>A JMH state: JMH owns its thread and lifecycle.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@State(Scope.Benchmark)
public class PredictionsBenchmark {
  /** {@code sample} (2,357 customers) or {@code master} (23,570). */
  @Param({"sample", "master"})
  public String file = "sample";

  /** The trait {@code trait} reads. */
  @Param({"p_alive", "expected_purchases_90d", "predicted_value_365d", "churn_cohort"})
  public String name = "p_alive";

  private static final LocalDate END = LocalDate.of(1997, 9, 30);

  private Store store;
  private Cdp cdp;
  private Predictions predictions;
  private ComputedTraits traits;
  private ProfileState[] states = new ProfileState[0];
  private Instant now;
  private int next;

  @Setup(Level.Trial)
  public void load() {
    String root = System.getProperty("cdpkit.shared", "../shared");
    Path path = Path.of(root, "data", "cdnow", "CDNOW_" + file + ".txt");
    now = END.atTime(12, 0).toInstant(ZoneOffset.UTC);
    store = Store.inMemory();
    predictions = Predictions.builder().refreshInterval(Duration.ZERO).build();
    cdp = Cdp.builder().store(store).clock(Clock.fixed(now, ZoneOffset.UTC))
        .defaultCurrency("USD").extension(predictions).build();
    List<Event> batch = new ArrayList<>();
    int n = 0;
    try {
      for (String line : Files.readAllLines(path, StandardCharsets.US_ASCII)) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 4 || f[0].equals("customer_id")) {
          continue;
        }
        int date = f.length == 5 ? 2 : 1;
        LocalDate day = LocalDate.parse(f[date], DateTimeFormatter.BASIC_ISO_DATE);
        if (day.isAfter(END)) {
          continue;
        }
        String id = "cdnow-" + n++;
        batch.add(Event.track("Order Completed").messageId(id).userId(f[0])
            .timestamp(day.atStartOfDay(ZoneOffset.UTC).toInstant()).property("order_id", id)
            .property("total", new BigDecimal(f[date + 2])).property("currency", "USD")
            .build());
        if (batch.size() == 1_000) {
          cdp.ingest(List.copyOf(batch));
          batch.clear();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    cdp.ingest(List.copyOf(batch));
    ModelReport r = predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none());
    System.out.println("fitted on " + r.customers() + " customers, " + r.repeatBuyers()
        + " repeat buyers: " + r.models().purchases());
    List<ProfileState> out = new ArrayList<>();
    ProfileId after = null;
    while (true) {
      ProfileId from = after;
      List<ProfileRecord> page = store.read(WorkspaceId.DEFAULT,
          tx -> tx.profilesAfter(from, 1_000));
      if (page.isEmpty()) {
        break;
      }
      page.forEach(p -> out.add(p.state()));
      after = page.get(page.size() - 1).id();
    }
    states = out.toArray(new ProfileState[0]);
    traits = cdp.computedTraits();
  }

  @TearDown(Level.Trial)
  public void close() {
    cdp.close();
    store.close();
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 3)
  @Measurement(iterations = 5)
  public ModelReport fit() {
    return predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none());
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public Optional<Object> trait() {
    ProfileState s = states[next];
    next = next + 1 == states.length ? 0 : next + 1;
    return traits.value(WorkspaceId.DEFAULT, name, s, now);
  }
}
