package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pareto/NBD's closed-form likelihood and P(alive), in both cases of A0 (alpha >= beta and
 * alpha < beta), against the individual-level likelihood {@code lambda^x e^-(lambda+mu)T +
 * lambda^x mu/(lambda+mu) (e^-(lambda+mu)t_x - e^-(lambda+mu)T)} integrated numerically over
 * the two gamma distributions (mpmath {@code quad}, 20 digits).
 */
class ParetoNbdIntegralTest {
  @ParameterizedTest(name = "r={0} alpha={1} s={2} beta={3}, x={4} t_x={5} T={6}")
  @DisplayName("likelihood and P(alive) equal the double integral")
  @CsvSource({
      // alpha > beta
      "0.55, 12.0, 0.6, 8.0, 2, 30.43, 38.86, -9.72297523521814, 0.860976860511427",
      "0.55, 12.0, 0.6, 8.0, 0, 0.0, 38.86, -0.43293903845416, 0.24123390476245",
      "0.55, 12.0, 0.6, 8.0, 7, 20.0, 35.0, -20.5098442658876, 0.350190666693335",
      // alpha < beta (the CDNOW fit)
      "0.553, 10.58, 0.606, 11.66, 2, 30.43, 38.86, -9.55461577517109, 0.869145111481712",
      "0.553, 10.58, 0.606, 11.66, 0, 0.0, 38.86, -0.520877443814724, 0.295154847766077",
      "0.553, 10.58, 0.606, 11.66, 7, 20.0, 35.0, -20.1961515535772, 0.358708954232592",
  })
  void againstIntegral(double r, double alpha, double s, double beta, int x, double tx,
      double age, double logLikelihood, double alive) {
    ParetoNbd m = new ParetoNbd(r, alpha, s, beta, CdnowReferenceTest.OPTIONS.modelFit(-1, 1));
    assertThat(m.logLikelihood(x, tx, age)).isCloseTo(logLikelihood, within(1e-8));
    assertThat(m.probabilityAlive(x, tx, age)).isCloseTo(alive, within(1e-8));
  }

  @Test
  @DisplayName("a fit landing at alpha > beta reports the log-likelihood the per-customer "
      + "formula gives (the grouped evaluation agrees in that case too)")
  void groupedAgreesWhenAlphaAboveBeta() {
    List<PurchaseSummary> data = Simulation.paretoNbd(3, 2_000, 0.5, 12, 0.8, 5, 26, 104);
    ParetoNbd m = ParetoNbd.fit(data, CdnowReferenceTest.OPTIONS);
    assertThat(m.alpha()).isGreaterThan(m.beta());
    assertThat(m.logLikelihood(data)).isCloseTo(m.fit().logLikelihood(), within(1e-6));
  }
}
