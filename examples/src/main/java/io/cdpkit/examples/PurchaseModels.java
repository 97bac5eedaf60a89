package io.cdpkit.examples;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.segmentation.predict.BgNbd;
import io.cdpkit.segmentation.predict.GammaGamma;
import io.cdpkit.segmentation.predict.ModelReport;
import io.cdpkit.segmentation.predict.ParetoNbd;
import io.cdpkit.segmentation.predict.Predictions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fits the purchase models on the CDNOW data (see {@code ../shared/data/README.md}) the way a
 * host would on its own workspace: loads every transaction as an {@code Order Completed} event
 * (userId = the customer id, {@code order_id}, {@code total} in USD, the day as timestamp) into
 * an in-memory {@link Cdp} whose clock stands at the calibration end, and fits through the
 * engine with {@link Predictions#fit} (which builds each customer's summary in weeks from the
 * profile's orders as the engine counts them: one per order id, net of refunds, same-day orders
 * merged): BG/NBD and Gamma-Gamma, then Pareto/NBD; it prints:
 *
 * <pre>
 * BG/NBD r=&lt;..&gt; alpha=&lt;..&gt; a=&lt;..&gt; b=&lt;..&gt; ll=&lt;..&gt;
 * Pareto/NBD r=&lt;..&gt; alpha=&lt;..&gt; s=&lt;..&gt; beta=&lt;..&gt; ll=&lt;..&gt;
 * Gamma-Gamma p=&lt;..&gt; q=&lt;..&gt; v=&lt;..&gt;
 * </pre>
 *
 * <p>Reads both files' formats: the sample's (no header; {@code master_id sample_id YYYYMMDD
 * n_cds dollars}) and the master's (header {@code customer_id date number_of_cds
 * dollar_value}), told apart by the header or the number of columns.
 *
 * <p>Run it with {@code mvn -q -pl examples -am package exec:java -DskipTests
 * -Dexample=PurchaseModels -Dexec.args="../shared/data/cdnow/CDNOW_sample.txt 1997-09-30"}.
 * Stateless.
 */
public final class PurchaseModels {
  private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

  private PurchaseModels() {}

  public static void main(String[] args) throws IOException {
    String[] parts = String.join(" ", args).trim().split("\\s+");
    if (parts.length != 2) {
      System.err.println("usage: PurchaseModels CDNOW_FILE CALIBRATION_END (YYYY-MM-DD)");
      System.exit(2);
    }
    run(System.out, Path.of(parts[0]), LocalDate.parse(parts[1]));
  }

  /** One CDNOW transaction. */
  record Transaction(String customer, LocalDate day, BigDecimal dollars) {}

  /** The three fitted models, and how many customers the summaries covered. */
  record Outcome(BgNbd bgNbd, ParetoNbd paretoNbd, GammaGamma gammaGamma, int customers) {}

  /**
   * Loads, fits and prints the three lines. The orders up to the calibration end are ingested
   * into a {@code Cdp} whose clock stands at noon UTC of that day, so that
   * {@link Predictions#fit} calibrates there: once with BG/NBD (and Gamma-Gamma), then, on a
   * second {@code Cdp} over the same store, with Pareto/NBD (stored as the next version).
   */
  static Outcome run(PrintStream out, Path file, LocalDate calibrationEnd) throws IOException {
    List<Transaction> transactions = read(file);
    Clock clock = Clock.fixed(calibrationEnd.atTime(12, 0).toInstant(ZoneOffset.UTC),
        ZoneOffset.UTC);
    Store store = Store.inMemory();
    ModelReport bgReport;
    ModelReport paretoReport;
    Predictions bgNbd = Predictions.builder().model(Predictions.Model.BG_NBD)
        .refreshInterval(Duration.ZERO).build();
    try (Cdp cdp = Cdp.builder().store(store).clock(clock).defaultCurrency("USD")
        .extension(bgNbd).build()) {
      List<Event> batch = new ArrayList<>();
      int n = 0;
      for (Transaction t : transactions) {
        String id = "cdnow-" + n++;
        if (t.day().isAfter(calibrationEnd)) {
          continue; // the hold-out period: the clock has not reached it
        }
        batch.add(Event.track("Order Completed").messageId(id).userId(t.customer())
            .timestamp(t.day().atStartOfDay(ZoneOffset.UTC).toInstant())
            .property("order_id", id).property("total", t.dollars())
            .property("currency", "USD").build());
        if (batch.size() == 1_000) {
          ingest(cdp, batch);
        }
      }
      ingest(cdp, batch);
      bgReport = bgNbd.fit(WorkspaceId.DEFAULT, ProgressListener.none());
    }
    Predictions pareto = Predictions.builder().model(Predictions.Model.PARETO_NBD)
        .refreshInterval(Duration.ZERO).build();
    try (Cdp cdp = Cdp.builder().store(store).clock(clock).defaultCurrency("USD")
        .extension(pareto).build()) {
      paretoReport = pareto.fit(WorkspaceId.DEFAULT, ProgressListener.none());
    } finally {
      store.close();
    }
    BgNbd bg = (BgNbd) bgReport.models().purchases();
    ParetoNbd pn = (ParetoNbd) paretoReport.models().purchases();
    GammaGamma gg = bgReport.models().spend();
    out.println(String.format(Locale.ROOT, "BG/NBD r=%.4f alpha=%.4f a=%.4f b=%.4f ll=%.4f",
        bg.r(), bg.alpha(), bg.a(), bg.b(), bg.fit().logLikelihood()));
    out.println(String.format(Locale.ROOT,
        "Pareto/NBD r=%.4f alpha=%.4f s=%.4f beta=%.4f ll=%.4f", pn.r(), pn.alpha(),
        pn.s(), pn.beta(), pn.fit().logLikelihood()));
    out.println(String.format(Locale.ROOT, "Gamma-Gamma p=%.4f q=%.4f v=%.4f", gg.p(), gg.q(),
        gg.v()));
    return new Outcome(bg, pn, gg, bgReport.customers());
  }

  /**
   * Reads a CDNOW file of either format: five columns ({@code master_id sample_id YYYYMMDD n_cds
   * dollars}, the sample) or four ({@code customer_id date number_of_cds dollar_value}, the
   * master, whose header line is skipped).
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the line that has neither shape
   */
  static List<Transaction> read(Path file) throws IOException {
    List<Transaction> out = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      int lineNumber = 0;
      for (String line; (line = in.readLine()) != null; ) {
        lineNumber++;
        String[] f = line.trim().split("\\s+");
        if (line.isBlank() || (lineNumber == 1 && f[0].equals("customer_id"))) {
          continue;
        }
        int dateColumn;
        if (f.length == 5) {
          dateColumn = 2;
        } else if (f.length == 4) {
          dateColumn = 1;
        } else {
          throw new IllegalArgumentException("line " + lineNumber
              + ": expected 4 columns (master) or 5 (sample), found " + f.length);
        }
        try {
          out.add(new Transaction(f[0], LocalDate.parse(f[dateColumn], DAY),
              new BigDecimal(f[dateColumn + 2])));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("line " + lineNumber
              + ": expected a date YYYYMMDD and a dollar amount", e);
        }
      }
    }
    return out;
  }

  private static void ingest(Cdp cdp, List<Event> batch) {
    if (batch.isEmpty()) {
      return;
    }
    BatchResult result = cdp.ingest(List.copyOf(batch));
    if (result.results().size() != batch.size()) {
      throw new IllegalStateException("ingest returned " + result.results().size()
          + " results for " + batch.size() + " events");
    }
    batch.clear();
  }
}
