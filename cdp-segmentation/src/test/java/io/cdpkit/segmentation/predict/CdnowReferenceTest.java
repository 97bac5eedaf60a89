package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cdpkit.core.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The published fits on the CDNOW sample summary ({@code data/cdnow} of the shared data: 2,357
 * customers, weeks, calibration ending 1997-09-30), from Fader, Hardie and Lee (2005) and the
 * lifetimes project's documentation.
 */
class CdnowReferenceTest {
  static final FitOptions OPTIONS = FitOptions.of(PeriodUnit.WEEKS, LocalDate.of(1997, 9, 30))
      .withClock(Clock.fixed(Instant.parse("2026-12-06T00:00:00Z"), ZoneOffset.UTC));
  static List<PurchaseSummary> summaries;

  @BeforeAll
  static void read() throws IOException {
    summaries = read(SharedData.dataDir("cdnow")
        .resolve("cdnow_customers_summary_with_transactions.csv"));
  }

  /** Reads the file's {@code ID,x,t_x,T,zbar} rows. */
  static List<PurchaseSummary> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0)).isEqualTo("ID,x,t_x,T,zbar");
    List<PurchaseSummary> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      out.add(new PurchaseSummary(Integer.parseInt(f[1]), Double.parseDouble(f[2]),
          Double.parseDouble(f[3]), Double.parseDouble(f[4])));
    }
    return out;
  }

  @Test
  @DisplayName("BG/NBD: r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4, as published")
  void bgNbd() {
    AtomicLong calls = new AtomicLong();
    AtomicLong lastEvaluations = new AtomicLong();
    BgNbd m = BgNbd.fit(summaries, OPTIONS.withListener((phase, n, total) -> {
      assertThat(phase).isEqualTo("fit");
      calls.incrementAndGet();
      assertThat(n).isGreaterThanOrEqualTo(lastEvaluations.get());
      lastEvaluations.set(n);
    }));
    assertThat(m.r()).isCloseTo(0.243, Percentage.withPercentage(1));
    assertThat(m.alpha()).isCloseTo(4.414, Percentage.withPercentage(1));
    assertThat(m.a()).isCloseTo(0.793, Percentage.withPercentage(1));
    assertThat(m.b()).isCloseTo(2.426, Percentage.withPercentage(1));
    assertThat(m.fit().logLikelihood()).isCloseTo(-9582.4, within(0.5));
    assertThat(m.fit().customers()).isEqualTo(2357);
    assertThat(m.fit().unit()).isEqualTo(PeriodUnit.WEEKS);
    assertThat(m.fit().fittedAt()).isEqualTo(Instant.parse("2026-12-06T00:00:00Z"));
    assertThat(m.logLikelihood(summaries)).isCloseTo(m.fit().logLikelihood(), within(1e-6));
    assertThat(calls.get()).isGreaterThan(1);
  }

  @Test
  @DisplayName("BG/NBD, published parameters: x=26, t_x=30.857, T=31 expects 25.757 purchases "
      + "in 52 weeks and is alive with probability 0.9689")
  void bgNbdExampleCustomer() {
    BgNbd m = new BgNbd(0.243, 4.414, 0.793, 2.426, OPTIONS.modelFit(-9582.4, 2357));
    assertThat(m.expectedPurchases(52, 26, 30.857, 31)).isCloseTo(25.757, within(0.001));
    assertThat(m.probabilityAlive(26, 30.857, 31)).isCloseTo(0.9689, within(0.0001));
    // Fader, Hardie and Lee's customer 1 (x=2, t_x=30.43, T=38.86): 1.226 purchases in the next
    // 39 weeks with their (unrounded) parameters; scipy's hyp2f1 gives 1.2262 with these.
    assertThat(m.expectedPurchases(39, 2, 30.43, 38.86)).isCloseTo(1.226, within(0.002));
    // A new customer's first 39 weeks, against scipy with the same parameters.
    assertThat(m.expectedPurchasesNew(39)).isCloseTo(NEW_39, within(1e-9));
  }

  /** scipy 1.17: (a+b-1)/(a-1) * (1 - (alpha/(alpha+t))**r * hyp2f1(r, b, a+b-1, t/(alpha+t))). */
  private static final double NEW_39 = 1.1967231933207985;

  @Test
  @DisplayName("Pareto/NBD: r 0.553, alpha 10.58, s 0.606, beta 11.66, LL -9595.0, as published")
  void paretoNbd() {
    ParetoNbd m = ParetoNbd.fit(summaries, OPTIONS);
    assertThat(m.r()).isCloseTo(0.553, Percentage.withPercentage(1));
    assertThat(m.alpha()).isCloseTo(10.58, Percentage.withPercentage(1));
    assertThat(m.s()).isCloseTo(0.606, Percentage.withPercentage(1));
    assertThat(m.beta()).isCloseTo(11.66, Percentage.withPercentage(1));
    assertThat(m.fit().logLikelihood()).isCloseTo(-9595.0, within(0.5));
    assertThat(m.logLikelihood(summaries)).isCloseTo(m.fit().logLikelihood(), within(1e-6));
  }

  @Test
  @DisplayName("Gamma-Gamma on the 946 repeat buyers: p 6.25, q 3.74, v 15.44, as published")
  void gammaGamma() {
    GammaGamma m = GammaGamma.fit(summaries, OPTIONS);
    assertThat(m.fit().customers()).isEqualTo(946);
    assertThat(m.p()).isCloseTo(6.25, Percentage.withPercentage(1));
    assertThat(m.q()).isCloseTo(3.74, Percentage.withPercentage(1));
    assertThat(m.v()).isCloseTo(15.44, Percentage.withPercentage(1));
  }
}
