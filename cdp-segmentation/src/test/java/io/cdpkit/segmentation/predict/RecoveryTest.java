package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Fits on 5,000 customers simulated from each model with a fixed seed recover the parameters
 * they were drawn with, and reach at least the log-likelihood of those true parameters (so the
 * optimiser found a maximum at least as good as the truth). The tolerances hold the spread
 * measured over seeds 1 to 7 with some room: BG/NBD r within 4%, alpha 7%, a 14%, b 20%;
 * Pareto/NBD r 7%, alpha 8%, s 17%, beta 42% (s and beta are strongly correlated: their ratio,
 * the mean dropout rate, is checked more tightly); Gamma-Gamma p 10%, q 4%, v 12%.
 */
class RecoveryTest {
  private static final FitOptions OPTIONS =
      FitOptions.of(PeriodUnit.WEEKS, LocalDate.of(2026, 1, 1));

  @Test
  @DisplayName("BG/NBD drawn with r 0.25, alpha 4, a 0.8, b 2.5 over 26 to 104 weeks: recovered")
  void bgNbd() {
    List<PurchaseSummary> data = Simulation.bgNbd(7, 5_000, 0.25, 4, 0.8, 2.5, 26, 104);
    BgNbd m = BgNbd.fit(data, OPTIONS);
    assertThat(m.r()).isCloseTo(0.25, Percentage.withPercentage(10));
    assertThat(m.alpha()).isCloseTo(4, Percentage.withPercentage(15));
    assertThat(m.a()).isCloseTo(0.8, Percentage.withPercentage(25));
    assertThat(m.b()).isCloseTo(2.5, Percentage.withPercentage(30));
    BgNbd truth = new BgNbd(0.25, 4, 0.8, 2.5, m.fit());
    assertThat(m.fit().logLikelihood()).isGreaterThanOrEqualTo(truth.logLikelihood(data));
  }

  @Test
  @DisplayName("Pareto/NBD drawn with r 0.55, alpha 10, s 0.6, beta 12 over 26 to 104 weeks: "
      + "recovered")
  void paretoNbd() {
    List<PurchaseSummary> data = Simulation.paretoNbd(7, 5_000, 0.55, 10, 0.6, 12, 26, 104);
    ParetoNbd m = ParetoNbd.fit(data, OPTIONS);
    assertThat(m.r()).isCloseTo(0.55, Percentage.withPercentage(12));
    assertThat(m.alpha()).isCloseTo(10, Percentage.withPercentage(15));
    assertThat(m.s()).isCloseTo(0.6, Percentage.withPercentage(25));
    assertThat(m.beta()).isCloseTo(12, Percentage.withPercentage(50));
    assertThat(m.s() / m.beta()).isCloseTo(0.05, Percentage.withPercentage(25));
    ParetoNbd truth = new ParetoNbd(0.55, 10, 0.6, 12, m.fit());
    assertThat(m.fit().logLikelihood()).isGreaterThanOrEqualTo(truth.logLikelihood(data));
  }

  @Test
  @DisplayName("Gamma-Gamma drawn with p 6, q 4, v 15 (1 to 10 repeats): recovered")
  void gammaGamma() {
    List<PurchaseSummary> data = Simulation.gammaGamma(7, 5_000, 6, 4, 15, 10);
    GammaGamma m = GammaGamma.fit(data, OPTIONS);
    assertThat(m.p()).isCloseTo(6, Percentage.withPercentage(15));
    assertThat(m.q()).isCloseTo(4, Percentage.withPercentage(10));
    assertThat(m.v()).isCloseTo(15, Percentage.withPercentage(20));
    GammaGamma truth = new GammaGamma(6, 4, 15, m.fit());
    double truthLl = 0;
    for (PurchaseSummary s : data) {
      truthLl += truth.logLikelihood(s.frequency(), s.meanRepeatSpend());
    }
    assertThat(m.fit().logLikelihood()).isGreaterThanOrEqualTo(truthLl);
  }
}
