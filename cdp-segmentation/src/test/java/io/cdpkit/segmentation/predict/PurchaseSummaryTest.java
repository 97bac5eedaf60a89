package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PurchaseSummaryTest {
  private static final ZoneId UTC = ZoneOffset.UTC;

  private static PurchaseSummary.Purchase order(String time, double amount) {
    return new PurchaseSummary.Purchase(Instant.parse(time), amount);
  }

  @Test
  @DisplayName("same-day orders merge into one purchase; x counts later days, zbar their mean")
  void fromOrders() {
    List<PurchaseSummary.Purchase> orders = List.of(
        order("1997-01-01T10:00:00Z", 10), order("1997-01-01T18:00:00Z", 5),
        order("1997-01-15T09:00:00Z", 20), order("1997-01-15T21:00:00Z", 4),
        order("1997-02-12T12:00:00Z", 30),
        order("1997-10-01T12:00:00Z", 99)); // after the calibration end: ignored
    PurchaseSummary s = PurchaseSummary.of(orders, LocalDate.of(1997, 9, 30), UTC,
        PeriodUnit.WEEKS).orElseThrow();
    assertThat(s.frequency()).isEqualTo(2);
    assertThat(s.recency()).isCloseTo(6.0, within(1e-12)); // 42 days
    assertThat(s.age()).isCloseTo(272 / 7.0, within(1e-12)); // 38.86 weeks, as in CDNOW
    assertThat(s.meanRepeatSpend()).isCloseTo(27.0, within(1e-12)); // (24 + 30) / 2

    PurchaseSummary days = PurchaseSummary.of(orders, LocalDate.of(1997, 9, 30), UTC,
        PeriodUnit.DAYS).orElseThrow();
    assertThat(days.recency()).isEqualTo(42.0);
    assertThat(days.age()).isEqualTo(272.0);
  }

  @Test
  @DisplayName("calendar days are those of the given zone: 23:30 UTC is the next day in Auckland")
  void zone() {
    List<PurchaseSummary.Purchase> orders = List.of(
        order("2025-03-01T10:00:00Z", 10), order("2025-03-01T23:30:00Z", 5));
    LocalDate end = LocalDate.of(2025, 3, 31);
    assertThat(PurchaseSummary.of(orders, end, UTC, PeriodUnit.DAYS).orElseThrow().frequency())
        .isZero();
    assertThat(PurchaseSummary.of(orders, end, ZoneId.of("Pacific/Auckland"), PeriodUnit.DAYS)
        .orElseThrow().frequency()).isEqualTo(1);
  }

  @Test
  @DisplayName("no order on or before the calibration end: no summary")
  void noneBefore() {
    assertThat(PurchaseSummary.of(List.of(order("1998-01-01T00:00:00Z", 1)),
        LocalDate.of(1997, 9, 30), UTC, PeriodUnit.WEEKS)).isEmpty();
    assertThat(PurchaseSummary.of(List.of(), LocalDate.of(1997, 9, 30), UTC,
        PeriodUnit.WEEKS)).isEmpty();
  }

  @ParameterizedTest(name = "{0}, {1}, {2}, {3} -> {4}")
  @DisplayName("bad summaries are refused, naming the field")
  @CsvSource({
      "-1, 0, 1, 0, frequency",
      "1, -0.5, 1, 1, recency",
      "1, NaN, 1, 1, recency",
      "1, 2, 1, 1, recency must not exceed age",
      "0, 0.5, 1, 0, recency must be 0 when frequency is 0",
      "1, 0, -1, 1, age",
      "1, 0, Infinity, 1, age",
      "1, 0, 1, -3, meanRepeatSpend",
      "0, 0, 1, 3, meanRepeatSpend must be 0 when frequency is 0",
  })
  void refused(int x, double tx, double age, double zbar, String field) {
    assertThatThrownBy(() -> new PurchaseSummary(x, tx, age, zbar))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(field);
  }

  @Test
  @DisplayName("the models refuse bad histories and horizons, naming the argument")
  void modelsRefuse() {
    ModelFit fit = CdnowReferenceTest.OPTIONS.modelFit(-1, 1);
    BgNbd bg = new BgNbd(0.243, 4.414, 0.793, 2.426, fit);
    ParetoNbd pn = new ParetoNbd(0.553, 10.58, 0.606, 11.66, fit);
    for (PurchaseModel m : List.<PurchaseModel>of(bg, pn)) {
      assertThatThrownBy(() -> m.probabilityAlive(-1, 0, 1))
          .hasMessageStartingWith("frequency");
      assertThatThrownBy(() -> m.probabilityAlive(2, 5, 4))
          .hasMessageStartingWith("recency must not exceed age");
      assertThatThrownBy(() -> m.expectedPurchases(-1, 2, 1, 4)).hasMessageStartingWith("t ");
      assertThatThrownBy(() -> m.expectedPurchases(Double.NaN, 2, 1, 4))
          .hasMessageStartingWith("t ");
      assertThatThrownBy(() -> m.expectedPurchasesNew(-1)).hasMessageStartingWith("t ");
      assertThatThrownBy(() -> m.logLikelihood(1, 0, -2)).hasMessageStartingWith("age");
    }
    assertThatThrownBy(() -> new BgNbd(0, 1, 1, 1, fit)).hasMessageStartingWith("r ");
    assertThatThrownBy(() -> new BgNbd(1, Double.POSITIVE_INFINITY, 1, 1, fit))
        .hasMessageStartingWith("alpha ");
    assertThatThrownBy(() -> new ParetoNbd(1, 1, -1, 1, fit)).hasMessageStartingWith("s ");
    assertThatThrownBy(() -> new ParetoNbd(1, 1, 1, Double.NaN, fit))
        .hasMessageStartingWith("beta ");
    assertThatThrownBy(() -> new GammaGamma(1, 0, 1, fit)).hasMessageStartingWith("q ");
    GammaGamma gg = new GammaGamma(6.25, 3.74, 15.44, fit);
    assertThatThrownBy(() -> gg.conditionalExpectedSpend(-1, 3))
        .hasMessageStartingWith("frequency");
    assertThatThrownBy(() -> gg.customerValue(bg, PurchaseSummary.of(0, 0, 1), 12, 0, 0.01))
        .hasMessageStartingWith("periodLength");
    assertThatThrownBy(() -> gg.customerValue(bg, PurchaseSummary.of(0, 0, 1), 12, 4, -0.1))
        .hasMessageStartingWith("discountRate");
    assertThatThrownBy(() -> new GammaGamma(1, 0.9, 1, fit).conditionalExpectedSpend(1, 2))
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("q ");
    assertThatThrownBy(() -> BgNbd.fit(List.of(), CdnowReferenceTest.OPTIONS))
        .hasMessageStartingWith("summaries");
    assertThatThrownBy(() -> GammaGamma.fit(List.of(PurchaseSummary.of(0, 0, 3)),
        CdnowReferenceTest.OPTIONS)).hasMessageStartingWith("summaries");
  }

  @Test
  @DisplayName("expected spend and customer value: Gamma-Gamma's weighted mean, discounted sum")
  void spendAndValue() {
    ModelFit fit = CdnowReferenceTest.OPTIONS.modelFit(-1, 1);
    GammaGamma gg = new GammaGamma(6.25, 3.74, 15.44, fit);
    // p (v + x zbar) / (p x + q - 1)
    assertThat(gg.conditionalExpectedSpend(2, 30)).isCloseTo(6.25 * (15.44 + 60) / (12.5 + 2.74),
        within(1e-12));
    assertThat(gg.conditionalExpectedSpend(0, 0)).isCloseTo(6.25 * 15.44 / 2.74, within(1e-12));
    BgNbd bg = new BgNbd(0.243, 4.414, 0.793, 2.426, fit);
    PurchaseSummary s = new PurchaseSummary(2, 30.43, 38.86, 22.35);
    double spend = gg.conditionalExpectedSpend(s);
    // Without discount, the value over 12 "months" of 13 weeks is E[Y(156)] times the spend.
    assertThat(gg.customerValue(bg, s, 12, 13, 0))
        .isCloseTo(bg.expectedPurchases(156, s) * spend, within(1e-9));
    double discounted = gg.customerValue(bg, s, 12, 13, 0.01);
    double expected = 0;
    for (int i = 1; i <= 12; i++) {
      expected += (bg.expectedPurchases(13 * i, s) - bg.expectedPurchases(13 * (i - 1), s))
          * spend / Math.pow(1.01, i);
    }
    assertThat(discounted).isCloseTo(expected, within(1e-9))
        .isLessThan(gg.customerValue(bg, s, 12, 13, 0));
  }

  @Test
  @DisplayName("from a profile: orders counted as orderCount counts them, net of refunds, one "
      + "currency")
  void fromProfile() {
    Instant now = Instant.parse("1998-07-01T00:00:00Z");
    try (Cdp cdp = Cdp.builder().clock(Clock.fixed(now, UTC)).build()) {
      cdp.ingest(orderEvent("m1", "A-1", "1997-01-01T10:00:00Z", "10.00", "USD"));
      cdp.ingest(orderEvent("m1", "A-1", "1997-01-01T10:00:00Z", "10.00", "USD")); // replay
      cdp.ingest(orderEvent("m2", "A-2", "1997-02-01T10:00:00Z", "40.00", "USD"));
      cdp.ingest(orderEvent("m3", "A-3", "1997-03-01T10:00:00Z", "25.00", "USD"));
      cdp.ingest(orderEvent("m4", "A-4", "1997-04-01T10:00:00Z", "99.00", "EUR"));
      cdp.ingest(orderEvent("m5", "A-5", "1997-05-01T10:00:00Z", "15.00", "USD"));
      cdp.ingest(Event.track("Order Refunded").messageId("r1").userId("C-1")
          .timestamp(Instant.parse("1997-02-03T10:00:00Z")).property("order_id", "A-2")
          .property("total", new BigDecimal("10.00")).property("currency", "USD").build());
      cdp.ingest(Event.track("Order Refunded").messageId("r2").userId("C-1")
          .timestamp(Instant.parse("1997-05-03T10:00:00Z")).property("order_id", "A-5")
          .build());
      Profile p = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
      PurchaseSummary s = PurchaseSummary.of(p, "USD", LocalDate.of(1997, 9, 30), UTC,
          PeriodUnit.DAYS).orElseThrow();
      // Counted USD orders: A-1 (10), A-2 (40 - 10 refunded), A-3 (25); A-5 refunded in full.
      assertThat(p.orderCountByCurrency()).containsEntry("USD", 3L);
      assertThat(s.frequency()).isEqualTo(2);
      assertThat(s.recency()).isEqualTo(59.0);
      assertThat(s.meanRepeatSpend()).isCloseTo(27.5, within(1e-12));
    }
  }

  private static Event orderEvent(String messageId, String orderId, String time, String total,
      String currency) {
    return Event.track("Order Completed").messageId(messageId).userId("C-1")
        .timestamp(Instant.parse(time)).property("order_id", orderId)
        .property("total", new BigDecimal(total)).property("currency", currency).build();
  }
}
