package io.cdpkit.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ProfileStateTest {
  static final Instant T = Instant.parse("2025-05-05T10:00:00Z");

  final Cdp cdp = Cdp.builder().sourcePriority("crm", 10).sourcePriority("webshop", 1).build();

  Profile profile() {
    return cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
  }

  @Nested
  @DisplayName("Traits")
  class Traits {
    @Test
    @DisplayName("the later event wins, whatever the arrival order")
    void lastWriterByEventTime() {
      cdp.ingest(Event.identify().messageId("b").userId("C-1").trait("city", "Utrecht")
          .timestamp(T.plusSeconds(5)).build());
      cdp.ingest(Event.identify().messageId("a").userId("C-1").trait("city", "Breda")
          .timestamp(T).build());
      assertThat(profile().trait("city")).contains("Utrecht");
    }

    @Test
    @DisplayName("at the same instant the source with the higher priority wins")
    void tieBySourcePriority() {
      cdp.ingest(Event.identify().messageId("z").userId("C-1").trait("city", "Breda")
          .source("webshop").timestamp(T).build());
      cdp.ingest(Event.identify().messageId("a").userId("C-1").trait("city", "Utrecht")
          .source("crm").timestamp(T).build());
      assertThat(profile().trait("city")).contains("Utrecht");
    }

    @Test
    @DisplayName("at the same instant and priority the greater messageId wins")
    void tieByMessageId() {
      cdp.ingest(Event.identify().messageId("m2").userId("C-1").trait("city", "Breda")
          .timestamp(T).build());
      cdp.ingest(Event.identify().messageId("m1").userId("C-1").trait("city", "Utrecht")
          .timestamp(T).build());
      assertThat(profile().trait("city")).contains("Breda");
    }

    @Test
    @DisplayName("a trait set to null is unset")
    void nullUnsets() {
      cdp.ingest(Event.identify().messageId("m1").userId("C-1").trait("city", "Breda")
          .timestamp(T).build());
      cdp.ingest(Event.identify().messageId("m2").userId("C-1").trait("city", null)
          .timestamp(T.plusSeconds(1)).build());
      assertThat(profile().trait("city")).isEmpty();
      assertThat(profile().traits()).doesNotContainKey("city");
    }
  }

  @Nested
  @DisplayName("Consent")
  class Consent {
    @Test
    @DisplayName("the later decision wins")
    void lastWriter() {
      cdp.ingest(Event.identify().messageId("m2").userId("C-1")
          .consent("marketing", "email", false).timestamp(T.plusSeconds(1)).build());
      cdp.ingest(Event.identify().messageId("m1").userId("C-1")
          .consent("marketing", "email", true).timestamp(T).build());
      assertThat(profile().consent("marketing", "email")).contains(false);
      assertThat(profile().consent("marketing", "sms")).isEmpty();
    }

    @Test
    @DisplayName("on an exact tie of time, denied wins whatever the messageIds")
    void tieDeniedWins() {
      cdp.ingest(Event.identify().messageId("a-denied").userId("C-1")
          .consent("marketing", "email", false).timestamp(T).build());
      cdp.ingest(Event.identify().messageId("z-granted").userId("C-1")
          .consent("marketing", "email", true).timestamp(T).build());
      assertThat(profile().consent("marketing", "email")).contains(false);
    }
  }

  @Nested
  @DisplayName("Orders")
  class Orders {
    Event order(String msg, String orderId, String total, String currency, int day,
        String channel, String store) {
      return Event.track("Order Completed").messageId(msg).userId("C-1")
          .property("order_id", orderId).property("total", new BigDecimal(total))
          .property("currency", currency).channel(channel).storeId(store)
          .timestamp(T.plusSeconds(86400L * day)).build();
    }

    @Test
    @DisplayName("count, spend, average and last order keep currencies apart")
    void currencies() {
      cdp.ingest(order("m1", "O1", "10.00", "EUR", 0, "web", null));
      cdp.ingest(order("m2", "O2", "25.51", "EUR", 1, "pos", "s1"));
      cdp.ingest(order("m3", "O3", "1000", "JPY", 2, "web", null));
      Profile p = profile();
      assertThat(p.orderCount()).isEqualTo(3);
      assertThat(p.totalSpend()).containsExactly(
          Map.entry("EUR", Money.of(3551, "EUR")), Map.entry("JPY", Money.of(1000, "JPY")));
      assertThat(p.averageOrderValue("EUR")).contains(Money.of(1776, "EUR"));
      assertThat(p.averageOrderValue("USD")).isEmpty();
      assertThat(p.lastOrder().orElseThrow().orderId()).isEqualTo("O3");
    }

    @Test
    @DisplayName("the same order reported twice counts once")
    void sameOrderTwice() {
      cdp.ingest(order("m1", "O1", "10.00", "EUR", 0, "pos", "s1"));
      cdp.ingest(order("m2", "O1", "10.00", "EUR", 0, "pos", "s1"));
      assertThat(profile().orderCount()).isEqualTo(1);
      assertThat(profile().totalSpend()).containsEntry("EUR", Money.of(1000, "EUR"));
    }

    @Test
    @DisplayName("partial refunds reduce spend; a full refund removes the order")
    void refunds() {
      cdp.ingest(order("m1", "O1", "10.00", "EUR", 0, "web", null));
      cdp.ingest(order("m2", "O2", "30.00", "EUR", 1, "web", null));
      cdp.ingest(Event.track("Order Refunded").messageId("r1").userId("C-1")
          .property("order_id", "O2").property("total", new BigDecimal("5.00"))
          .property("currency", "EUR").timestamp(T.plusSeconds(86400L * 2)).build());
      assertThat(profile().totalSpend()).containsEntry("EUR", Money.of(3500, "EUR"));
      cdp.ingest(Event.track("Order Refunded").messageId("r2").userId("C-1")
          .property("order_id", "O1").timestamp(T.plusSeconds(86400L * 3)).build());
      Profile p = profile();
      assertThat(p.orderCount()).isEqualTo(1);
      assertThat(p.totalSpend()).containsEntry("EUR", Money.of(2500, "EUR"));
      assertThat(p.lastOrder().orElseThrow().orderId()).isEqualTo("O2");
    }

    @Test
    @DisplayName("a refund arriving before its order is applied when the order comes")
    void refundBeforeOrder() {
      cdp.ingest(Event.track("Order Refunded").messageId("r1").userId("C-1")
          .property("order_id", "O1").property("total", 4L).property("currency", "EUR")
          .timestamp(T.plusSeconds(100)).build());
      assertThat(profile().orderCount()).isZero();
      cdp.ingest(order("m1", "O1", "10", "EUR", 0, "web", null));
      assertThat(profile().totalSpend()).containsEntry("EUR", Money.of(600, "EUR"));
    }

    @Test
    @DisplayName("favourite store and channel are those with the most orders; years as customer "
        + "count from the first order")
    void favourites() {
      cdp.ingest(order("m1", "O1", "10", "EUR", 0, "pos", "s1"));
      cdp.ingest(order("m2", "O2", "10", "EUR", 400, "pos", "s2"));
      cdp.ingest(order("m3", "O3", "10", "EUR", 800, "pos", "s2"));
      for (int i = 0; i < 5; i++) {
        cdp.ingest(Event.page("Home").messageId("p" + i).userId("C-1").channel("web")
            .timestamp(T).build());
      }
      Profile p = profile();
      assertThat(p.favouriteStore()).contains("s2");
      assertThat(p.favouriteChannel()).contains("pos");
      assertThat(p.customerSince()).contains(T);
      assertThat(p.yearsAsCustomer(T.plusSeconds(86400L * 364))).isZero();
      assertThat(p.yearsAsCustomer(T.plusSeconds(86400L * 366))).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("join is commutative, associative and idempotent on registers")
  void joinLaws() {
    ProfileState a = ProfileState.of(
        Map.of("city", new ProfileState.TraitValue("A", T, 0, "m1")),
        Map.of(new ConsentKey("marketing", "email"),
            new ProfileState.ConsentValue(true, T, "m1")), T, T, Map.of(), Map.of(), Map.of(),
        Map.of("identify", 1L));
    ProfileState b = ProfileState.of(
        Map.of("city", new ProfileState.TraitValue("B", T.plusSeconds(1), 0, "m2")),
        Map.of(new ConsentKey("marketing", "email"),
            new ProfileState.ConsentValue(false, T, "m0")), T.plusSeconds(1), T.plusSeconds(1),
        Map.of(), Map.of(), Map.of(), Map.of("page", 1L));
    ProfileState c = ProfileState.of(Map.of(), Map.of(), T.minusSeconds(1), T.minusSeconds(1),
        Map.of("web", new ProfileState.Tally(1, 0, T)), Map.of(), Map.of(),
        Map.of("page", 1L));
    assertThat(a.join(b)).isEqualTo(b.join(a));
    assertThat(a.join(b).join(c)).isEqualTo(a.join(b.join(c)));
    assertThat(a.join(b).traits().get("city").value()).isEqualTo("B");
    assertThat(a.join(b).consents().values()).singleElement()
        .satisfies(v -> assertThat(v.granted()).isFalse());
    ProfileState registersOnly = ProfileState.of(a.traits(), a.consents(), T, T, Map.of(),
        Map.of(), Map.of(), Map.of());
    assertThat(registersOnly.join(registersOnly)).isEqualTo(registersOnly);
    assertThat(a.join(ProfileState.EMPTY)).isSameAs(a);
  }
}
