package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Laws of the fitted models over wide parameter and history ranges. */
class PurchaseModelProperties {
  private static final ModelFit FIT = new ModelFit(-1, 1, PeriodUnit.WEEKS,
      LocalDate.of(2026, 1, 1), ZoneId.of("UTC"), 1, Instant.EPOCH);

  /** A history: x in 0..60, t_x <= T, T up to 200 units. */
  @Provide
  Arbitrary<PurchaseSummary> histories() {
    return Combinators.combine(Arbitraries.integers().between(0, 60),
        Arbitraries.doubles().between(0, 1), Arbitraries.doubles().between(0, 200))
        .as((x, share, age) -> PurchaseSummary.of(x, x == 0 ? 0 : share * age, age));
  }

  @Provide
  Arbitrary<PurchaseModel> models() {
    Arbitrary<Double> shape = Arbitraries.doubles().between(0.05, 5);
    Arbitrary<Double> rate = Arbitraries.doubles().between(0.5, 40);
    Arbitrary<PurchaseModel> bg = Combinators.combine(shape, rate, shape, shape)
        .filter((r, alpha, a, b) -> Math.abs(a - 1) > 1e-3)
        .as((r, alpha, a, b) -> new BgNbd(r, alpha, a, b, FIT));
    Arbitrary<PurchaseModel> pareto = Combinators.combine(shape, rate, shape, rate)
        .as((r, alpha, s, beta) -> new ParetoNbd(r, alpha, s, beta, FIT));
    return Arbitraries.oneOf(bg, pareto);
  }

  @Property(tries = 400)
  @Label("probability alive lies in [0, 1], and is 1 for a customer with no repeat purchase "
      + "under BG/NBD")
  void aliveIsAProbability(@ForAll("models") PurchaseModel m,
      @ForAll("histories") PurchaseSummary s) {
    double p = m.probabilityAlive(s);
    assertThat(p).isBetween(0.0, 1.0);
    if (m instanceof BgNbd && s.frequency() == 0) {
      assertThat(p).isEqualTo(1.0);
    }
  }

  @Property(tries = 400)
  @Label("expected purchases are finite, at least 0 and grow with the horizon")
  void expectationsGrowWithTime(@ForAll("models") PurchaseModel m,
      @ForAll("histories") PurchaseSummary s,
      @ForAll @DoubleRange(min = 0, max = 300) double t1,
      @ForAll @DoubleRange(min = 0.01, max = 300) double dt) {
    double e1 = m.expectedPurchases(t1, s);
    double e2 = m.expectedPurchases(t1 + dt, s);
    assertThat(e1).isFinite().isGreaterThanOrEqualTo(-1e-9);
    // Relative slack for the rounding of 1 - (1 - z)^k 2F1(...) near a flat curve.
    assertThat(e2).isGreaterThanOrEqualTo(e1 - 1e-9 * Math.max(1, e1));
    double n1 = m.expectedPurchasesNew(t1);
    double n2 = m.expectedPurchasesNew(t1 + dt);
    assertThat(n1).isFinite().isGreaterThanOrEqualTo(-1e-9);
    assertThat(n2).isGreaterThanOrEqualTo(n1 - 1e-9 * Math.max(1, n1));
  }

  @Property(tries = 200)
  @Label("a later last purchase (same x and T) never lowers the probability alive")
  void laterRecencyMeansMoreAlive(@ForAll("models") PurchaseModel m,
      @ForAll @IntRange(min = 1, max = 40) int x,
      @ForAll @DoubleRange(min = 1, max = 150) double age,
      @ForAll @DoubleRange(min = 0, max = 1) double share1,
      @ForAll @DoubleRange(min = 0, max = 1) double share2) {
    double early = Math.min(share1, share2) * age;
    double late = Math.max(share1, share2) * age;
    assertThat(m.probabilityAlive(x, late, age))
        .isGreaterThanOrEqualTo(m.probabilityAlive(x, early, age) - 1e-12);
  }

  @Property(tries = 200)
  @Label("a summary does not depend on the order its orders come in")
  void summaryIgnoresOrder(@ForAll @IntRange(min = 0, max = 30) int n,
      @ForAll long seed) {
    Random random = new Random(seed);
    List<PurchaseSummary.Purchase> orders = new ArrayList<>();
    Instant start = Instant.parse("2025-01-01T00:00:00Z");
    for (int i = 0; i < n; i++) {
      orders.add(new PurchaseSummary.Purchase(start.plusSeconds(random.nextInt(400 * 86_400)),
          random.nextInt(20_000) / 100.0));
    }
    LocalDate end = LocalDate.of(2025, 12, 31);
    var a = PurchaseSummary.of(orders, end, ZoneId.of("Europe/Amsterdam"), PeriodUnit.WEEKS);
    Collections.shuffle(orders, random);
    var b = PurchaseSummary.of(orders, end, ZoneId.of("Europe/Amsterdam"), PeriodUnit.WEEKS);
    assertThat(b.isPresent()).isEqualTo(a.isPresent());
    a.ifPresent(x -> {
      assertThat(b.get().frequency()).isEqualTo(x.frequency());
      assertThat(b.get().recency()).isEqualTo(x.recency());
      assertThat(b.get().age()).isEqualTo(x.age());
      assertThat(b.get().meanRepeatSpend()).isCloseTo(x.meanRepeatSpend(),
          org.assertj.core.api.Assertions.within(1e-9));
    });
  }

  @Property(tries = 30)
  @Label("a profile's summary is the same whatever order its orders and refunds were ingested "
      + "in")
  void profileSummaryIgnoresIngestionOrder(@ForAll @IntRange(min = 1, max = 12) int n,
      @ForAll long seed) {
    Random random = new Random(seed);
    List<io.cdpkit.core.model.Event> events = new ArrayList<>();
    Instant start = Instant.parse("2025-01-01T00:00:00Z");
    for (int i = 0; i < n; i++) {
      Instant at = start.plusSeconds(random.nextInt(300 * 86_400));
      events.add(io.cdpkit.core.model.Event.track("Order Completed").messageId("o" + i)
          .userId("C-1").timestamp(at).property("order_id", "O-" + i)
          .property("total", java.math.BigDecimal.valueOf(random.nextInt(10_000), 2))
          .property("currency", "EUR").build());
      if (random.nextInt(4) == 0) { // a refund, in full or in part, a day later
        var refund = io.cdpkit.core.model.Event.track("Order Refunded").messageId("r" + i)
            .userId("C-1").timestamp(at.plusSeconds(86_400)).property("order_id", "O-" + i);
        if (random.nextBoolean()) {
          refund.property("total", java.math.BigDecimal.valueOf(random.nextInt(1_000), 2))
              .property("currency", "EUR");
        }
        events.add(refund.build());
      }
    }
    var first = summaryAfter(events);
    Collections.shuffle(events, random);
    var second = summaryAfter(events);
    assertThat(second.isPresent()).isEqualTo(first.isPresent());
    first.ifPresent(a -> {
      assertThat(second.get().frequency()).isEqualTo(a.frequency());
      assertThat(second.get().recency()).isEqualTo(a.recency());
      assertThat(second.get().age()).isEqualTo(a.age());
      assertThat(second.get().meanRepeatSpend()).isCloseTo(a.meanRepeatSpend(),
          org.assertj.core.api.Assertions.within(1e-9));
    });
  }

  private static java.util.Optional<PurchaseSummary> summaryAfter(
      List<io.cdpkit.core.model.Event> events) {
    try (io.cdpkit.core.Cdp cdp = io.cdpkit.core.Cdp.builder().build()) {
      for (io.cdpkit.core.model.Event e : events) {
        cdp.ingest(e);
      }
      var profile = cdp.profiles().find(io.cdpkit.core.model.Identifier.customerId("C-1"))
          .orElseThrow();
      return PurchaseSummary.of(profile, "EUR", LocalDate.of(2025, 12, 31),
          ZoneId.of("Europe/Amsterdam"), PeriodUnit.WEEKS);
    }
  }
}
