package io.cdpkit.core.traits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each trait of {@link RetailTraits} over small event stories with hand-computed values. */
class RetailTraitsTest {
  static final Identifier C1 = Identifier.customerId("C-1");
  static final Identifier C2 = Identifier.customerId("C-2");

  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  Cdp cdp;

  @BeforeEach
  void open() {
    cdp = newCdp(RetailTraits.all(), clock);
  }

  @AfterEach
  void close() {
    cdp.close();
  }

  static Cdp newCdp(ComputedTraits traits, Clock clock) {
    return Cdp.builder().clock(clock).store(io.cdpkit.core.spi.storage.Store.inMemory()).computedTraits(traits)
        .build();
  }

  static Instant at(String iso) {
    return Instant.parse(iso);
  }

  static Event.Builder order(String messageId, Instant time, Map<?, ?>... products) {
    return Event.track("Order Completed").messageId(messageId).timestamp(time)
        .property("order_id", "O-" + messageId).property("products", List.of(products));
  }

  static Event.Builder view(String messageId, Instant time, String productId) {
    return Event.track("Product Viewed").messageId(messageId).timestamp(time)
        .property("product_id", productId);
  }

  static Map<String, Object> product(String id, String category) {
    return Map.of("product_id", id, "category", category);
  }

  /**
   * Ingests with the clock moved up to the event's time when it is behind (the pipeline keeps
   * no event dated after its receipt), then puts the clock back where the test had it.
   */
  IngestResult ingest(Event e) {
    Instant back = clock.instant();
    if (e.eventTime().isAfter(back)) {
      clock.set(e.eventTime());
    }
    try {
      return cdp.ingest(e);
    } finally {
      clock.set(back);
    }
  }

  Profile profile(Identifier id) {
    return cdp.profiles().find(id).orElseThrow();
  }

  Map<String, Object> traits(Identifier id) {
    return profile(id).computedTraits();
  }

  Optional<Object> trait(Identifier id, String name) {
    return profile(id).computedTrait(name);
  }

  Optional<Instant> nextChange(Identifier id, String name) {
    return cdp.computedTraits().nextChange(name, profile(id).state(), clock.instant());
  }

  @Nested
  @DisplayName("days_since_last_order")
  class DaysSinceLastOrder {
    @Test
    @DisplayName("counts UTC dates from the latest order to today, not 24-hour spans")
    void utcDates() {
      ingest(order("a", at("2026-03-01T23:30:00Z")).userId("C-1").build());
      ingest(order("b", at("2026-02-10T08:00:00Z")).userId("C-1").build());
      clock.set(at("2026-03-03T00:30:00Z"));
      assertThat(trait(C1, RetailTraits.DAYS_SINCE_LAST_ORDER)).contains(2L);
      assertThat(trait(C1, RetailTraits.LAST_ORDER_AT)).contains(at("2026-03-01T23:30:00Z"));
    }

    @Test
    @DisplayName("changes at each UTC midnight, which nextChange reports")
    void nextChangeAtMidnight() {
      ingest(order("a", at("2026-03-01T23:30:00Z")).userId("C-1").build());
      clock.set(at("2026-03-03T00:30:00Z"));
      assertThat(nextChange(C1, RetailTraits.DAYS_SINCE_LAST_ORDER))
          .contains(at("2026-03-04T00:00:00Z"));
      clock.set(at("2026-03-03T23:59:59.999999999Z"));
      assertThat(trait(C1, RetailTraits.DAYS_SINCE_LAST_ORDER)).contains(2L);
      clock.set(at("2026-03-04T00:00:00Z"));
      assertThat(trait(C1, RetailTraits.DAYS_SINCE_LAST_ORDER)).contains(3L);
      assertThat(nextChange(C1, RetailTraits.DAYS_SINCE_LAST_ORDER))
          .contains(at("2026-03-05T00:00:00Z"));
    }

    @Test
    @DisplayName("is absent, and never changes, without orders")
    void absentWithoutOrders() {
      ingest(Event.identify().messageId("i").userId("C-1").timestamp(clock.instant())
          .build());
      ingest(view("v", clock.instant(), "P-1").userId("C-1").build());
      assertThat(traits(C1)).doesNotContainKeys(RetailTraits.DAYS_SINCE_LAST_ORDER,
          RetailTraits.LAST_ORDER_AT);
      assertThat(nextChange(C1, RetailTraits.DAYS_SINCE_LAST_ORDER)).isEmpty();
    }

    @Test
    @DisplayName("a late order dated earlier changes nothing; one dated later counts; one dated "
        + "after today gives 0")
    void lateAndFutureOrders() {
      clock.set(at("2026-03-20T12:00:00Z"));
      ingest(order("a", at("2026-03-10T12:00:00Z")).userId("C-1").build());
      ingest(order("late", at("2026-03-01T12:00:00Z")).userId("C-1").build());
      assertThat(trait(C1, RetailTraits.DAYS_SINCE_LAST_ORDER)).contains(10L);
      ingest(order("later", at("2026-03-15T12:00:00Z")).userId("C-1").build());
      assertThat(trait(C1, RetailTraits.DAYS_SINCE_LAST_ORDER)).contains(5L);
      ingest(order("ahead", at("2026-03-22T12:00:00Z")).userId("C-1").build());
      assertThat(trait(C1, RetailTraits.DAYS_SINCE_LAST_ORDER)).contains(0L);
    }
  }

  @Nested
  @DisplayName("orders_90d and orders_365d")
  class OrderWindows {
    @Test
    @DisplayName("count orders dated within the last 90 and 365 UTC days, today included")
    void windows() {
      clock.set(at("2026-06-30T12:00:00Z"));
      Instant today = at("2026-06-30T12:00:00Z");
      int[] ago = {0, 89, 90, 364, 365};
      for (int d : ago) {
        ingest(order("o" + d, today.minus(Duration.ofDays(d))).userId("C-1").build());
      }
      assertThat(traits(C1)).containsEntry(RetailTraits.ORDERS_90D, 2L)
          .containsEntry(RetailTraits.ORDERS_365D, 4L)
          .containsEntry(RetailTraits.ORDERS_ALL_TIME, 5L);
      assertThat(nextChange(C1, RetailTraits.ORDERS_90D)).contains(at("2026-07-01T00:00:00Z"));

      clock.set(at("2026-07-01T00:00:00Z"));
      assertThat(traits(C1)).containsEntry(RetailTraits.ORDERS_90D, 1L)
          .containsEntry(RetailTraits.ORDERS_365D, 3L)
          .containsEntry(RetailTraits.ORDERS_ALL_TIME, 5L);
    }

    @Test
    @DisplayName("are 0 for a profile without orders")
    void zero() {
      ingest(view("v", clock.instant(), "P-1").userId("C-1").build());
      assertThat(traits(C1)).containsEntry(RetailTraits.ORDERS_90D, 0L)
          .containsEntry(RetailTraits.ORDERS_365D, 0L);
    }
  }

  @Nested
  @DisplayName("avg_decision_time_hours")
  class DecisionTime {
    final Instant t0 = at("2026-04-01T08:00:00Z");

    Instant h(int hours) {
      return t0.plus(Duration.ofHours(hours));
    }

    @Test
    @DisplayName("averages first view to first order over products both viewed and ordered, "
        + "whatever order the events arrive in")
    void average() {
      clock.set(at("2026-05-01T00:00:00Z"));
      List<Event> story = List.of(
          view("vA", h(0), "A").userId("C-1").build(),
          view("vC", h(1), "C").userId("C-1").build(),
          // C and E first ordered 13 h in: C 12 h after its view, E before its view.
          order("o2", h(13), product("C", "shoes"), product("E", "bags")).userId("C-1").build(),
          view("vE", h(20), "E").userId("C-1").build(),
          // A first ordered 30 h after its view; B never viewed.
          order("o1", h(30), product("A", "dresses"), product("B", "bags")).userId("C-1")
              .build(),
          view("vA2", h(40), "A").userId("C-1").build(),
          order("o3", h(50), product("C", "shoes"), product("A", "dresses")).userId("C-1")
              .build(),
          view("vD", h(60), "D").userId("C-1").build());
      List<Event> shuffled = new ArrayList<>(story);
      java.util.Collections.reverse(shuffled);
      shuffled.add(0, shuffled.remove(3));
      shuffled.forEach(cdp::ingest);

      // (30 + 12) / 2 = 21 hours.
      assertThat(traits(C1)).containsEntry(RetailTraits.AVG_DECISION_TIME_HOURS,
              new BigDecimal("21.00"))
          .containsEntry(RetailTraits.VIEWED_PRODUCTS, List.of("A", "C", "D", "E"))
          .containsEntry(RetailTraits.ORDERED_PRODUCTS, List.of("A", "B", "C", "E"));
      assertThat(nextChange(C1, RetailTraits.AVG_DECISION_TIME_HOURS)).isEmpty();
    }

    @Test
    @DisplayName("rounds to 2 decimals half-even: 450 s is 0.125 h, giving 0.12")
    void rounding() {
      ingest(view("v", t0, "A").userId("C-1").build());
      ingest(order("o", t0.plusSeconds(450), product("A", "shoes")).userId("C-1").build());
      assertThat(trait(C1, RetailTraits.AVG_DECISION_TIME_HOURS))
          .contains(new BigDecimal("0.12"));
    }

    @Test
    @DisplayName("a view at the very instant of the order counts, as 0.00")
    void sameInstant() {
      ingest(view("v", t0, "A").userId("C-1").build());
      ingest(order("o", t0, product("A", "shoes")).userId("C-1").build());
      assertThat(trait(C1, RetailTraits.AVG_DECISION_TIME_HOURS))
          .contains(new BigDecimal("0.00"));
    }

    @Test
    @DisplayName("is absent when no product was viewed before it was ordered")
    void absent() {
      ingest(order("o", h(5), product("A", "shoes"), product("B", "bags")).userId("C-1")
          .build());
      ingest(view("v", h(6), "A").userId("C-1").build());
      ingest(view("w", h(7), "Z").userId("C-1").build());
      assertThat(traits(C1)).doesNotContainKey(RetailTraits.AVG_DECISION_TIME_HOURS);
    }
  }

  @Nested
  @DisplayName("favourite_category")
  class FavouriteCategory {
    @Test
    @DisplayName("is the category of most ordered product lines; a tie goes to the one ordered "
        + "last; views do not count")
    void mostOrdered() {
      Instant t = at("2026-02-01T10:00:00Z");
      ingest(order("o3", t.plusSeconds(300), product("S2", "shoes")).userId("C-1").build());
      ingest(order("o1", t, product("S1", "shoes"), product("B1", "bags")).userId("C-1")
          .build());
      ingest(order("o2", t.plusSeconds(100), product("B2", "bags"),
          product("D1", "dresses")).userId("C-1").build());
      for (int i = 0; i < 5; i++) {
        ingest(Event.track("Product Viewed").messageId("v" + i).userId("C-1")
            .timestamp(t.plusSeconds(400 + i)).property("product_id", "D9")
            .property("category", "dresses").build());
      }
      // shoes 2 (latest at o3), bags 2 (latest at o2), dresses 1.
      assertThat(trait(C1, RetailTraits.FAVOURITE_CATEGORY)).contains("shoes");
    }

    @Test
    @DisplayName("on a tie at the same instant the smallest category wins")
    void smallest() {
      ingest(order("o", clock.instant(), product("D1", "dresses"), product("B1", "bags"))
          .userId("C-1").build());
      assertThat(trait(C1, RetailTraits.FAVOURITE_CATEGORY)).contains("bags");
    }

    @Test
    @DisplayName("is absent without categorised orders")
    void absent() {
      ingest(order("o", clock.instant()).userId("C-1").build());
      assertThat(traits(C1)).doesNotContainKey(RetailTraits.FAVOURITE_CATEGORY);
    }
  }

  @Nested
  @DisplayName("preferred_channel")
  class PreferredChannel {
    void orderOn(String customer, String messageId, String channel) {
      ingest(order(messageId, clock.instant()).userId(customer).channel(channel).build());
    }

    @Test
    @DisplayName("is online, offline or both from the channels of orders; others are ignored")
    void kinds() {
      orderOn("C-1", "a1", "web");
      orderOn("C-1", "a2", "app");
      orderOn("C-1", "a3", "call-center");
      orderOn("C-2", "b1", "pos");
      orderOn("C-2", "b2", "email");
      orderOn("C-3", "c1", "WEB");
      orderOn("C-3", "c2", "pos");
      orderOn("C-4", "d1", "call-center");
      ingest(Event.page("Home").messageId("e1").userId("C-5").channel("web")
          .timestamp(clock.instant()).build());

      assertThat(trait(C1, RetailTraits.PREFERRED_CHANNEL)).contains("online");
      assertThat(trait(C2, RetailTraits.PREFERRED_CHANNEL)).contains("offline");
      assertThat(trait(Identifier.customerId("C-3"), RetailTraits.PREFERRED_CHANNEL))
          .contains("both");
      assertThat(trait(Identifier.customerId("C-4"), RetailTraits.PREFERRED_CHANNEL)).isEmpty();
      assertThat(trait(Identifier.customerId("C-5"), RetailTraits.PREFERRED_CHANNEL)).isEmpty();
      assertThat(trait(C1, RetailTraits.ORDER_CHANNELS))
          .contains(List.of("app", "call-center", "web"));
    }

    @Test
    @DisplayName("follows configured channel sets")
    void configured() {
      try (Cdp other = newCdp(RetailTraits.builder().onlineChannels("web")
          .offlineChannels("pos", "call-center").build(), clock)) {
        other.ingest(order("a1", clock.instant()).userId("C-1").channel("web").build());
        other.ingest(order("a2", clock.instant()).userId("C-1").channel("call-center").build());
        other.ingest(order("b1", clock.instant()).userId("C-2").channel("app").build());
        assertThat(other.profiles().find(C1).orElseThrow()
            .computedTrait(RetailTraits.PREFERRED_CHANNEL)).contains("both");
        assertThat(other.profiles().find(C2).orElseThrow()
            .computedTrait(RetailTraits.PREFERRED_CHANNEL)).isEmpty();
      }
    }
  }

  @Nested
  @DisplayName("churn_risk")
  class ChurnRisk {
    final Instant first = at("2026-01-05T09:00:00Z");

    Instant day(long d) {
      return first.plus(Duration.ofDays(d));
    }

    @Test
    @DisplayName("three orders 10 and 30 days apart: the mean gap is 20 days, so it turns true "
        + "exactly at last + 2 x 20 days, the instant nextChange gives")
    void flipsAtLastPlusTwoGaps() {
      // Arriving out of order.
      ingest(order("o3", day(40)).userId("C-1").build());
      ingest(order("o1", day(0)).userId("C-1").build());
      ingest(order("o2", day(10)).userId("C-1").build());

      clock.set(day(41));
      assertThat(trait(C1, RetailTraits.CHURN_RISK)).contains(false);
      assertThat(nextChange(C1, RetailTraits.CHURN_RISK)).contains(day(80));
      assertThat(cdp.computedTraits().nextChange(RetailTraits.CHURN_RISK, profile(C1).state(),
          day(80).minusNanos(1))).contains(day(80));

      clock.set(day(80).minusNanos(1));
      assertThat(trait(C1, RetailTraits.CHURN_RISK)).contains(false);
      clock.set(day(80));
      assertThat(trait(C1, RetailTraits.CHURN_RISK)).contains(true);
      assertThat(nextChange(C1, RetailTraits.CHURN_RISK)).isEmpty();
    }

    @Test
    @DisplayName("a late order between the others shortens the mean gap to 40/3 days: true from "
        + "last + 26 days 16 hours")
    void lateOrderInBetween() {
      ingest(order("o1", day(0)).userId("C-1").build());
      ingest(order("o2", day(10)).userId("C-1").build());
      ingest(order("o3", day(40)).userId("C-1").build());
      clock.set(day(50));
      ingest(order("late", day(20)).userId("C-1").build());
      Instant flip = day(66).plus(Duration.ofHours(16));
      assertThat(nextChange(C1, RetailTraits.CHURN_RISK)).contains(flip);
      clock.set(flip.minusNanos(1));
      assertThat(trait(C1, RetailTraits.CHURN_RISK)).contains(false);
      clock.set(flip);
      assertThat(trait(C1, RetailTraits.CHURN_RISK)).contains(true);
    }

    @Test
    @DisplayName("uses the configured factor k")
    void factor() {
      try (Cdp other = newCdp(RetailTraits.builder().churnFactor(1.5).build(), clock)) {
        clock.set(day(21)); // received after both orders
        other.ingest(order("o1", day(0)).userId("C-1").build());
        other.ingest(order("o2", day(20)).userId("C-1").build());
        assertThat(other.computedTraits().nextChange(RetailTraits.CHURN_RISK,
            other.profiles().find(C1).orElseThrow().state(), clock.instant())).contains(day(50));
      }
    }

    @Test
    @DisplayName("is absent with one order, or with orders all at one instant")
    void absent() {
      ingest(order("o1", day(0)).userId("C-1").build());
      clock.set(day(400));
      assertThat(trait(C1, RetailTraits.CHURN_RISK)).isEmpty();
      assertThat(nextChange(C1, RetailTraits.CHURN_RISK)).isEmpty();
      ingest(order("o2", day(0)).userId("C-1").build());
      assertThat(trait(C1, RetailTraits.CHURN_RISK)).isEmpty();
      ingest(order("o3", day(1)).userId("C-1").build());
      assertThat(trait(C1, RetailTraits.CHURN_RISK)).contains(true);
    }
  }

  @Nested
  @DisplayName("A merge of two profiles")
  class Merge {
    @Test
    @DisplayName("gives the values of the joined history")
    void joinedHistory() {
      Instant t = at("2026-02-02T10:00:00Z");
      // Browsing anonymously, then buying the viewed dress online 5 hours later.
      Event browse = view("v1", t, "P-1").anonymousId("ck-1").channel("web").build();
      Event buy = order("o1", t.plus(Duration.ofHours(5)), product("P-1", "dresses"))
          .userId("C-1").channel("web").build();
      // In a store 10 days later with a loyalty card, and 30 days after that.
      Event store1 = order("o2", t.plus(Duration.ofDays(10)), product("P-2", "shoes"))
          .identifier(IdentifierType.LOYALTY_CARD, "770").anonymousId("kiosk-9")
          .channel("pos").build();
      Event store2 = order("o3", t.plus(Duration.ofDays(40)), product("P-3", "shoes"))
          .identifier(IdentifierType.LOYALTY_CARD, "770").channel("pos").build();
      Event linkBrowser = Event.alias("ck-1").messageId("l1").userId("C-1")
          .timestamp(t.plus(Duration.ofDays(41))).build();
      Event linkCard = Event.alias("kiosk-9").messageId("l2").userId("C-1")
          .timestamp(t.plus(Duration.ofDays(42))).build();
      clock.set(t.plus(Duration.ofDays(45)));

      for (Event e : List.of(store2, buy, store1, browse)) {
        ingest(e);
      }
      Identifier card = Identifier.loyaltyCard("770");
      assertThat(traits(C1)).containsEntry(RetailTraits.PREFERRED_CHANNEL, "online")
          .doesNotContainKeys(RetailTraits.AVG_DECISION_TIME_HOURS, RetailTraits.CHURN_RISK);
      assertThat(traits(card)).containsEntry(RetailTraits.PREFERRED_CHANNEL, "offline")
          .containsEntry(RetailTraits.CHURN_RISK, false);

      ingest(linkBrowser);
      ingest(linkCard);
      Map<String, Object> merged = traits(C1);
      assertThat(profile(card).id()).isEqualTo(profile(C1).id());
      assertThat(merged).containsEntry(RetailTraits.PREFERRED_CHANNEL, "both")
          .containsEntry(RetailTraits.AVG_DECISION_TIME_HOURS, new BigDecimal("5.00"))
          .containsEntry(RetailTraits.ORDERS_ALL_TIME, 3L)
          .containsEntry(RetailTraits.FAVOURITE_CATEGORY, "shoes")
          .containsEntry(RetailTraits.DAYS_SINCE_LAST_ORDER, 5L)
          .containsEntry(RetailTraits.CHURN_RISK, false);
      // Mean gap (40 d - 5 h) / 2, so true from o3 + 40 d - 5 h.
      assertThat(nextChange(C1, RetailTraits.CHURN_RISK))
          .contains(t.plus(Duration.ofDays(80)).minus(Duration.ofHours(5)));

      // The same events under one identifier from the start give the same values.
      try (Cdp single = newCdp(RetailTraits.all(), clock)) {
        for (Event e : List.of(browse, buy, store1, store2)) {
          single.ingest(new Event(e.type(), e.messageId(), "C-1", null, null, null, e.name(),
              List.of(), e.properties(), e.traits(), e.context(), e.consents(), e.timestamp(),
              e.originalTimestamp(), e.sentAt(), e.receivedAt(), e.extra()));
        }
        assertThat(single.profiles().find(C1).orElseThrow().computedTraits()).isEqualTo(merged);
      }
    }
  }

  @Nested
  @DisplayName("RFM")
  class Rfm {
    @Test
    @DisplayName("scores with the default thresholds")
    void defaults() {
      Instant now = at("2026-09-01T12:00:00Z");
      clock.set(now);
      // C-1: six orders in the year, the latest yesterday, 1 200 EUR in all.
      for (int i = 0; i < 6; i++) {
        ingest(order("a" + i, now.minus(Duration.ofDays(1 + 30L * i))).userId("C-1")
            .property("total", 200L).property("currency", "EUR").build());
      }
      // C-2: one 40 EUR order two years ago.
      ingest(order("b", now.minus(Duration.ofDays(730))).userId("C-2")
          .property("total", 40L).property("currency", "EUR").build());
      assertThat(traits(C1)).containsEntry(RetailTraits.RFM_RECENCY, 5)
          .containsEntry(RetailTraits.RFM_FREQUENCY, 5).containsEntry(RetailTraits.RFM_MONETARY, 5)
          .containsEntry(RetailTraits.RFM_SCORE, "555")
          .containsEntry("spend_365d_eur", new BigDecimal("1200.00"));
      assertThat(traits(C2)).containsEntry(RetailTraits.RFM_SCORE, "111")
          .containsEntry(RetailTraits.RFM_FREQUENCY, 1);
    }

    @Test
    @DisplayName("are absent without orders")
    void absent() {
      ingest(view("v", clock.instant(), "P").userId("C-1").build());
      assertThat(traits(C1)).doesNotContainKeys(RetailTraits.RFM_RECENCY,
          RetailTraits.RFM_FREQUENCY, RetailTraits.RFM_MONETARY, RetailTraits.RFM_SCORE);
    }

    @Test
    @DisplayName("monetary sums what the orders booked in the thresholds' currency came to (any "
        + "case; without a currency, the Cdp's default), net of refunds; other currencies and "
        + "older orders do not change it")
    void monetary() {
      Instant now = at("2026-09-01T12:00:00Z");
      clock.set(now);
      ingest(order("a", now).userId("C-1").property("total", new BigDecimal("19.99"))
          .property("currency", " eur").build());
      ingest(order("b", now).userId("C-1").property("total", 100L)
          .property("currency", "USD").build());
      ingest(order("c", now).userId("C-1").property("total", 7L).build());
      ingest(Event.track("Order Refunded").messageId("r").userId("C-1").timestamp(now)
          .property("order_id", "O-a").property("total", new BigDecimal("4.99")).build());
      ingest(order("d", now.minus(Duration.ofDays(365))).userId("C-1")
          .property("total", 500L).property("currency", "EUR").build());
      // 19.99 - 4.99 + 7 (booked in the default EUR); order d fell out of the year yesterday.
      assertThat(traits(C1)).containsEntry("spend_365d_eur", new BigDecimal("22.00"))
          .containsEntry(RetailTraits.RFM_MONETARY, 1);
      ingest(Event.track("Order Refunded").messageId("r2").userId("C-1").timestamp(now)
          .property("order_id", "O-c").build());
      assertThat(traits(C1)).containsEntry("spend_365d_eur", new BigDecimal("15.00"));
      assertThat(RetailTraits.spendTraitName("usd")).isEqualTo("spend_365d_usd");
    }

    @Test
    @DisplayName("rfm_recency drops the UTC midnight after the days pass a cut point, as "
        + "nextChange says")
    void recencyNextChange() {
      ingest(order("a", at("2026-03-01T20:00:00Z")).userId("C-1").build());
      clock.set(at("2026-03-11T08:00:00Z"));
      assertThat(trait(C1, RetailTraits.RFM_RECENCY)).contains(5);
      // 30 days is the first default cut point: 31 days from 2026-04-01.
      assertThat(nextChange(C1, RetailTraits.RFM_RECENCY)).contains(at("2026-04-01T00:00:00Z"));
      assertThat(nextChange(C1, RetailTraits.RFM_SCORE)).contains(at("2026-04-01T00:00:00Z"));
      clock.set(at("2026-03-31T23:59:59Z"));
      assertThat(trait(C1, RetailTraits.RFM_RECENCY)).contains(5);
      clock.set(at("2026-04-01T00:00:00Z"));
      assertThat(trait(C1, RetailTraits.RFM_RECENCY)).contains(4);
      assertThat(nextChange(C1, RetailTraits.RFM_RECENCY)).contains(at("2026-05-31T00:00:00Z"));
      clock.set(at("2027-03-02T00:00:00Z"));
      assertThat(trait(C1, RetailTraits.RFM_RECENCY)).contains(1);
      assertThat(nextChange(C1, RetailTraits.RFM_RECENCY)).isEmpty();
    }

    @Test
    @DisplayName("fromPopulation over ten customers gives the nearest-rank quintile cut points")
    void fromPopulation() {
      Instant now = at("2026-09-01T12:00:00Z");
      clock.set(now);
      List<Identifier> ids = new ArrayList<>();
      // Customer i (1 to 10): i orders of 10 EUR in the last year, the latest 3 * i days ago.
      for (int i = 1; i <= 10; i++) {
        ids.add(Identifier.customerId("K-" + i));
        for (int j = 0; j < i; j++) {
          ingest(order("k" + i + "-" + j, now.minus(Duration.ofDays(3L * i + j)))
              .userId("K-" + i).property("total", 10L).property("currency", "EUR").build());
        }
      }
      // Not customers: no orders.
      ingest(view("v", now, "P").userId("K-0").build());
      ids.add(Identifier.customerId("K-0"));
      List<Profile> population = ids.stream().map(this::find).toList();

      RfmThresholds t = RfmThresholds.fromPopulation(population, now, "eur");
      assertThat(t.recencyDays()).containsExactly(6L, 12L, 18L, 24L);
      assertThat(t.frequency()).containsExactly(2L, 4L, 6L, 8L);
      assertThat(t.monetary()).extracting(BigDecimal::toPlainString)
          .containsExactly("20.00", "40.00", "60.00", "80.00");
      assertThat(t.currency()).isEqualTo("EUR");

      // Rebuilt with them, customer 5 (15 days, 5 orders, 50 EUR) scores 3 throughout.
      try (Cdp rebuilt = newCdp(RetailTraits.builder().rfmThresholds(t).build(), clock)) {
        for (int j = 0; j < 5; j++) {
          rebuilt.ingest(order("k5-" + j, now.minus(Duration.ofDays(15L + j))).userId("K-5")
              .property("total", 10L).property("currency", "EUR").build());
        }
        assertThat(rebuilt.profiles().find(Identifier.customerId("K-5")).orElseThrow()
            .computedTrait(RetailTraits.RFM_SCORE)).contains("333");
      }
    }

    Profile find(Identifier id) {
      return profile(id);
    }

    @Test
    @DisplayName("fromPopulation refuses a population without orders")
    void emptyPopulation() {
      ingest(view("v", clock.instant(), "P").userId("C-1").build());
      assertThatThrownBy(() -> RfmThresholds.fromPopulation(List.of(profile(C1)),
          clock.instant(), "EUR")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no profile has an order");
    }

    @Test
    @DisplayName("a value equal to a cut point falls in the quintile it closes")
    void boundaries() {
      RfmThresholds t = new RfmThresholds(List.of(6L, 12L, 18L, 24L), List.of(2L, 4L, 6L, 8L),
          List.of(new BigDecimal("20"), new BigDecimal("40"), new BigDecimal("60"),
              new BigDecimal("80.00")), "EUR");
      assertThat(List.of(0L, 6L, 7L, 12L, 13L, 18L, 19L, 24L, 25L, 10_000L).stream()
          .map(t::recencyScore)).containsExactly(5, 5, 4, 4, 3, 3, 2, 2, 1, 1);
      assertThat(List.of(0L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L).stream().map(t::frequencyScore))
          .containsExactly(1, 1, 2, 2, 3, 3, 4, 4, 5);
      assertThat(List.of("0", "20", "20.01", "40.0", "60", "60.000001", "80", "80.01").stream()
          .map(s -> t.monetaryScore(new BigDecimal(s)))).containsExactly(1, 1, 2, 2, 3, 4, 4, 5);
      // Equal cut points: most customers with one order score 1, not 4.
      RfmThresholds ties = new RfmThresholds(List.of(1L, 1L, 1L, 2L), List.of(1L, 1L, 1L, 2L),
          List.of(BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.TEN), "EUR");
      assertThat(ties.frequencyScore(1)).isEqualTo(1);
      assertThat(ties.frequencyScore(2)).isEqualTo(4);
      assertThat(ties.frequencyScore(3)).isEqualTo(5);
      assertThat(ties.recencyScore(1)).isEqualTo(5);
      assertThat(ties.recencyScore(2)).isEqualTo(2);
    }

    @Test
    @DisplayName("thresholds are checked when made")
    void checked() {
      List<Long> four = List.of(1L, 2L, 3L, 4L);
      List<BigDecimal> money = List.of(BigDecimal.ONE, BigDecimal.ONE, BigDecimal.TEN,
          BigDecimal.TEN);
      assertThatThrownBy(() -> new RfmThresholds(List.of(1L, 2L, 3L), four, money, "EUR"))
          .hasMessage("recency needs 4 cut points, not 3");
      assertThatThrownBy(() -> new RfmThresholds(four, List.of(1L, 3L, 2L, 4L), money, "EUR"))
          .hasMessage("frequency cut points must ascend: 2 follows 3");
      assertThatThrownBy(() -> new RfmThresholds(List.of(-1L, 2L, 3L, 4L), four, money, "EUR"))
          .hasMessage("recency cut point -1 is negative");
      assertThatThrownBy(() -> new RfmThresholds(four, four, money, "EURO"))
          .hasMessage("currency EURO is not an ISO 4217 code");
      assertThat(new RfmThresholds(four, four, money, " usd").currency()).isEqualTo("USD");
      assertThat(RfmThresholds.defaults().recencyDays()).containsExactly(30L, 90L, 180L, 365L);
    }
  }

  @Nested
  @DisplayName("orders are the profile's orders: one per order id, net of refunds")
  class CountedOrders {
    @Test
    @DisplayName("a receipt resent under a new messageId is one order; a refunded one is none")
    void dedupAndRefunds() {
      Instant t = clock.instant().minus(Duration.ofDays(10));
      ingest(order("a", t).userId("C-1").property("order_id", "W-1")
          .property("total", new BigDecimal("40.00")).channel("web").build());
      ingest(order("a-again", t.plusSeconds(60)).userId("C-1").property("order_id", "W-1")
          .property("total", new BigDecimal("40.00")).channel("web").build());
      ingest(order("b", t.plus(Duration.ofDays(2))).userId("C-1").property("order_id", "W-2")
          .property("total", new BigDecimal("25.00")).channel("pos").build());
      ingest(order("c", t.plus(Duration.ofDays(3))).userId("C-1").property("order_id", "W-3")
          .property("total", new BigDecimal("10.00")).build());
      ingest(Event.track("Order Refunded").messageId("r-b").userId("C-1")
          .timestamp(t.plus(Duration.ofDays(4))).property("order_id", "W-2").build());
      ingest(Event.track("Order Refunded").messageId("r-c").userId("C-1")
          .timestamp(t.plus(Duration.ofDays(4))).property("order_id", "W-3")
          .property("total", new BigDecimal("4.00")).build());

      Profile p = cdp.profiles().find(C1).orElseThrow();
      assertThat(p.orderCount()).isEqualTo(2);
      assertThat(p.computedTraits())
          .containsEntry(RetailTraits.ORDERS_ALL_TIME, 2L)
          .containsEntry(RetailTraits.ORDERS_90D, 2L)
          .containsEntry(RetailTraits.FIRST_ORDER_AT, t.plusSeconds(60))
          .containsEntry(RetailTraits.LAST_ORDER_AT, t.plus(Duration.ofDays(3)))
          // 40.00 + (10.00 - 4.00); the refunded POS order is gone, and with it "offline".
          .containsEntry("spend_365d_eur", new BigDecimal("46.00"))
          .containsEntry(RetailTraits.ORDER_CHANNELS, List.of("web"))
          .containsEntry(RetailTraits.PREFERRED_CHANNEL, "online");
    }

    @Test
    @DisplayName("a Cdp with other order events: the pack follows them without its own setting")
    void oneOrderConfiguration() {
      try (Cdp pos = Cdp.builder().clock(clock).orderEvent("Receipt Issued")
          .computedTraits(RetailTraits.all()).build()) {
        Instant t = clock.instant().minus(Duration.ofDays(1));
        pos.ingest(Event.track("Receipt Issued").messageId("r1").userId("C-1").timestamp(t)
            .property("order_id", "R-1").property("total", new BigDecimal("5.00"))
            .property("products", List.of(product("A", "bags"))).build());
        pos.ingest(Event.track("Order Completed").messageId("o1").userId("C-1").timestamp(t)
            .property("order_id", "W-1").property("products", List.of(product("B", "shoes")))
            .build());
        Profile p = pos.profiles().find(C1).orElseThrow();
        assertThat(p.orderCount()).isEqualTo(1);
        assertThat(p.computedTraits())
            .containsEntry(RetailTraits.ORDERS_ALL_TIME, 1L)
            .containsEntry(RetailTraits.FAVOURITE_CATEGORY, "bags")
            .containsEntry(RetailTraits.ORDERED_PRODUCTS, List.of("A"));
      }
    }

    @Test
    @DisplayName("an event named after the reserved $orders is no order of the pack")
    void reservedName() {
      assertThat(EventFilter.ORDERS.test(Event.track("$orders").messageId("m").userId("u")
          .build())).isFalse();
      assertThat(EventFilter.ORDERS.withOrderEvents(Set.of("A", "B")).names())
          .containsExactly("A", "B");
      assertThatThrownBy(() -> EventFilter.ORDERS.withOrderEvents(Set.of()))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("The pack")
  class Pack {
    @Test
    @DisplayName("declares every documented trait")
    void names() {
      ComputedTraits all = RetailTraits.all();
      for (String n : List.of("days_since_last_order", "orders_90d", "orders_365d",
          "avg_decision_time_hours", "favourite_category", "preferred_channel", "churn_risk",
          "rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_score", "first_order_at",
          "last_order_at", "orders_all_time", "viewed_products", "ordered_products",
          "order_channels", "spend_365d_eur")) {
        assertThat(all.contains(n)).as(n).isTrue();
      }
      assertThat(all.aggregates().size() + all.derived().size()).isEqualTo(18);
    }

    @Test
    @DisplayName("counts the Cdp's order events and the configured product view events")
    void eventNames() {
      ComputedTraits pack = RetailTraits.builder().productViewEvents("Item Inspected").build();
      try (Cdp other = Cdp.builder().clock(clock).orderEvent("Receipt Issued")
          .computedTraits(pack).build()) {
        Instant t = clock.instant();
        clock.set(t.plus(Duration.ofHours(2))); // received after the events below
        other.ingest(Event.track("Item Inspected").messageId("v").userId("C-1").timestamp(t)
            .property("product_id", "A").build());
        other.ingest(Event.track("Receipt Issued").messageId("r").userId("C-1")
            .timestamp(t.plus(Duration.ofHours(2))).property("products",
                List.of(product("A", "bags"))).build());
        other.ingest(order("o", t).userId("C-1").build());
        assertThat(other.profiles().find(C1).orElseThrow().computedTraits())
            .containsEntry(RetailTraits.ORDERS_ALL_TIME, 1L)
            .containsEntry(RetailTraits.AVG_DECISION_TIME_HOURS, new BigDecimal("2.00"));
      }
    }

    @Test
    @DisplayName("the builder takes each setting once and says what clashes")
    void builderChecks() {
      assertThatThrownBy(() -> RetailTraits.builder().churnFactor(2).churnFactor(3))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("churn factor was already set to 2.0");
      assertThatThrownBy(() -> RetailTraits.builder().churnFactor(0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> RetailTraits.builder().churnFactor(Double.NaN))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> RetailTraits.builder().productViewEvents())
          .hasMessage("product view events must name at least one event");
      assertThatThrownBy(() -> RetailTraits.builder().onlineChannels("web", "POS").build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("channel pos is both online and offline");
      assertThatThrownBy(() -> RetailTraits.builder().rfmThresholds(RfmThresholds.defaults())
          .rfmThresholds(RfmThresholds.defaults())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("the spend aggregation follows the thresholds' currency")
    void spendName() {
      RfmThresholds usd = new RfmThresholds(List.of(1L, 2L, 3L, 4L), List.of(1L, 2L, 3L, 4L),
          List.of(BigDecimal.ONE, BigDecimal.ONE, BigDecimal.TEN, BigDecimal.TEN), "USD");
      ComputedTraits pack = RetailTraits.builder().rfmThresholds(usd).build();
      assertThat(pack.contains("spend_365d_usd")).isTrue();
      assertThat(pack.contains("spend_365d_eur")).isFalse();
      assertThat(pack.derivedTrait(RetailTraits.RFM_MONETARY).orElseThrow().inputs())
          .isEqualTo(Set.of("spend_365d_usd", RetailTraits.LAST_ORDER_AT));
    }
  }
}
