package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Fader, Hardie and Lee's hold-out check on the CDNOW sample: calibrate on the transactions up
 * to 1997-09-30 (weeks 1-39), predict each customer's repeat purchase days in the next 39 weeks
 * (weeks 40-78, to 1998-06-30) and compare the total with what they did.
 *
 * <p>Measured: 1,882 actual repeat purchase days; BG/NBD predicts 1,653.4 (-12.1%), Pareto/NBD
 * 1,665.5 (-11.5%). scipy's {@code hyp2f1} with the same parameters and summaries gives the same
 * BG/NBD total (1,653.41), so the shortfall is the models' on this data (demand that picked up
 * in 1998 is not in a stationary model), not the arithmetic. The test pins those totals and
 * keeps the error under 15%.
 */
class CdnowHoldoutTest {
  private static final LocalDate END = LocalDate.of(1997, 9, 30);
  private static final LocalDate HOLDOUT_END = LocalDate.of(1998, 6, 30);

  @Test
  @DisplayName("hold-out weeks 40-78: 1,882 repeat purchase days; BG/NBD predicts 1,653, "
      + "Pareto/NBD 1,666, both within 15%")
  void holdout() throws IOException {
    Map<String, List<PurchaseSummary.Purchase>> orders = new LinkedHashMap<>();
    Map<String, Set<LocalDate>> holdoutDays = new LinkedHashMap<>();
    for (String line : Files.readAllLines(SharedData.dataDir("cdnow")
        .resolve("CDNOW_sample.txt"), StandardCharsets.US_ASCII)) {
      String[] f = line.trim().split("\\s+");
      LocalDate day = LocalDate.parse(f[2], DateTimeFormatter.BASIC_ISO_DATE);
      orders.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new PurchaseSummary.Purchase(
          day.atStartOfDay(ZoneOffset.UTC).toInstant(), Double.parseDouble(f[4])));
      if (day.isAfter(END) && !day.isAfter(HOLDOUT_END)) {
        holdoutDays.computeIfAbsent(f[0], k -> new HashSet<>()).add(day);
      }
    }
    List<PurchaseSummary> summaries = new ArrayList<>();
    for (List<PurchaseSummary.Purchase> o : orders.values()) {
      summaries.add(PurchaseSummary.of(o, END, ZoneOffset.UTC, PeriodUnit.WEEKS).orElseThrow());
    }
    long actual = holdoutDays.values().stream().mapToLong(Set::size).sum();
    assertThat(actual).isEqualTo(1882);
    FitOptions options = FitOptions.of(PeriodUnit.WEEKS, END);
    double[] measured = {1653.4, 1665.5};
    int i = 0;
    for (PurchaseModel m : List.<PurchaseModel>of(BgNbd.fit(summaries, options),
        ParetoNbd.fit(summaries, options))) {
      double predicted = 0;
      for (PurchaseSummary s : summaries) {
        predicted += m.expectedPurchases(39, s);
      }
      System.out.printf("%s: hold-out repeat purchase days predicted %.1f, actual %d (%+.1f%%)%n",
          m.getClass().getSimpleName(), predicted, actual, 100 * (predicted - actual) / actual);
      assertThat(predicted).isCloseTo(measured[i++], Percentage.withPercentage(0.5))
          .isCloseTo(actual, Percentage.withPercentage(15));
    }
  }
}
