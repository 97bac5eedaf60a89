package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.Explanation;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Predictions as an extension: fitting through the engine, storing, traits, segments. */
class PredictionsTest {
  static final Instant NOW = Instant.parse("2026-06-01T10:00:00Z");
  static final WorkspaceId B = WorkspaceId.of("shop-b");

  MutableClock clock;
  Store store;
  Predictions predictions;
  Segmentation segmentation;
  Cdp cdp;
  int messages;

  @BeforeEach
  void start() {
    clock = new MutableClock(NOW);
    store = Store.inMemory();
    predictions = Predictions.builder().refreshInterval(Duration.ZERO).build();
    segmentation = Segmentation.builder().build();
    cdp = Cdp.builder().store(store).clock(clock).extension(segmentation)
        .extension(predictions).build();
  }

  @AfterEach
  void stop() {
    cdp.close();
    store.close();
  }

  /** A skewed synthetic shop: {@code n} customers, some buying often, most once or twice. */
  static List<Event> shop(int n, long seed) {
    Random random = new Random(seed);
    List<Event> events = new ArrayList<>();
    int m = 0;
    for (int c = 0; c < n; c++) {
      int orders = 1 + (random.nextInt(4) == 0 ? random.nextInt(12) : random.nextInt(2));
      long firstDay = random.nextInt(300);
      for (int o = 0; o < orders; o++) {
        long day = Math.min(364, firstDay + (long) o * (1 + random.nextInt(40)));
        events.add(order("C-" + c, "O-" + c + "-" + o, NOW.minus(Duration.ofDays(day)),
            BigDecimal.valueOf(1_000 + random.nextInt(9_000), 2), "m" + m++));
      }
    }
    return events;
  }

  static Event order(String customer, String orderId, Instant at, BigDecimal total, String msg) {
    return Event.track("Order Completed").messageId(msg).userId(customer).timestamp(at)
        .property("order_id", orderId).property("total", total).property("currency", "EUR")
        .build();
  }

  Profile profile(WorkspaceId ws, String customer) {
    return cdp.workspace(ws).profiles().find(Identifier.customerId(customer)).orElseThrow();
  }

  @Test
  @DisplayName("fit reads the workspace's orders, stores version 1, and every trait appears on"
      + " a customer; a profile without an order gets none")
  void fitAndTraits() {
    cdp.ingest(shop(60, 1));
    cdp.ingest(Event.identify().messageId("lead").userId("LEAD").trait("first_name", "Lee")
        .build());
    assertThat(profile(WorkspaceId.DEFAULT, "C-1").computedTrait("p_alive")).isEmpty();
    List<String> phases = new ArrayList<>();
    ModelReport r = predictions.fit(WorkspaceId.DEFAULT, (phase, done, total) -> {
      if (phases.isEmpty() || !phases.get(phases.size() - 1).equals(phase)) {
        phases.add(phase);
      }
    });
    assertThat(phases).containsExactly("read", "fit", "fit-spend", "store");
    assertThat(r.profiles()).isEqualTo(61);
    assertThat(r.customers()).isEqualTo(60);
    assertThat(r.models().version()).isEqualTo(1);
    assertThat(r.models().currency()).isEqualTo("EUR");
    assertThat(r.models().purchases()).isInstanceOf(BgNbd.class);
    assertThat(predictions.model(WorkspaceId.DEFAULT)).contains(r.models());

    Profile p = profile(WorkspaceId.DEFAULT, "C-1");
    BigDecimal alive = (BigDecimal) p.computedTrait("p_alive").orElseThrow();
    assertThat(alive).isBetween(BigDecimal.ZERO, BigDecimal.ONE);
    assertThat(alive.scale()).isEqualTo(6);
    assertThat((BigDecimal) p.computedTrait("expected_purchases_90d").orElseThrow())
        .isGreaterThanOrEqualTo(BigDecimal.ZERO);
    BigDecimal orderValue = (BigDecimal) p.computedTrait("expected_order_value").orElseThrow();
    assertThat(orderValue).isPositive();
    assertThat(orderValue.scale()).as("cents").isEqualTo(2);
    assertThat((BigDecimal) p.computedTrait("predicted_value_365d").orElseThrow())
        .isGreaterThanOrEqualTo(BigDecimal.ZERO);
    assertThat(p.computedTrait("churn_cohort").orElseThrow()).isIn("low", "medium", "high");
    assertThat(profile(WorkspaceId.DEFAULT, "LEAD").computedTrait("p_alive")).isEmpty();

    // The same summary the library builds gives the same value.
    PurchaseSummary s = PurchaseSummary.of(p, "EUR", java.time.LocalDate.of(2026, 6, 1),
        java.time.ZoneOffset.UTC, PeriodUnit.WEEKS).orElseThrow();
    double exact = r.models().purchases().probabilityAlive(s);
    assertThat(alive.doubleValue()).isCloseTo(exact, within(5e-7));
    assertThat(p.computedTrait("churn_cohort").orElseThrow())
        .isEqualTo(r.models().cohort(exact));
    assertThat(((BigDecimal) p.computedTrait("expected_purchases_90d").orElseThrow())
        .doubleValue()).isCloseTo(r.models().purchases().expectedPurchases(90 / 7.0, s),
            within(5e-5));
    assertThat(orderValue.doubleValue()).isCloseTo(
        r.models().spend().conditionalExpectedSpend(s), within(0.005));

    assertThat(predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none()).models()
        .version()).isEqualTo(2);
  }

  @Test
  @DisplayName("values hold for a UTC day and move at midnight, as nextChange says")
  void dayGranularity() {
    cdp.ingest(shop(40, 2));
    predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none());
    String heavy = heavyBuyer();
    Object morning = profile(WorkspaceId.DEFAULT, heavy).computedTrait("p_alive").orElseThrow();
    clock.advance(Duration.ofHours(13)); // 23:00 UTC, same day
    assertThat(profile(WorkspaceId.DEFAULT, heavy).computedTrait("p_alive")).contains(morning);
    clock.advance(Duration.ofHours(2)); // the next day
    assertThat((BigDecimal) profile(WorkspaceId.DEFAULT, heavy).computedTrait("p_alive")
        .orElseThrow()).isLessThan((BigDecimal) morning);
  }

  /** A customer with repeat purchases, whose probability alive falls with time. */
  String heavyBuyer() {
    for (int c = 0; ; c++) {
      Profile p = profile(WorkspaceId.DEFAULT, "C-" + c);
      if (p.orderCount() >= 3) {
        return "C-" + c;
      }
    }
  }

  @Test
  @DisplayName("a segment on p_alive < 0.3 holds exactly the customers whose trait is below 0.3,"
      + " and explain names the trait")
  void segmentOnPAlive() {
    cdp.ingest(shop(60, 3));
    predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none());
    segmentation.segments().save(SegmentDefinition.builder("leaving")
        .where(Conditions.computed("p_alive").lt(new BigDecimal("0.3"))).build());
    var snapshot = segmentation.segments().evaluate(List.of("leaving"), io.cdpkit.core.ProgressListener.none());
    int in = 0;
    for (int c = 0; c < 60; c++) {
      Profile p = profile(WorkspaceId.DEFAULT, "C-" + c);
      boolean low = ((BigDecimal) p.computedTrait("p_alive").orElseThrow())
          .compareTo(new BigDecimal("0.3")) < 0;
      assertThat(snapshot.contains("leaving", p.id())).as("C-" + c).isEqualTo(low);
      in += low ? 1 : 0;
      if (low) {
        Explanation why = segmentation.segments().explain(p.id(), "leaving").orElseThrow();
        assertThat(why.held()).isTrue();
        assertThat(why.condition()).contains("p_alive");
      }
    }
    assertThat(in).as("some customers are leaving").isPositive();
  }

  @Test
  @DisplayName("too few customers or repeat buyers: an error naming why, and nothing stored")
  void tooFew() {
    cdp.ingest(shop(5, 4));
    assertThatThrownBy(() -> predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("5 customers")
        .hasMessageContaining("minCustomers");
    List<Event> once = new ArrayList<>();
    for (int c = 0; c < 12; c++) {
      once.add(order("S-" + c, "S-" + c, NOW.minus(Duration.ofDays(c)), BigDecimal.TEN,
          "s" + c));
    }
    cdp.workspace(B).ingest(once);
    assertThatThrownBy(() -> predictions.fit(B, ProgressListener.none()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("0 repeat buyers")
        .hasMessageContaining("minRepeatBuyers");
    for (WorkspaceId w : List.of(WorkspaceId.DEFAULT, B)) {
      assertThat(predictions.model(w)).isEmpty();
      Map<String, String> md = store.read(w, tx -> tx.require(MetadataStorage.class)
          .metadata(Predictions.KEY_PREFIX));
      assertThat(md).isEmpty();
    }
  }

  @Test
  @DisplayName("bad settings are refused naming the field")
  void badSettings() {
    assertThatThrownBy(() -> Predictions.builder().purchaseHorizonDays(0))
        .hasMessageContaining("purchaseHorizonDays");
    assertThatThrownBy(() -> Predictions.builder().valueHorizonDays(4000))
        .hasMessageContaining("valueHorizonDays");
    assertThatThrownBy(() -> Predictions.builder().annualDiscountRate(-0.1))
        .hasMessageContaining("annualDiscountRate");
    assertThatThrownBy(() -> Predictions.builder().annualDiscountRate(Double.NaN))
        .hasMessageContaining("annualDiscountRate");
    assertThatThrownBy(() -> Predictions.builder().minCustomers(1))
        .hasMessageContaining("minCustomers");
    assertThatThrownBy(() -> Predictions.builder().minRepeatBuyers(0))
        .hasMessageContaining("minRepeatBuyers");
    assertThatThrownBy(() -> Predictions.builder().refreshInterval(Duration.ofMillis(-1)))
        .hasMessageContaining("refreshInterval");
    assertThatThrownBy(() -> Predictions.builder().model(null)).hasMessageContaining("model");
    // A trait name taken by the host clashes when the extension is added.
    assertThatThrownBy(() -> Cdp.builder().derivedTrait(io.cdpkit.core.traits.DerivedTrait.of(
        "p_alive", Set.of(), ctx -> java.util.Optional.empty()))
        .extension(Predictions.builder().build()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("p_alive");
  }

  @Test
  @DisplayName("the stored model survives a restart, another node loads a refit on refresh,"
      + " and a workspace never sees another's model")
  void restartAndIsolation() {
    cdp.ingest(shop(40, 5));
    cdp.workspace(B).ingest(shop(3, 6));
    FittedModels fitted = predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none())
        .models();
    Object before = profile(WorkspaceId.DEFAULT, "C-2").computedTrait("p_alive").orElseThrow();
    assertThat(profile(B, "C-2").computedTrait("p_alive")).as("B has no model").isEmpty();
    assertThat(predictions.model(B)).isEmpty();

    // A second node on the same store: it loads version 1 when the workspace opens.
    Predictions other = Predictions.builder().refreshInterval(Duration.ZERO).build();
    try (Cdp node2 = Cdp.builder().store(store).clock(clock).extension(other).build()) {
      assertThat(other.model(WorkspaceId.DEFAULT)).contains(fitted);
      assertThat(node2.profiles().find(Identifier.customerId("C-2")).orElseThrow()
          .computedTrait("p_alive")).contains(before);
      assertThat(node2.workspace(B).profiles().find(Identifier.customerId("C-2"))
          .orElseThrow().computedTrait("p_alive")).isEmpty();
      // The first node refits; the second sees version 2 at its next refresh.
      cdp.ingest(shop(50, 7).subList(0, 20));
      FittedModels refit = predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none())
          .models();
      assertThat(other.model(WorkspaceId.DEFAULT).orElseThrow().version()).isEqualTo(1);
      other.refresh(WorkspaceId.DEFAULT);
      assertThat(other.model(WorkspaceId.DEFAULT)).contains(refit);
      assertThat(refit.version()).isEqualTo(2);
    }
    cdp.close();
    // A restart: a new Cdp and a new extension over the same store.
    Predictions restarted = Predictions.builder().refreshInterval(Duration.ZERO).build();
    cdp = Cdp.builder().store(store).clock(clock).extension(restarted).build();
    assertThat(restarted.model(WorkspaceId.DEFAULT).orElseThrow().version()).isEqualTo(2);
    cdp.workspace(B);
    assertThat(restarted.model(B)).isEmpty();
    Map<String, String> md = store.read(WorkspaceId.DEFAULT,
        tx -> tx.require(MetadataStorage.class).metadata(Predictions.KEY_PREFIX));
    assertThat(md).containsKeys("segmentation.predict.version",
        "segmentation.predict.purchases", "segmentation.predict.spend",
        "segmentation.predict.cohorts");
  }

  @Test
  @DisplayName("two nodes fitting at once: the one that stores second is refused, nothing of it"
      + " stored, and fitting again gives version 2")
  void concurrentFits() {
    cdp.ingest(shop(30, 9));
    Predictions other = Predictions.builder().refreshInterval(Duration.ZERO).build();
    try (Cdp node2 = Cdp.builder().store(store).clock(clock).extension(other).build()) {
      boolean[] once = {false};
      assertThatThrownBy(() -> other.fit(WorkspaceId.DEFAULT, (phase, done, total) -> {
        if (phase.equals("fit-spend") && !once[0]) {
          once[0] = true; // the first node stores version 1 while the second is fitting
          predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none());
        }
      })).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("another fit stored version 1");
      assertThat(other.model(WorkspaceId.DEFAULT)).isEmpty();
      other.refresh(WorkspaceId.DEFAULT);
      assertThat(other.model(WorkspaceId.DEFAULT)).isEqualTo(
          predictions.model(WorkspaceId.DEFAULT));
      assertThat(other.fit(WorkspaceId.DEFAULT, ProgressListener.none()).models().version())
          .isEqualTo(2);
    }
  }

  @Test
  @DisplayName("a background refresh picks up another node's refit (interval 20 ms)")
  void backgroundRefresh() throws InterruptedException {
    cdp.ingest(shop(30, 8));
    Predictions other = Predictions.builder().refreshInterval(Duration.ofMillis(20)).build();
    try (Cdp node2 = Cdp.builder().store(store).clock(clock).extension(other).build()) {
      assertThat(other.model(WorkspaceId.DEFAULT)).isEmpty();
      FittedModels fitted = predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none())
          .models();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (other.model(WorkspaceId.DEFAULT).isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(other.model(WorkspaceId.DEFAULT)).contains(fitted);
    }
  }
}
