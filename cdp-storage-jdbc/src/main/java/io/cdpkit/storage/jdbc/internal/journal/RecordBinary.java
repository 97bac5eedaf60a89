package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.internal.JsonValues;
import io.cdpkit.core.internal.json.EventWriter;
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
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.traits.AggregateState;
import io.cdpkit.core.traits.Partial;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Profile records and stored events in a journal body (format version 2), field by field with
 * the primitives of {@link BodyWriter}, rebuilt through the model's constructors and factories,
 * so that {@code read(write(x)).equals(x)}. It writes every field
 * {@link io.cdpkit.core.spi.storage.RecordCodec}'s JSON writes, and refuses what that writer
 * refuses ({@link IllegalArgumentException}: a string with an unpaired surrogate, an event whose
 * {@code extra} or {@code context.other} holds a key of a field of its own), so that a record the
 * journal accepted can be written to the row tables at a checkpoint.
 *
 * <h2>Format</h2>
 * Strings that repeat within a body (map keys, trait and event names, the messageIds of events,
 * traits and consents, identifier types and values, userIds and anonymousIds, channels,
 * currencies) are symbols ({@link BodyWriter}); other strings are plain (profile and order ids,
 * values, an order's and a refund's messageId, which rarely repeat and would only fill the
 * table). Counts are varints, signed numbers zigzag varlongs, nullable parts behind a presence
 * byte or a bit of a flags byte.
 * <pre>
 * profile:  id, version, identifierCounts (n, [type symbol, zigzag]),
 *           traits (n, [name symbol, value, time, zigzag priority, messageId symbol]),
 *           profile consents (n, [purpose symbol, channel symbol, consent]),
 *           address consents (n, [purpose, channel, identifier, consent]),
 *           seen (presence, firstSeen, lastSeen), channels and stores (n, [symbol, tally]),
 *           orders (n, [orderId, flags (completion, own orderId, channel, store), completion
 *           (time, messageId, money (zigzag minor units, currency symbol), ...), refunds (n,
 *           [messageId, time, presence, money])]), eventCounts (n, [symbol, zigzag]),
 *           restriction (presence, restricted, time, messageId symbol, reasonCode symbol),
 *           computed (n, [name symbol, aggregate])
 * value:    tag 0 null, 1 string, 2 true, 3 false, 4 long (zigzag), 5 decimal (scale zigzag,
 *           unscaled zigzag), 6 big decimal (scale zigzag, unscaled two's complement bytes),
 *           7 list (n, values), 8 map (n, [key symbol, value]) in iteration order, 9 instant
 * event:    key (time, messageId symbol), identifiers (n, [identifier]), type code,
 *           messageId symbol, a flags varint saying which optional parts follow, then those
 *           parts in the order of {@link Event}'s components
 * </pre>
 * Enum constants are written as fixed codes (never ordinals), so that reordering an enum does
 * not change the format.
 *
 * <p>Stateless; thread-safe.
 */
final class RecordBinary {
  private RecordBinary() {}

  // Value tags.
  private static final int V_NULL = 0;
  private static final int V_STRING = 1;
  private static final int V_TRUE = 2;
  private static final int V_FALSE = 3;
  private static final int V_LONG = 4;
  private static final int V_DECIMAL = 5;
  private static final int V_BIG_DECIMAL = 6;
  private static final int V_LIST = 7;
  private static final int V_MAP = 8;
  private static final int V_INSTANT = 9;

  /** Fixed codes of the enums, by code; never reorder, only append. */
  private static final LawfulBasis[] BASES = {LawfulBasis.CONSENT, LawfulBasis.CONTRACT,
      LawfulBasis.LEGAL_OBLIGATION, LawfulBasis.VITAL_INTERESTS, LawfulBasis.PUBLIC_TASK,
      LawfulBasis.LEGITIMATE_INTERESTS};
  private static final EventType[] TYPES = {EventType.IDENTIFY, EventType.TRACK, EventType.PAGE,
      EventType.SCREEN, EventType.GROUP, EventType.ALIAS};

  private static int code(LawfulBasis b) {
    return switch (b) {
      case CONSENT -> 0;
      case CONTRACT -> 1;
      case LEGAL_OBLIGATION -> 2;
      case VITAL_INTERESTS -> 3;
      case PUBLIC_TASK -> 4;
      case LEGITIMATE_INTERESTS -> 5;
    };
  }

  private static int code(EventType t) {
    return switch (t) {
      case IDENTIFY -> 0;
      case TRACK -> 1;
      case PAGE -> 2;
      case SCREEN -> 3;
      case GROUP -> 4;
      case ALIAS -> 5;
    };
  }

  // ============================================================================ profiles

  static void writeProfile(ProfileRecord r, BodyWriter w) {
    writeProfile(r, null, w);
  }

  /**
   * Writes a profile record; with {@code baseOrders}, its orders only as they differ from those
   * (a patch, read by {@link #readProfilePatch} over a store holding a profile with exactly
   * those orders): the entries that are not the very objects {@code baseOrders} holds under
   * their id, then the ids it holds that the record does not. Everything else is written whole:
   * of a profile's parts only its orders grow without bound as its events come in.
   */
  static void writeProfile(ProfileRecord r, @Nullable Map<String, OrderEntry> baseOrders,
      BodyWriter w) {
    ProfileState s = r.state();
    w.writeText(r.id().value());
    w.writeZigzag(r.version());
    Map<IdentifierType, Integer> counts = r.identifierCounts();
    w.writeVarint(counts.size());
    for (Map.Entry<IdentifierType, Integer> e : counts.entrySet()) {
      w.writeSymbol(e.getKey().id());
      w.writeZigzag(e.getValue());
    }
    Map<String, TraitValue> traits = s.traits();
    w.writeVarint(traits.size());
    for (Map.Entry<String, TraitValue> e : traits.entrySet()) {
      TraitValue v = e.getValue();
      w.writeSymbol(e.getKey());
      writeValue(v.value(), w);
      w.writeInstant(v.time());
      w.writeZigzag(v.sourcePriority());
      w.writeSymbol(v.messageId());
    }
    Map<ConsentKey, ConsentValue> consents = s.profileConsents();
    w.writeVarint(consents.size());
    for (Map.Entry<ConsentKey, ConsentValue> e : consents.entrySet()) {
      w.writeSymbol(e.getKey().purpose());
      w.writeSymbol(e.getKey().channel());
      writeConsentValue(e.getValue(), w);
    }
    Map<AddressConsentKey, ConsentValue> addressConsents = s.addressConsents();
    w.writeVarint(addressConsents.size());
    for (Map.Entry<AddressConsentKey, ConsentValue> e : addressConsents.entrySet()) {
      AddressConsentKey k = e.getKey();
      w.writeSymbol(k.purpose());
      w.writeSymbol(k.channel());
      writeIdentifier(k.address(), w);
      writeConsentValue(e.getValue(), w);
    }
    if (s.firstSeen() == null) {
      w.writeByte(0);
    } else {
      w.writeByte(1);
      w.writeInstant(s.firstSeen());
      w.writeInstant(s.lastSeen());
    }
    writeTallies(s.channels(), w);
    writeTallies(s.stores(), w);
    Map<String, OrderEntry> orders = s.orders();
    if (baseOrders == null) {
      w.writeVarint(orders.size());
      for (Map.Entry<String, OrderEntry> e : orders.entrySet()) {
        w.writeText(e.getKey());
        writeOrderEntry(e.getKey(), e.getValue(), w);
      }
    } else {
      writeOrdersPatch(orders, baseOrders, w);
    }
    Map<String, Long> eventCounts = s.eventCounts();
    w.writeVarint(eventCounts.size());
    for (Map.Entry<String, Long> e : eventCounts.entrySet()) {
      w.writeSymbol(e.getKey());
      w.writeZigzag(e.getValue());
    }
    Restriction rs = s.restriction();
    if (rs == null) {
      w.writeByte(0);
    } else {
      w.writeByte(1);
      w.writeBoolean(rs.restricted());
      w.writeInstant(rs.time());
      w.writeSymbol(rs.messageId());
      w.writeSymbol(rs.reasonCode());
    }
    Map<String, AggregateState> computed = s.computed();
    w.writeVarint(computed.size());
    for (Map.Entry<String, AggregateState> e : computed.entrySet()) {
      w.writeSymbol(e.getKey());
      writeAggregate(e.getValue(), w);
    }
  }

  private static void writeIdentifier(Identifier id, BodyWriter w) {
    w.writeSymbol(id.type().id());
    w.writeSymbol(id.value()); // repeats: the event's own ids, userId, anonymousId
  }

  private static Identifier readIdentifier(BodyReader r) {
    IdentifierType type = IdentifierType.of(r.readSymbol());
    return new Identifier(type, r.readSymbol());
  }

  private static void writeConsentValue(ConsentValue v, BodyWriter w) {
    ConsentProof pf = v.proof();
    int flags = (v.granted() ? 1 : 0) | (v.expiresAt() != null ? 2 : 0)
        | (v.source() != null ? 4 : 0) | (v.policyVersion() != null ? 8 : 0)
        | (pf != null ? 16 : 0);
    w.writeByte(flags);
    w.writeByte(code(v.basis()));
    w.writeInstant(v.time());
    w.writeSymbol(v.messageId());
    if (v.expiresAt() != null) {
      w.writeInstant(v.expiresAt());
    }
    if (v.source() != null) {
      w.writeSymbol(v.source());
    }
    if (v.policyVersion() != null) {
      w.writeSymbol(v.policyVersion());
    }
    if (pf != null) {
      writeProof(pf, w);
    }
  }

  private static void writeProof(ConsentProof pf, BodyWriter w) {
    w.writeNullableSymbol(pf.formId());
    w.writeNullableText(pf.reference());
    w.writeNullableInstant(pf.confirmedAt());
  }

  private static ConsentProof readProof(BodyReader r) {
    String formId = r.readNullableSymbol();
    String reference = r.readNullableString();
    return new ConsentProof(formId, reference, r.readNullableInstant());
  }

  private static ConsentValue readConsentValue(BodyReader r) {
    int flags = r.readByte();
    if (flags > 31) {
      throw BodyReader.malformed("a consent's flags are unknown");
    }
    LawfulBasis basis = basis(r.readByte());
    Instant time = r.readInstant();
    String messageId = r.readSymbol();
    Instant expiresAt = (flags & 2) != 0 ? r.readInstant() : null;
    String source = (flags & 4) != 0 ? r.readSymbol() : null;
    String policyVersion = (flags & 8) != 0 ? r.readSymbol() : null;
    ConsentProof proof = (flags & 16) != 0 ? readProof(r) : null;
    return new ConsentValue((flags & 1) != 0, time, messageId, basis, expiresAt, source,
        policyVersion, proof);
  }

  private static LawfulBasis basis(int code) {
    if (code >= BASES.length) {
      throw BodyReader.malformed("a lawful basis is unknown");
    }
    return BASES[code];
  }

  private static void writeTallies(Map<String, Tally> tallies, BodyWriter w) {
    w.writeVarint(tallies.size());
    for (Map.Entry<String, Tally> e : tallies.entrySet()) {
      Tally t = e.getValue();
      w.writeSymbol(e.getKey());
      w.writeZigzag(t.events());
      w.writeZigzag(t.orders());
      w.writeInstant(t.lastAt());
    }
  }

  private static Map<String, Tally> readTallies(BodyReader r) {
    int n = r.readCount();
    Map<String, Tally> out = new HashMap<>(capacity(n));
    for (int i = 0; i < n; i++) {
      String key = r.readSymbol();
      long events = r.readZigzag();
      long orders = r.readZigzag();
      out.put(key, new Tally(events, orders, r.readInstant()));
    }
    return out;
  }

  private static void writeOrdersPatch(Map<String, OrderEntry> orders,
      Map<String, OrderEntry> base, BodyWriter w) {
    if (orders == base) {
      // The common case: the transaction's events completed or refunded no order.
      w.writeVarint(0);
      w.writeVarint(0);
      return;
    }
    List<Map.Entry<String, OrderEntry>> changed = new ArrayList<>();
    for (Map.Entry<String, OrderEntry> e : orders.entrySet()) {
      if (base.get(e.getKey()) != e.getValue()) {
        changed.add(e);
      }
    }
    w.writeVarint(changed.size());
    for (Map.Entry<String, OrderEntry> e : changed) {
      w.writeText(e.getKey());
      writeOrderEntry(e.getKey(), e.getValue(), w);
    }
    List<String> removed = new ArrayList<>();
    for (String id : base.keySet()) {
      if (!orders.containsKey(id)) {
        removed.add(id);
      }
    }
    w.writeVarint(removed.size());
    for (String id : removed) {
      w.writeText(id);
    }
  }

  private static void writeOrderEntry(String orderId, OrderEntry entry, BodyWriter w) {
    Order c = entry.completion();
    if (c == null) {
      w.writeByte(0);
    } else {
      boolean ownId = !c.orderId().equals(orderId);
      w.writeByte(1 | (ownId ? 2 : 0) | (c.channel() != null ? 4 : 0)
          | (c.storeId() != null ? 8 : 0));
      if (ownId) {
        w.writeText(c.orderId());
      }
      w.writeInstant(c.time());
      // Plain: an order's event is rarely in the same body, and a symbol costs a table entry.
      w.writeText(c.messageId());
      writeMoney(c.value(), w);
      if (c.channel() != null) {
        w.writeSymbol(c.channel());
      }
      if (c.storeId() != null) {
        w.writeSymbol(c.storeId());
      }
    }
    Map<String, Refund> refunds = entry.refunds();
    w.writeVarint(refunds.size());
    for (Map.Entry<String, Refund> e : refunds.entrySet()) {
      w.writeText(e.getKey());
      Refund f = e.getValue();
      w.writeInstant(f.time());
      if (f.amount() == null) {
        w.writeByte(0);
      } else {
        w.writeByte(1);
        writeMoney(f.amount(), w);
      }
    }
  }

  private static OrderEntry readOrderEntry(String orderId, BodyReader r) {
    int flags = r.readByte();
    if (flags > 15 || (flags != 0 && (flags & 1) == 0)) {
      throw BodyReader.malformed("an order's flags are unknown");
    }
    Order completion = null;
    if (flags != 0) {
      String id = (flags & 2) != 0 ? r.readString() : orderId;
      Instant time = r.readInstant();
      String messageId = r.readString();
      Money value = readMoney(r);
      String channel = (flags & 4) != 0 ? r.readSymbol() : null;
      String storeId = (flags & 8) != 0 ? r.readSymbol() : null;
      completion = new Order(id, time, messageId, value, channel, storeId);
    }
    int n = r.readCount();
    Map<String, Refund> refunds = new HashMap<>(capacity(n));
    for (int i = 0; i < n; i++) {
      String messageId = r.readString();
      Instant time = r.readInstant();
      Money amount = r.readPresent() ? readMoney(r) : null;
      refunds.put(messageId, new Refund(time, amount));
    }
    return new OrderEntry(completion, refunds);
  }

  private static void writeMoney(Money m, BodyWriter w) {
    w.writeZigzag(m.minorUnits());
    w.writeSymbol(m.currency());
  }

  private static Money readMoney(BodyReader r) {
    long minor = r.readZigzag();
    return Money.of(minor, r.readSymbol());
  }

  private static void writeAggregate(AggregateState a, BodyWriter w) {
    Partial total = a.total();
    if (total != null) {
      w.writeByte(0);
      writePartial(total, w);
    } else {
      w.writeByte(1);
      int n = a.dayCount();
      w.writeVarint(n);
      long[] days = a.epochDays();
      for (int i = 0; i < n; i++) {
        w.writeZigzag(days[i]);
        writePartial(a.partialAt(i), w);
      }
    }
  }

  private static AggregateState readAggregate(BodyReader r) {
    int kind = r.readByte();
    if (kind == 0) {
      return AggregateState.total(readPartial(r));
    }
    if (kind != 1) {
      throw BodyReader.malformed("a computed trait's state is of an unknown kind");
    }
    int n = r.readCount();
    long[] days = new long[Math.min(n, 4096)];
    Partial[] partials = new Partial[days.length];
    for (int i = 0; i < n; i++) {
      if (i == days.length) {
        days = Arrays.copyOf(days, 2 * i);
        partials = Arrays.copyOf(partials, 2 * i);
      }
      days[i] = r.readZigzag();
      partials[i] = readPartial(r);
    }
    if (days.length != n) {
      days = Arrays.copyOf(days, n);
      partials = Arrays.copyOf(partials, n);
    }
    return AggregateState.days(days, partials);
  }

  private static void writePartial(Partial p, BodyWriter w) {
    if (p instanceof Partial.Count c) {
      w.writeByte(0);
      w.writeZigzag(c.n());
    } else if (p instanceof Partial.Sum c) {
      w.writeByte(1);
      writeDecimal(c.sum(), w);
      w.writeZigzag(c.n());
    } else if (p instanceof Partial.Min c) {
      w.writeByte(2);
      writeScalar(c.value(), w);
    } else if (p instanceof Partial.Max c) {
      w.writeByte(3);
      writeScalar(c.value(), w);
    } else if (p instanceof Partial.Point c) {
      w.writeByte(c.last() ? 5 : 4);
      writeScalar(c.value(), w);
      w.writeInstant(c.time());
      w.writeSymbol(c.messageId());
    } else if (p instanceof Partial.Timeline c) {
      writeTimeline(c, w);
    } else if (p instanceof Partial.Recent c) {
      writeRecent(c, w);
    } else if (p instanceof Partial.Ledger c) {
      writeLedger(c, w);
    } else {
      Partial.Tally c = (Partial.Tally) p;
      w.writeByte(6);
      w.writeVarint(c.values().size());
      for (Map.Entry<Object, Partial.Seen> e : c.values().entrySet()) {
        writeScalar(e.getKey(), w);
        Partial.Seen s = e.getValue();
        w.writeZigzag(s.count());
        w.writeInstant(s.first());
        w.writeInstant(s.last());
      }
    }
  }

  private static Partial readPartial(BodyReader r) {
    int kind = r.readByte();
    switch (kind) {
      case 0:
        return new Partial.Count(r.readZigzag());
      case 1: {
        BigDecimal sum = readDecimal(r);
        return new Partial.Sum(sum, r.readZigzag());
      }
      case 2:
        return new Partial.Min(readScalar(r));
      case 3:
        return new Partial.Max(readScalar(r));
      case 4:
      case 5: {
        Object v = readScalar(r);
        Instant t = r.readInstant();
        return new Partial.Point(v, t, r.readSymbol(), kind == 5);
      }
      case 6: {
        int n = r.readCount();
        Map<Object, Partial.Seen> m = new HashMap<>(capacity(n));
        for (int i = 0; i < n; i++) {
          Object v = readScalar(r);
          long count = r.readZigzag();
          Instant first = r.readInstant();
          m.put(v, new Partial.Seen(count, first, r.readInstant()));
        }
        if (m.size() != n) {
          throw BodyReader.malformed("a tally repeats a value");
        }
        return new Partial.Tally(m);
      }
      case TIMELINE:
        return readTimeline(r);
      case RECENT:
        return readRecent(r);
      case LEDGER:
        return readLedger(r);
      default:
        throw BodyReader.malformed("a computed trait's partial is of an unknown kind");
    }
  }

  /** Partial kind codes of the web traits' partials, apart from the others' 0 to 6. */
  private static final int TIMELINE = 20;
  private static final int RECENT = 21;

  /** A timeline: n, [time, session symbol, events zigzag, views zigzag] ascending. */
  private static void writeTimeline(Partial.Timeline c, BodyWriter w) {
    w.writeByte(TIMELINE);
    w.writeVarint(c.hits().size());
    for (Partial.Hit h : c.hits()) {
      w.writeInstant(h.time());
      w.writeSymbol(h.session());
      w.writeZigzag(h.events());
      w.writeZigzag(h.views());
    }
  }

  private static Partial readTimeline(BodyReader r) {
    int n = r.readCount();
    List<Partial.Hit> hits = new ArrayList<>(Math.min(n, Partial.Timeline.MAX_HITS));
    try {
      for (int i = 0; i < n; i++) {
        Instant t = r.readInstant();
        String session = r.readSymbol();
        long events = r.readZigzag();
        hits.add(new Partial.Hit(t, session, events, r.readZigzag()));
      }
      return new Partial.Timeline(hits);
    } catch (IllegalArgumentException ex) {
      throw BodyReader.malformed("a timeline is not ascending, too long, or holds a bad hit");
    }
  }

  /** Recent values: n, [scalar, time]. */
  private static void writeRecent(Partial.Recent c, BodyWriter w) {
    w.writeByte(RECENT);
    w.writeVarint(c.values().size());
    for (Map.Entry<Object, Instant> e : c.values().entrySet()) {
      writeScalar(e.getKey(), w);
      w.writeInstant(e.getValue());
    }
  }

  private static Partial readRecent(BodyReader r) {
    int n = r.readCount();
    Map<Object, Instant> m = new HashMap<>(capacity(Math.min(n, Partial.Recent.MAX_VALUES)));
    for (int i = 0; i < n; i++) {
      Object v = readScalar(r);
      m.put(v, r.readInstant());
    }
    if (m.size() != n) {
      throw BodyReader.malformed("recent values repeat a value");
    }
    try {
      return new Partial.Recent(m);
    } catch (IllegalArgumentException ex) {
      throw BodyReader.malformed("recent values are too many");
    }
  }

  /** Partial kind of a loyalty ledger. */
  private static final int LEDGER = 7;

  /**
   * A loyalty ledger: kind 7, n, then per entry time, messageId symbol, program symbol, kind
   * byte (0 earned, 1 redeemed, 2 expired, 3 adjusted), zigzag points, presence byte and
   * expiresAt.
   */
  private static void writeLedger(Partial.Ledger c, BodyWriter w) {
    w.writeByte(LEDGER);
    w.writeVarint(c.entries().size());
    for (Partial.LedgerEntry e : c.entries()) {
      w.writeInstant(e.time());
      w.writeSymbol(e.messageId());
      w.writeSymbol(e.program());
      w.writeByte(switch (e.kind()) {
        case EARNED -> 0;
        case REDEEMED -> 1;
        case EXPIRED -> 2;
        case ADJUSTED -> 3;
      });
      w.writeZigzag(e.points());
      if (e.expiresAt() == null) {
        w.writeByte(0);
      } else {
        w.writeByte(1);
        w.writeInstant(e.expiresAt());
      }
    }
  }

  private static Partial.Ledger readLedger(BodyReader r) {
    int n = r.readCount();
    List<Partial.LedgerEntry> entries = new ArrayList<>(Math.min(n, 4096));
    for (int i = 0; i < n; i++) {
      Instant time = r.readInstant();
      String messageId = r.readSymbol();
      String program = r.readSymbol();
      Partial.LedgerKind kind = switch (r.readByte()) {
        case 0 -> Partial.LedgerKind.EARNED;
        case 1 -> Partial.LedgerKind.REDEEMED;
        case 2 -> Partial.LedgerKind.EXPIRED;
        case 3 -> Partial.LedgerKind.ADJUSTED;
        default -> throw BodyReader.malformed("a ledger entry is of an unknown kind");
      };
      long points = r.readZigzag();
      int present = r.readByte();
      if (present != 0 && present != 1) {
        throw BodyReader.malformed("a ledger entry's expiry has a bad presence byte");
      }
      Instant expiresAt = present == 1 ? r.readInstant() : null;
      try {
        entries.add(new Partial.LedgerEntry(time, messageId, program, kind, points, expiresAt));
      } catch (IllegalArgumentException ex) {
        throw BodyReader.malformed("a ledger entry has negative points");
      }
    }
    try {
      return new Partial.Ledger(entries);
    } catch (IllegalArgumentException ex) {
      throw BodyReader.malformed("a ledger's entries are out of order or repeat a messageId");
    }
  }

  /** A computed trait's scalar: a string, long, decimal, boolean or instant. */
  private static void writeScalar(Object v, BodyWriter w) {
    if (v instanceof Instant t) {
      w.writeByte(V_INSTANT);
      w.writeInstant(t);
    } else if (v instanceof String || v instanceof Long || v instanceof BigDecimal
        || v instanceof Boolean) {
      writeValue(v, w);
    } else {
      throw new IllegalArgumentException("a computed trait holds a value of an unknown type");
    }
  }

  private static Object readScalar(BodyReader r) {
    Object v = readValue(r, 0, true);
    if (v == null || v instanceof List || v instanceof Map) {
      throw BodyReader.malformed("a computed trait's value is not a scalar");
    }
    return v;
  }

  static ProfileRecord readProfile(BodyReader r) {
    return readProfile(r, null);
  }

  /**
   * Reads a profile patch ({@link #writeProfile(ProfileRecord, Map, BodyWriter)}), taking the
   * orders it leaves out from the profile {@code stored} gives for its id.
   *
   * @throws StorageException when {@code stored} holds no profile under that id: the patch was
   *     written over a profile this store does not hold, so replaying it would lose orders
   */
  static ProfileRecord readProfilePatch(BodyReader r,
      Function<ProfileId, Optional<ProfileRecord>> stored) {
    return readProfile(r, stored);
  }

  private static ProfileRecord readProfile(BodyReader r,
      @Nullable Function<ProfileId, Optional<ProfileRecord>> stored) {
    try {
      ProfileId id = ProfileId.of(r.readString());
      Map<String, OrderEntry> baseOrders = null;
      if (stored != null) {
        baseOrders = stored.apply(id).map(p -> p.state().orders()).orElseThrow(
            () -> BodyReader.malformed("a profile patch meets no stored profile to apply to"));
      }
      long version = r.readZigzag();
      int n = r.readCount();
      Map<IdentifierType, Integer> counts = new HashMap<>(capacity(n));
      for (int i = 0; i < n; i++) {
        IdentifierType type = IdentifierType.of(r.readSymbol());
        counts.put(type, Math.toIntExact(r.readZigzag()));
      }
      n = r.readCount();
      Map<String, TraitValue> traits = new HashMap<>(capacity(n));
      for (int i = 0; i < n; i++) {
        String name = r.readSymbol();
        Object value = JsonValues.copy(readValue(r, 0, false));
        Instant time = r.readInstant();
        int priority = Math.toIntExact(r.readZigzag());
        traits.put(name, new TraitValue(value, time, priority, r.readSymbol()));
      }
      n = r.readCount();
      Map<ConsentKey, ConsentValue> consents = new HashMap<>(capacity(n));
      for (int i = 0; i < n; i++) {
        String purpose = r.readSymbol();
        ConsentKey k = new ConsentKey(purpose, r.readSymbol());
        consents.put(k, readConsentValue(r));
      }
      n = r.readCount();
      Map<AddressConsentKey, ConsentValue> addressConsents = new HashMap<>(capacity(n));
      for (int i = 0; i < n; i++) {
        String purpose = r.readSymbol();
        String channel = r.readSymbol();
        AddressConsentKey k = new AddressConsentKey(purpose, channel, readIdentifier(r));
        addressConsents.put(k, readConsentValue(r));
      }
      Instant firstSeen = null;
      Instant lastSeen = null;
      if (r.readPresent()) {
        firstSeen = r.readInstant();
        lastSeen = r.readInstant();
      }
      Map<String, Tally> channels = readTallies(r);
      Map<String, Tally> stores = readTallies(r);
      n = r.readCount();
      Map<String, OrderEntry> orders = new HashMap<>(capacity(n)
          + (baseOrders == null ? 0 : capacity(baseOrders.size())));
      if (baseOrders != null) {
        orders.putAll(baseOrders);
      }
      for (int i = 0; i < n; i++) {
        String orderId = r.readString();
        orders.put(orderId, readOrderEntry(orderId, r));
      }
      if (baseOrders != null) {
        int removed = r.readCount();
        for (int i = 0; i < removed; i++) {
          if (orders.remove(r.readString()) == null) {
            throw BodyReader.malformed("a profile patch removes an order the profile lacks");
          }
        }
      }
      n = r.readCount();
      Map<String, Long> eventCounts = new HashMap<>(capacity(n));
      for (int i = 0; i < n; i++) {
        String name = r.readSymbol();
        eventCounts.put(name, r.readZigzag());
      }
      Restriction restriction = null;
      if (r.readPresent()) {
        boolean restricted = r.readBoolean();
        Instant time = r.readInstant();
        String messageId = r.readSymbol();
        restriction = new Restriction(restricted, time, messageId, r.readSymbol());
      }
      n = r.readCount();
      Map<String, AggregateState> computed = new HashMap<>(capacity(n));
      for (int i = 0; i < n; i++) {
        String name = r.readSymbol();
        computed.put(name, readAggregate(r));
      }
      ProfileState state = ProfileState.of(traits, consents, firstSeen, lastSeen, channels,
          stores, orders, eventCounts, computed).withRestriction(restriction);
      if (!addressConsents.isEmpty()) {
        state = state.withAddressConsents(addressConsents);
      }
      return new ProfileRecord(id, state, counts, version);
    } catch (StorageException e) {
      throw e;
    } catch (RuntimeException e) {
      // The model's messages may quote data: never kept.
      throw BodyReader.malformed("a profile record is invalid");
    }
  }

  private static int capacity(int n) {
    return Math.min(n, 1 << 16) * 4 / 3 + 1;
  }

  // ============================================================================ values

  /** A JSON-like value (see the class description); map keys are symbols. */
  static void writeValue(@Nullable Object v, BodyWriter w) {
    if (v == null) {
      w.writeByte(V_NULL);
    } else if (v instanceof String s) {
      w.writeByte(V_STRING);
      w.writeText(s);
    } else if (v instanceof Boolean b) {
      w.writeByte(b ? V_TRUE : V_FALSE);
    } else if (v instanceof Long l) {
      w.writeByte(V_LONG);
      w.writeZigzag(l);
    } else if (v instanceof BigDecimal d) {
      writeDecimal(d, w);
    } else if (v instanceof Map<?, ?> m) {
      w.writeByte(V_MAP);
      w.writeVarint(m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        w.writeSymbol((String) e.getKey());
        writeValue(e.getValue(), w);
      }
    } else if (v instanceof List<?> l) {
      w.writeByte(V_LIST);
      w.writeVarint(l.size());
      for (int i = 0, n = l.size(); i < n; i++) {
        writeValue(l.get(i), w);
      }
    } else {
      // Cannot happen for values the model copied; name the type, never the value.
      throw new IllegalArgumentException("unsupported value type " + v.getClass().getName());
    }
  }

  private static void writeDecimal(BigDecimal d, BodyWriter w) {
    if (d.precision() <= 18) {
      // At most 18 digits: the unscaled value fits a long, read without a BigInteger.
      w.writeByte(V_DECIMAL);
      w.writeZigzag(d.scale());
      w.writeZigzag(d.scaleByPowerOfTen(d.scale()).longValueExact());
      return;
    }
    BigInteger unscaled = d.unscaledValue();
    if (unscaled.bitLength() < 64) {
      w.writeByte(V_DECIMAL);
      w.writeZigzag(d.scale());
      w.writeZigzag(unscaled.longValue());
    } else {
      w.writeByte(V_BIG_DECIMAL);
      w.writeZigzag(d.scale());
      byte[] b = unscaled.toByteArray();
      w.writeVarint(b.length);
      for (byte x : b) {
        w.writeByte(x);
      }
    }
  }

  private static BigDecimal readDecimal(BodyReader r) {
    Object v = readValue(r, 0, false);
    if (v instanceof BigDecimal d) {
      return d;
    }
    throw BodyReader.malformed("a sum is not a decimal");
  }

  /**
   * A value as written; maps as {@link LinkedHashMap} in the written order, lists as
   * {@link ArrayList} (the model copies them).
   */
  static @Nullable Object readValue(BodyReader r, int level, boolean instants) {
    if (level > JsonValues.STORED_MAX_DEPTH) {
      throw BodyReader.malformed("a value nests too deep");
    }
    int tag = r.readByte();
    switch (tag) {
      case V_NULL:
        return null;
      case V_STRING:
        return r.readString();
      case V_TRUE:
        return Boolean.TRUE;
      case V_FALSE:
        return Boolean.FALSE;
      case V_LONG:
        return r.readZigzag();
      case V_DECIMAL: {
        int scale = Math.toIntExact(r.readZigzag());
        return BigDecimal.valueOf(r.readZigzag(), scale);
      }
      case V_BIG_DECIMAL: {
        int scale = Math.toIntExact(r.readZigzag());
        int n = r.readCount();
        if (n == 0 || n > r.remaining()) {
          throw BodyReader.malformed("a decimal runs past the end");
        }
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
          b[i] = (byte) r.readByte();
        }
        return new BigDecimal(new BigInteger(b), scale);
      }
      case V_LIST: {
        int n = r.readCount();
        List<@Nullable Object> out = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
          out.add(readValue(r, level + 1, false));
        }
        return out;
      }
      case V_MAP: {
        int n = r.readCount();
        Map<String, @Nullable Object> out = new LinkedHashMap<>(capacity(n));
        for (int i = 0; i < n; i++) {
          String key = r.readSymbol();
          out.put(key, readValue(r, level + 1, false));
        }
        if (out.size() != n) {
          throw BodyReader.malformed("a map repeats a key");
        }
        return out;
      }
      case V_INSTANT:
        if (instants) {
          return r.readInstant();
        }
        throw BodyReader.malformed("an instant where a JSON value belongs");
      default:
        throw BodyReader.malformed("a value has an unknown tag " + tag);
    }
  }

  private static Map<String, @Nullable Object> readMap(BodyReader r) {
    int n = r.readCount();
    if (n == 0) {
      return Map.of();
    }
    Map<String, @Nullable Object> out = new LinkedHashMap<>(capacity(n));
    for (int i = 0; i < n; i++) {
      String key = r.readSymbol();
      out.put(key, readValue(r, 1, false));
    }
    if (out.size() != n) {
      throw BodyReader.malformed("a map repeats a key");
    }
    return out;
  }

  private static void writeMap(Map<String, @Nullable Object> m, BodyWriter w) {
    w.writeVarint(m.size());
    for (Map.Entry<String, @Nullable Object> e : m.entrySet()) {
      w.writeSymbol(e.getKey());
      writeValue(e.getValue(), w);
    }
  }

  // ============================================================================ events

  // Flags of an event's optional parts.
  private static final int F_USER = 1;
  private static final int F_ANONYMOUS = 1 << 1;
  private static final int F_PREVIOUS = 1 << 2;
  private static final int F_GROUP = 1 << 3;
  private static final int F_NAME = 1 << 4;
  private static final int F_IDENTIFIERS = 1 << 5;
  private static final int F_PROPERTIES = 1 << 6;
  private static final int F_TRAITS = 1 << 7;
  private static final int F_CONTEXT = 1 << 8;
  private static final int F_CONSENTS = 1 << 9;
  private static final int F_TIMESTAMP = 1 << 10;
  private static final int F_ORIGINAL = 1 << 11;
  private static final int F_SENT = 1 << 12;
  private static final int F_RECEIVED = 1 << 13;
  private static final int F_EXTRA = 1 << 14;
  private static final int F_ALL = (1 << 15) - 1;

  // Flags of a context's parts.
  private static final int C_CHANNEL = 1;
  private static final int C_STORE = 1 << 1;
  private static final int C_SOURCE = 1 << 2;
  private static final int C_LOCALE = 1 << 3;
  private static final int C_IP = 1 << 4;
  private static final int C_USER_AGENT = 1 << 5;
  private static final int C_LIBRARY_NAME = 1 << 6;
  private static final int C_LIBRARY_VERSION = 1 << 7;
  private static final int C_DEVICE = 1 << 8;
  private static final int C_CAMPAIGN = 1 << 9;
  private static final int C_TRAITS = 1 << 10;
  private static final int C_OTHER = 1 << 11;
  private static final int C_ALL = (1 << 12) - 1;

  /**
   * Writes a stored event.
   *
   * @throws IllegalArgumentException for an event the JSON writer refuses (see the class
   *     description)
   */
  static void writeEvent(StoredEvent s, BodyWriter w) {
    Event e = s.event();
    EventContext c = e.context();
    if (!e.extra().isEmpty() || !c.other().isEmpty()) {
      // Keys of extra and context.other that clash with the event's own fields: refused as the
      // JSON writer refuses them (the rare case; the strings are checked again below).
      EventWriter.checkWritable(e);
    }
    w.writeInstant(s.key().time());
    w.writeSymbol(s.key().messageId());
    List<Identifier> ids = s.identifiers();
    w.writeVarint(ids.size());
    for (int i = 0, n = ids.size(); i < n; i++) {
      writeIdentifier(ids.get(i), w);
    }
    w.writeByte(code(e.type()));
    w.writeSymbol(e.messageId());
    int contextFlags = contextFlags(c);
    boolean context = contextFlags != 0;
    int flags = (e.userId() != null ? F_USER : 0)
        | (e.anonymousId() != null ? F_ANONYMOUS : 0)
        | (e.previousId() != null ? F_PREVIOUS : 0)
        | (e.groupId() != null ? F_GROUP : 0)
        | (e.name() != null ? F_NAME : 0)
        | (!e.identifiers().isEmpty() ? F_IDENTIFIERS : 0)
        | (!e.properties().isEmpty() ? F_PROPERTIES : 0)
        | (!e.traits().isEmpty() ? F_TRAITS : 0)
        | (context ? F_CONTEXT : 0)
        | (!e.consents().isEmpty() ? F_CONSENTS : 0)
        | (e.timestamp() != null ? F_TIMESTAMP : 0)
        | (e.originalTimestamp() != null ? F_ORIGINAL : 0)
        | (e.sentAt() != null ? F_SENT : 0)
        | (e.receivedAt() != null ? F_RECEIVED : 0)
        | (!e.extra().isEmpty() ? F_EXTRA : 0);
    w.writeVarint(flags);
    if (e.userId() != null) {
      w.writeSymbol(e.userId());
    }
    if (e.anonymousId() != null) {
      w.writeSymbol(e.anonymousId());
    }
    if (e.previousId() != null) {
      w.writeSymbol(e.previousId());
    }
    if (e.groupId() != null) {
      w.writeSymbol(e.groupId());
    }
    if (e.name() != null) {
      w.writeSymbol(e.name());
    }
    if ((flags & F_IDENTIFIERS) != 0) {
      List<Identifier> own = e.identifiers();
      w.writeVarint(own.size());
      for (int i = 0, n = own.size(); i < n; i++) {
        writeIdentifier(own.get(i), w);
      }
    }
    if ((flags & F_PROPERTIES) != 0) {
      writeMap(e.properties(), w);
    }
    if ((flags & F_TRAITS) != 0) {
      writeMap(e.traits(), w);
    }
    if (context) {
      writeContext(c, contextFlags, w);
    }
    if ((flags & F_CONSENTS) != 0) {
      List<ConsentChange> consents = e.consents();
      w.writeVarint(consents.size());
      for (ConsentChange cc : consents) {
        writeConsentChange(cc, w);
      }
    }
    if (e.timestamp() != null) {
      w.writeInstant(e.timestamp());
    }
    if (e.originalTimestamp() != null) {
      w.writeInstant(e.originalTimestamp());
    }
    if (e.sentAt() != null) {
      w.writeInstant(e.sentAt());
    }
    if (e.receivedAt() != null) {
      w.writeInstant(e.receivedAt());
    }
    if ((flags & F_EXTRA) != 0) {
      writeMap(e.extra(), w);
    }
  }

  private static int contextFlags(EventContext c) {
    return (c.channel() != null ? C_CHANNEL : 0)
        | (c.storeId() != null ? C_STORE : 0)
        | (c.source() != null ? C_SOURCE : 0)
        | (c.locale() != null ? C_LOCALE : 0)
        | (c.ip() != null ? C_IP : 0)
        | (c.userAgent() != null ? C_USER_AGENT : 0)
        | (c.libraryName() != null ? C_LIBRARY_NAME : 0)
        | (c.libraryVersion() != null ? C_LIBRARY_VERSION : 0)
        | (!c.device().isEmpty() ? C_DEVICE : 0)
        | (!c.campaign().isEmpty() ? C_CAMPAIGN : 0)
        | (!c.traits().isEmpty() ? C_TRAITS : 0)
        | (!c.other().isEmpty() ? C_OTHER : 0);
  }

  private static void writeContext(EventContext c, int flags, BodyWriter w) {
    w.writeVarint(flags);
    for (String s : new String[] {c.channel(), c.storeId(), c.source(), c.locale(), c.ip(),
        c.userAgent(), c.libraryName(), c.libraryVersion()}) {
      if (s != null) {
        w.writeSymbol(s);
      }
    }
    if ((flags & C_DEVICE) != 0) {
      writeMap(c.device(), w);
    }
    if ((flags & C_CAMPAIGN) != 0) {
      writeMap(c.campaign(), w);
    }
    if ((flags & C_TRAITS) != 0) {
      writeMap(c.traits(), w);
    }
    if ((flags & C_OTHER) != 0) {
      writeMap(c.other(), w);
    }
  }

  private static EventContext readContext(BodyReader r) {
    int flags = r.readVarint();
    if ((flags & ~C_ALL) != 0) {
      throw BodyReader.malformed("an event context's flags are unknown");
    }
    String[] s = new String[8];
    for (int i = 0; i < 8; i++) {
      if ((flags & (1 << i)) != 0) {
        s[i] = r.readSymbol();
      }
    }
    Map<String, @Nullable Object> device = (flags & C_DEVICE) != 0 ? readMap(r) : Map.of();
    Map<String, @Nullable Object> campaign = (flags & C_CAMPAIGN) != 0 ? readMap(r) : Map.of();
    Map<String, @Nullable Object> traits = (flags & C_TRAITS) != 0 ? readMap(r) : Map.of();
    Map<String, @Nullable Object> other = (flags & C_OTHER) != 0 ? readMap(r) : Map.of();
    return new EventContext(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], device, campaign,
        traits, other);
  }

  private static void writeConsentChange(ConsentChange c, BodyWriter w) {
    int flags = (c.granted() ? 1 : 0) | (c.source() != null ? 2 : 0)
        | (c.policyVersion() != null ? 4 : 0) | (c.proof() != null ? 8 : 0)
        | (c.expiresAt() != null ? 16 : 0);
    w.writeByte(flags);
    w.writeSymbol(c.purpose());
    w.writeSymbol(c.channel());
    w.writeByte(code(c.basis()));
    if (c.source() != null) {
      w.writeSymbol(c.source());
    }
    if (c.policyVersion() != null) {
      w.writeSymbol(c.policyVersion());
    }
    if (c.proof() != null) {
      writeProof(c.proof(), w);
    }
    if (c.expiresAt() != null) {
      w.writeInstant(c.expiresAt());
    }
  }

  private static ConsentChange readConsentChange(BodyReader r) {
    int flags = r.readByte();
    if (flags > 31) {
      throw BodyReader.malformed("a consent change's flags are unknown");
    }
    String purpose = r.readSymbol();
    String channel = r.readSymbol();
    LawfulBasis basis = basis(r.readByte());
    String source = (flags & 2) != 0 ? r.readSymbol() : null;
    String policyVersion = (flags & 4) != 0 ? r.readSymbol() : null;
    ConsentProof proof = (flags & 8) != 0 ? readProof(r) : null;
    Instant expiresAt = (flags & 16) != 0 ? r.readInstant() : null;
    return new ConsentChange(purpose, channel, (flags & 1) != 0, basis, source, policyVersion,
        proof, expiresAt);
  }

  static StoredEvent readEvent(BodyReader r) {
    try {
      Instant time = r.readInstant();
      EventKey key = new EventKey(time, r.readSymbol());
      int n = r.readCount();
      List<Identifier> ids = new ArrayList<>(Math.min(n, 64));
      for (int i = 0; i < n; i++) {
        ids.add(readIdentifier(r));
      }
      int type = r.readByte();
      if (type >= TYPES.length) {
        throw BodyReader.malformed("an event's type is unknown");
      }
      String messageId = r.readSymbol();
      int flags = r.readVarint();
      if ((flags & ~F_ALL) != 0) {
        throw BodyReader.malformed("an event's flags are unknown");
      }
      String userId = (flags & F_USER) != 0 ? r.readSymbol() : null;
      String anonymousId = (flags & F_ANONYMOUS) != 0 ? r.readSymbol() : null;
      String previousId = (flags & F_PREVIOUS) != 0 ? r.readSymbol() : null;
      String groupId = (flags & F_GROUP) != 0 ? r.readSymbol() : null;
      String name = (flags & F_NAME) != 0 ? r.readSymbol() : null;
      List<Identifier> own = List.of();
      if ((flags & F_IDENTIFIERS) != 0) {
        int m = r.readCount();
        own = new ArrayList<>(Math.min(m, 64));
        for (int i = 0; i < m; i++) {
          own.add(readIdentifier(r));
        }
      }
      Map<String, @Nullable Object> properties = (flags & F_PROPERTIES) != 0 ? readMap(r)
          : Map.of();
      Map<String, @Nullable Object> traits = (flags & F_TRAITS) != 0 ? readMap(r) : Map.of();
      EventContext context = (flags & F_CONTEXT) != 0 ? readContext(r) : EventContext.EMPTY;
      List<ConsentChange> consents = List.of();
      if ((flags & F_CONSENTS) != 0) {
        int m = r.readCount();
        consents = new ArrayList<>(Math.min(m, 64));
        for (int i = 0; i < m; i++) {
          consents.add(readConsentChange(r));
        }
      }
      Instant timestamp = (flags & F_TIMESTAMP) != 0 ? r.readInstant() : null;
      Instant original = (flags & F_ORIGINAL) != 0 ? r.readInstant() : null;
      Instant sentAt = (flags & F_SENT) != 0 ? r.readInstant() : null;
      Instant receivedAt = (flags & F_RECEIVED) != 0 ? r.readInstant() : null;
      Map<String, @Nullable Object> extra = (flags & F_EXTRA) != 0 ? readMap(r) : Map.of();
      Event event = new Event(TYPES[type], messageId, userId, anonymousId, previousId, groupId,
          name, own, properties, traits, context, consents, timestamp, original, sentAt,
          receivedAt, extra);
      return new StoredEvent(event, key, ids, ids.isEmpty() ? null : ids.get(0));
    } catch (StorageException e) {
      throw e;
    } catch (RuntimeException e) {
      // The model's messages may quote data (InvalidEventException names pointers): not kept.
      throw BodyReader.malformed("a stored event is invalid");
    }
  }
}
