package io.cdpkit.storage.jdbc.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.AddressConsentKey;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LawfulBasis;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.ProfileState.ConsentValue;
import io.cdpkit.core.model.ProfileState.Order;
import io.cdpkit.core.model.ProfileState.OrderEntry;
import io.cdpkit.core.model.ProfileState.Refund;
import io.cdpkit.core.model.ProfileState.Restriction;
import io.cdpkit.core.model.ProfileState.Tally;
import io.cdpkit.core.model.ProfileState.TraitValue;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.RecordCodec;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.traits.AggregateState;
import io.cdpkit.core.traits.Partial;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Profile records and stored events in binary ({@link RecordBinary}) read back equal, for
 * generated records of every shape and for the records the engine stores; version 1 bodies
 * (JSON records) still replay; and, printed without asserting, what each encoding costs.
 */
class RecordBinaryTest {
  private static final RecordCodec JSON = RecordCodec.create();
  private static final WorkspaceId WS = WorkspaceId.DEFAULT;

  // ------------------------------------------------------------------------- round trips

  /** Writes the records into one body (so symbols repeat across them) and reads them back. */
  static List<Object> roundTrip(List<?> records) {
    BodyWriter w = new BodyWriter(64);
    for (Object o : records) {
      if (o instanceof ProfileRecord p) {
        w.writeByte(0);
        RecordBinary.writeProfile(p, w);
      } else {
        w.writeByte(1);
        RecordBinary.writeEvent((StoredEvent) o, w);
      }
    }
    BodyReader r = new BodyReader(w.toByteArray());
    List<Object> out = new ArrayList<>();
    while (!r.atEnd()) {
      out.add(r.readByte() == 0 ? RecordBinary.readProfile(r) : RecordBinary.readEvent(r));
    }
    return out;
  }

  @Property(tries = 300)
  @Label("generated profile records of every shape read back equal, one by one and several in"
      + " one body")
  void profilesReadBackEqual(@ForAll("profileSeeds") long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<ProfileRecord> records = new ArrayList<>();
    for (int i = rnd.nextInt(1, 4); i > 0; i--) {
      records.add(profile(rnd));
    }
    for (ProfileRecord p : records) {
      // A record the JSON codec (the row tables) stores, so a valid one.
      assertThat(JSON.readProfile(JSON.writeProfile(p))).isEqualTo(p);
      assertThat(roundTrip(List.of(p))).containsExactly(p);
    }
    assertThat(roundTrip(records)).isEqualTo(records);
  }

  @Property(tries = 300)
  @Label("generated stored events of every shape read back equal, also mixed with profiles in"
      + " one body")
  void eventsReadBackEqual(@ForAll("profileSeeds") long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Object> records = new ArrayList<>();
    for (int i = rnd.nextInt(1, 5); i > 0; i--) {
      StoredEvent e = storedEvent(rnd, i);
      assertThat(JSON.readEvent(JSON.writeEvent(e))).isEqualTo(e);
      assertThat(roundTrip(List.of(e))).containsExactly(e);
      records.add(e);
      if (rnd.nextBoolean()) {
        records.add(profile(rnd));
      }
    }
    assertThat(roundTrip(records)).isEqualTo(records);
  }

  @Provide
  Arbitrary<Long> profileSeeds() {
    return Arbitraries.longs();
  }

  @Test
  @DisplayName("the profiles and events the engine stores for a retail-like stream read back"
      + " equal")
  void engineRecordsReadBackEqual() {
    Ingested in = ingest(3_000, 0xC0DEC);
    assertThat(in.profiles()).hasSizeGreaterThan(50);
    assertThat(roundTrip(in.profiles())).isEqualTo(in.profiles());
    assertThat(roundTrip(in.events())).isEqualTo(in.events());
  }

  @Test
  @DisplayName("a string with an unpaired surrogate, and an event's extra key that the JSON"
      + " writer refuses, are refused as the JSON writer refuses them")
  void refusesWhatJsonRefuses() {
    ProfileRecord p = new ProfileRecord(ProfileId.of("p"), ProfileState.of(
        Map.of("nick", new TraitValue("a\uD800b", T0, 0, "m")), Map.of(), null, null, Map.of(),
        Map.of(), Map.of(), Map.of()), Map.of(), 1);
    assertThatThrownBy(() -> JSON.writeProfile(p)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RecordBinary.writeProfile(p, new BodyWriter(16)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("a\uD800b");
    Event e = Event.track("Viewed").messageId("m1").anonymousId("a").timestamp(T0)
        .extra("properties", "clash").build();
    StoredEvent s = new StoredEvent(e, e.key(), List.of(), null);
    assertThatThrownBy(() -> JSON.writeEvent(s)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RecordBinary.writeEvent(s, new BodyWriter(16)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a binary record cut short or with a bad tag is a malformed body, naming no"
      + " value")
  void malformedRecords() {
    Ingested in = ingest(400, 7);
    ProfileRecord p = in.profiles().stream()
        .max(Comparator.comparingInt(x -> x.state().traits().size())).orElseThrow();
    BodyWriter w = new BodyWriter(64);
    RecordBinary.writeProfile(p, w);
    byte[] body = w.toByteArray();
    for (int cut = 0; cut < body.length; cut++) {
      BodyReader r = new BodyReader(Arrays.copyOf(body, cut));
      assertThatThrownBy(() -> RecordBinary.readProfile(r)).isInstanceOf(StorageException.class)
          .hasMessageStartingWith("malformed journal body")
          .hasMessageNotContaining(p.id().value());
    }
    // A symbol that refers past the table.
    byte[] bad = {2, 'p', 2, 1, 9};
    assertThatThrownBy(() -> RecordBinary.readProfile(new BodyReader(bad)))
        .isInstanceOf(StorageException.class).hasMessageContaining("symbol");
  }

  // ------------------------------------------------------------------------- version 1

  @Test
  @DisplayName("a version 1 body (events and profiles as JSON text) still replays")
  void versionOneBodyReplays() {
    Ingested in = ingest(300, 11);
    StoredEvent event = in.events().get(0);
    ProfileRecord profile = in.profiles().get(in.profiles().size() - 1);
    Identifier anchor = event.anchor();
    BodyWriter w = new BodyWriter(256);
    w.writeByte(JournalCodec.VERSION_JSON);
    w.writeByte(JournalCodec.INSERT_EVENT);
    w.writeString(JSON.writeEvent(event));
    w.writeByte(JournalCodec.PUT_NODE);
    w.writeIdentifier(anchor);
    w.writeProfileId(profile.id());
    w.writeString("c-1");
    w.writeByte(JournalCodec.PUT_PROFILE);
    w.writeString(JSON.writeProfile(profile));
    byte[] v1 = w.toByteArray();
    assertThat(v1[0]).isEqualTo((byte) 1);

    Store replica = Store.inMemory();
    replica.write(WS, tx -> {
      JournalCodec.replay(v1, tx);
      return null;
    });
    replica.read(WS, tx -> {
      assertThat(tx.events(List.of(event.messageId()))).containsEntry(event.messageId(), event);
      assertThat(tx.profile(profile.id())).contains(profile);
      assertThat(tx.node(anchor)).contains(new IdentityNode(anchor, profile.id(), "c-1"));
      return null;
    });
    // The same ops in the current format give the same records.
    BodyWriter w2 = new BodyWriter(256);
    w2.writeByte(JournalCodec.VERSION);
    w2.writeByte(JournalCodec.INSERT_EVENT);
    RecordBinary.writeEvent(event, w2);
    w2.writeByte(JournalCodec.PUT_PROFILE);
    RecordBinary.writeProfile(profile, w2);
    Store replica2 = Store.inMemory();
    replica2.write(WS, tx -> {
      JournalCodec.replay(w2.toByteArray(), tx);
      return null;
    });
    replica2.read(WS, tx -> {
      assertThat(tx.events(List.of(event.messageId()))).containsEntry(event.messageId(), event);
      assertThat(tx.profile(profile.id())).contains(profile);
      return null;
    });
  }

  // ------------------------------------------------------------------------- measurement

  @Test
  @DisplayName("prints what JSON and binary cost per profile and per event (not asserted)")
  void measure() {
    int n = Integer.getInteger("journal.events", 20_000);
    Ingested in = ingest(n, 0x5EED);
    List<ProfileRecord> profiles = in.profiles();
    List<ProfileRecord> heavy = profiles.stream()
        .sorted(Comparator.comparingInt((ProfileRecord p) -> JSON.writeProfile(p).length())
            .reversed())
        .limit(Math.max(1, profiles.size() / 100)).toList();
    List<StoredEvent> events = in.events();
    assertThat(roundTrip(profiles)).isEqualTo(profiles);
    System.out.printf(Locale.ROOT, "binary codec: %d events ingested, %d profiles, %d stored"
        + " events; heaviest 1%%: %d profiles, avg %d orders%n", n, profiles.size(),
        events.size(), heavy.size(),
        (long) heavy.stream().mapToInt(p -> p.state().orders().size()).average().orElse(0));
    report("profile", profiles, JSON::writeProfile, RecordBinary::writeProfile);
    report("heavy profile", heavy, JSON::writeProfile, RecordBinary::writeProfile);
    report("event", events, JSON::writeEvent, RecordBinary::writeEvent);
  }

  private static <T> void report(String what, List<T> records, Function<T, String> json,
      java.util.function.BiConsumer<T, BodyWriter> binary) {
    long jsonNs = Long.MAX_VALUE;
    long binNs = Long.MAX_VALUE;
    long binBatchNs = Long.MAX_VALUE;
    long binBatchNoRefNs = Long.MAX_VALUE;
    long jsonChars = 0;
    long binBytes = 0;
    long batchBytes = 0;
    long batchNoRefBytes = 0;
    long sink = 0;
    int rounds = 12;
    for (int round = 0; round < rounds; round++) {
      long t0 = System.nanoTime();
      long chars = 0;
      for (T r : records) {
        chars += json.apply(r).length();
      }
      long t1 = System.nanoTime();
      long bytes = 0;
      for (T r : records) {
        BodyWriter w = new BodyWriter(256);
        binary.accept(r, w);
        bytes += w.toByteArray().length;
      }
      long t2 = System.nanoTime();
      // As in a journal body: 100 records share one writer (and its symbol table).
      long bb = 0;
      for (int i = 0; i < records.size(); i += 100) {
        BodyWriter w = new BodyWriter(16 + 96 * 100);
        for (int j = i; j < Math.min(records.size(), i + 100); j++) {
          binary.accept(records.get(j), w);
        }
        bb += w.toByteArray().length;
      }
      long t3 = System.nanoTime();
      long bn = 0;
      for (int i = 0; i < records.size(); i += 100) {
        BodyWriter w = new BodyWriter(16 + 96 * 100, false);
        for (int j = i; j < Math.min(records.size(), i + 100); j++) {
          binary.accept(records.get(j), w);
        }
        bn += w.toByteArray().length;
      }
      long t4 = System.nanoTime();
      jsonNs = Math.min(jsonNs, t1 - t0);
      binNs = Math.min(binNs, t2 - t1);
      binBatchNs = Math.min(binBatchNs, t3 - t2);
      binBatchNoRefNs = Math.min(binBatchNoRefNs, t4 - t3);
      jsonChars = chars;
      binBytes = bytes;
      batchBytes = bb;
      batchNoRefBytes = bn;
      sink += chars + bytes + bb + bn;
    }
    // Reading, for completeness (replay runs at open only).
    List<String> texts = records.stream().map(json).toList();
    List<byte[]> bins = new ArrayList<>();
    for (T r : records) {
      BodyWriter w = new BodyWriter(256);
      binary.accept(r, w);
      bins.add(w.toByteArray());
    }
    long jsonRead = Long.MAX_VALUE;
    long binRead = Long.MAX_VALUE;
    boolean profile = records.get(0) instanceof ProfileRecord;
    for (int round = 0; round < 5; round++) {
      long t0 = System.nanoTime();
      for (String s : texts) {
        sink += (profile ? JSON.readProfile(s) : JSON.readEvent(s)).hashCode();
      }
      long t1 = System.nanoTime();
      for (byte[] b : bins) {
        BodyReader r = new BodyReader(b);
        sink += (profile ? RecordBinary.readProfile(r) : RecordBinary.readEvent(r)).hashCode();
      }
      long t2 = System.nanoTime();
      jsonRead = Math.min(jsonRead, t1 - t0);
      binRead = Math.min(binRead, t2 - t1);
    }
    double k = records.size();
    System.out.printf(Locale.ROOT, "binary codec: per %s (%d): write JSON %.0f ns (%.0f chars),"
            + " binary %.0f ns (%.0f bytes), binary in bodies of 100 %.0f ns (%.0f bytes),"
            + " without back-references %.0f ns (%.0f bytes): %.1fx faster;"
            + " read JSON %.0f ns, binary %.0f ns [%d]%n",
        what, records.size(), jsonNs / k, jsonChars / k, binNs / k, binBytes / k,
        binBatchNs / k, batchBytes / k, binBatchNoRefNs / k, batchNoRefBytes / k,
        (double) jsonNs / binBatchNs, jsonRead / k, binRead / k, sink & 1);
  }

  // ------------------------------------------------------------------------- ingestion

  record Ingested(List<ProfileRecord> profiles, List<StoredEvent> events) {}

  /** A retail-like stream ingested through the engine over an in-memory store. */
  static Ingested ingest(int count, long seed) {
    List<Event> stream = JournalOnCdpTest.retail(count, Math.max(10, count / 10), seed);
    Store store = Store.inMemory();
    Clock clock = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    try (Cdp cdp = Cdp.builder().store(store).clock(clock).build()) {
      for (int i = 0; i < stream.size(); i += 100) {
        cdp.ingest(stream.subList(i, Math.min(stream.size(), i + 100)));
      }
    }
    return store.read(WS, tx -> {
      List<ProfileRecord> profiles = tx.profilesAfter(null, Integer.MAX_VALUE);
      Map<String, StoredEvent> byId = tx.events(stream.stream().map(Event::messageId).toList());
      List<StoredEvent> events = new ArrayList<>();
      for (Event e : stream) {
        StoredEvent s = byId.get(e.messageId());
        if (s != null) {
          events.add(s);
        }
      }
      return new Ingested(profiles, events);
    });
  }

  // ------------------------------------------------------------------------- generators

  static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456789Z");
  private static final String[] WORDS = {"a", "total", "currency", "İzmir", "ıi", "x/y", "~0",
      "\uD83C\uDF89", "Order Completed", "e\u0301", "", " ", "tier"};
  private static final String[] CURRENCIES = {"EUR", "JPY", "USD", "BHD", "XAU"};
  private static final IdentifierType[] ID_TYPES = {IdentifierType.EMAIL, IdentifierType.PHONE,
      IdentifierType.CUSTOMER_ID, IdentifierType.ANONYMOUS_ID, IdentifierType.of("kiosk_id")};

  static String word(SplittableRandom rnd) {
    String w = WORDS[rnd.nextInt(WORDS.length)];
    return rnd.nextInt(3) == 0 ? w + rnd.nextInt(1000) : w;
  }

  /** A non-blank name without control characters. */
  static String name(SplittableRandom rnd) {
    String w = word(rnd);
    return w.isBlank() ? "n" + w : w;
  }

  static Instant instant(SplittableRandom rnd) {
    long s = rnd.nextLong(Instant.parse("1990-01-01T00:00:00Z").getEpochSecond(),
        Instant.parse("2100-01-01T00:00:00Z").getEpochSecond());
    int nanos = switch (rnd.nextInt(3)) {
      case 0 -> 0;
      case 1 -> rnd.nextInt(1000) * 1_000_000;
      default -> rnd.nextInt(1_000_000_000);
    };
    return Instant.ofEpochSecond(s, nanos);
  }

  static BigDecimal decimal(SplittableRandom rnd) {
    return switch (rnd.nextInt(5)) {
      case 0 -> BigDecimal.valueOf(rnd.nextLong(-1_000_000, 1_000_000), 2);
      case 1 -> BigDecimal.valueOf(rnd.nextLong(), rnd.nextInt(-20, 21));
      case 2 -> new BigDecimal(BigInteger.TWO.pow(63 + rnd.nextInt(60))
          .multiply(BigInteger.valueOf(rnd.nextBoolean() ? 1 : -1)), rnd.nextInt(-5, 6));
      case 3 -> BigDecimal.valueOf(rnd.nextLong(-1000, 1000), 0);
      default -> new BigDecimal("-5.5E+1");
    };
  }

  static @Nullable Object scalar(SplittableRandom rnd) {
    return switch (rnd.nextInt(6)) {
      case 0 -> null;
      case 1 -> word(rnd) + (rnd.nextInt(4) == 0 ? "\n\t" : "");
      case 2 -> rnd.nextBoolean();
      case 3 -> rnd.nextLong();
      case 4 -> (long) rnd.nextInt(100);
      default -> decimal(rnd);
    };
  }

  static @Nullable Object value(SplittableRandom rnd, int depth) {
    int k = depth == 0 ? 0 : rnd.nextInt(6);
    if (k == 4) {
      List<@Nullable Object> l = new ArrayList<>();
      for (int i = rnd.nextInt(4); i > 0; i--) {
        l.add(value(rnd, depth - 1));
      }
      return l;
    }
    if (k == 5) {
      return map(rnd, depth - 1);
    }
    return scalar(rnd);
  }

  static Map<String, @Nullable Object> map(SplittableRandom rnd, int depth) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    for (int i = rnd.nextInt(5); i > 0; i--) {
      m.put(word(rnd), value(rnd, depth));
    }
    return m;
  }

  /** A computed trait's scalar: never null, and instants too. */
  static Object aggregateScalar(SplittableRandom rnd) {
    return switch (rnd.nextInt(5)) {
      case 0 -> word(rnd);
      case 1 -> rnd.nextLong();
      case 2 -> decimal(rnd);
      case 3 -> rnd.nextBoolean();
      default -> instant(rnd);
    };
  }

  static Partial partial(SplittableRandom rnd, int kind) {
    return switch (kind) {
      case 0 -> new Partial.Count(rnd.nextLong(0, Long.MAX_VALUE));
      case 1 -> new Partial.Sum(decimal(rnd), rnd.nextLong(0, 1000));
      case 2 -> new Partial.Min(aggregateScalar(rnd));
      case 3 -> new Partial.Max(aggregateScalar(rnd));
      case 4 -> new Partial.Point(aggregateScalar(rnd), instant(rnd), "m" + rnd.nextInt(9),
          rnd.nextBoolean());
      case 6 -> timeline(rnd);
      case 7 -> recent(rnd);
      case 8 -> ledger(rnd);
      default -> {
        Map<Object, Partial.Seen> m = new HashMap<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          Instant a = instant(rnd);
          Instant b = instant(rnd);
          m.put(aggregateScalar(rnd), new Partial.Seen(rnd.nextLong(1, 99),
              a.isBefore(b) ? a : b, a.isBefore(b) ? b : a));
        }
        yield new Partial.Tally(m);
      }
    };
  }

  /** A timeline of the web traits: ascending hits, some sharing an instant. */
  static Partial timeline(SplittableRandom rnd) {
    java.util.TreeMap<Instant, java.util.TreeSet<String>> keys = new java.util.TreeMap<>();
    for (int i = rnd.nextInt(6); i > 0; i--) {
      keys.computeIfAbsent(instant(rnd), k -> new java.util.TreeSet<>())
          .add(rnd.nextBoolean() ? "" : word(rnd));
    }
    List<Partial.Hit> hits = new ArrayList<>();
    keys.forEach((t, sessions) -> {
      for (String s : sessions) {
        long events = rnd.nextLong(1, Long.MAX_VALUE);
        hits.add(new Partial.Hit(t, s, events, rnd.nextLong(0, events)));
      }
    });
    return new Partial.Timeline(hits);
  }

  /** Recent values of the web traits: any scalar with a time. */
  static Partial recent(SplittableRandom rnd) {
    Map<Object, Instant> m = new HashMap<>();
    for (int i = rnd.nextInt(5); i > 0; i--) {
      m.put(aggregateScalar(rnd), instant(rnd));
    }
    return new Partial.Recent(m);
  }

  /** A loyalty ledger: entries of every kind, with and without expiry, ids repeating symbols. */
  static Partial.Ledger ledger(SplittableRandom rnd) {
    List<Partial.LedgerEntry> entries = new ArrayList<>();
    Instant t = instant(rnd);
    for (int i = rnd.nextInt(5); i > 0; i--) {
      Partial.LedgerKind kind = Partial.LedgerKind.values()[rnd.nextInt(4)];
      long points = rnd.nextInt(8) == 0 ? 1_000_000_000_000L : rnd.nextLong(0, 5_000);
      if (kind == Partial.LedgerKind.ADJUSTED && rnd.nextBoolean()) {
        points = -points;
      }
      entries.add(new Partial.LedgerEntry(t, "m" + i, rnd.nextBoolean() ? "default" : "club",
          kind, points, rnd.nextBoolean() ? null : t.plusSeconds(rnd.nextLong(-99, 99_999))));
      t = t.plusNanos(rnd.nextLong(0, 10_000_000_000L));
    }
    entries.sort(Comparator.comparing(Partial.LedgerEntry::time)
        .thenComparing(Partial.LedgerEntry::messageId));
    return new Partial.Ledger(entries);
  }

  static AggregateState aggregate(SplittableRandom rnd) {
    int kind = rnd.nextInt(9);
    if (rnd.nextBoolean()) {
      return AggregateState.total(partial(rnd, kind));
    }
    int n = rnd.nextInt(1, 5);
    long[] days = new long[n];
    Partial[] p = new Partial[n];
    long d = rnd.nextLong(-100, 30_000);
    for (int i = 0; i < n; i++) {
      days[i] = d;
      d += rnd.nextInt(1, 40);
      p[i] = partial(rnd, kind);
    }
    return AggregateState.days(days, p);
  }

  static @Nullable ConsentProof proof(SplittableRandom rnd) {
    if (rnd.nextInt(3) != 0) {
      return null;
    }
    String f = rnd.nextBoolean() ? "form-" + word(rnd) : null;
    String r = rnd.nextBoolean() ? "doi-" + rnd.nextInt(99) : null;
    Instant c = rnd.nextBoolean() ? instant(rnd) : null;
    return f == null && r == null && c == null ? new ConsentProof(null, "r", null)
        : new ConsentProof(f, r, c);
  }

  static ConsentValue consentValue(SplittableRandom rnd) {
    if (rnd.nextBoolean()) {
      return new ConsentValue(rnd.nextBoolean(), instant(rnd), "m" + rnd.nextInt(20));
    }
    LawfulBasis[] bases = LawfulBasis.values();
    return new ConsentValue(rnd.nextBoolean(), instant(rnd), "m" + rnd.nextInt(20),
        bases[rnd.nextInt(bases.length)], rnd.nextBoolean() ? instant(rnd) : null,
        rnd.nextBoolean() ? "src-" + word(rnd) : null, rnd.nextBoolean() ? "v" + rnd.nextInt(9)
            : null, proof(rnd));
  }

  static Money money(SplittableRandom rnd) {
    return Money.of(rnd.nextLong(-Money.MAX_AMOUNT_MINOR_UNITS, Money.MAX_AMOUNT_MINOR_UNITS),
        CURRENCIES[rnd.nextInt(CURRENCIES.length)]);
  }

  static Identifier identifier(SplittableRandom rnd) {
    return new Identifier(ID_TYPES[rnd.nextInt(ID_TYPES.length)], "v-" + word(rnd));
  }

  static ProfileRecord profile(SplittableRandom rnd) {
    int size = rnd.nextInt(4) == 0 ? 12 : 4; // some heavy ones
    Map<String, TraitValue> traits = new HashMap<>();
    for (int i = rnd.nextInt(size); i > 0; i--) {
      traits.put(word(rnd), new TraitValue(value(rnd, 3), instant(rnd), rnd.nextInt(-5, 20),
          "m" + rnd.nextInt(20)));
    }
    Map<ConsentKey, ConsentValue> consents = new HashMap<>();
    Map<AddressConsentKey, ConsentValue> addressConsents = new HashMap<>();
    for (int i = rnd.nextInt(size); i > 0; i--) {
      ConsentKey k = new ConsentKey(rnd.nextBoolean() ? "marketing" : "analytics",
          rnd.nextBoolean() ? "email" : "sms");
      if (rnd.nextBoolean()) {
        consents.put(k, consentValue(rnd));
      } else {
        addressConsents.put(AddressConsentKey.of(k, identifier(rnd)), consentValue(rnd));
      }
    }
    Instant first = rnd.nextBoolean() ? instant(rnd) : null;
    Map<String, Tally> channels = new HashMap<>();
    Map<String, Tally> stores = new HashMap<>();
    for (int i = rnd.nextInt(size); i > 0; i--) {
      (rnd.nextBoolean() ? channels : stores).put(word(rnd),
          new Tally(rnd.nextLong(0, 1 << 20), rnd.nextLong(0, 1000), instant(rnd)));
    }
    Map<String, OrderEntry> orders = new HashMap<>();
    for (int i = rnd.nextInt(size * 2); i > 0; i--) {
      String id = "O-" + word(rnd);
      Order c = rnd.nextInt(4) == 0 ? null : new Order(rnd.nextInt(5) == 0 ? "other-" + id : id,
          instant(rnd), "m" + rnd.nextInt(20), money(rnd),
          rnd.nextBoolean() ? "web" : null, rnd.nextBoolean() ? "s-" + rnd.nextInt(9) : null);
      Map<String, Refund> refunds = new HashMap<>();
      for (int j = rnd.nextInt(3); j > 0; j--) {
        refunds.put("r" + rnd.nextInt(9), new Refund(instant(rnd),
            rnd.nextBoolean() ? money(rnd) : null));
      }
      if (c == null && refunds.isEmpty()) {
        refunds.put("r", new Refund(instant(rnd), null));
      }
      orders.put(id, new OrderEntry(c, refunds));
    }
    Map<String, Long> counts = new HashMap<>();
    for (int i = rnd.nextInt(size); i > 0; i--) {
      counts.put(word(rnd), rnd.nextLong(0, Long.MAX_VALUE));
    }
    Map<String, AggregateState> computed = new HashMap<>();
    for (int i = rnd.nextInt(size); i > 0; i--) {
      computed.put(word(rnd), aggregate(rnd));
    }
    Restriction restriction = rnd.nextInt(3) == 0 ? new Restriction(rnd.nextBoolean(),
        instant(rnd), "m" + rnd.nextInt(9), "reason-" + rnd.nextInt(3)) : null;
    ProfileState state = ProfileState.of(traits, consents, first,
        first == null ? null : first.plusNanos(rnd.nextLong(0, Long.MAX_VALUE / 4)), channels,
        stores, orders, counts, computed).withRestriction(restriction);
    if (!addressConsents.isEmpty()) {
      state = state.withAddressConsents(addressConsents);
    }
    Map<IdentifierType, Integer> idCounts = new HashMap<>();
    for (int i = rnd.nextInt(4); i > 0; i--) {
      idCounts.put(ID_TYPES[rnd.nextInt(ID_TYPES.length)], rnd.nextInt(0, 50));
    }
    return new ProfileRecord(ProfileId.of("p-" + rnd.nextInt(1000)), state, idCounts,
        rnd.nextLong(1, Long.MAX_VALUE));
  }

  static ConsentChange consentChange(SplittableRandom rnd) {
    String purpose = rnd.nextBoolean() ? "marketing" : "third_party_sharing";
    String channel = rnd.nextBoolean() ? "email" : "direct-mail";
    if (rnd.nextBoolean()) {
      return new ConsentChange(purpose, channel, rnd.nextBoolean());
    }
    LawfulBasis[] bases = LawfulBasis.values();
    return new ConsentChange(purpose, channel, rnd.nextBoolean(),
        rnd.nextBoolean() ? bases[rnd.nextInt(bases.length)] : null,
        rnd.nextBoolean() ? "src-" + name(rnd) : null, rnd.nextBoolean() ? "v2" : null,
        proof(rnd), rnd.nextBoolean() ? instant(rnd) : null);
  }

  static @Nullable String maybe(SplittableRandom rnd) {
    return rnd.nextBoolean() ? name(rnd) : null;
  }

  static StoredEvent storedEvent(SplittableRandom rnd, int n) {
    EventType type = EventType.values()[rnd.nextInt(EventType.values().length)];
    String userId = rnd.nextBoolean() ? "u-" + name(rnd) : null;
    String anonymousId = rnd.nextBoolean() ? "a-" + name(rnd) : null;
    String previousId = type == EventType.ALIAS ? "prev-" + name(rnd) : null;
    String groupId = type == EventType.GROUP ? "g-" + name(rnd) : null;
    if (type == EventType.ALIAS && userId == null) {
      userId = "u-alias";
    }
    String name = type == EventType.TRACK ? "Event " + name(rnd)
        : rnd.nextBoolean() ? name(rnd) : null;
    List<Identifier> own = new ArrayList<>();
    for (int i = rnd.nextInt(3); i > 0; i--) {
      own.add(identifier(rnd));
    }
    if (userId == null && anonymousId == null && own.isEmpty()) {
      anonymousId = "anon-1";
    }
    EventContext context = rnd.nextInt(3) == 0 ? EventContext.EMPTY : EventContext.builder()
        .channel(rnd.nextBoolean() ? "web" : null).storeId(maybe(rnd)).source(maybe(rnd))
        .locale(maybe(rnd)).ip(maybe(rnd)).userAgent(maybe(rnd))
        .library(maybe(rnd), maybe(rnd)).device(map(rnd, 2)).campaign(map(rnd, 1))
        .traits(map(rnd, 1)).other(rnd.nextBoolean() ? Map.of("x_other", 1L) : Map.of())
        .build();
    List<ConsentChange> consents = new ArrayList<>();
    for (int i = rnd.nextInt(3); i > 0; i--) {
      consents.add(consentChange(rnd));
    }
    Map<String, @Nullable Object> extra = new LinkedHashMap<>();
    if (rnd.nextBoolean()) {
      extra.put("x_" + word(rnd), value(rnd, 2));
    }
    Instant[] times = new Instant[4];
    for (int i = 0; i < 4; i++) {
      times[i] = rnd.nextInt(3) == 0 ? null : instant(rnd);
    }
    if (times[0] == null && times[1] == null && times[3] == null) {
      times[3] = instant(rnd);
    }
    Event e = new Event(type, "msg-" + n + "-" + name(rnd), userId, anonymousId, previousId,
        groupId, name, own, map(rnd, 3), map(rnd, 2), context, consents, times[0], times[1],
        times[2], times[3], extra);
    List<Identifier> ids = new ArrayList<>();
    for (int i = rnd.nextInt(3); i > 0; i--) {
      Identifier id = identifier(rnd);
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    EventKey key = rnd.nextBoolean() ? e.key() : new EventKey(instant(rnd), e.messageId());
    return new StoredEvent(e, key, ids, ids.isEmpty() ? null : ids.get(0));
  }
}
