package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class IdentityScenarioTest {
  static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
  static final String WALK_IN = "2900000000017";

  final Cdp cdp = Cdp.builder()
      .clock(Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC))
      .identityRules(IdentityRules.builder().block(IdentifierType.LOYALTY_CARD, WALK_IN).build())
      .build();

  static Instant at(int minutes) {
    return T0.plusSeconds(60L * minutes);
  }

  static Event order(String msg, String orderId, String total, Instant t, String channel,
      String store) {
    return Event.track("Order Completed").messageId(msg)
        .property("order_id", orderId).property("total", new BigDecimal(total))
        .property("currency", "EUR").channel(channel).storeId(store).timestamp(t)
        .userId(null).build();
  }

  @Nested
  @DisplayName("The quickstart story")
  class Story {
    @Test
    @DisplayName("an anonymous visitor who logs in, buys online, buys in store and links the card "
        + "ends up as one profile with the joined history")
    void storyMergesIntoOneProfile() {
      cdp.ingest(Event.page("Dresses").messageId("m1").anonymousId("cookie-1")
          .channel(Channels.WEB).timestamp(at(0)).build());
      cdp.ingest(Event.track("Product Viewed").messageId("m2").anonymousId("cookie-1")
          .property("category", "dresses").property("size", "M")
          .channel(Channels.WEB).timestamp(at(1)).build());
      IngestResult login = cdp.ingest(Event.identify().messageId("m3").anonymousId("cookie-1")
          .userId("C-1001").trait("email", " Jane.Doe@Example.com ").trait("firstName", "Jane")
          .channel(Channels.WEB).timestamp(at(2)).build());
      cdp.ingest(Event.track("Order Completed").messageId("m4").userId("C-1001")
          .property("order_id", "W-1").property("total", new BigDecimal("89.90"))
          .property("currency", "EUR").channel(Channels.WEB).timestamp(at(3)).build());
      IngestResult pos = cdp.ingest(Event.track("Order Completed").messageId("m5")
          .identifier(IdentifierType.LOYALTY_CARD, "2900 0123 4567 8")
          .property("order_id", "R-88").property("total", new BigDecimal("59.90"))
          .channel(Channels.POS).storeId("amsterdam-01").timestamp(at(60 * 24)).build());

      assertThat(pos.profileId()).isNotEqualTo(login.profileId());

      IngestResult link = cdp.ingest(Event.identify().messageId("m6").userId("C-1001")
          .identifier(IdentifierType.LOYALTY_CARD, "2900012345678")
          .channel(Channels.WEB).timestamp(at(60 * 48)).build());

      Profile jane = cdp.profiles().find(Identifier.email("jane.doe@example.com")).orElseThrow();
      assertThat(jane.id()).isEqualTo(link.profileId());
      assertThat(jane.identifiers()).containsExactlyInAnyOrder(
          Identifier.anonymousId("cookie-1"), Identifier.customerId("C-1001"),
          Identifier.email("jane.doe@example.com"), Identifier.loyaltyCard("2900012345678"));
      assertThat(jane.orderCount()).isEqualTo(2);
      assertThat(jane.totalSpend()).containsEntry("EUR", Money.of(14980, "EUR"));
      assertThat(jane.averageOrderValue("EUR")).contains(Money.of(7490, "EUR"));
      assertThat(jane.lastOrder().orElseThrow().storeId()).isEqualTo("amsterdam-01");
      assertThat(jane.channelsSeen()).containsExactly("pos", "web");
      assertThat(jane.favouriteStore()).contains("amsterdam-01");
      assertThat(jane.firstSeen()).contains(at(0));
      assertThat(jane.lastSeen()).contains(at(60 * 48));
      assertThat(jane.trait("firstName")).contains("Jane");
      assertThat(jane.eventCounts()).containsEntry("Order Completed", 2L)
          .containsEntry("page", 1L).containsEntry("identify", 2L);
      assertThat(cdp.profiles().events(jane.id())).extracting(Event::messageId)
          .containsExactly("m1", "m2", "m3", "m4", "m5", "m6");

      // The POS profile was merged away and its id still resolves to the survivor.
      ProfileId posId = pos.profileId();
      assertThat(cdp.profiles().get(posId).orElseThrow().id()).isEqualTo(jane.id());
      List<LedgerEntry> ledger = cdp.profiles().ledger(jane.id());
      assertThat(ledger).anySatisfy(e -> {
        assertThat(e.kind()).isEqualTo(LedgerEntry.Kind.MERGED);
        assertThat(e.other()).isEqualTo(posId);
        assertThat(e.identifier()).isEqualTo(Identifier.loyaltyCard("2900012345678"));
        assertThat(e.messageId()).isEqualTo("m6");
      });
    }

    @Test
    @DisplayName("three strangers using the shared walk-in card stay three profiles")
    void walkInCardDoesNotMerge() {
      for (int i = 1; i <= 3; i++) {
        cdp.ingest(Event.track("Order Completed").messageId("w" + i)
            .identifier(IdentifierType.LOYALTY_CARD, WALK_IN)
            .identifier(IdentifierType.PHONE, "+31 6 1234567" + i)
            .property("order_id", "R-" + i).property("total", 10L)
            .channel(Channels.POS).storeId("utrecht-02").timestamp(at(i)).build());
      }
      assertThat(cdp.profiles().find(Identifier.loyaltyCard(WALK_IN))).isEmpty();
      for (int i = 1; i <= 3; i++) {
        Profile p = cdp.profiles().find(Identifier.phone("+3161234567" + i)).orElseThrow();
        assertThat(p.identifiers()).containsExactly(Identifier.phone("+3161234567" + i));
        assertThat(p.orderCount()).isEqualTo(1);
      }
    }
  }

  @Nested
  @DisplayName("Limits per profile")
  class Limits {
    @Test
    @DisplayName("two customer ids sharing a family e-mail do not merge; the conflict is recorded")
    void familyEmail() {
      IngestResult a = cdp.ingest(Event.identify().messageId("f1").userId("C-1")
          .trait("email", "family@example.org").timestamp(at(1)).build());
      IngestResult b = cdp.ingest(Event.identify().messageId("f2").userId("C-2")
          .trait("email", "family@example.org").timestamp(at(2)).build());

      assertThat(a.profileId()).isNotEqualTo(b.profileId());
      Profile first = cdp.profiles().get(a.profileId()).orElseThrow();
      Profile second = cdp.profiles().get(b.profileId()).orElseThrow();
      assertThat(first.identifiers()).containsExactlyInAnyOrder(
          Identifier.customerId("C-1"), Identifier.email("family@example.org"));
      assertThat(second.identifiers()).containsExactly(Identifier.customerId("C-2"));
      assertThat(second.eventCounts()).containsEntry("identify", 1L);
      assertThat(cdp.profiles().ledger(b.profileId())).singleElement().satisfies(e -> {
        assertThat(e.kind()).isEqualTo(LedgerEntry.Kind.CONFLICT);
        assertThat(e.identifier()).isEqualTo(Identifier.email("family@example.org"));
        assertThat(e.messageId()).isEqualTo("f2");
        assertThat(e.reason()).isEqualTo("limit: customer_id max 1");
      });
    }

    @Test
    @DisplayName("a conflict is decided by event time, not arrival: the earlier claim keeps the "
        + "e-mail even when it arrives last")
    void conflictDecidedByEventTime() {
      IngestResult late = cdp.ingest(Event.identify().messageId("f2").userId("C-2")
          .trait("email", "family@example.org").timestamp(at(2)).build());
      IngestResult early = cdp.ingest(Event.identify().messageId("f1").userId("C-1")
          .trait("email", "family@example.org").timestamp(at(1)).build());

      Profile c1 = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
      Profile c2 = cdp.profiles().find(Identifier.customerId("C-2")).orElseThrow();
      assertThat(c1.identifiers()).contains(Identifier.email("family@example.org"));
      assertThat(c2.identifiers()).containsExactly(Identifier.customerId("C-2"));
      assertThat(c1.id()).isEqualTo(cdp.profiles().resolve(early.profileId()).orElseThrow());
      assertThat(c2.id()).isEqualTo(cdp.profiles().resolve(late.profileId()).orElseThrow());
      // The ledger says why C-2 lost the e-mail: the earlier claim (f1) decided it.
      assertThat(cdp.profiles().ledger(c2.id())).anySatisfy(e -> {
        assertThat(e.kind()).isEqualTo(LedgerEntry.Kind.CONFLICT);
        assertThat(e.profile()).isEqualTo(c2.id());
        assertThat(e.identifier()).isEqualTo(Identifier.email("family@example.org"));
        assertThat(e.messageId()).isEqualTo("f1");
        assertThat(e.reason()).isEqualTo("limit: customer_id max 1");
      });
    }

    @Test
    @DisplayName("a sixth e-mail is not linked to a profile that has five")
    void emailLimit() {
      for (int i = 1; i <= 6; i++) {
        cdp.ingest(Event.identify().messageId("e" + i).userId("C-9")
            .trait("email", "jane" + i + "@example.org").timestamp(at(i)).build());
      }
      Profile p = cdp.profiles().find(Identifier.customerId("C-9")).orElseThrow();
      assertThat(p.identifiers(IdentifierType.EMAIL)).hasSize(5)
          .doesNotContain(Identifier.email("jane6@example.org"));
      assertThat(cdp.profiles().find(Identifier.email("jane6@example.org")).orElseThrow().id())
          .isNotEqualTo(p.id());
    }
  }

  @Nested
  @DisplayName("Blocked values")
  class Blocked {
    @Test
    @DisplayName("placeholder identifiers link nothing and the event is still stored")
    void placeholders() {
      cdp.ingest(Event.identify().messageId("b1").userId("C-1").anonymousId("undefined")
          .trait("email", "test@test.com").timestamp(at(1)).build());
      cdp.ingest(Event.identify().messageId("b2").userId("C-2").anonymousId("undefined")
          .trait("email", "TEST@test.com").identifier(IdentifierType.PHONE, "000-0000")
          .timestamp(at(2)).build());
      Profile c1 = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
      Profile c2 = cdp.profiles().find(Identifier.customerId("C-2")).orElseThrow();
      assertThat(c1.id()).isNotEqualTo(c2.id());
      assertThat(c1.identifiers()).containsExactly(Identifier.customerId("C-1"));
      assertThat(cdp.profiles().eventCounts()).containsEntry("identify", 2L);
    }

    @Test
    @DisplayName("an event whose only identifier is blocked is stored without a profile")
    void onlyBlocked() {
      IngestResult r = cdp.ingest(Event.track("Order Completed").messageId("b3")
          .identifier(IdentifierType.LOYALTY_CARD, WALK_IN).property("total", 5L)
          .timestamp(at(1)).build());
      assertThat(r.status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(r.profile()).isEmpty();
      assertThat(cdp.profiles().eventCounts()).containsEntry("Order Completed", 1L);
    }
  }

  @Nested
  @DisplayName("Unmerge")
  class Unmerge {
    @Test
    @DisplayName("unmerging a card from an account restores the two profiles and keeps them apart")
    void unmerge() {
      IngestResult web = cdp.ingest(Event.track("Order Completed").messageId("u1")
          .userId("C-1").property("order_id", "W-1").property("total", 20L)
          .channel(Channels.WEB).timestamp(at(1)).build());
      IngestResult card = cdp.ingest(Event.track("Order Completed").messageId("u2")
          .identifier(IdentifierType.LOYALTY_CARD, "123").anonymousId("kiosk-7")
          .property("order_id", "R-1").property("total", 30L).channel(Channels.POS).timestamp(at(2)).build());
      Profile webBefore = cdp.profiles().get(web.profileId()).orElseThrow();
      Profile cardBefore = cdp.profiles().get(card.profileId()).orElseThrow();

      // An alias links identifiers and contributes nothing else.
      cdp.ingest(Event.alias("kiosk-7").messageId("u3").userId("C-1").timestamp(at(3)).build());
      assertThat(cdp.profiles().find(Identifier.loyaltyCard("123")).orElseThrow().orderCount())
          .isEqualTo(2);

      cdp.profiles().unmerge(Identifier.customerId("C-1"), Identifier.loyaltyCard("123"));

      Profile webAfter = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
      Profile cardAfter = cdp.profiles().find(Identifier.loyaltyCard("123")).orElseThrow();
      assertThat(webAfter.id()).isNotEqualTo(cardAfter.id());
      assertThat(webAfter.state()).isEqualTo(webBefore.state());
      assertThat(cardAfter.state()).isEqualTo(cardBefore.state());
      assertThat(webAfter.identifiers()).isEqualTo(webBefore.identifiers());
      assertThat(cardAfter.identifiers()).isEqualTo(cardBefore.identifiers());

      // The rule holds for later events too.
      cdp.ingest(Event.identify().messageId("u4").userId("C-1")
          .identifier(IdentifierType.LOYALTY_CARD, "123").timestamp(at(4)).build());
      assertThat(cdp.profiles().find(Identifier.loyaltyCard("123")).orElseThrow().id())
          .isNotEqualTo(cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow().id());
    }

    @Test
    @DisplayName("unmerge refuses unknown identifiers")
    void unknown() {
      cdp.ingest(Event.identify().messageId("x").userId("C-1").timestamp(at(1)).build());
      assertThatThrownBy(() -> cdp.profiles().unmerge(Identifier.customerId("C-1"),
          Identifier.customerId("C-404"))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining("C-404");
    }
  }
}
