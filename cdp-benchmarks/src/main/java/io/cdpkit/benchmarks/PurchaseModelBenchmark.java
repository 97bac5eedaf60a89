package io.cdpkit.benchmarks;

import io.cdpkit.segmentation.predict.BgNbd;
import io.cdpkit.segmentation.predict.FitOptions;
import io.cdpkit.segmentation.predict.GammaGamma;
import io.cdpkit.segmentation.predict.ParetoNbd;
import io.cdpkit.segmentation.predict.PeriodUnit;
import io.cdpkit.segmentation.predict.PurchaseSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Fitting the purchase models on the CDNOW data, and scoring one customer with them. The
 * transactions are read from {@code ../shared/data/cdnow/CDNOW_<file>.txt} (relative to the
 * repository root; {@code -Dcdpkit.shared=/path/to/shared} elsewhere) and summarised in weeks at
 * the calibration end 1997-09-30 once per trial, outside the timed code.
 *
 * <ul>
 *   <li>{@code fitBgNbd}, {@code fitParetoNbd}, {@code fitGammaGamma}: one whole fit (every start
 *       and restart) per operation, single shot, in milliseconds.
 *   <li>{@code scoreBgNbd}, {@code scoreParetoNbd}: probability alive plus expected purchases in
 *       the next 52 weeks of one customer, cycling through all customers, in nanoseconds.
 *   <li>{@code customerValue}: BG/NBD plus Gamma-Gamma value over 12 monthly periods (12
 *       conditional expectations), in nanoseconds.
 * </ul>
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -jar cdp-benchmarks/target/benchmarks.jar PurchaseModelBenchmark -p file=sample,master
 * </pre>
 *
 * <p>A JMH state: JMH owns its thread and lifecycle.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class PurchaseModelBenchmark {
  /** {@code sample} (2,357 customers) or {@code master} (23,570). */
  @Param({"sample", "master"})
  public String file = "sample";

  private static final LocalDate END = LocalDate.of(1997, 9, 30);
  private static final FitOptions OPTIONS = FitOptions.of(PeriodUnit.WEEKS, END);

  private List<PurchaseSummary> summaries = List.of();
  private PurchaseSummary[] cycle = new PurchaseSummary[0];
  private BgNbd bg;
  private ParetoNbd pareto;
  private GammaGamma gg;
  private int next;

  @Setup(Level.Trial)
  public void read() {
    String root = System.getProperty("cdpkit.shared", "../shared");
    Path path = Path.of(root, "data", "cdnow", "CDNOW_" + file + ".txt");
    Map<String, List<PurchaseSummary.Purchase>> orders = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(path, StandardCharsets.US_ASCII)) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 4 || f[0].equals("customer_id")) {
          continue;
        }
        int date = f.length == 5 ? 2 : 1;
        orders.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new PurchaseSummary.Purchase(
            LocalDate.parse(f[date], DateTimeFormatter.BASIC_ISO_DATE)
                .atStartOfDay(ZoneOffset.UTC).toInstant(),
            Double.parseDouble(f[date + 2])));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<PurchaseSummary> out = new ArrayList<>();
    for (List<PurchaseSummary.Purchase> o : orders.values()) {
      PurchaseSummary.of(o, END, ZoneOffset.UTC, PeriodUnit.WEEKS).ifPresent(out::add);
    }
    summaries = List.copyOf(out);
    cycle = out.toArray(new PurchaseSummary[0]);
    bg = BgNbd.fit(summaries, OPTIONS);
    pareto = ParetoNbd.fit(summaries, OPTIONS);
    gg = GammaGamma.fit(summaries, OPTIONS);
  }

  private PurchaseSummary nextCustomer() {
    PurchaseSummary s = cycle[next];
    next = next + 1 == cycle.length ? 0 : next + 1;
    return s;
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 3)
  @Measurement(iterations = 5)
  public BgNbd fitBgNbd() {
    return BgNbd.fit(summaries, OPTIONS);
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 3)
  @Measurement(iterations = 5)
  public ParetoNbd fitParetoNbd() {
    return ParetoNbd.fit(summaries, OPTIONS);
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 3)
  @Measurement(iterations = 5)
  public GammaGamma fitGammaGamma() {
    return GammaGamma.fit(summaries, OPTIONS);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public double scoreBgNbd() {
    PurchaseSummary s = nextCustomer();
    return bg.probabilityAlive(s) + bg.expectedPurchases(52, s);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public double scoreParetoNbd() {
    PurchaseSummary s = nextCustomer();
    return pareto.probabilityAlive(s) + pareto.expectedPurchases(52, s);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public double customerValue() {
    return gg.customerValue(bg, nextCustomer(), 12, 52.0 / 12, 0.01);
  }
}
