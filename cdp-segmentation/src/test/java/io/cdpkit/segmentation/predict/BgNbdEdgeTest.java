package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BgNbdEdgeTest {
  private static BgNbd model(double b) {
    return new BgNbd(0.4, 5, 0.75, b, CdnowReferenceTest.OPTIONS.modelFit(-1, 1));
  }

  @Test
  @DisplayName("regression: a + b = 1 (2F1 with c = 0) gives the limit of its neighbours, not an "
      + "exception")
  void cZero() {
    for (double t : new double[] {1, 10, 52, 200}) {
      double at = model(0.25).expectedPurchasesNew(t);
      double below = model(0.25 - 1e-4).expectedPurchasesNew(t);
      double above = model(0.25 + 1e-4).expectedPurchasesNew(t);
      assertThat(at).isBetween(Math.min(below, above), Math.max(below, above));
      assertThat(at).isCloseTo((below + above) / 2, within(1e-6 * Math.max(1, at)));
      double conditional = model(0.25).expectedPurchases(t, 0, 0, 30);
      assertThat(conditional).isCloseTo((model(0.25 - 1e-4).expectedPurchases(t, 0, 0, 30)
          + model(0.25 + 1e-4).expectedPurchases(t, 0, 0, 30)) / 2, within(1e-6));
    }
  }
}
