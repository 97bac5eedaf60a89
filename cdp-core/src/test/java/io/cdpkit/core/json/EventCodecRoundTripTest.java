package io.cdpkit.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.LawfulBasis;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jspecify.annotations.Nullable;

/**
 * {@code decodeMessage(encode(e))} equals {@code e} for random valid events, and
 * {@code encodedSize} is exact.
 */
class EventCodecRoundTripTest {
  private final EventCodec codec = EventCodec.create();

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void decodeOfEncodeIsTheSameEvent(@ForAll("events") Event event) {
    byte[] json = codec.encode(event);
    assertThat(codec.decodeMessage(json)).isEqualTo(event);
    assertThat(codec.encodedSize(event)).isEqualTo(json.length);
  }

  @Property(tries = 100)
  void batchesRoundTripThroughDecodeBody(@ForAll("batches") List<Event> events) {
    byte[] body = codec.encodeBatch(events);
    List<DecodedMessage> decoded = codec.decodeBody(body);
    assertThat(decoded).extracting(DecodedMessage::orThrow).containsExactlyElementsOf(events);
  }

  // ---- examples for the subtle parts of the mapping ----

  private static Event.Builder base(EventType type) {
    return Event.builder(type).messageId("m-1").userId("u-1");
  }

  private Event roundTrip(Event e) {
    Event back = codec.decodeMessage(codec.encode(e));
    assertThat(back).isEqualTo(e);
    assertThat(codec.encodedSize(e)).isEqualTo(codec.encode(e).length);
    return back;
  }

  @Example
  void segmentChannelImpliesTheRetailChannelBothWays() {
    String browser = "{\"type\":\"page\",\"messageId\":\"m-1\",\"userId\":\"u\","
        + "\"channel\":\"browser\"}";
    assertThat(codec.decodeMessage(browser).context().channel()).isEqualTo("web");
    assertThat(codec.decodeMessage(browser.replace("browser", "mobile")).context().channel())
        .isEqualTo("app");
    assertThat(codec.decodeMessage(browser.replace("browser", "server")).context().channel())
        .isNull();
    assertThat(codec.decodeMessage(browser.replace("}", ",\"context\":{\"channel\":\"pos\"}}"))
        .context().channel()).isEqualTo("pos");

    // Implied channel: not written. Different channel: written. No channel: written as null.
    Event web = base(EventType.PAGE).extra("channel", "browser").channel("web").build();
    assertThat(new String(codec.encode(roundTrip(web)), StandardCharsets.UTF_8))
        .doesNotContain("\"context\"");
    Event pos = base(EventType.PAGE).extra("channel", "browser").channel("pos").build();
    assertThat(new String(codec.encode(roundTrip(pos)), StandardCharsets.UTF_8))
        .contains("\"context\":{\"channel\":\"pos\"}");
    Event none = base(EventType.PAGE).extra("channel", "browser").build();
    assertThat(new String(codec.encode(roundTrip(none)), StandardCharsets.UTF_8))
        .contains("\"context\":{\"channel\":null}");
    roundTrip(base(EventType.SCREEN).extra("channel", "mobile").channel("app").build());
    roundTrip(base(EventType.TRACK).name("E").extra("channel", "server").channel("pos").build());
  }

  @Example
  void decimalsKeepTheirScaleAndNeverBecomeLongs() {
    Event e = base(EventType.TRACK).name("Order Completed")
        .property("total", new BigDecimal("19.99"))
        .property("five", new BigDecimal("5"))
        .property("thousand", new BigDecimal("1E+3"))
        .property("tiny", new BigDecimal("1E-20"))
        .property("zero", new BigDecimal("0.00"))
        .property("huge", new BigDecimal(BigInteger.TEN.pow(30)))
        .property("count", 5L)
        .build();
    Event back = roundTrip(e);
    assertThat(back.properties().get("five")).isInstanceOf(BigDecimal.class);
    assertThat(back.properties().get("count")).isEqualTo(5L);
    assertThat(new String(codec.encode(e), StandardCharsets.UTF_8))
        .contains("\"total\":19.99", "\"five\":5E0", "\"count\":5");
  }

  @Example
  void identifiersAndConsentsAreWrittenWhereClientsSendThem() {
    Event e = Event.identify().messageId("m-1")
        .identifier(IdentifierType.EMAIL, "a@b.co")
        .identifier(IdentifierType.of("kiosk_id"), "k-1")
        .consent("marketing", "email", true)
        .build();
    roundTrip(e);
    assertThat(new String(codec.encode(e), StandardCharsets.UTF_8))
        .contains("\"context\":{\"externalIds\":[{\"id\":\"a@b.co\",\"type\":\"email\"},"
            + "{\"id\":\"k-1\",\"type\":\"kiosk_id\"}]}")
        .contains("\"consent\":[{\"purpose\":\"marketing\",\"channel\":\"email\","
            + "\"granted\":true}]");
  }

  @Example
  void eventsThatCouldNotReadBackEqualAreRefused() {
    assertThatThrownBy(() -> codec.encode(base(EventType.IDENTIFY).extra("userId", "x").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'userId'");
    assertThatThrownBy(() -> codec.encode(base(EventType.TRACK).name("E")
        .extra("event", "x").build())).isInstanceOf(IllegalArgumentException.class);
    // On a page, "event" is not the name, so it is an ordinary extra key.
    roundTrip(base(EventType.PAGE).name("Home").extra("event", "x").build());
    assertThatThrownBy(() -> codec.encode(base(EventType.IDENTIFY)
        .context(EventContext.builder().other(Map.of("externalIds", List.of())).build())
        .build())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'externalIds'");
    // An unpaired surrogate no longer gets as far as the codec: the event refuses it.
    assertThatThrownBy(() -> base(EventType.IDENTIFY).trait("name", "\ud800SECRET").build())
        .isInstanceOf(io.cdpkit.core.InvalidEventException.class)
        .satisfies(t -> assertThat(t.getMessage()).doesNotContain("SECRET"))
        .hasMessage("/traits/name: holds an unpaired UTF-16 surrogate");
  }

  @Example
  void batchesCarryEveryEvent() {
    List<Event> events = List.of(base(EventType.IDENTIFY).build(),
        base(EventType.TRACK).name("E").sentAt(Instant.parse("2026-01-01T00:00:00Z")).build());
    assertThat(codec.decodeBody(codec.encodeBatch(events)))
        .extracting(DecodedMessage::orThrow).containsExactlyElementsOf(events);
    assertThat(codec.decodeBody(codec.encodeBatch(List.of()))).isEmpty();
  }

  // ---- generators ----

  private static final List<String> RESERVED_TOP = List.of("type", "messageId", "userId",
      "anonymousId", "previousId", "groupId", "event", "name", "properties", "traits", "context",
      "consent", "timestamp", "originalTimestamp", "sentAt", "receivedAt");

  /**
   * Free text: ASCII, Turkish letters, escapes, the line breaks a value may hold and a surrogate
   * pair (the text rule refuses other controls).
   */
  static Arbitrary<String> text(int minLength, int maxLength) {
    return Arbitraries.strings().withCharRange(' ', '~').withChars("ıİşğüçé€\"\\/\n\t\r")
        .ofMinLength(minLength).ofMaxLength(maxLength)
        .flatMap(s -> Arbitraries.of("", "\uD83D\uDE00").map(s::concat));
  }

  /** Names (ids, keys, context fields): like {@link #text} without any control character. */
  static Arbitrary<String> name(int minLength, int maxLength) {
    return Arbitraries.strings().withCharRange(' ', '~').withChars("ıİşğüçé€\"\\/")
        .ofMinLength(minLength).ofMaxLength(maxLength)
        .flatMap(s -> Arbitraries.of("", "\uD83D\uDE00").map(s::concat));
  }

  static Arbitrary<String> keys() {
    return Arbitraries.oneOf(name(0, 8), Arbitraries.of("total", "currency", "a/b", "~x", ""));
  }

  static Arbitrary<@Nullable Object> scalar() {
    Arbitrary<BigDecimal> decimals = Arbitraries.oneOf(
        Arbitraries.bigDecimals().between(new BigDecimal("-1000000"), new BigDecimal("1000000"))
            .ofScale(2),
        Arbitraries.bigDecimals().between(new BigDecimal("-1E9"), new BigDecimal("1E9"))
            .ofScale(0),
        Arbitraries.integers().between(-20, 20).flatMap(scale ->
            Arbitraries.longs().map(unscaled -> new BigDecimal(BigInteger.valueOf(unscaled),
                scale))),
        Arbitraries.bigIntegers().between(BigInteger.TWO.pow(63), BigInteger.TWO.pow(100))
            .map(BigDecimal::new));
    return Arbitraries.oneOf(text(0, 12).map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l),
        decimals.map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b))
        .injectNull(0.1);
  }

  static Arbitrary<@Nullable Object> value(int depth) {
    if (depth == 0) {
      return scalar();
    }
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, scalar()),
        net.jqwik.api.Tuple.of(1, value(depth - 1).list().ofMaxSize(3).map(l -> (Object) l)),
        net.jqwik.api.Tuple.of(1, map(depth - 1).map(m -> (Object) m)));
  }

  static Arbitrary<Map<String, @Nullable Object>> map(int depth) {
    return Arbitraries.maps(keys(), value(depth)).ofMaxSize(4)
        .map(m -> (Map<String, @Nullable Object>) new LinkedHashMap<String, @Nullable Object>(m));
  }

  /** A map whose keys avoid {@code reserved}. */
  static Arbitrary<Map<String, @Nullable Object>> mapWithout(List<String> reserved) {
    return map(2).map(m -> {
      Map<String, @Nullable Object> out = new LinkedHashMap<>(m);
      out.keySet().removeAll(reserved);
      return out;
    });
  }

  static Arbitrary<@Nullable String> optional(Arbitrary<String> a) {
    return a.injectNull(0.4);
  }

  static Arbitrary<Instant> instants() {
    return Combinators.combine(
        Arbitraries.longs().between(Instant.parse("1990-01-01T00:00:00Z").getEpochSecond(),
            Instant.parse("2100-01-01T00:00:00Z").getEpochSecond()),
        Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999)
            .map(ms -> ms * 1_000_000), Arbitraries.integers().between(0, 999_999_999)))
        .as(Instant::ofEpochSecond);
  }

  static Arbitrary<Identifier> identifiers() {
    Arbitrary<IdentifierType> types = Arbitraries.of(IdentifierType.EMAIL, IdentifierType.PHONE,
        IdentifierType.LOYALTY_CARD, IdentifierType.POS_CUSTOMER, IdentifierType.DEVICE_ID,
        IdentifierType.CUSTOMER_ID, IdentifierType.ANONYMOUS_ID, IdentifierType.of("kiosk_id"));
    return Combinators.combine(types, name(1, 20)).as(Identifier::new);
  }

  static Arbitrary<ConsentChange> consents() {
    Arbitrary<ConsentChange> plain = Combinators.combine(
        Arbitraries.of("marketing", "analytics", "personalisation", "third_party_sharing"),
        Arbitraries.of("email", "sms", "push", "direct-mail", "web"),
        Arbitraries.of(true, false)).as(ConsentChange::new);
    Arbitrary<@Nullable String> t = optional(name(1, 12)).map(x -> blankOrControl(x) ? null : x);
    Arbitrary<@Nullable Instant> when = instants().injectNull(0.4);
    Arbitrary<@Nullable ConsentProof> proof = Combinators.combine(t, t, when)
        .as((f, r, c) -> f == null && r == null && c == null ? new ConsentProof(null, "r", null)
            : new ConsentProof(f, r, c)).injectNull(0.3);
    Arbitrary<ConsentChange> withEvidence = Combinators.combine(plain,
        Arbitraries.of(LawfulBasis.values()).injectNull(0.3), t, t, proof, when)
        .as((c, b, src, v, p, x) -> new ConsentChange(c.purpose(), c.channel(), c.granted(), b,
            src, v, p, x));
    return Arbitraries.oneOf(plain, withEvidence);
  }

  /** Texts that ConsentChange refuses for source and policy version. */
  static boolean blankOrControl(@Nullable String s) {
    return s != null && (s.isBlank() || s.chars().anyMatch(Character::isISOControl));
  }

  static Arbitrary<EventContext> contexts() {
    Arbitrary<@Nullable String> s = optional(name(0, 10));
    Arbitrary<EventContext.Builder> strings = Combinators.combine(
        optional(Arbitraries.of("web", "app", "pos", "email", "call-center")), s, s, s, s, s, s,
        s).as((channel, storeId, source, locale, ip, ua, libName, libVersion) ->
            EventContext.builder().channel(channel).storeId(storeId).source(source)
                .locale(locale).ip(ip).userAgent(ua).library(libName, libVersion));
    return Combinators.combine(strings, map(2), map(1), map(1),
        mapWithout(List.of("channel", "storeId", "source", "locale", "ip", "userAgent",
            "library", "device", "campaign", "traits", "externalIds")))
        .as((b, device, campaign, traits, other) ->
            b.device(device).campaign(campaign).traits(traits).other(other).build());
  }

  record Ids(EventType type, String messageId, @Nullable String userId,
      @Nullable String anonymousId, @Nullable String previousId, @Nullable String groupId,
      @Nullable String name, List<Identifier> identifiers) {}

  record Payload(Map<String, @Nullable Object> properties, Map<String, @Nullable Object> traits,
      EventContext context, List<ConsentChange> consents, Map<String, @Nullable Object> extra) {}

  record Times(@Nullable Instant timestamp, @Nullable Instant originalTimestamp,
      @Nullable Instant sentAt, @Nullable Instant receivedAt) {}

  static Arbitrary<Ids> ids() {
    return Combinators.combine(Arbitraries.of(EventType.class), name(1, 40),
        optional(name(1, 20)), optional(name(1, 20)), name(1, 20), name(1, 20),
        optional(name(1, 30)), identifiers().list().ofMaxSize(3))
        .as((type, messageId, userId, anonymousId, previousId, groupId, name, identifiers) -> {
          // Make the generated fields meet the rules of the event's type.
          if (messageId.isBlank()) {
            messageId = "m" + messageId;
          }
          if (type == EventType.TRACK && (name == null || name.isBlank())) {
            name = "Event " + name;
          }
          if (userId != null && userId.isBlank()) {
            userId = null;
          }
          if (anonymousId != null && anonymousId.isBlank()) {
            anonymousId = null;
          }
          if (name != null && name.isBlank()) {
            name = null;
          }
          String previous = type == EventType.ALIAS ? "p" + previousId : null;
          String group = type == EventType.GROUP ? "g" + groupId : null;
          if (type == EventType.ALIAS && userId == null) {
            userId = "u-alias";
          }
          if (userId == null && anonymousId == null && identifiers.isEmpty()) {
            anonymousId = "anon-1";
          }
          return new Ids(type, messageId, userId, anonymousId, previous, group, name,
              new ArrayList<>(identifiers));
        });
  }

  static Arbitrary<Payload> payloads() {
    Arbitrary<Map<String, @Nullable Object>> extra = Combinators.combine(
        Arbitraries.of("server", "browser", "mobile", "").injectNull(0.3),
        mapWithout(RESERVED_TOP)).as((channel, m) -> {
          Map<String, @Nullable Object> out = new LinkedHashMap<>(m);
          if (channel != null && !channel.isEmpty()) {
            out.put("channel", channel);
          } else {
            out.remove("channel");
          }
          return out;
        });
    return Combinators.combine(map(3), map(2), contexts(), consents().list().ofMaxSize(3), extra)
        .as(Payload::new);
  }

  static Arbitrary<Times> times() {
    Arbitrary<@Nullable Instant> t = instants().injectNull(0.3);
    return Combinators.combine(t, t, t, t).as(Times::new);
  }

  @Provide
  Arbitrary<Event> events() {
    return Combinators.combine(ids(), payloads(), times()).as((i, p, t) -> {
      // A top-level channel implying a retail channel is the common case; exercise it.
      return new Event(i.type(), i.messageId(), i.userId(), i.anonymousId(), i.previousId(),
          i.groupId(), i.name(), i.identifiers(), p.properties(), p.traits(), p.context(),
          p.consents(), t.timestamp(), t.originalTimestamp(), t.sentAt(), t.receivedAt(),
          p.extra());
    });
  }

  @Provide
  Arbitrary<List<Event>> batches() {
    return events().list().ofMaxSize(5);
  }
}
