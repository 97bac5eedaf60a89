package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.spi.extension.CdpExtension;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The ingest door: client times bounded by receive time, money bounded and rounded, unusable
 * identifier traits dropped with a warning, and one event's failure, wherever it happens, only
 * that event's rejection.
 */
class IngestDoorTest {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final Identifier ANN = Identifier.customerId("C-ann");

  final MutableClock clock = new MutableClock(NOW);
  final Store store = Store.inMemory();
  final Cdp cdp = Cdp.builder().store(store).clock(clock)
      .privacyKey("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)).build();

  @AfterEach
  void close() {
    cdp.close();
    store.close();
  }

  static byte[] json(String s) {
    return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  Event.Builder order(String id, Object total) {
    return Event.track("Order Completed").messageId(id).userId("C-ann")
        .property("order_id", "o-" + id).property("total", total).timestamp(NOW);
  }

  Profile ann() {
    return cdp.profiles().find(ANN).orElseThrow();
  }

  @Nested
  @DisplayName("client clocks are bounded by receive time")
  class Time {
    @Test
    @DisplayName("regression (issue 15 item 2): a grant stamped a year ahead in Java no longer "
        + "beats a withdrawal received after it")
    void grantFromTheFutureLosesToLaterWithdrawal() {
      IngestResult grant = cdp.ingest(Event.identify().messageId("grant").userId("C-ann")
          .consent("marketing", "email", true).timestamp(NOW.plus(Duration.ofDays(365)))
          .build());
      assertThat(grant.status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(grant.warnings()).containsExactly(
          new IngestWarning("/timestamp", IngestWarning.Kind.TIME_CORRECTED));
      clock.advance(Duration.ofMinutes(1));
      cdp.ingest(Event.identify().messageId("withdraw").userId("C-ann")
          .consent("marketing", "email", false).timestamp(clock.instant()).build());
      assertThat(ann().consent("marketing", "email")).contains(false);
    }

    @Test
    @DisplayName("consent gets no tolerance: a grant stamped 2 minutes ahead still loses to a "
        + "withdrawal received 1 minute later")
    void consentHasNoTolerance() {
      IngestResult grant = cdp.ingest(Event.identify().messageId("grant").userId("C-ann")
          .consent("marketing", "email", true).timestamp(NOW.plus(Duration.ofMinutes(2)))
          .build());
      assertThat(grant.warnings()).extracting(IngestWarning::kind)
          .containsExactly(IngestWarning.Kind.TIME_CORRECTED);
      clock.advance(Duration.ofMinutes(1));
      cdp.ingest(Event.identify().messageId("withdraw").userId("C-ann")
          .consent("marketing", "email", false).build());
      assertThat(ann().consent("marketing", "email")).contains(false);
    }

    @Test
    @DisplayName("regression (issue 15 item 2): a JSON grant with \"timestamp\":\"2036-...\" and no "
        + "sentAt no longer beats a later withdrawal")
    void jsonGrantFromTheFuture() {
      BatchResult grant = cdp.ingestJson(json("{'type':'identify','messageId':'g','userId':"
          + "'C-ann','timestamp':'2036-01-01T00:00:00Z','consent':[{'purpose':'marketing',"
          + "'channel':'email','granted':true}]}"));
      assertThat(grant.warningCounts()).containsEntry(IngestWarning.Kind.TIME_CORRECTED, 1L);
      clock.advance(Duration.ofSeconds(1));
      cdp.ingestJson(json("{'type':'identify','messageId':'w','userId':'C-ann','consent':["
          + "{'purpose':'marketing','channel':'email','granted':false}]}"));
      assertThat(ann().consent("marketing", "email")).contains(false);
      assertThat(cdp.profiles().events(ann().id())).filteredOn(e -> e.messageId().equals("g"))
          .singleElement().satisfies(e -> assertThat(e.eventTime()).isEqualTo(NOW));
    }

    @Test
    @DisplayName("regression (issue 15 item 2): a retry of an erased person's old event stamped a "
        + "day ahead is dropped as erased and does not rebuild her")
    void erasedPersonNotRebuiltByFutureStamp() {
      Event before = Event.identify().messageId("id-1").userId("C-ann")
          .trait("email", "ann@example.com").trait("name", "Ann").timestamp(NOW).build();
      cdp.ingest(before);
      clock.advance(Duration.ofHours(1));
      cdp.privacy().erase(ANN);
      clock.advance(Duration.ofMinutes(10));
      IngestResult retry = cdp.ingest(Event.identify().messageId("id-1").userId("C-ann")
          .trait("email", "ann@example.com").trait("name", "Ann")
          .timestamp(clock.instant().plus(Duration.ofDays(1))).build());
      assertThat(retry.status()).isEqualTo(IngestResult.Status.ERASED);
      assertThat(cdp.profiles().find(ANN)).isEmpty();
      assertThat(cdp.profiles().find(Identifier.email("ann@example.com"))).isEmpty();
      // the same in a batch, by e-mail alone
      BatchResult batch = cdp.ingest(List.of(Event.identify().messageId("id-2")
          .anonymousId("a-9").trait("email", "ann@example.com")
          .timestamp(clock.instant().plus(Duration.ofHours(2))).build()));
      assertThat(batch.erased()).isEqualTo(1);
      assertThat(cdp.profiles().find(Identifier.email("ann@example.com"))).isEmpty();
    }

    @Test
    @DisplayName("an event received at the instant of an erasure is compared with that receive "
        + "time, though dated within the tolerance after it")
    void receiveTimeCounts() {
      cdp.ingest(order("o1", 5L).build());
      clock.advance(Duration.ofHours(1));
      cdp.privacy().erase(ANN);
      IngestResult r = cdp.ingest(order("o2", 5L).timestamp(clock.instant().plusSeconds(60))
          .build());
      assertThat(r.status()).isEqualTo(IngestResult.Status.ERASED);
      assertThat(r.warnings()).isEmpty();
    }

    @Test
    @DisplayName("an event within the tolerance keeps its time; beyond it, it is kept at its "
        + "receive time with a warning; a caller's receivedAt in the future is replaced")
    void tolerance() {
      BatchResult r = cdp.ingest(List.of(
          order("in", 5L).timestamp(NOW.plus(Duration.ofMinutes(4))).build(),
          order("out", 5L).timestamp(NOW.plus(Duration.ofMinutes(6))).build(),
          order("skew", 5L).timestamp(NOW.plus(Duration.ofDays(3)))
              .sentAt(NOW.plus(Duration.ofDays(2))).build(),
          order("recv", 5L).timestamp(NOW.plus(Duration.ofDays(30)))
              .receivedAt(NOW.plus(Duration.ofDays(30))).build()));
      assertThat(r.stored()).isEqualTo(4);
      assertThat(r.results().get(0).warnings()).isEmpty();
      assertThat(r.results().get(1).warnings()).containsExactly(
          new IngestWarning("/timestamp", IngestWarning.Kind.TIME_CORRECTED));
      assertThat(r.results().get(2).warnings()).containsExactly(
          new IngestWarning("/timestamp", IngestWarning.Kind.TIME_CORRECTED));
      assertThat(r.results().get(3).warnings()).containsExactly(
          new IngestWarning("/receivedAt", IngestWarning.Kind.TIME_CORRECTED),
          new IngestWarning("/timestamp", IngestWarning.Kind.TIME_CORRECTED));
      assertThat(r.warnings(IngestWarning.Kind.TIME_CORRECTED)).isEqualTo(4);
      Map<String, Instant> times = new LinkedHashMap<>();
      cdp.profiles().events(ann().id()).forEach(e -> times.put(e.messageId(), e.eventTime()));
      assertThat(times).containsEntry("in", NOW.plus(Duration.ofMinutes(4)))
          .containsEntry("out", NOW).containsEntry("skew", NOW).containsEntry("recv", NOW);
      assertThat(ann().lastSeen()).contains(NOW.plus(Duration.ofMinutes(4)));
    }

    @Test
    @DisplayName("the tolerance is a builder setting; zero keeps nothing ahead of the clock")
    void configurable() {
      try (Cdp strict = Cdp.builder().clock(clock).clockTolerance(Duration.ZERO).build()) {
        IngestResult r = strict.ingest(order("o", 5L).timestamp(NOW.plusSeconds(1)).build());
        assertThat(r.warnings()).extracting(IngestWarning::kind)
            .containsExactly(IngestWarning.Kind.TIME_CORRECTED);
      }
      assertThatThrownBy(() -> Cdp.builder().clockTolerance(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Cdp.builder().clockTolerance(Duration.ZERO)
          .clockTolerance(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already set");
    }

    @Test
    @DisplayName("regression (issue 15 items 7, 8): times outside the years 1970..9999, or a skew "
        + "that corrects a time out of them, reject only their event, naming the field")
    void outOfRange() {
      BatchResult r = cdp.ingest(List.of(
          order("good-1", 5L).build(),
          order("max", 5L).timestamp(Instant.MAX).build(),
          order("min-skew", 5L).timestamp(Instant.MIN).sentAt(NOW).build(),
          order("sent-max", 5L).sentAt(Instant.MAX).build(),
          order("skew-past", 5L).timestamp(Instant.parse("1971-01-01T00:00:00Z"))
              .sentAt(Instant.parse("9000-01-01T00:00:00Z")).build(),
          order("before-1970", 5L).timestamp(Instant.parse("1969-12-31T23:59:59Z")).build(),
          order("recv", 5L).receivedAt(Instant.MIN).build(),
          Event.identify().messageId("exp").userId("C-ann").consent(ConsentChange.builder(
              "marketing", "email", true).expiresAt(Instant.MAX).build()).timestamp(NOW).build(),
          order("good-2", 5L).build()));
      assertThat(r.results()).extracting(IngestResult::status).containsExactly(
          IngestResult.Status.STORED, IngestResult.Status.REJECTED, IngestResult.Status.REJECTED,
          IngestResult.Status.REJECTED, IngestResult.Status.REJECTED,
          IngestResult.Status.REJECTED, IngestResult.Status.REJECTED,
          IngestResult.Status.REJECTED, IngestResult.Status.STORED);
      assertThat(r.results().subList(1, 8)).extracting(x -> x.error().pointer()).containsExactly(
          "/timestamp", "/timestamp", "/sentAt", "/timestamp", "/timestamp", "/receivedAt",
          "/consent/0/expiresAt");
      // the person stays readable, exportable and erasable
      assertThat(cdp.profiles().events(ann().id())).hasSize(2);
      assertThat(cdp.privacy().export(ANN)).isPresent();
      assertThat(cdp.privacy().erase(ANN).profiles()).isEqualTo(1);
    }

    @Test
    @DisplayName("Event.eventTime never throws on times whose skew leaves Instant's range")
    void eventTimeTotal() {
      Event e = Event.page("x").messageId("m").userId("u").timestamp(Instant.MIN)
          .sentAt(Instant.MAX).receivedAt(NOW).build();
      assertThat(e.eventTime()).isEqualTo(Instant.MIN);
    }
  }

  @Nested
  @DisplayName("money is bounded and rounded at the door")
  class MoneyRules {
    @Test
    @DisplayName("regression (issue 15 item 9): a binary-float total is rounded half-even, kept, "
        + "and the result says so; the stored event holds the rounded amount")
    void floatTotalRounded() {
      double total = 9.95 + 9.95 + 9.95;
      assertThat(total).isEqualTo(29.849999999999998);
      BatchResult r = cdp.ingestJson(json("{'batch':[{'type':'track','event':'Order Completed',"
          + "'messageId':'f1','userId':'C-ann','properties':{'order_id':'A','total':" + total
          + ",'currency':'EUR'}},{'type':'track','event':'Order Completed','messageId':'f2',"
          + "'userId':'C-ann','properties':{'order_id':'B','total':29.8500,'currency':'EUR'}}"
          + ",{'type':'track','event':'Order Completed','messageId':'f3','userId':'C-ann',"
          + "'properties':{'order_id':'C','revenue':100.5,'currency':'JPY'}}]}"));
      assertThat(r.stored()).isEqualTo(3);
      assertThat(r.results().get(0).warnings()).containsExactly(
          new IngestWarning("/properties/total", IngestWarning.Kind.AMOUNT_ROUNDED));
      assertThat(r.results().get(1).warnings()).isEmpty();
      assertThat(r.results().get(2).warnings()).containsExactly(
          new IngestWarning("/properties/revenue", IngestWarning.Kind.AMOUNT_ROUNDED));
      assertThat(ann().totalSpend("EUR")).isEqualTo(Money.of(5970, "EUR"));
      assertThat(ann().totalSpend("JPY")).isEqualTo(Money.of(100, "JPY")); // half-even
      assertThat(cdp.profiles().events(ann().id()))
          .filteredOn(e -> e.messageId().equals("f1")).singleElement()
          .satisfies(e -> assertThat(e.properties().get("total"))
              .isEqualTo(new BigDecimal("29.85")));
    }

    @Test
    @DisplayName("regression (issue 15 items 7, 8): totals of 1e2147483647 or of "
        + "92,233,720,368,547,758.07 EUR reject only their event; the largest amount sums safely")
    void magnitude() {
      BatchResult r = cdp.ingest(List.of(
          order("huge", new BigDecimal("1e2147483647")).build(),
          order("tiny", new BigDecimal("1e-2147483647")).build(),
          order("long-1", new BigDecimal("92233720368547758.07")).build(),
          order("long-2", new BigDecimal("92233720368547758.07")).build(),
          order("max-1", BigDecimal.valueOf(Money.MAX_AMOUNT_MINOR_UNITS, 2)).build(),
          order("max-2", BigDecimal.valueOf(Money.MAX_AMOUNT_MINOR_UNITS, 2)).build()));
      assertThat(r.results()).extracting(IngestResult::status).containsExactly(
          IngestResult.Status.REJECTED, IngestResult.Status.REJECTED,
          IngestResult.Status.REJECTED, IngestResult.Status.REJECTED,
          IngestResult.Status.STORED, IngestResult.Status.STORED);
      assertThat(r.results().subList(0, 4)).allSatisfy(x -> assertThat(x.error().pointer())
          .isIn("/properties/total"));
      assertThat(ann().totalSpend("EUR").minorUnits())
          .isEqualTo(2 * Money.MAX_AMOUNT_MINOR_UNITS);
      assertThat(ann().totalSpend()).containsKey("EUR");
      assertThat(cdp.privacy().export(ANN)).isPresent();
    }
  }

  @Test
  @DisplayName("sums over a profile saturate instead of overflowing (orders stored before the "
      + "door bounded amounts)")
  void spendSaturates() {
    Map<String, io.cdpkit.core.model.ProfileState.OrderEntry> orders = new LinkedHashMap<>();
    for (String id : List.of("a", "b")) {
      orders.put(id, new io.cdpkit.core.model.ProfileState.OrderEntry(
          new io.cdpkit.core.model.ProfileState.Order(id, NOW, "m-" + id,
              Money.of(Long.MAX_VALUE - 7, "EUR"), null, null), Map.of()));
    }
    io.cdpkit.core.model.ProfileState state = io.cdpkit.core.model.ProfileState.of(Map.of(),
        Map.of(), NOW, NOW, Map.of(), Map.of(), orders, Map.of("Order Completed", 2L));
    Profile p = new Profile(io.cdpkit.core.model.ProfileId.of("p-1"),
        io.cdpkit.core.model.WorkspaceId.DEFAULT, List.of(ANN), state, 1);
    assertThat(p.totalSpend("EUR").minorUnits()).isEqualTo(Long.MAX_VALUE);
    assertThat(p.totalSpend()).containsEntry("EUR", Money.of(Long.MAX_VALUE, "EUR"));
    assertThat(p.averageOrderValue("EUR")).isPresent();
  }

  @Nested
  @DisplayName("unusable identifier traits are dropped, the rest is kept")
  class IdentifierTraits {
    @Test
    @DisplayName("regression (issue 15 item 9): a phone trait that does not parse no longer "
        + "rejects the identify; the other traits are kept")
    void phoneDropped() {
      IngestResult r = cdp.ingest(Event.identify().messageId("i1").userId("C-ann")
          .trait("phone", "call me maybe").trait("email", "Ann@Example.com")
          .trait("name", "Ann").timestamp(NOW).build());
      assertThat(r.status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(r.warnings()).containsExactly(
          new IngestWarning("/traits/phone", IngestWarning.Kind.IDENTIFIER_DROPPED));
      Profile ann = ann();
      assertThat(ann.traits()).containsEntry("name", "Ann").doesNotContainKey("phone");
      assertThat(ann.identifiers()).contains(Identifier.email("ann@example.com"));
      assertThat(r.warnings().toString()).doesNotContain("call me");
    }

    @Test
    @DisplayName("an e-mail trait that is refused or not a string, also in context.traits, is "
        + "dropped; explicit identifiers still reject the event")
    void emailDropped() {
      BatchResult r = cdp.ingest(List.of(
          Event.identify().messageId("i1").userId("C-ann").trait("email", 42L)
              .trait("name", "Ann").timestamp(NOW).build(),
          Event.page("Home").messageId("p1").userId("C-ann")
              .context(io.cdpkit.core.model.EventContext.builder()
                  .traits(Map.of("email", "not-an-address", "plan", "gold")).build())
              .timestamp(NOW).build(),
          Event.page("Home").messageId("p2").userId("C-ann")
              .identifier(IdentifierType.PHONE, "call me maybe").timestamp(NOW).build()));
      assertThat(r.results()).extracting(IngestResult::status).containsExactly(
          IngestResult.Status.STORED, IngestResult.Status.STORED, IngestResult.Status.REJECTED);
      assertThat(r.results().get(1).warnings()).containsExactly(
          new IngestWarning("/context/traits/email", IngestWarning.Kind.IDENTIFIER_DROPPED));
      assertThat(r.results().get(2).error().pointer()).isEqualTo("/context/externalIds/0/id");
      assertThat(r.warningCounts()).containsExactly(
          Map.entry(IngestWarning.Kind.IDENTIFIER_DROPPED, 2L));
      assertThat(cdp.profiles().events(ann().id()))
          .filteredOn(e -> e.messageId().equals("p1")).singleElement()
          .satisfies(e -> assertThat(e.context().traits()).containsOnlyKeys("plan"));
    }
  }

  @Nested
  @DisplayName("limits that fit retail data")
  class Limits {
    static List<Map<String, Object>> lines(int n) {
      List<Map<String, Object>> lines = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("product_id", "85123A-" + i);
        p.put("sku", "SKU-85123A-" + i);
        p.put("category", "Home Decor / Candles & Holders");
        p.put("name", "WHITE HANGING HEART T-LIGHT HOLDER WITH RIBBON " + i);
        p.put("brand", "Regency Giftware");
        p.put("variant", "white, large");
        p.put("price", new BigDecimal("12.75"));
        p.put("quantity", 24L);
        p.put("coupon", "SUMMER-2026");
        p.put("position", (long) i);
        p.put("url", "https://shop.example.com/products/white-hanging-heart-t-light-holder-" + i);
        p.put("image_url", "https://cdn.example.com/images/products/85123A-" + i + "-large.jpg");
        lines.add(p);
      }
      return lines;
    }

    @Test
    @DisplayName("regression (issue 15 item 9): a 300-line invoice with every Segment product "
        + "field fits the defaults, built in Java and sent as JSON")
    void invoiceOf300Lines() {
      Event invoice = Event.track("Order Completed").messageId("inv-1").userId("C-ann")
          .property("order_id", "536365").property("total", new BigDecimal("91800.00"))
          .property("currency", "GBP").property("products", lines(300)).timestamp(NOW).build();
      io.cdpkit.core.json.EventCodec codec = io.cdpkit.core.json.EventCodec.create();
      assertThat(codec.encodedSize(invoice)).isBetween(100_000, 160_000);
      assertThat(cdp.ingest(invoice).status()).isEqualTo(IngestResult.Status.STORED);
      byte[] body = codec.encode(Event.track("Order Completed").messageId("inv-2")
          .userId("C-ann").property("order_id", "536366").property("total", 10L)
          .property("currency", "GBP").property("products", lines(300)).timestamp(NOW)
          .build());
      assertThat(cdp.ingestJson(body).stored()).isEqualTo(1);
      assertThat(ann().orderCount()).isEqualTo(2);
    }

    @Test
    @DisplayName("regression (issue 15 item 7): 10,000- and 1,200-deep properties built in Java "
        + "are rejected on their own, not a StackOverflowError, and the person stays exportable")
    void deepNesting() {
      List<Event> batch = new ArrayList<>();
      batch.add(order("good-1", 5L).build());
      for (int depth : new int[] {10_000, 1_200, 32}) {
        Object v = "leaf";
        for (int i = 0; i < depth; i++) {
          v = i % 2 == 0 ? Map.of("k", v) : List.of(v);
        }
        Event deep;
        try {
          deep = Event.page("Home").messageId("deep-" + depth).userId("C-ann")
              .property("p", v).timestamp(NOW).build();
        } catch (InvalidEventException | StackOverflowError ex) {
          continue; // refused when built (the Event constructor may limit depth itself)
        }
        batch.add(deep);
      }
      batch.add(order("good-2", 5L).build());
      BatchResult r = cdp.ingest(batch);
      assertThat(r.stored()).isEqualTo(2);
      assertThat(r.rejected()).isEqualTo(batch.size() - 2);
      assertThat(cdp.privacy().export(ANN)).isPresent();
    }
  }

  @Nested
  @DisplayName("a failure inside the transaction is that event's rejection")
  class InsideTheTransaction {
    /** An extension whose observer fails on chosen events. */
    static final class Failing implements CdpExtension {
      final Map<String, RuntimeException> failures;
      /** The transaction each event was last written in. */
      final Map<String, Object> transactions = new java.util.concurrent.ConcurrentHashMap<>();

      Failing(Map<String, RuntimeException> failures) {
        this.failures = failures;
      }

      @Override
      public void attach(ExtensionContext context) {
        context.observe(changes -> {
          if (changes.messageId() != null) {
            transactions.put(changes.messageId(), changes.transaction());
          }
          RuntimeException ex = failures.get(changes.messageId());
          if (ex != null) {
            throw ex;
          }
        });
      }
    }

    @Test
    @DisplayName("an event that throws inside the transaction is rolled back to its savepoint and "
        + "rejected; the rest of the batch is stored; the single ingest throws")
    void rolledBackAndRejected() {
      Failing failing = new Failing(Map.of(
          "bad-1", new ArithmeticException("long overflow"),
          "bad-2", new StorageException("value too long (secret)", false, null)));
      try (Cdp c = Cdp.builder().clock(clock).extension(failing).build()) {
        BatchResult r = c.ingest(List.of(order("good-1", 5L).build(),
            order("bad-1", 5L).build(), order("good-2", 5L).build(),
            order("bad-2", 5L).build()));
        assertThat(r.results()).extracting(IngestResult::status).containsExactly(
            IngestResult.Status.STORED, IngestResult.Status.REJECTED, IngestResult.Status.STORED,
            IngestResult.Status.REJECTED);
        assertThat(r.results().get(1).error().reason()).contains("ArithmeticException");
        // in the batch's one transaction, not written again one by one
        assertThat(failing.transactions.get("good-1"))
            .isSameAs(failing.transactions.get("good-2"));
        assertThat(r.results().get(3).error().getMessage()).doesNotContain("secret");
        assertThat(c.profiles().find(ANN).orElseThrow().orderCount()).isEqualTo(2);
        assertThat(c.profiles().eventCounts()).containsEntry("Order Completed", 2L);
        assertThatThrownBy(() -> c.ingest(order("bad-1", 5L).build()))
            .isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> c.ingest(order("bad-2", 5L).build()))
            .isInstanceOf(StorageException.class);
      }
    }

    @Test
    @DisplayName("a retryable store failure still aborts the whole transaction (so the store can "
        + "repeat it) and is not taken for one event's rejection")
    void retryableAborts() {
      Failing failing = new Failing(Map.of(
          "busy", new StorageException("serialization failure", true, null)));
      try (Cdp c = Cdp.builder().clock(clock).extension(failing).build()) {
        assertThatThrownBy(() -> c.ingest(List.of(order("good-1", 5L).build(),
            order("busy", 5L).build()))).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.isRetryable()).isTrue());
        assertThat(c.profiles().find(ANN)).isEmpty();
      }
    }
  }
}
