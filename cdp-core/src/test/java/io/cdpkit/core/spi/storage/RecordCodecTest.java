package io.cdpkit.core.spi.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.LawfulBasis;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.ProfileState.ConsentValue;
import io.cdpkit.core.model.ProfileState.Order;
import io.cdpkit.core.model.ProfileState.OrderEntry;
import io.cdpkit.core.model.ProfileState.Refund;
import io.cdpkit.core.model.ProfileState.Tally;
import io.cdpkit.core.model.ProfileState.TraitValue;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.traits.AggregateState;
import io.cdpkit.core.traits.Partial;
import io.cdpkit.core.traits.LoyaltyProgram;
import io.cdpkit.core.traits.LoyaltyTraits;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordCodecTest {
  static final RecordCodec CODEC = RecordCodec.create();
  static final Instant T = Instant.parse("2026-03-01T10:15:30.123456789Z");
  static final String SECRET = "secret.person@example.org";

  /**
   * The profile read back from its text; the UTF-8 writer must give that text's bytes exactly
   * (the stores that send bytes keep what the text reader reads).
   */
  static ProfileRecord roundTrip(ProfileRecord r) {
    String text = CODEC.writeProfile(r);
    assertThat(CODEC.writeProfileUtf8(r)).as("UTF-8 bytes of the profile's text")
        .isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    ProfileRecord back = CODEC.readProfile(text);
    assertThat(splitRoundTrip(r)).as("the profile as a head and order rows").isEqualTo(back);
    return back;
  }

  /**
   * The profile written as a head and one text per order (as a store with order rows keeps it)
   * and put together again; each text's UTF-8 bytes checked as above.
   */
  static ProfileRecord splitRoundTrip(ProfileRecord r) {
    String head = CODEC.writeProfileHead(r);
    assertThat(CODEC.writeProfileHeadUtf8(r)).as("UTF-8 bytes of the head's text")
        .isEqualTo(head.getBytes(StandardCharsets.UTF_8));
    RecordCodec.ProfileHead h = CODEC.readProfileHead(head);
    assertThat(h.orderRows()).isEqualTo(r.state().orders().size());
    assertThat(h.profile().state().orders()).isEmpty();
    List<Map.Entry<String, ProfileState.OrderEntry>> orders = new ArrayList<>();
    r.state().orders().forEach((orderId, entry) -> {
      String text = CODEC.writeOrder(orderId, entry);
      assertThat(CODEC.writeOrderUtf8(orderId, entry)).as("UTF-8 bytes of an order's text")
          .isEqualTo(text.getBytes(StandardCharsets.UTF_8));
      orders.add(CODEC.readOrder(text));
    });
    return h.withOrders(orders);
  }

  /** The event read back from its text, after the same check of its UTF-8 bytes. */
  static StoredEvent roundTrip(StoredEvent e) {
    String text = CODEC.writeEvent(e);
    assertThat(CODEC.writeEventUtf8(e)).as("UTF-8 bytes of the event's text")
        .isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    return CODEC.readEvent(text);
  }

  /** A trait value of every JSON-like kind, nested, with the awkward numbers. */
  static Map<String, Object> awkwardMap() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("zero-scale", new BigDecimal("5"));
    inner.put("exponent", new BigDecimal("-5.5E+1"));
    inner.put("negative-scale", new BigDecimal("1.2E+5"));
    inner.put("fraction", new BigDecimal("19.990"));
    inner.put("huge", new BigDecimal(new BigInteger("123456789012345678901234567890")));
    inner.put("long", Long.MIN_VALUE);
    inner.put("null", null);
    inner.put("list", Arrays.asList(1L, "İı", null, List.of(), Map.of(), true));
    inner.put("İstanbul ı 🎉", "emoji 🎉 and \u0000 control \n \"quotes\"");
    return inner;
  }

  @Nested
  @DisplayName("Profiles read back equal")
  class Profiles {
    @Test
    @DisplayName("an empty state, and one with empty maps, keep their shape")
    void empty() {
      ProfileRecord r = new ProfileRecord(ProfileId.of("p-1"), ProfileState.EMPTY, Map.of(), 1);
      assertThat(roundTrip(r)).isEqualTo(r);
      ProfileRecord viaOf = new ProfileRecord(ProfileId.of("p-1"), ProfileState.of(Map.of(),
          Map.of(), null, null, Map.of(), Map.of(), Map.of(), Map.of()), Map.of(), 7);
      assertThat(roundTrip(viaOf)).isEqualTo(viaOf);
    }

    @Test
    @DisplayName("loyalty ledgers keep every entry: kind, program, signed points, expiry or none")
    void loyaltyLedgers() {
      ProfileRecord r = new ProfileRecord(ProfileId.of("p-1"),
          ProfileState.EMPTY.withComputed(StoreContractSupport.loyaltyComputed()), Map.of(), 3);
      assertThat(roundTrip(r)).isEqualTo(r);
      assertThat(CODEC.writeProfile(r)).contains("\"redeemed\"").contains("\"expired\"")
          .contains("\"adjusted\"").contains("\"earned\"").contains("-30");
    }

    @Test
    @DisplayName("trait values keep their types: null apart from absent, decimals with scale")
    void traits() {
      Map<String, TraitValue> traits = new HashMap<>();
      traits.put("unset", new TraitValue(null, T, 0, "m1"));
      traits.put("text", new TraitValue("İrem ıraz 🎉", T.plusNanos(1), -3, "m2"));
      traits.put("long", new TraitValue(42L, T, Integer.MAX_VALUE, "m3"));
      traits.put("zero-scale", new TraitValue(new BigDecimal("5"), T, Integer.MIN_VALUE, "m4"));
      traits.put("exponent", new TraitValue(new BigDecimal("-5.5E+1"), T, 1, "m5"));
      traits.put("negative-scale", new TraitValue(new BigDecimal("1.2E+5"), T, 1, "m5"));
      traits.put("bool", new TraitValue(false, T, 1, "m6"));
      traits.put("nested", new TraitValue(awkwardMap(), T, 1, "m7"));
      traits.put("list", new TraitValue(List.of(awkwardMap(), List.of(List.of())), T, 1, "m8"));
      traits.put("empty-map", new TraitValue(Map.of(), T, 1, "m9"));
      traits.put("İ ı 🎉", new TraitValue("", T, 1, "İ🎉"));
      ProfileState s = ProfileState.of(traits, Map.of(), null, null, Map.of(), Map.of(),
          Map.of(), Map.of());
      ProfileRecord r = new ProfileRecord(ProfileId.of("p"), s, Map.of(), 3);

      ProfileRecord back = roundTrip(r);

      assertThat(back).isEqualTo(r);
      assertThat(back.state().traits()).containsKey("unset");
      assertThat(back.state().traits().get("unset").value()).isNull();
      assertThat(back.state().traits().get("long").value()).isInstanceOf(Long.class);
      BigDecimal zero = (BigDecimal) back.state().traits().get("zero-scale").value();
      assertThat(zero.scale()).isZero();
      BigDecimal negative = (BigDecimal) back.state().traits().get("negative-scale").value();
      assertThat(negative.scale()).isEqualTo(-4);
      BigDecimal exponent = (BigDecimal) back.state().traits().get("exponent").value();
      assertThat(exponent.unscaledValue()).isEqualTo(BigInteger.valueOf(-55));
      assertThat(exponent.scale()).isZero();
      @SuppressWarnings("unchecked")
      Map<String, Object> nested = (Map<String, Object>) back.state().traits().get("nested")
          .value();
      assertThat(nested).containsEntry("null", null);
      assertThat(nested.get("long")).isEqualTo(Long.MIN_VALUE);
      assertThat(((BigDecimal) nested.get("huge")).scale()).isZero();
      assertThatThrownBy(() -> nested.put("x", 1L))
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("every part of the state, identifier counts and version")
    void everything() {
      Map<ConsentKey, ConsentValue> consents = Map.of(
          new ConsentKey("marketing", "email"), new ConsentValue(true, T, "c1"),
          new ConsentKey("marketing", "sms"), new ConsentValue(false, T.plusNanos(7), "c2"),
          new ConsentKey("analytics", "web"), new ConsentValue(false, T, "c3"),
          new ConsentKey("İ", "🎉"), new ConsentValue(true, T, "c4"));
      Map<String, Tally> channels = Map.of(Channels.WEB, new Tally(3, 1, T),
          Channels.POS, new Tally(Long.MAX_VALUE, 0, T.plusNanos(999_999_999)));
      Map<String, Tally> stores = Map.of("s-1", new Tally(1, 1, T));
      Map<String, OrderEntry> orders = new HashMap<>();
      orders.put("O-complete", new OrderEntry(
          new Order("O-complete", T, "o1", Money.of(1999, "EUR"), Channels.WEB, null),
          Map.of()));
      orders.put("O-refunded", new OrderEntry(
          new Order("O-refunded", T, "o2", Money.of(-5, "JPY"), null, "s-1"),
          Map.of("r1", new Refund(T, Money.of(100, "EUR")), "r2", new Refund(T, null))));
      orders.put("O-only-refunds", new OrderEntry(null,
          Map.of("r3", new Refund(T.plusSeconds(1), null),
              "r4", new Refund(T, Money.of(Long.MIN_VALUE, "USD")))));
      orders.put("O-odd-id", new OrderEntry(
          new Order("another-id", T, "o3", Money.of(0, "EUR"), "app", "s-2"), Map.of()));
      Map<String, Long> counts = Map.of("Order Completed", 2L, "identify", Long.MAX_VALUE,
          "İ🎉", 1L);
      ProfileState s = ProfileState.of(Map.of("tier", new TraitValue("gold", T, 0, "t1")),
          consents, Instant.EPOCH, T, channels, stores, orders, counts);
      ProfileRecord r = new ProfileRecord(ProfileId.of("0a1b-2c"), s,
          Map.of(IdentifierType.EMAIL, 2, IdentifierType.of("my_type"), 1,
              IdentifierType.CUSTOMER_ID, 0),
          Long.MAX_VALUE);

      assertThat(roundTrip(r)).isEqualTo(r);
    }

    @Test
    @DisplayName("the web traits' partials (timeline, recent values) read back equal, all-time"
        + " and by day, with awkward session ids and values")
    void webPartials() {
      Partial.Timeline timeline = new Partial.Timeline(List.of(
          new Partial.Hit(Instant.EPOCH, "", 1, 0),
          new Partial.Hit(T, "", 3, 2),
          new Partial.Hit(T, "İ🎉 \"s\"", Long.MAX_VALUE, Long.MAX_VALUE),
          new Partial.Hit(T.plusNanos(1), "1709373600123", 2, 1)));
      Map<Object, Instant> recent = new HashMap<>();
      recent.put("shoes", T);
      recent.put("İstanbul 🎉", T.plusNanos(9));
      recent.put(42L, Instant.EPOCH);
      recent.put(new BigDecimal("1.5"), T);
      recent.put(true, T);
      recent.put(T, T);
      Map<String, AggregateState> computed = Map.of(
          "_web_timeline", AggregateState.total(timeline),
          "recent_search_terms", AggregateState.total(new Partial.Recent(recent)),
          "by_day", AggregateState.days(new long[] {-3, 20_000}, new Partial[] {
              new Partial.Timeline(List.of()), new Partial.Recent(Map.of())}));
      ProfileState s = ProfileState.of(Map.of(), Map.of(), null, null, Map.of(), Map.of(),
          Map.of(), Map.of(), computed);
      ProfileRecord r = new ProfileRecord(ProfileId.of("p-web"), s, Map.of(), 1);
      assertThat(roundTrip(r)).isEqualTo(r);
    }

    @Test
    @DisplayName("consent evidence and the restriction register read back equal; a record"
        + " written before they existed reads without them")
    void consentEvidenceAndRestriction() {
      Map<ConsentKey, ConsentValue> consents = Map.of(
          new ConsentKey("marketing", "email"), new ConsentValue(true, T, "c1",
              LawfulBasis.LEGITIMATE_INTERESTS, T.plusSeconds(60), "İ-pos", "v🎉",
              new ConsentProof("form", null, T.plusNanos(3))),
          new ConsentKey("marketing", "sms"), new ConsentValue(false, T, "c2",
              LawfulBasis.CONSENT, null, null, null, new ConsentProof(null, "doi-1", null)));
      for (ProfileState.Restriction rs : java.util.Arrays.asList(null,
          new ProfileState.Restriction(true, T, "r1", "objection"),
          new ProfileState.Restriction(false, T.plusNanos(1), "r2", "lifted"))) {
        ProfileState s = ProfileState.of(Map.of(), consents, null, null, Map.of(), Map.of(),
            Map.of(), Map.of()).withRestriction(rs);
        ProfileRecord r = new ProfileRecord(ProfileId.of("p-1"), s, Map.of(), 1);
        assertThat(roundTrip(r)).isEqualTo(r);
        assertThat(roundTrip(r).state().restricted()).isEqualTo(rs != null && rs.restricted());
      }
      String old = "{\"id\":\"p-1\",\"ver\":1,\"co\":[{\"p\":\"marketing\","
          + "\"c\":\"email\",\"g\":true,\"t\":\"2025-05-05T10:00:00Z\",\"m\":\"c1\"}]}";
      ProfileState back = RecordCodec.create().readProfile(old).state();
      assertThat(back.consents().get(new ConsentKey("marketing", "email")))
          .isEqualTo(new ConsentValue(true, Instant.parse("2025-05-05T10:00:00Z"), "c1"));
      assertThat(back.restriction()).isNull();
    }

    @Test
    @DisplayName("address-level consent registers read back equal beside profile-level ones of"
        + " the same (purpose, channel); the profile-level view is their latest")
    void addressConsents() {
      ConsentKey email = new ConsentKey("marketing", "email");
      ProfileState s = ProfileState.of(Map.of(), Map.of(email, new ConsentValue(true, T, "c0")),
          null, null, Map.of(), Map.of(), Map.of(), Map.of()).withAddressConsents(Map.of(
              io.cdpkit.core.model.AddressConsentKey.of(email,
                  Identifier.email("bob@example.com")),
              new ConsentValue(false, T.plusSeconds(1), "c1"),
              io.cdpkit.core.model.AddressConsentKey.of(email,
                  Identifier.email("ann@example.com")),
              new ConsentValue(true, T.plusSeconds(2), "c2", LawfulBasis.CONSENT,
                  T.plusSeconds(60), "kiosk", null, null)));
      ProfileRecord r = new ProfileRecord(ProfileId.of("p-1"), s, Map.of(), 1);
      ProfileRecord back = roundTrip(r);
      assertThat(back).isEqualTo(r);
      assertThat(back.state().addressConsents()).isEqualTo(s.addressConsents());
      assertThat(back.state().profileConsents()).isEqualTo(s.profileConsents());
      assertThat(back.state().consents().get(email).messageId()).isEqualTo("c2");
      assertThat(back.state().consentFor(email, Identifier.email("bob@example.com")).granted())
          .isFalse();
      // An old record (no "a") is all profile-level, as it was written.
      String old = "{\"id\":\"p-1\",\"ver\":1,\"co\":[{\"p\":\"marketing\","
          + "\"c\":\"email\",\"g\":true,\"t\":\"2025-05-05T10:00:00Z\",\"m\":\"c1\"}]}";
      ProfileState o = RecordCodec.create().readProfile(old).state();
      assertThat(o.addressConsents()).isEmpty();
      assertThat(o.profileConsents()).isEqualTo(o.consents()).hasSize(1);
      assertThat(o.consentFor(email, Identifier.email("x@example.com")).granted()).isTrue();
    }

    @Test
    @DisplayName("extreme instants keep every digit")
    void instants() {
      for (Instant t : List.of(Instant.MIN, Instant.MAX, Instant.EPOCH.minusNanos(1),
          Instant.parse("+12026-01-01T00:00:00.000000001Z"))) {
        ProfileState s = ProfileState.of(Map.of("a", new TraitValue(1L, t, 0, "m")),
            Map.of(), t, t, Map.of(), Map.of(), Map.of(), Map.of());
        ProfileRecord r = new ProfileRecord(ProfileId.of("p"), s, Map.of(), 1);
        assertThat(roundTrip(r)).isEqualTo(r);
      }
    }

    @Test
    @DisplayName("the text is deterministic and shows the format's keys")
    void readableText() {
      ProfileState s = ProfileState.of(Map.of("b", new TraitValue(null, T, 0, "m"),
              "a", new TraitValue(new BigDecimal("5"), T, 0, "m")),
          Map.of(), T, T, Map.of(), Map.of(), Map.of(), Map.of("identify", 1L));
      ProfileRecord r = new ProfileRecord(ProfileId.of("p"), s,
          Map.of(IdentifierType.PHONE, 1, IdentifierType.EMAIL, 1), 2);
      assertThat(CODEC.writeProfile(r)).isEqualTo("{\"id\":\"p\",\"ver\":2,"
          + "\"ic\":{\"email\":1,\"phone\":1},"
          + "\"tr\":{\"a\":{\"v\":5E0,\"t\":\"2026-03-01T10:15:30.123456789Z\",\"p\":0,\"m\":\"m\"},"
          + "\"b\":{\"v\":null,\"t\":\"2026-03-01T10:15:30.123456789Z\",\"p\":0,\"m\":\"m\"}},"
          + "\"fs\":\"2026-03-01T10:15:30.123456789Z\",\"ls\":\"2026-03-01T10:15:30.123456789Z\","
          + "\"ec\":{\"identify\":1}}");
    }

    @Test
    @DisplayName("a trait value that is not JSON-like, or an unpaired surrogate, is refused on write")
    void unwritable() {
      ProfileState odd = ProfileState.of(Map.of("a", new TraitValue(new Object(), T, 0, "m")),
          Map.of(), null, null, Map.of(), Map.of(), Map.of(), Map.of());
      assertThatThrownBy(() -> CODEC.writeProfile(
          new ProfileRecord(ProfileId.of("p"), odd, Map.of(), 1)))
          .isInstanceOf(IllegalArgumentException.class);
      ProfileState surrogate = ProfileState.of(
          Map.of("a", new TraitValue(List.of("x\uD800"), T, 0, "m")),
          Map.of(), null, null, Map.of(), Map.of(), Map.of(), Map.of());
      assertThatThrownBy(() -> CODEC.writeProfile(
          new ProfileRecord(ProfileId.of("p"), surrogate, Map.of(), 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("surrogate");
    }
  }

  /** {@link #awkwardMap()} within the text rule of events (free text: tab and line breaks). */
  static Map<String, Object> awkwardEventMap() {
    Map<String, Object> m = awkwardMap();
    m.put("İstanbul ı 🎉", "emoji 🎉 and \t control \r\n \"quotes\"");
    return m;
  }

  @Nested
  @DisplayName("Events, components, links and ledger entries read back equal")
  class OtherRecords {
    @Test
    @DisplayName("a stored event with identifiers, traits of every kind and nanosecond times")
    void event() {
      Event e = Event.identify().messageId("msg-İ🎉").userId("C-1")
          .identifier(IdentifierType.EMAIL, "İrem@example.org")
          .traits(awkwardEventMap()).trait("nil", null)
          .property("total", new BigDecimal("-5.5E+1"))
          .consent("marketing", "email", true).channel(Channels.POS).storeId("s-1")
          .source("crm").timestamp(T).receivedAt(T.plusNanos(1)).build();
      StoredEvent r = new StoredEvent(e, e.key(),
          List.of(Identifier.customerId("C-1"), Identifier.email("irem@example.org")),
          Identifier.customerId("C-1"));

      StoredEvent back = roundTrip(r);

      assertThat(back).isEqualTo(r);
      assertThat(back.anchor()).isEqualTo(Identifier.customerId("C-1"));
    }

    @Test
    @DisplayName("a stored event without identifiers has no anchor, and its key is kept as is")
    void eventWithoutIdentifiers() {
      Event e = Event.track("Product Viewed").messageId("m").anonymousId("a")
          .timestamp(T).receivedAt(T).build();
      StoredEvent r = new StoredEvent(e, new EventKey(T.plusNanos(5), "other-key"), List.of(),
          null);
      assertThat(roundTrip(r)).isEqualTo(r);
    }

    @Test
    @DisplayName("components with and without a latest link and rules, in order")
    void component() {
      ComponentRecord bare = new ComponentRecord("c-1", null, List.of());
      assertThat(CODEC.readComponent(CODEC.writeComponent(bare))).isEqualTo(bare);
      ComponentRecord full = new ComponentRecord("c-2", new EventKey(T, "m-🎉"), List.of(
          new DoNotLinkRule(Identifier.email("b@example.org"), Identifier.customerId("İ"),
              T.plusNanos(3)),
          new DoNotLinkRule(Identifier.email("a@example.org"), Identifier.email("b@example.org"),
              Instant.EPOCH)));
      assertThat(CODEC.readComponent(CODEC.writeComponent(full))).isEqualTo(full);
    }

    @Test
    @DisplayName("links keep their identifiers in order")
    void link() {
      Link l = new Link(new EventKey(T, "m"), List.of(Identifier.phone("+31612345678"),
          Identifier.anonymousId("ı🎉"), Identifier.of(IdentifierType.of("x_1"), "v")));
      assertThat(CODEC.readLink(CODEC.writeLink(l))).isEqualTo(l);
    }

    @Test
    @DisplayName("ledger entries with and without their optional parts")
    void ledger() {
      LedgerEntry full = new LedgerEntry(LedgerEntry.Kind.CONFLICT, ProfileId.of("p1"),
          ProfileId.of("p2"), Identifier.customerId("C-İ"), "m-1", T, T.plusNanos(9),
          "limit: customer_id max 1");
      LedgerEntry bare = new LedgerEntry(LedgerEntry.Kind.UNMERGED, ProfileId.of("p1"), null,
          null, null, null, Instant.MAX, "");
      LedgerEntry merged = new LedgerEntry(LedgerEntry.Kind.MERGED, ProfileId.of("p1"),
          ProfileId.of("p3"), null, "m-2", null, T, "🎉");
      for (LedgerEntry e : List.of(full, bare, merged)) {
        assertThat(CODEC.readLedger(CODEC.writeLedger(e))).isEqualTo(e);
      }
    }
  }

  @Nested
  @DisplayName("Malformed text is a non-retryable StorageException that quotes no data")
  class Malformed {
    /** A profile record up to the entries of a loyalty ledger. */
    static final String LEDGER_JSON =
        "{\"id\":\"p\",\"ver\":1,\"cp\":{\"l\":{\"t\":{\"k\":\"ledger\",\"e\":";
    StorageException thrown(Runnable read) {
      StorageException e = catchThrowableOfType(read::run, StorageException.class);
      assertThat(e).as("a StorageException").isNotNull();
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("secret")
          .doesNotContain("example.org");
      assertThat(e.getCause()).isNull();
      return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "secret.person@example.org",
        "{\"id\": secret.person@example.org}",
        "[\"secret.person@example.org\"]",
        "{\"id\":\"p\",\"ver\":1} \"secret.person@example.org\"",
        "{\"id\":\"secret.person@example.org\",\"ver\":1}",
        "{\"id\":\"p\",\"ver\":\"secret.person@example.org\"}",
        "{\"id\":\"p\",\"ver\":1,\"secret.person@example.org\":1}",
        "{\"id\":\"p\",\"ver\":1,\"tr\":{\"secret.person@example.org\":{\"v\":1}}}",
        "{\"id\":\"p\",\"ver\":1,\"tr\":{\"a\":{\"v\":\"secret.person@example.org\","
            + "\"t\":\"secret.person@example.org\",\"p\":0,\"m\":\"m\"}}}",
        "{\"id\":\"p\",\"ver\":1,\"tr\":{\"a\":{\"t\":\"2026-01-01T00:00:00Z\",\"p\":0,"
            + "\"m\":\"m\"}}}",
        "{\"id\":\"p\",\"ver\":1,\"tr\":{\"a\":{\"v\":{\"secret.person@example.org\":1,"
            + "\"secret.person@example.org\":2},\"t\":\"2026-01-01T00:00:00Z\",\"p\":0,"
            + "\"m\":\"m\"}}}",
        "{\"id\":\"p\",\"ver\":1,\"ic\":{\"secret.person@example.org\":1}}",
        "{\"id\":\"p\",\"ver\":1,\"ic\":{\"email\":9999999999}}",
        "{\"id\":\"p\",\"ver\":1,\"fs\":\"2026-01-01T00:00:00Z\"}",
        "{\"id\":\"p\",\"ver\":1,\"co\":[{\"p\":\"x\",\"c\":\"y\",\"g\":true,"
            + "\"t\":\"2026-01-01T00:00:00Z\",\"m\":\"m\"},{\"p\":\"x\",\"c\":\"y\",\"g\":false,"
            + "\"t\":\"2026-01-01T00:00:00Z\",\"m\":\"m\"}]}",
        "{\"id\":\"p\",\"ver\":1,\"or\":{\"secret.person@example.org\":{\"c\":{"
            + "\"t\":\"2026-01-01T00:00:00Z\",\"m\":\"m\",\"v\":{\"mu\":1,"
            + "\"cur\":\"secret.person@example.org\"}}}}}",
        "{\"id\":\"p\",\"ver\":1,\"or\":{\"o\":{\"r\":{\"secret.person@example.org\":"
            + "{\"t\":\"2026-01-01T00:00:00Z\",\"a\":5}}}}}",
        "{\"id\":\"p\",\"ver\":1,\"ec\":{\"x\":1.5}}",
        // loyalty ledgers: an unknown kind, a negative earning, out of order, wrong shape
        LEDGER_JSON + "[[\"2026-01-01T00:00:00Z\",\"m\",\"default\","
            + "\"secret.person@example.org\",1,null]]}}}}",
        LEDGER_JSON + "[[\"2026-01-01T00:00:00Z\",\"m\",\"default\",\"earned\","
            + "-1,null]]}}}}",
        LEDGER_JSON + "[[\"2026-01-02T00:00:00Z\",\"a\",\"default\",\"earned\","
            + "1,null],[\"2026-01-01T00:00:00Z\",\"b\",\"default\",\"earned\",1,null]]}}}}",
        LEDGER_JSON + "[[\"2026-01-01T00:00:00Z\",\"m\",\"default\",\"earned\","
            + "1,\"secret.person@example.org\"]]}}}}",
        LEDGER_JSON + "[[\"2026-01-01T00:00:00Z\",\"m\",\"default\",\"earned\","
            + "1.5,null]]}}}}",
        "{\"id\":\"p\",\"ver\":1,\"ch\":{\"web\":{\"e\":1,\"o\":1}}}",
        "{\"id\":\"p\",\"ver\":1,\"tr\":[\"secret.person@example.org\"]}",
        "{\"id\":\"p\",\"ver\":1,\"cp\":{\"w\":{\"t\":{\"k\":\"timeline\",\"h\":["
            + "[\"2026-01-02T00:00:00Z\",\"secret.person@example.org\",1,0],"
            + "[\"2026-01-01T00:00:00Z\",\"\",1,0]]}}}}",
        "{\"id\":\"p\",\"ver\":1,\"cp\":{\"w\":{\"t\":{\"k\":\"timeline\",\"h\":["
            + "[\"2026-01-02T00:00:00Z\",\"secret.person@example.org\",1,2]]}}}}",
        "{\"id\":\"p\",\"ver\":1,\"cp\":{\"w\":{\"t\":{\"k\":\"timeline\",\"h\":["
            + "[\"secret.person@example.org\",\"\",1,0]]}}}}",
        "{\"id\":\"p\",\"ver\":1,\"cp\":{\"w\":{\"t\":{\"k\":\"recent\",\"e\":["
            + "[{\"s\":\"secret.person@example.org\"},\"2026-01-01T00:00:00Z\"],"
            + "[{\"s\":\"secret.person@example.org\"},\"2026-01-02T00:00:00Z\"]]}}}}",
        "{\"id\":\"p\",\"ver\":1,\"cp\":{\"w\":{\"t\":{\"k\":\"recent\",\"e\":["
            + "[{\"s\":\"secret.person@example.org\"}]]}}}}",
    })
    void profile(String json) {
      StorageException e = thrown(() -> CODEC.readProfile(json));
      assertThat(e.getMessage()).startsWith("malformed profile record: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}",
        "{\"t\":\"2026-01-01T00:00:00Z\",\"m\":\"m\",\"i\":[],\"e\":{\"type\":\"identify\","
            + "\"messageId\":\"m\",\"traits\":{\"email\":\"secret.person@example.org\"}}}",
        "{\"t\":\"2026-01-01T00:00:00Z\",\"m\":\"m\",\"i\":[],\"e\":{\"type\":\"identify\","
            + "\"messageId\":\"m\",\"userId\":\"u\","
            + "\"timestamp\":\"secret.person@example.org\"}}",
        "{\"t\":\"2026-01-01T00:00:00Z\",\"m\":\"m\",\"i\":[[\"email\"]],\"e\":{}}",
        "{\"t\":\"2026-01-01T00:00:00Z\",\"m\":\"m\",\"i\":[[\"Secret.Person@example.org\","
            + "\"x\"]],\"e\":{}}",
        "{\"t\":\"2026-01-01T00:00:00Z\",\"m\":\"m\",\"i\":[[\"email\",\"\"]],\"e\":{}}",
        "{\"t\":\"2026-01-01T00:00:00Z\",\"m\":\"m\",\"i\":[[\"email\","
            + "\"secret.person@example.org\"]],\"e\":\"secret.person@example.org\"}",
    })
    void event(String json) {
      StorageException e = thrown(() -> CODEC.readEvent(json));
      assertThat(e.getMessage()).startsWith("malformed event record: ");
    }

    @Test
    void otherKinds() {
      String id = "[\"email\",\"secret.person@example.org\"]";
      assertThat(thrown(() -> CODEC.readLink("{\"t\":\"2026-01-01T00:00:00Z\",\"m\":\"m\","
          + "\"i\":[" + id + "]}")).getMessage())
          .startsWith("malformed link record: /i must hold at least two identifiers");
      assertThat(thrown(() -> CODEC.readComponent("{\"id\":\"c\",\"r\":[{\"a\":" + id
          + ",\"b\":" + id + ",\"t\":\"2026-01-01T00:00:00Z\"}]}")).getMessage())
          .startsWith("malformed component record: /r/0 ");
      assertThat(thrown(() -> CODEC.readLedger("{\"k\":\"secret.person@example.org\","
          + "\"p\":\"p\",\"at\":\"2026-01-01T00:00:00Z\",\"r\":\"\"}")).getMessage())
          .isEqualTo("malformed ledger record: /k is not a ledger entry kind");
      assertThat(thrown(() -> CODEC.readLedger("{\"k\":\"MERGED\",\"p\":\"p\",\"i\":" + id
          + ",\"at\":\"2026-01-01T00:00:00Z\"}")).getMessage())
          .isEqualTo("malformed ledger record: /r is required");
    }

    @Test
    @DisplayName("a head counts its orders kept apart: never beside orders of its own, never"
        + " zero, and not read as a whole profile; an order text names its order")
    void headsAndOrders() {
      String order = "{\"c\":{\"t\":\"2026-01-01T00:00:00Z\",\"m\":\"m\","
          + "\"v\":{\"mu\":100,\"cur\":\"EUR\"}}}";
      assertThat(thrown(() -> CODEC.readProfileHead("{\"id\":\"p\",\"ver\":1,\"ro\":1,"
          + "\"or\":{\"secret.person@example.org\":" + order + "}}")).getMessage())
          .isEqualTo("malformed profile record: /ro is given beside /or");
      assertThat(thrown(() -> CODEC.readProfileHead("{\"id\":\"p\",\"ver\":1,\"ro\":0}"))
          .getMessage())
          .isEqualTo("malformed profile record: /ro is out of range for a number of orders");
      assertThat(CODEC.readProfileHead("{\"id\":\"p\",\"ver\":1,\"ro\":2}").orderRows())
          .isEqualTo(2);
      StorageException whole = thrown(() -> CODEC.readProfile("{\"id\":\"p\",\"ver\":1,"
          + "\"ro\":2}"));
      assertThat(whole.getMessage()).contains("/ro").contains("head");
      assertThat(whole.isRetryable()).isFalse();
      assertThat(thrown(() -> CODEC.readOrder(order)).getMessage())
          .isEqualTo("malformed order record: /o is required");
      assertThat(thrown(() -> CODEC.readOrder("{\"o\":\"secret.person@example.org\","
          + "\"x\":1}")).getMessage())
          .startsWith("malformed order record: ").doesNotContain("secret.person");
      Map.Entry<String, OrderEntry> w1 =
          CODEC.readOrder(order.replace("{\"c\"", "{\"o\":\"W-1\",\"c\""));
      Map.Entry<String, OrderEntry> w2 =
          CODEC.readOrder(order.replace("{\"c\"", "{\"o\":\"W-2\",\"c\""));
      assertThat(w1.getKey()).isEqualTo("W-1");
      RecordCodec.ProfileHead two = CODEC.readProfileHead("{\"id\":\"p\",\"ver\":1,\"ro\":2}");
      assertThat(two.withOrders(List.of(w1, w2)).state().orders()).containsOnlyKeys("W-1", "W-2");
      StorageException missing = thrown(() -> two.withOrders(List.of(w1)));
      assertThat(missing.getMessage())
          .isEqualTo("profile record: the head counts 2 orders, and 1 order rows were found");
      assertThat(missing.isRetryable()).isFalse();
      assertThat(thrown(() -> two.withOrders(List.of(w1, w1))).getMessage())
          .isEqualTo("profile record: two order rows of a profile hold the same order id");
    }

    @Test
    @DisplayName("the message names the field by the format's keys, never the data's keys")
    void pathsHideDataKeys() {
      String json = "{\"id\":\"p\",\"ver\":1,\"tr\":{\"secret.person@example.org\":"
          + "{\"v\":1,\"t\":\"not a time\",\"p\":0,\"m\":\"m\"}}}";
      assertThat(thrown(() -> CODEC.readProfile(json)).getMessage())
          .isEqualTo("malformed profile record: /tr/*/t is not an ISO-8601 instant");
    }
  }

  // -------------------------------------------------------------------------------------------
  // Property: every record the engine stores reads back equal.

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final List<Identifier> UNIVERSE = List.of(Identifier.customerId("C0"),
      Identifier.customerId("C1"), Identifier.email("p0@example.org"),
      Identifier.email("İrem@example.org"), Identifier.loyaltyCard("770"),
      Identifier.anonymousId("a0"), Identifier.anonymousId("a1"), Identifier.anonymousId("a2"));

  @Provide
  Arbitrary<List<Event>> events() {
    Arbitrary<Event> event = Combinators.combine(
        Arbitraries.integers().between(0, 8),                     // kind
        Arbitraries.integers().between(0, UNIVERSE.size() - 1).list().ofMinSize(1).ofMaxSize(3),
        Arbitraries.longs().between(0, 3_600_000_000_000L),      // nanos after T0
        Arbitraries.integers().between(0, 3),                     // order id / variant
        Arbitraries.of("crm", "pos", "web-shop"),                 // source
        Arbitraries.longs().between(-1_000_000, 1_000_000))      // unscaled amount
        .as(RecordCodecTest::event);
    return event.list().ofMinSize(1).ofMaxSize(20);
  }

  static Event event(int kind, List<Integer> idx, long nanos, int n, String source,
      long unscaled) {
    Instant t = T0.plusNanos(nanos);
    Event.Builder b = switch (kind) {
      case 0 -> Event.identify().trait("tier", "t" + n).trait("nick", n % 2 == 0 ? null : "İı🎉")
          .trait("score", n == 0 ? new BigDecimal("-5.5E+1") : BigDecimal.valueOf(unscaled, n - 2))
          .trait("visits", (long) n)
          .trait("address", Map.of("city", "İzmir", "lines", List.of("a", n)));
      case 1 -> Event.page("Home");
      case 2 -> Event.track("Order Completed").property("order_id", "O" + n)
          .property("total", BigDecimal.valueOf(Math.abs(unscaled), n == 3 ? 0 : 2))
          .property("currency", n == 3 ? "JPY" : "EUR");
      case 3 -> Event.track("Order Refunded").property("order_id", "O" + n)
          .property("total", n == 0 ? null : BigDecimal.valueOf(Math.abs(unscaled) / 3, 2))
          .property("currency", "EUR");
      case 4 -> Event.track("Order Refunded").property("order_id", "O" + n);
      case 5 -> Event.track("Newsletter Opened " + n)
          .consent("marketing", "email", n % 2 == 0).consent("marketing", "sms", n > 1);
      case 6 -> Event.track("Product Viewed").property("category", "dresses");
      case 8 -> Event.track(List.of(LoyaltyTraits.EARNED_EVENT, LoyaltyTraits.REDEEMED_EVENT,
              LoyaltyTraits.EXPIRED_EVENT, LoyaltyTraits.ADJUSTED_EVENT).get(n))
          .property("points", n == 3 ? unscaled : Math.abs(unscaled))
          .property("program", n == 3 ? "Club" : null)
          .property("expires_at", n == 0 ? t.plusSeconds(86_400).toString() : null);
      default -> Event.identify().consent("analytics", "web", n % 2 == 1)
          .consent(evidence(n, t)).trait("tier", "t" + (n + 1));
    };
    for (int i : idx.stream().distinct().toList()) {
      b.identifier(UNIVERSE.get(i));
    }
    b.channel(n % 2 == 0 ? Channels.WEB : Channels.POS).storeId(n == 3 ? "s1" : null);
    return b.source(source).timestamp(t).messageId("tmp").build();
  }

  /** A decision with evidence, more or less of it by {@code n}. */
  static ConsentChange evidence(int n, Instant t) {
    ConsentChange.Builder b = ConsentChange.builder("marketing", "push", n != 2);
    if (n > 0) {
      b.basis(LawfulBasis.values()[n % LawfulBasis.values().length]).source("İ-app")
          .expiresAt(t.plusNanos(7 + n));
    }
    if (n > 1) {
      b.policyVersion("v" + n).proof(new ConsentProof(n == 3 ? null : "form-🎉",
          "doi-" + n, n == 2 ? null : t.plusSeconds(1)));
    }
    return b.build();
  }

  /** Distinct messageIds (the generator cannot make them). */
  static Event withMessageId(Event e, String id) {
    return new Event(e.type(), id, e.userId(), e.anonymousId(), e.previousId(), e.groupId(),
        e.name(), e.identifiers(), e.properties(), e.traits(), e.context(), e.consents(),
        e.timestamp(), e.originalTimestamp(), e.sentAt(), e.receivedAt(), e.extra());
  }

  @Property(tries = 150)
  @Label("every record ingestion stores (events, profiles, components, links, ledger) reads"
      + " back equal, also for profile states folded with join")
  void storedRecordsReadBackEqual(@ForAll("events") List<Event> events) {
    Store store = Store.inMemory();
    List<ProfileState> states = new ArrayList<>();
    Set<Identifier> normalised = new HashSet<>(); // as stored: e-mail addresses lower-cased
    try (Cdp cdp = Cdp.builder().store(store)
        .clock(Clock.fixed(Instant.parse("2026-06-01T00:00:00.000000001Z"), ZoneOffset.UTC))
        .sourcePriority("crm", 10)
        .computedTraits(LoyaltyTraits.of(LoyaltyProgram.of("default"), LoyaltyProgram.of("club")))
        .build()) {
      for (int i = 0; i < events.size(); i++) {
        cdp.ingest(withMessageId(events.get(i), "m" + i));
      }
      if (events.size() > 3) {
        // An unmerge writes do-not-link rules, ledger entries and new components.
        try {
          cdp.profiles().unmerge(UNIVERSE.get(0), UNIVERSE.get(2));
        } catch (RuntimeException ignored) {
          // not linked in this draw
        }
      }
      for (Identifier id : UNIVERSE) {
        cdp.profiles().find(id).ifPresent(p -> {
          states.add(p.state());
          normalised.addAll(p.identifiers());
        });
      }
    }
    int[] seen = new int[5];
    boolean[] loyalty = {false};
    store.read(WorkspaceId.DEFAULT, tx -> {
      Set<String> components = new HashSet<>();
      for (StoredEvent e : tx.eventsByAnchors(normalised)) {
        assertThat(roundTrip(e)).isEqualTo(e);
        seen[0]++;
      }
      for (Identifier id : normalised) {
        IdentityNode node = tx.node(id).orElse(null);
        if (node == null) {
          continue;
        }
        ProfileRecord p = tx.profile(node.profile()).orElseThrow();
        assertThat(roundTrip(p)).isEqualTo(p);
        seen[1]++;
        if (p.state().computed().containsKey(LoyaltyTraits.LEDGER)) {
          loyalty[0] = true;
        }
        for (LedgerEntry l : tx.ledger(node.profile())) {
          assertThat(CODEC.readLedger(CODEC.writeLedger(l))).isEqualTo(l);
          seen[4]++;
        }
        if (components.add(node.component())) {
          // A component without links and rules has no stored record.
          ComponentRecord c = tx.component(node.component()).orElse(null);
          if (c != null) {
            assertThat(CODEC.readComponent(CODEC.writeComponent(c))).isEqualTo(c);
            seen[2]++;
          } else {
            assertThat(tx.links(node.component())).as("links of an unstored component")
                .isEmpty();
          }
          for (Link l : tx.links(node.component())) {
            assertThat(CODEC.readLink(CODEC.writeLink(l))).isEqualTo(l);
            seen[3]++;
          }
        }
      }
      return null;
    });
    assertThat(seen[0]).as("stored events").isPositive();
    assertThat(seen[1]).as("profiles").isPositive();
    Statistics.label("links").collect(seen[3] > 0);
    Statistics.label("ledger").collect(seen[4] > 0);
    Statistics.label("links").coverage(c -> c.check(true).percentage(pc -> pc > 20));
    Statistics.label("ledger").coverage(c -> c.check(true).percentage(pc -> pc > 5));
    Statistics.label("loyalty ledger").collect(loyalty[0]);
    Statistics.label("loyalty ledger").coverage(c -> c.check(true).percentage(pc -> pc > 20));

    ProfileState joined = ProfileState.EMPTY;
    for (ProfileState s : states) {
      joined = joined.join(s);
      ProfileRecord r = new ProfileRecord(ProfileId.of("p"), joined,
          Map.of(IdentifierType.EMAIL, states.size()), states.size());
      assertThat(roundTrip(r)).isEqualTo(r);
    }
  }
}
