package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LawfulBasis;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PackedEventsTest {
  private final PackedEvents packer = new PackedEvents(new PackedEvents.Dictionary());

  private StoredEvent roundTrip(StoredEvent e) {
    byte[] b = packer.pack(e);
    assertThat(packer.messageId(b)).isEqualTo(e.messageId());
    assertThat(packer.anchor(b)).isEqualTo(e.anchor());
    return packer.unpack(b);
  }

  static final List<String> TEXTS = List.of("a", "Home", "İstanbul ı", "emoji 🎉",
      "tab\tline\nfeed", "0f8fad5b-d9cb-469f-a165-70867728950e",
      "0F8FAD5B-D9CB-469F-A165-70867728950E", "0f8fad5b-d9cb-469f-a165-70867728950", "ÿ\u00a0x",
      "x".repeat(300));

  static final List<Object> SCALARS = Arrays.asList(null, true, false, 0L, -1L, Long.MIN_VALUE,
      Long.MAX_VALUE, new BigDecimal("19.990"), new BigDecimal("-5.5E+1"), new BigDecimal("1.2E+5"),
      new BigDecimal(new BigInteger("-123456789012345678901234567890"), 7),
      new BigDecimal("9223372036854775808"), "", "İı", "0f8fad5b-d9cb-469f-a165-70867728950e");

  static final List<Instant> TIMES = List.of(Instant.EPOCH,
      Instant.parse("2026-03-01T10:15:30Z"), Instant.parse("2026-03-01T10:15:30.123Z"),
      Instant.parse("2026-03-01T10:15:30.123456Z"), Instant.parse("2026-03-01T10:15:30.123456789Z"),
      Instant.parse("1999-12-31T23:59:59.999999999Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"));

  @Provide
  Arbitrary<Object> values() {
    Arbitrary<Object> scalar = Arbitraries.of(SCALARS);
    return Arbitraries.lazyOf(() -> scalar, () -> scalar,
        () -> values().list().ofMaxSize(3).map(l -> (Object) l),
        () -> Combinators.combine(Arbitraries.of(TEXTS), values())
            .as((k, v) -> {
              k = k.replace('\t', ' ').replace('\n', ' ');
              Map<String, Object> m = new LinkedHashMap<>();
              m.put(k, v);
              m.put("k2", v);
              return (Object) m;
            }));
  }

  @Provide
  Arbitrary<Map<String, Object>> maps() {
    return Combinators.combine(Arbitraries.of(TEXTS).filter(k -> !k.contains("\t")).list()
        .ofMaxSize(4).uniqueElements(),
        values().list().ofSize(4)).as((keys, vals) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          for (int i = 0; i < keys.size(); i++) {
            m.put(keys.get(i), vals.get(i));
          }
          return m;
        });
  }

  @Provide
  Arbitrary<StoredEvent> events() {
    Arbitrary<String> text = Arbitraries.of(TEXTS).filter(s -> !s.contains("\t"));
    Arbitrary<String> optText = Arbitraries.oneOf(text, Arbitraries.just(null));
    Arbitrary<Instant> optTime = Arbitraries.oneOf(Arbitraries.of(TIMES), Arbitraries.just(null));
    Arbitrary<EventContext> context = Combinators.combine(optText, optText, optText,
        maps(), maps(), Arbitraries.integers().between(0, 3)).as((a, b, c, m1, m2, n) ->
            n == 0 ? EventContext.EMPTY : EventContext.builder().channel(a).storeId(b).source(c)
                .locale(n == 1 ? "nl-NL" : null).ip(n == 2 ? "10.0.0.1" : null)
                .userAgent(b).library(c, n == 3 ? "1.2" : null).device(m1).campaign(m2)
                .traits(n == 2 ? m1 : Map.of()).other(n == 3 ? Map.of("x", 1L) : Map.of())
                .build());
    Arbitrary<ConsentChange> consent = Combinators.combine(Arbitraries.of("marketing", "x-1"),
        Arbitraries.of(LawfulBasis.values()), Arbitraries.integers().between(0, 4),
        Arbitraries.of(TIMES)).as((p, basis, n, t) -> {
          ConsentChange.Builder b = ConsentChange.builder(p, "email", n % 2 == 0).basis(basis);
          if (n > 0) {
            b.source("İ-app").policyVersion("v" + n);
          }
          if (n > 1) {
            b.proof(new ConsentProof(n == 3 ? null : "form-🎉", n == 4 ? null : "doi-" + n,
                n == 2 ? null : t));
          }
          if (n > 2) {
            b.expiresAt(t);
          }
          return b.build();
        });
    Arbitrary<List<Identifier>> ids = Combinators.combine(
        Arbitraries.of("customer_id", "email", "anonymous_id", "x_custom"), text)
        .as((t, v) -> new Identifier(IdentifierType.of(t), v)).list().ofMaxSize(3);
    Arbitrary<Event> event = Combinators.combine(
        Arbitraries.of(EventType.values()), Arbitraries.of(TEXTS).filter(s -> s.length() <= 200
            && !s.contains("\t")),
        optText, optText, optTime, optTime,
        optTime, optTime).flatAs((type, id, user, anon, t1, t2, t3, t4) ->
        Combinators.combine(ids, maps(), maps(), context, consent.list().ofMaxSize(2), maps())
            .as((idents, props, traits, ctx, consents, extra) -> new Event(type, id,
                user != null ? user
                    : type == EventType.ALIAS || anon == null && idents.isEmpty() ? "u" : null,
                anon,
                type == EventType.ALIAS ? "prev" : null, type == EventType.GROUP ? "g" : null,
                type == EventType.TRACK ? "Order Completed" : type == EventType.PAGE ? "Home" : null,
                idents, props, traits, ctx,
                consents, t1, t2, t3, t4 == null && t1 == null && t2 == null ? TIMES.get(2) : t4,
                extra)));
    return Combinators.combine(event, ids, Arbitraries.integers().between(0, 2))
        .as((e, stored, k) -> {
          List<Identifier> all = new ArrayList<>(stored);
          if (k == 1 && e.userId() != null) {
            all.add(0, Identifier.customerId(e.userId()));
          }
          if (k == 2 && e.anonymousId() != null) {
            all.add(Identifier.anonymousId(e.anonymousId()));
          }
          List<Identifier> distinct = all.stream().distinct().toList();
          EventKey key = k == 2 ? new EventKey(TIMES.get(5), "other-key") : e.key();
          return new StoredEvent(e, key, distinct, distinct.isEmpty() ? null : distinct.get(0));
        });
  }

  @Property(tries = 400)
  @Label("a packed event reads back equal: every field, value type, number scale, nanosecond"
      + " and string kind")
  void roundTrips(@ForAll("events") StoredEvent e) {
    StoredEvent back = roundTrip(e);
    assertThat(back).isEqualTo(e);
    assertThat(back.event().properties().keySet()).containsExactlyElementsOf(
        e.event().properties().keySet());
    assertThat(back.event().toString()).isEqualTo(e.event().toString());
  }

  @Test
  @DisplayName("an identifier value with an unpaired surrogate or a control char reads back as it"
      + " was (the store keeps what it is given)")
  void oddIdentifierValues() {
    Event e = Event.track("x").messageId("m").userId("u").timestamp(TIMES.get(1)).build();
    List<Identifier> ids = List.of(new Identifier(IdentifierType.EMAIL, "a\ud800b"),
        new Identifier(IdentifierType.PHONE, "\u0000\u0001"));
    StoredEvent s = new StoredEvent(e, e.key(), ids, ids.get(0));
    assertThat(roundTrip(s)).isEqualTo(s);
  }

  @Test
  @DisplayName("names beyond the dictionary's room are written inline and still read back")
  void dictionaryFull() {
    List<byte[]> packed = new ArrayList<>();
    List<StoredEvent> events = new ArrayList<>();
    for (int i = 0; i < PackedEvents.Dictionary.MAX + 10; i++) {
      Event e = Event.track("e" + i).messageId("m" + i).userId("u")
          .property("key-" + i, (long) i).timestamp(TIMES.get(1)).build();
      StoredEvent s = new StoredEvent(e, e.key(), List.of(Identifier.customerId("u")),
          Identifier.customerId("u"));
      events.add(s);
      packed.add(packer.pack(s));
    }
    for (int i = 0; i < events.size(); i += 4099) {
      assertThat(packer.unpack(packed.get(i))).isEqualTo(events.get(i));
    }
    assertThat(packer.unpack(packed.get(events.size() - 1))).isEqualTo(events.get(events.size() - 1));
  }
}
