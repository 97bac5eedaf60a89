package io.cdpkit.core.internal.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.internal.JsonValues;
import io.cdpkit.core.internal.Text;
import io.cdpkit.core.model.AddressConsentKey;
import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LawfulBasis;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.traits.AggregateState;
import io.cdpkit.core.traits.Partial;
import io.cdpkit.core.traits.Values;
import io.cdpkit.core.model.ProfileState.ConsentValue;
import io.cdpkit.core.model.ProfileState.Restriction;
import io.cdpkit.core.model.ProfileState.Order;
import io.cdpkit.core.model.ProfileState.OrderEntry;
import io.cdpkit.core.model.ProfileState.Refund;
import io.cdpkit.core.model.ProfileState.Tally;
import io.cdpkit.core.model.ProfileState.TraitValue;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.DoNotLinkRule;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The JSON text a store persists for each storage record, behind
 * {@link io.cdpkit.core.spi.storage.RecordCodec}. For every record it writes,
 * {@code read(write(x)).equals(x)}.
 *
 * <p><b>This format is persisted: change it only together with a store migration that rewrites
 * the stored rows.</b> Readers are strict: an unknown key, a missing required key or a value of
 * the wrong type is an error, so that an old reader never drops what a newer writer added.
 *
 * <h2>Format</h2>
 * Common shapes: an <i>instant</i> is an ISO-8601 string from {@link Instant#toString()} (full
 * nanosecond precision, always {@code Z}); an <i>identifier</i> is a two-element array
 * {@code [type, value]}; <i>money</i> is {@code {"mu": minorUnits, "cur": "EUR"}}. Keys marked
 * {@code ?} are left out when the value is absent ({@code null}) or the map or list is empty,
 * and read as absent or empty when missing; map-valued fields are written with keys in sorted
 * order.
 * <pre>
 * event:     {"t": instant, "m": messageId, "i": [identifier...], "e": {Segment-shaped message}}
 *            ("t" and "m" are the key; the anchor is the first identifier; "e" is the event as
 *            {@link io.cdpkit.core.json.EventCodec} writes it)
 * profile:   {"id": profileId, "ver": version, "ic"?: {identifierType: count},
 *             "tr"?: {trait: {"v": JSON value or null, "t": instant, "p": sourcePriority,
 *                             "m": messageId}},
 *             "co"?: [{"p": purpose, "c": channel, "a"?: address identifier (absent: a
 *                      profile-level register), "g": granted, "t": instant, "m": messageId,
 *                      "b"?: lawful basis (absent: consent), "x"?: expiresAt, "s"?: source,
 *                      "v"?: policyVersion, "pf"?: {"f"?: formId, "r"?: reference,
 *                      "t"?: confirmedAt}}],
 *             "fs"?: firstSeen, "ls"?: lastSeen,
 *             "ch"?: {channel: tally}, "st"?: {storeId: tally},
 *             "or"?: {orderId: {"c"?: order, "r"?: {messageId: {"t": instant, "a"?: money}}}},
 *             "ec"?: {eventName: count},
 *             "rs"?: {"r": restricted, "t": instant, "m": messageId, "c": reasonCode},
 *             "cp"?: {trait: aggregate}}
 *            (a head, for a store that keeps each order in a row of its own, has no "or" but
 *            "ro"?: the number of those orders; a text has "ro" or "or", never both)
 *            tally: {"e": events, "o": orders, "t": lastAt}
 *            order: {"id"?: orderId (only when it differs from the map key), "t": instant,
 *                    "m": messageId, "v": money, "ch"?: channel, "s"?: storeId}
 *            (a trait's "v" is always written: {@code null} there is a value, an unset trait)
 * order row: {"o": orderId, "c"?: order, "r"?: {messageId: {"t": instant, "a"?: money}}}
 *            (one entry of a head's orders)
 * component: {"id": id, "ll"?: {"t": instant, "m": messageId},
 *             "r"?: [{"a": identifier, "b": identifier, "t": createdAt}]}
 * link:      {"t": instant, "m": messageId, "i": [identifier, identifier...]}
 * ledger:    {"k": "MERGED" | "CONFLICT" | "UNMERGED", "p": profileId, "o"?: profileId,
 *             "i"?: identifier, "m"?: messageId, "et"?: eventTime, "at": recordedAt,
 *             "r": reason}
 * </pre>
 * Trait values keep their JSON-like types: integers as {@code Long}, decimals as
 * {@code BigDecimal} with their scale (scale 0 written as {@code 5E0}), as
 * {@link EventWriter#writeValue} writes them.
 *
 * <p>Errors: a read method throws a non-retryable {@link StorageException} whose message names
 * the record kind, a path of fixed key names ({@code *} for a map key, indexes for list elements)
 * and the problem, never a value or a map key from the data; it carries no cause, since
 * Jackson's and the model's messages may quote data. A write method throws
 * {@link IllegalArgumentException} for a record that could not be read back equal (a string with
 * an unpaired UTF-16 surrogate, a trait value of a type that is not JSON-like, an event that
 * {@link io.cdpkit.core.json.EventCodec#encode} refuses).
 *
 * <p>Immutable; thread-safe.
 */
public final class RecordJson {
  /** Deepest nesting of a record, trait values and the embedded event included. */
  static final int MAX_DEPTH = 2_000;

  private final JsonFactory factory;
  private final JsonTreeReader reader;

  public RecordJson() {
    this.factory = JsonFactory.builder()
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        // The UTF-8 writer (writeUtf8) writes a character beyond U+FFFF as its four bytes, as
        // the text of the string writer encodes, not as an escaped surrogate pair.
        .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
        // Records come from our own store and were checked when written: no lower limits than
        // the writer's.
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH + 1)
            .maxNumberLength(Integer.MAX_VALUE)
            .maxStringLength(Integer.MAX_VALUE)
            .build())
        .streamWriteConstraints(StreamWriteConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .build())
        .build();
    this.reader = new JsonTreeReader(MAX_DEPTH);
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private String write(Body body) {
    // Jackson's own writer for text (as ObjectMapper.writeValueAsString uses): segments from the
    // recycled buffers, copied once into the string, where a StringWriter grows and copies a
    // synchronized buffer.
    BufferRecycler buffers = factory._getBufferRecycler();
    try (SegmentedStringWriter out = new SegmentedStringWriter(buffers)) {
      try (JsonGenerator g = factory.createGenerator(out)) {
        g.writeStartObject();
        body.write(g);
        g.writeEndObject();
      }
      return out.getAndClear();
    } catch (IOException e) {
      // Writing to memory does not fail; Jackson's message may quote data, so it is not kept.
      throw new UncheckedIOException(new IOException("writing a record as JSON failed"));
    } finally {
      buffers.releaseToPool();
    }
  }

  /**
   * The same text as {@link #write}, as UTF-8 bytes written directly (as
   * {@code ObjectMapper.writeValueAsBytes} does): no string to build and encode again, which for
   * a large document is two more copies of it. A string with an unpaired UTF-16 surrogate, which
   * {@code String.getBytes} would turn into {@code ?}, fails here; the writers' checks refuse
   * those before either way.
   */
  private byte[] writeUtf8(Body body) {
    BufferRecycler buffers = factory._getBufferRecycler();
    try (ByteArrayBuilder out = new ByteArrayBuilder(buffers)) {
      try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
        g.writeStartObject();
        body.write(g);
        g.writeEndObject();
      }
      return out.getClearAndRelease();
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("writing a record as JSON failed"));
    } finally {
      buffers.releaseToPool();
    }
  }

  public String writeEvent(StoredEvent r) {
    return write(eventBody(r));
  }

  /** {@link #writeEvent}'s text as UTF-8. */
  public byte[] writeEventUtf8(StoredEvent r) {
    return writeUtf8(eventBody(r));
  }

  private static Body eventBody(StoredEvent r) {
    Event event = r.event();
    EventWriter.checkWritable(event);
    return g -> {
      time(g, "t", r.key().time());
      text(g, "m", r.key().messageId());
      g.writeArrayFieldStart("i");
      for (Identifier id : r.identifiers()) {
        identifier(g, id);
      }
      g.writeEndArray();
      g.writeFieldName("e");
      EventWriter.write(event, g);
    };
  }

  public String writeProfile(ProfileRecord r) {
    return write(profileBody(r, false));
  }

  /** {@link #writeProfile}'s text as UTF-8. */
  public byte[] writeProfileUtf8(ProfileRecord r) {
    return writeUtf8(profileBody(r, false));
  }

  /** The profile without its orders, with their number ("ro"): a head. */
  public String writeProfileHead(ProfileRecord r) {
    return write(profileBody(r, true));
  }

  /** {@link #writeProfileHead}'s text as UTF-8. */
  public byte[] writeProfileHeadUtf8(ProfileRecord r) {
    return writeUtf8(profileBody(r, true));
  }

  /** One order entry of a profile, its order id inside ("o"). */
  public String writeOrder(String orderId, OrderEntry entry) {
    return write(orderBody(orderId, entry));
  }

  /** {@link #writeOrder}'s text as UTF-8. */
  public byte[] writeOrderUtf8(String orderId, OrderEntry entry) {
    return writeUtf8(orderBody(orderId, entry));
  }

  private static Body orderBody(String orderId, OrderEntry entry) {
    if (!EventWriter.validText(orderId)) {
      throw new IllegalArgumentException("an order id holds an unpaired UTF-16 surrogate");
    }
    return g -> {
      text(g, "o", orderId);
      orderEntryFields(g, orderId, entry);
    };
  }

  private static Body profileBody(ProfileRecord r, boolean head) {
    ProfileState s = r.state();
    return g -> {
      text(g, "id", r.id().value());
      g.writeNumberField("ver", r.version());
      if (!r.identifierCounts().isEmpty()) {
        g.writeObjectFieldStart("ic");
        TreeMap<String, Integer> counts = new TreeMap<>();
        r.identifierCounts().forEach((type, n) -> counts.put(type.id(), n));
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
          g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
      }
      if (!s.traits().isEmpty()) {
        g.writeObjectFieldStart("tr");
        for (Map.Entry<String, TraitValue> e : sorted(s.traits())) {
          TraitValue v = e.getValue();
          key(g, e.getKey());
          g.writeStartObject();
          g.writeFieldName("v");
          if (!EventWriter.validText(v.value())) {
            throw new IllegalArgumentException(
                "a trait value holds a string with an unpaired UTF-16 surrogate");
          }
          EventWriter.writeValue(g, v.value());
          time(g, "t", v.time());
          g.writeNumberField("p", v.sourcePriority());
          text(g, "m", v.messageId());
          g.writeEndObject();
        }
        g.writeEndObject();
      }
      if (!s.profileConsents().isEmpty() || !s.addressConsents().isEmpty()) {
        g.writeArrayFieldStart("co");
        for (Map.Entry<ConsentKey, ConsentValue> e : sorted(s.profileConsents())) {
          consent(g, e.getKey(), null, e.getValue());
        }
        for (Map.Entry<AddressConsentKey, ConsentValue> e : sorted(s.addressConsents())) {
          consent(g, e.getKey().key(), e.getKey().address(), e.getValue());
        }
        g.writeEndArray();
      }
      if (s.firstSeen() != null) {
        time(g, "fs", s.firstSeen());
      }
      if (s.lastSeen() != null) {
        time(g, "ls", s.lastSeen());
      }
      tallies(g, "ch", s.channels());
      tallies(g, "st", s.stores());
      if (head) {
        if (!s.orders().isEmpty()) {
          g.writeNumberField("ro", s.orders().size());
        }
      } else if (!s.orders().isEmpty()) {
        g.writeObjectFieldStart("or");
        for (Map.Entry<String, OrderEntry> e : sorted(s.orders())) {
          key(g, e.getKey());
          orderEntry(g, e.getKey(), e.getValue());
        }
        g.writeEndObject();
      }
      if (!s.eventCounts().isEmpty()) {
        g.writeObjectFieldStart("ec");
        for (Map.Entry<String, Long> e : sorted(s.eventCounts())) {
          key(g, e.getKey());
          g.writeNumber(e.getValue());
        }
        g.writeEndObject();
      }
      Restriction rs = s.restriction();
      if (rs != null) {
        g.writeObjectFieldStart("rs");
        g.writeBooleanField("r", rs.restricted());
        time(g, "t", rs.time());
        text(g, "m", rs.messageId());
        text(g, "c", rs.reasonCode());
        g.writeEndObject();
      }
      if (!s.computed().isEmpty()) {
        g.writeObjectFieldStart("cp");
        for (Map.Entry<String, AggregateState> e : sorted(s.computed())) {
          key(g, e.getKey());
          aggregate(g, e.getValue());
        }
        g.writeEndObject();
      }
    };
  }

  /**
   * A computed trait's state: {@code {"t": partial}} for all time, or {@code {"d": [{"day": n,
   * "p": partial}, ...]}} by UTC epoch day.
   */
  private static void aggregate(JsonGenerator g, AggregateState a) throws IOException {
    g.writeStartObject();
    if (a.total() != null) {
      g.writeFieldName("t");
      partial(g, a.total());
    } else {
      g.writeArrayFieldStart("d");
      long[] days = a.epochDays();
      for (int i = 0; i < days.length; i++) {
        g.writeStartObject();
        g.writeNumberField("day", days[i]);
        g.writeFieldName("p");
        partial(g, a.partialAt(i));
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  /**
   * A partial, tagged by {@code k}: {@code n} (count: n), {@code s} (sum: s as decimal text, n),
   * {@code min} / {@code max} (v), {@code first} / {@code last} (v, t, m), {@code tally} (e: an
   * array of [value, count, first, last]), {@code timeline} (h: an array of [time, session,
   * events, views], ascending), {@code recent} (e: an array of [value, time], newest first),
   * {@code ledger} (see {@link #ledger}).
   */
  private static void partial(JsonGenerator g, Partial p) throws IOException {
    g.writeStartObject();
    if (p instanceof Partial.Count c) {
      g.writeStringField("k", "n");
      g.writeNumberField("n", c.n());
    } else if (p instanceof Partial.Sum c) {
      g.writeStringField("k", "s");
      g.writeStringField("s", c.sum().toString());
      g.writeNumberField("n", c.n());
    } else if (p instanceof Partial.Min c) {
      g.writeStringField("k", "min");
      g.writeFieldName("v");
      scalar(g, c.value());
    } else if (p instanceof Partial.Max c) {
      g.writeStringField("k", "max");
      g.writeFieldName("v");
      scalar(g, c.value());
    } else if (p instanceof Partial.Point c) {
      g.writeStringField("k", c.last() ? "last" : "first");
      g.writeFieldName("v");
      scalar(g, c.value());
      time(g, "t", c.time());
      text(g, "m", c.messageId());
    } else if (p instanceof Partial.Timeline c) {
      timeline(g, c);
    } else if (p instanceof Partial.Recent c) {
      recent(g, c);
    } else if (p instanceof Partial.Ledger c) {
      ledger(g, c);
    } else {
      Partial.Tally c = (Partial.Tally) p;
      g.writeStringField("k", "tally");
      g.writeArrayFieldStart("e");
      List<Map.Entry<Object, Partial.Seen>> entries = new ArrayList<>(c.values().entrySet());
      entries.sort(Map.Entry.comparingByKey(Values.ORDER));
      for (Map.Entry<Object, Partial.Seen> e : entries) {
        g.writeStartArray();
        scalar(g, e.getKey());
        g.writeNumber(e.getValue().count());
        g.writeString(IsoInstants.format(e.getValue().first()));
        g.writeString(IsoInstants.format(e.getValue().last()));
        g.writeEndArray();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void timeline(JsonGenerator g, Partial.Timeline c) throws IOException {
    g.writeStringField("k", "timeline");
    g.writeArrayFieldStart("h");
    for (Partial.Hit h : c.hits()) {
      g.writeStartArray();
      g.writeString(IsoInstants.format(h.time()));
      g.writeString(checked(h.session()));
      g.writeNumber(h.events());
      g.writeNumber(h.views());
      g.writeEndArray();
    }
    g.writeEndArray();
  }

  private static void recent(JsonGenerator g, Partial.Recent c) throws IOException {
    g.writeStringField("k", "recent");
    g.writeArrayFieldStart("e");
    List<Map.Entry<Object, Instant>> entries = new ArrayList<>(c.values().entrySet());
    entries.sort(Map.Entry.<Object, Instant>comparingByValue().reversed()
        .thenComparing(Map.Entry.comparingByKey(Values.ORDER)));
    for (Map.Entry<Object, Instant> e : entries) {
      g.writeStartArray();
      scalar(g, e.getKey());
      g.writeString(IsoInstants.format(e.getValue()));
      g.writeEndArray();
    }
    g.writeEndArray();
  }

  private static Partial.Timeline timeline(Fields f) {
    List<Partial.Hit> hits = new ArrayList<>();
    List<?> entries = f.list("h");
    for (int i = 0; i < entries.size(); i++) {
      Fields at = new Fields(f.kind, f.path + "/h/" + i, Map.of(), false);
      if (!(entries.get(i) instanceof List<?> e) || e.size() != 4
          || !(e.get(0) instanceof String time) || !(e.get(1) instanceof String session)
          || !(e.get(2) instanceof Long events) || !(e.get(3) instanceof Long views)) {
        throw at.fail("", "must be [time, session, events, views]");
      }
      try {
        hits.add(new Partial.Hit(IsoInstants.parseStored(time), session, events, views));
      } catch (DateTimeParseException x) {
        throw at.fail("", "holds a time that is not an ISO-8601 instant");
      } catch (IllegalArgumentException x) {
        throw at.fail("", "is not a valid hit");
      }
    }
    try {
      return new Partial.Timeline(hits);
    } catch (IllegalArgumentException x) {
      throw f.fail("/h", "must hold at most " + Partial.Timeline.MAX_HITS
          + " hits in strictly ascending order");
    }
  }

  private static Partial.Recent recent(Fields f) {
    Map<Object, Instant> m = new HashMap<>();
    List<?> entries = f.list("e");
    for (int i = 0; i < entries.size(); i++) {
      Fields at = new Fields(f.kind, f.path + "/e/" + i, Map.of(), false);
      if (!(entries.get(i) instanceof List<?> e) || e.size() != 2
          || !(e.get(0) instanceof Map<?, ?> v) || !(e.get(1) instanceof String time)) {
        throw at.fail("", "must be [value, time]");
      }
      @SuppressWarnings("unchecked")
      Fields vf = new Fields(f.kind, at.path + "/0", (Map<String, @Nullable Object>) v, false);
      Object key = scalar(vf);
      try {
        if (m.put(key, IsoInstants.parseStored(time)) != null) {
          throw at.fail("", "repeats a value");
        }
      } catch (DateTimeParseException x) {
        throw at.fail("", "holds a time that is not an ISO-8601 instant");
      }
    }
    try {
      return new Partial.Recent(m);
    } catch (IllegalArgumentException x) {
      throw f.fail("/e", "must hold at most " + Partial.Recent.MAX_VALUES + " values");
    }
  }

  /**
   * A loyalty ledger: {@code "k": "ledger"}, {@code "e"}: an array of entries {@code [time,
   * messageId, program, kind, points, expiresAt or null]} in the ledger's order, kind one of
   * {@code earned}, {@code redeemed}, {@code expired}, {@code adjusted}.
   */
  private static void ledger(JsonGenerator g, Partial.Ledger c) throws IOException {
    g.writeStringField("k", "ledger");
    g.writeArrayFieldStart("e");
    for (Partial.LedgerEntry e : c.entries()) {
      g.writeStartArray();
      g.writeString(IsoInstants.format(e.time()));
      g.writeString(e.messageId());
      g.writeString(e.program());
      g.writeString(ledgerKind(e.kind()));
      g.writeNumber(e.points());
      if (e.expiresAt() == null) {
        g.writeNull();
      } else {
        g.writeString(IsoInstants.format(e.expiresAt()));
      }
      g.writeEndArray();
    }
    g.writeEndArray();
  }

  private static String ledgerKind(Partial.LedgerKind k) {
    return switch (k) {
      case EARNED -> "earned";
      case REDEEMED -> "redeemed";
      case EXPIRED -> "expired";
      case ADJUSTED -> "adjusted";
    };
  }

  private static Partial.Ledger readLedger(Fields f) {
    List<?> entries = f.list("e");
    List<Partial.LedgerEntry> out = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      Fields at = new Fields(f.kind, f.path + "/e/" + i, Map.of(), false);
      if (!(entries.get(i) instanceof List<?> e) || e.size() != 6
          || !(e.get(0) instanceof String time) || !(e.get(1) instanceof String messageId)
          || !(e.get(2) instanceof String program) || !(e.get(3) instanceof String kind)
          || !(e.get(4) instanceof Long points)
          || !(e.get(5) == null || e.get(5) instanceof String)) {
        throw at.fail("", "must be [time, messageId, program, kind, points, expiresAt]");
      }
      Partial.LedgerKind k = switch (kind) {
        case "earned" -> Partial.LedgerKind.EARNED;
        case "redeemed" -> Partial.LedgerKind.REDEEMED;
        case "expired" -> Partial.LedgerKind.EXPIRED;
        case "adjusted" -> Partial.LedgerKind.ADJUSTED;
        default -> throw at.fail("/3", "is not a kind of ledger entry");
      };
      try {
        out.add(new Partial.LedgerEntry(IsoInstants.parseStored(time), messageId, program, k,
            points, e.get(5) == null ? null : IsoInstants.parseStored((String) e.get(5))));
      } catch (DateTimeParseException x) {
        throw at.fail("", "holds a time that is not an ISO-8601 instant");
      } catch (IllegalArgumentException x) {
        throw at.fail("/4", "is negative for an entry that cannot be");
      }
    }
    try {
      return new Partial.Ledger(out);
    } catch (IllegalArgumentException x) {
      throw f.fail("/e", "must hold entries ascending by time and messageId, each once");
    }
  }

  /**
   * A scalar with its type: {@code {"s": text}}, {@code {"i": long}}, {@code {"d": decimal
   * text}}, {@code {"b": boolean}} or {@code {"t": instant}}.
   */
  private static void scalar(JsonGenerator g, Object v) throws IOException {
    g.writeStartObject();
    if (v instanceof String str) {
      text(g, "s", str);
    } else if (v instanceof Long l) {
      g.writeNumberField("i", l);
    } else if (v instanceof BigDecimal d) {
      g.writeStringField("d", d.toString());
    } else if (v instanceof Boolean b) {
      g.writeBooleanField("b", b);
    } else if (v instanceof Instant t) {
      g.writeStringField("t", IsoInstants.format(t));
    } else {
      throw new IllegalArgumentException("a computed trait holds a value of an unknown type");
    }
    g.writeEndObject();
  }

  public String writeComponent(ComponentRecord r) {
    return write(g -> {
      text(g, "id", r.id());
      if (r.latestLink() != null) {
        g.writeObjectFieldStart("ll");
        time(g, "t", r.latestLink().time());
        text(g, "m", r.latestLink().messageId());
        g.writeEndObject();
      }
      if (!r.rules().isEmpty()) {
        g.writeArrayFieldStart("r");
        for (DoNotLinkRule rule : r.rules()) {
          g.writeStartObject();
          g.writeFieldName("a");
          identifier(g, rule.a());
          g.writeFieldName("b");
          identifier(g, rule.b());
          time(g, "t", rule.createdAt());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
    });
  }

  public String writeLink(Link r) {
    return write(g -> {
      time(g, "t", r.key().time());
      text(g, "m", r.key().messageId());
      g.writeArrayFieldStart("i");
      for (Identifier id : r.identifiers()) {
        identifier(g, id);
      }
      g.writeEndArray();
    });
  }

  public String writeLedger(LedgerEntry r) {
    return write(g -> {
      g.writeStringField("k", r.kind().name());
      text(g, "p", r.profile().value());
      if (r.other() != null) {
        text(g, "o", r.other().value());
      }
      if (r.identifier() != null) {
        g.writeFieldName("i");
        identifier(g, r.identifier());
      }
      if (r.messageId() != null) {
        text(g, "m", r.messageId());
      }
      if (r.eventTime() != null) {
        time(g, "et", r.eventTime());
      }
      time(g, "at", r.recordedAt());
      text(g, "r", r.reason());
    });
  }

  private static void tallies(JsonGenerator g, String field, Map<String, Tally> map)
      throws IOException {
    if (map.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart(field);
    for (Map.Entry<String, Tally> e : sorted(map)) {
      key(g, e.getKey());
      Tally t = e.getValue();
      g.writeStartObject();
      g.writeNumberField("e", t.events());
      g.writeNumberField("o", t.orders());
      time(g, "t", t.lastAt());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void orderEntry(JsonGenerator g, String orderId, OrderEntry entry)
      throws IOException {
    g.writeStartObject();
    orderEntryFields(g, orderId, entry);
    g.writeEndObject();
  }

  private static void orderEntryFields(JsonGenerator g, String orderId, OrderEntry entry)
      throws IOException {
    Order c = entry.completion();
    if (c != null) {
      g.writeObjectFieldStart("c");
      if (!c.orderId().equals(orderId)) {
        text(g, "id", c.orderId());
      }
      time(g, "t", c.time());
      text(g, "m", c.messageId());
      g.writeFieldName("v");
      money(g, c.value());
      if (c.channel() != null) {
        text(g, "ch", c.channel());
      }
      if (c.storeId() != null) {
        text(g, "s", c.storeId());
      }
      g.writeEndObject();
    }
    if (!entry.refunds().isEmpty()) {
      g.writeObjectFieldStart("r");
      for (Map.Entry<String, Refund> e : sorted(entry.refunds())) {
        key(g, e.getKey());
        g.writeStartObject();
        time(g, "t", e.getValue().time());
        if (e.getValue().amount() != null) {
          g.writeFieldName("a");
          money(g, e.getValue().amount());
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    }
  }

  /** One consent register of a profile: {@code address} {@code null} for a profile-level one. */
  private static void consent(JsonGenerator g, ConsentKey k, @Nullable Identifier address,
      ConsentValue v) throws IOException {
    g.writeStartObject();
    text(g, "p", k.purpose());
    text(g, "c", k.channel());
    if (address != null) {
      g.writeFieldName("a");
      identifier(g, address);
    }
    g.writeBooleanField("g", v.granted());
    time(g, "t", v.time());
    text(g, "m", v.messageId());
    if (v.basis() != LawfulBasis.CONSENT) {
      text(g, "b", v.basis().wireName());
    }
    if (v.expiresAt() != null) {
      time(g, "x", v.expiresAt());
    }
    if (v.source() != null) {
      text(g, "s", v.source());
    }
    if (v.policyVersion() != null) {
      text(g, "v", v.policyVersion());
    }
    ConsentProof pf = v.proof();
    if (pf != null) {
      g.writeObjectFieldStart("pf");
      if (pf.formId() != null) {
        text(g, "f", pf.formId());
      }
      if (pf.reference() != null) {
        text(g, "r", pf.reference());
      }
      if (pf.confirmedAt() != null) {
        time(g, "t", pf.confirmedAt());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void money(JsonGenerator g, Money m) throws IOException {
    g.writeStartObject();
    g.writeNumberField("mu", m.minorUnits());
    g.writeStringField("cur", m.currency());
    g.writeEndObject();
  }

  private static void identifier(JsonGenerator g, Identifier id) throws IOException {
    g.writeStartArray();
    g.writeString(id.type().id());
    g.writeString(checked(id.value()));
    g.writeEndArray();
  }

  private static void text(JsonGenerator g, String field, String value) throws IOException {
    g.writeStringField(field, checked(value));
  }

  /** An instant as {@code Instant.toString()} writes it (ASCII: nothing to check). */
  private static void time(JsonGenerator g, String field, Instant value) throws IOException {
    g.writeStringField(field, IsoInstants.format(value));
  }

  private static void key(JsonGenerator g, String key) throws IOException {
    g.writeFieldName(checked(key));
  }

  /** Refuses what the reader would refuse, so that nothing is written that cannot be read. */
  private static String checked(String s) {
    if (JsonTreeReader.hasUnpairedSurrogate(s)) {
      throw new IllegalArgumentException(
          "the record holds a string with an unpaired UTF-16 surrogate, which could not be read");
    }
    return s;
  }

  /** The entries in key order (the model's maps are sorted already; others are sorted here). */
  private static <K extends Comparable<? super K>, V> Iterable<Map.Entry<K, V>> sorted(
      Map<K, V> map) {
    if (map instanceof io.cdpkit.core.internal.ArrayMap<K, V>) {
      return map.entrySet();
    }
    return new TreeMap<>(map).entrySet();
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  public StoredEvent readEvent(String json) {
    Fields f = parse("event", json);
    Instant time = f.instant("t");
    String messageId = f.string("m");
    List<Identifier> ids = f.identifiers("i");
    Fields e = f.object("e");
    Event event;
    try {
      event = EventMapping.toEvent(e.map, null);
    } catch (InvalidEventException x) {
      // Written before the text rule or the nesting ceiling applied: read it repaired, so that
      // the person stays readable, exportable and erasable (see Text.repaired).
      try {
        event = repaired(e.map);
      } catch (RuntimeException y) {
        // The reason names no value; the pointer may hold the data's own keys: left out.
        throw f.fail("/e", "is not a valid event: " + x.reason());
      }
    } catch (RuntimeException x) {
      throw f.fail("/e", "is not a valid event");
    }
    f.end();
    try {
      return new StoredEvent(event, new EventKey(time, messageId), ids,
          ids.isEmpty() ? null : ids.get(0));
    } catch (RuntimeException x) {
      throw f.fail("", "is not a valid stored event");
    }
  }

  /** An event written before the text rule, read repaired: see {@link Text#repaired}. */
  @SuppressWarnings("unchecked")
  private static Event repaired(Map<String, @Nullable Object> map) {
    try {
      return EventMapping.toEvent((Map<String, @Nullable Object>)
          Text.repaired(map, 1, JsonValues.MAX_DEPTH, true), null);
    } catch (InvalidEventException x) {
      return EventMapping.toEvent((Map<String, @Nullable Object>)
          Text.repaired(map, 1, JsonValues.MAX_DEPTH, false), null);
    }
  }

  public ProfileRecord readProfile(String json) {
    Head h = readProfileHead(json);
    if (h.orderRows() != 0) {
      throw new StorageException("profile record: /ro: the orders are kept apart from this"
          + " text (a head); read it as a head", false, null);
    }
    return h.record();
  }

  /**
   * A profile text, whole or a head; {@code orderRows}: the number of orders a head's profile
   * keeps apart (0 for a whole profile, whose orders are in the record).
   */
  public record Head(ProfileRecord record, int orderRows) {}

  /** A whole profile or a head ({@link #writeProfileHead}). */
  public Head readProfileHead(String json) {
    Fields f = parse("profile", json);
    ProfileId id = f.profileId("id");
    long version = f.longValue("ver");

    Map<IdentifierType, Integer> counts = new HashMap<>();
    Fields ic = f.optionalMap("ic");
    if (ic != null) {
      for (String type : ic.map.keySet()) {
        IdentifierType t;
        try {
          t = IdentifierType.of(type);
        } catch (IllegalArgumentException x) {
          throw ic.fail("/*", "is not a valid identifier type");
        }
        long n = ic.longValue(type);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
          throw ic.fail("/*", "is out of range for a count");
        }
        counts.put(t, (int) n);
      }
      ic.end();
    }

    Map<String, TraitValue> traits = new HashMap<>();
    Fields tr = f.optionalMap("tr");
    if (tr != null) {
      for (String name : tr.map.keySet()) {
        Fields v = tr.object(name);
        Object value = JsonValues.copy(v.any("v"));
        long priority = v.longValue("p");
        if (priority < Integer.MIN_VALUE || priority > Integer.MAX_VALUE) {
          throw v.fail("/p", "is out of range for a source priority");
        }
        traits.put(name, new TraitValue(value, v.instant("t"), (int) priority, v.string("m")));
        v.end();
      }
      tr.end();
    }

    Map<ConsentKey, ConsentValue> consents = new HashMap<>();
    Map<AddressConsentKey, ConsentValue> addressConsents = new HashMap<>();
    List<Fields> co = f.objects("co");
    for (Fields c : co) {
      ConsentKey k = new ConsentKey(c.string("p"), c.string("c"));
      Identifier address = c.has("a") ? c.identifier("a") : null;
      boolean granted = c.bool("g");
      Instant time = c.instant("t");
      String messageId = c.string("m");
      LawfulBasis basis = LawfulBasis.CONSENT;
      String b = c.optionalString("b");
      if (b != null) {
        try {
          basis = LawfulBasis.fromWireName(b);
        } catch (InvalidEventException x) {
          throw c.fail("/b", "is not a lawful basis");
        }
      }
      Instant expiresAt = c.optionalInstant("x");
      String source = c.optionalString("s");
      String policyVersion = c.optionalString("v");
      ConsentProof proof = null;
      Fields pf = c.optionalObject("pf");
      if (pf != null) {
        String formId = pf.optionalString("f");
        String reference = pf.optionalString("r");
        Instant confirmedAt = pf.optionalInstant("t");
        pf.end();
        try {
          proof = new ConsentProof(formId, reference, confirmedAt);
        } catch (InvalidEventException x) {
          throw pf.fail("", "is not a valid proof");
        }
      }
      c.end();
      ConsentValue v;
      try {
        v = new ConsentValue(granted, time, messageId, basis, expiresAt, source, policyVersion,
            proof);
      } catch (IllegalArgumentException x) {
        throw c.fail("", "is not a valid consent");
      }
      if (address != null) {
        if (addressConsents.putIfAbsent(AddressConsentKey.of(k, address), v) != null) {
          throw c.fail("", "repeats a (purpose, channel, address) of an earlier consent");
        }
      } else if (consents.putIfAbsent(k, v) != null) {
        throw c.fail("", "repeats a (purpose, channel) of an earlier consent");
      }
    }

    Instant firstSeen = f.optionalInstant("fs");
    Instant lastSeen = f.optionalInstant("ls");
    if ((firstSeen == null) != (lastSeen == null)) {
      throw f.fail("", "must have both or neither of /fs and /ls");
    }
    Map<String, Tally> channels = tallies(f, "ch");
    Map<String, Tally> stores = tallies(f, "st");

    Map<String, OrderEntry> orders = new HashMap<>();
    Fields or = f.optionalMap("or");
    int orderRows = 0;
    if (f.has("ro")) {
      long n = f.longValue("ro");
      if (n < 1 || n > Integer.MAX_VALUE) {
        throw f.fail("/ro", "is out of range for a number of orders");
      }
      if (or != null) {
        throw f.fail("/ro", "is given beside /or");
      }
      orderRows = (int) n;
    }
    if (or != null) {
      for (String orderId : or.map.keySet()) {
        orders.put(orderId, orderEntry(or.object(orderId), orderId));
      }
      or.end();
    }

    Map<String, Long> eventCounts = new HashMap<>();
    Fields ec = f.optionalMap("ec");
    if (ec != null) {
      for (String name : ec.map.keySet()) {
        eventCounts.put(name, ec.longValue(name));
      }
      ec.end();
    }
    Restriction restriction = null;
    Fields rs = f.optionalObject("rs");
    if (rs != null) {
      restriction = new Restriction(rs.bool("r"), rs.instant("t"), rs.string("m"),
          rs.string("c"));
      rs.end();
    }
    Map<String, AggregateState> computed = new HashMap<>();
    Fields cp = f.optionalMap("cp");
    if (cp != null) {
      for (String name : cp.map.keySet()) {
        computed.put(name, aggregate(cp.object(name)));
      }
      cp.end();
    }
    f.end();
    ProfileState state = ProfileState.of(traits, consents, firstSeen, lastSeen, channels, stores,
        orders, eventCounts, computed).withRestriction(restriction);
    if (!addressConsents.isEmpty()) {
      state = state.withAddressConsents(addressConsents);
    }
    return new Head(new ProfileRecord(id, state, counts, version), orderRows);
  }

  /** One order entry {@link #writeOrder} wrote, with its order id. */
  public Map.Entry<String, OrderEntry> readOrder(String json) {
    Fields f = parse("order", json);
    String orderId = f.string("o");
    return Map.entry(orderId, orderEntry(f, orderId));
  }

  public ComponentRecord readComponent(String json) {
    Fields f = parse("component", json);
    String id = f.string("id");
    EventKey latest = null;
    Fields ll = f.optionalObject("ll");
    if (ll != null) {
      latest = new EventKey(ll.instant("t"), ll.string("m"));
      ll.end();
    }
    List<DoNotLinkRule> rules = new ArrayList<>();
    for (Fields r : f.objects("r")) {
      Identifier a = r.identifier("a");
      Identifier b = r.identifier("b");
      Instant createdAt = r.instant("t");
      r.end();
      if (a.equals(b)) {
        throw r.fail("", "is a rule between an identifier and itself");
      }
      rules.add(new DoNotLinkRule(a, b, createdAt));
    }
    f.end();
    return new ComponentRecord(id, latest, rules);
  }

  public Link readLink(String json) {
    Fields f = parse("link", json);
    EventKey key = new EventKey(f.instant("t"), f.string("m"));
    List<Identifier> ids = f.identifiers("i");
    f.end();
    if (ids.size() < 2) {
      throw f.fail("/i", "must hold at least two identifiers");
    }
    return new Link(key, ids);
  }

  public LedgerEntry readLedger(String json) {
    Fields f = parse("ledger", json);
    LedgerEntry.Kind kind;
    String k = f.string("k");
    try {
      kind = LedgerEntry.Kind.valueOf(k);
    } catch (IllegalArgumentException x) {
      throw f.fail("/k", "is not a ledger entry kind");
    }
    ProfileId profile = f.profileId("p");
    ProfileId other = f.has("o") ? f.profileId("o") : null;
    Identifier identifier = f.has("i") ? f.identifier("i") : null;
    String messageId = f.has("m") ? f.string("m") : null;
    Instant eventTime = f.optionalInstant("et");
    Instant recordedAt = f.instant("at");
    String reason = f.string("r");
    f.end();
    return new LedgerEntry(kind, profile, other, identifier, messageId, eventTime, recordedAt,
        reason);
  }

  private static Map<String, Tally> tallies(Fields f, String field) {
    Map<String, Tally> out = new HashMap<>();
    Fields m = f.optionalMap(field);
    if (m != null) {
      for (String name : m.map.keySet()) {
        Fields t = m.object(name);
        out.put(name, new Tally(t.longValue("e"), t.longValue("o"), t.instant("t")));
        t.end();
      }
      m.end();
    }
    return out;
  }

  private static AggregateState aggregate(Fields f) {
    AggregateState out;
    Fields t = f.optionalObject("t");
    if (t != null) {
      out = AggregateState.total(partial(t));
    } else {
      List<Fields> days = f.objects("d");
      long[] d = new long[days.size()];
      Partial[] p = new Partial[days.size()];
      for (int i = 0; i < d.length; i++) {
        Fields day = days.get(i);
        d[i] = day.longValue("day");
        p[i] = partial(day.object("p"));
        day.end();
      }
      try {
        out = AggregateState.days(d, p);
      } catch (IllegalArgumentException x) {
        throw f.fail("/d", "must hold days in strictly ascending order");
      }
    }
    f.end();
    return out;
  }

  private static Partial partial(Fields f) {
    String k = f.string("k");
    Partial p;
    try {
      p = switch (k) {
        case "n" -> new Partial.Count(f.longValue("n"));
        case "s" -> new Partial.Sum(decimal(f, "s"), f.longValue("n"));
        case "min" -> new Partial.Min(scalar(f.object("v")));
        case "max" -> new Partial.Max(scalar(f.object("v")));
        case "first", "last" -> new Partial.Point(scalar(f.object("v")), f.instant("t"),
            f.string("m"), k.equals("last"));
        case "tally" -> {
          Map<Object, Partial.Seen> m = new HashMap<>();
          List<?> entries = f.list("e");
          for (int i = 0; i < entries.size(); i++) {
            Fields at = new Fields(f.kind, f.path + "/e/" + i, Map.of(), false);
            if (!(entries.get(i) instanceof List<?> e) || e.size() != 4
                || !(e.get(0) instanceof Map<?, ?> v) || !(e.get(1) instanceof Long n)
                || !(e.get(2) instanceof String first) || !(e.get(3) instanceof String last)) {
              throw at.fail("", "must be [value, count, first, last]");
            }
            @SuppressWarnings("unchecked")
            Fields vf = new Fields(f.kind, at.path + "/0", (Map<String, @Nullable Object>) v,
                false);
            try {
              m.put(scalar(vf), new Partial.Seen(n, IsoInstants.parseStored(first),
                  IsoInstants.parseStored(last)));
            } catch (DateTimeParseException x) {
              throw at.fail("", "holds a time that is not an ISO-8601 instant");
            }
          }
          yield new Partial.Tally(m);
        }
        case "timeline" -> timeline(f);
        case "recent" -> recent(f);
        case "ledger" -> readLedger(f);
        default -> throw f.fail("/k", "is not a kind of partial");
      };
    } catch (NullPointerException x) {
      throw f.fail("", "is incomplete");
    }
    f.end();
    return p;
  }

  private static BigDecimal decimal(Fields f, String key) {
    try {
      return new BigDecimal(f.string(key));
    } catch (NumberFormatException x) {
      throw f.fail("/" + key, "is not a decimal number");
    }
  }

  private static Object scalar(Fields f) {
    Object out;
    if (f.map.size() != 1) {
      throw f.fail("", "must hold exactly one of s, i, d, b, t");
    }
    if (f.has("s")) {
      out = f.string("s");
    } else if (f.has("i")) {
      out = f.longValue("i");
    } else if (f.has("d")) {
      out = decimal(f, "d");
    } else if (f.has("b")) {
      out = f.bool("b");
    } else if (f.has("t")) {
      out = f.instant("t");
    } else {
      throw f.fail("", "must hold exactly one of s, i, d, b, t");
    }
    f.end();
    return out;
  }

  private static OrderEntry orderEntry(Fields f, String orderId) {
    Order completion = null;
    Fields c = f.optionalObject("c");
    if (c != null) {
      String id = c.has("id") ? c.string("id") : orderId;
      completion = new Order(id, c.instant("t"), c.string("m"), c.money("v"),
          c.has("ch") ? c.string("ch") : null, c.has("s") ? c.string("s") : null);
      c.end();
    }
    Map<String, Refund> refunds = new HashMap<>();
    Fields r = f.optionalMap("r");
    if (r != null) {
      for (String messageId : r.map.keySet()) {
        Fields refund = r.object(messageId);
        refunds.put(messageId, new Refund(refund.instant("t"),
            refund.has("a") ? refund.money("a") : null));
        refund.end();
      }
      r.end();
    }
    f.end();
    return new OrderEntry(completion, refunds);
  }

  /** Parses one record's text into its top-level object. */
  private Fields parse(String kind, String json) {
    Objects.requireNonNull(json, "json");
    try (JsonParser p = factory.createParser(json)) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_OBJECT) {
        throw Fields.malformed(kind, t == null ? "is empty"
            : "must be a JSON object");
      }
      JsonTreeReader.Result r = reader.read(p);
      if (p.nextToken() != null) {
        throw Fields.malformed(kind, "has content after the record's object");
      }
      if (r.error() != null) {
        // The reason names no value; the pointer may hold the data's keys, so it is left out.
        throw Fields.malformed(kind, "holds a value that " + r.error().reason());
      }
      @SuppressWarnings("unchecked")
      Map<String, @Nullable Object> map = (Map<String, @Nullable Object>) r.value();
      return new Fields(kind, "", map, false);
    } catch (JsonProcessingException e) {
      // Never Jackson's message: it may quote the text. The location holds no source.
      JsonLocation at = e.getLocation();
      throw Fields.malformed(kind, at == null ? "is not valid JSON"
          : "is not valid JSON (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("reading a record failed")); // not for a String
    }
  }

  /**
   * One JSON object of a record being read: typed getters that fail with the field's path, and
   * {@link #end()}, which refuses keys nobody asked for. Not thread-safe.
   */
  private static final class Fields {
    final String kind;
    final String path; // fixed key names and indexes only, never the data's keys
    final Map<String, @Nullable Object> map;
    final boolean isMap; // keyed by the data (trait names, order ids), not by the format
    private int read;

    Fields(String kind, String path, Map<String, @Nullable Object> map, boolean isMap) {
      this.kind = kind;
      this.path = path;
      this.map = map;
      this.isMap = isMap;
    }

    static StorageException malformed(String kind, String problem) {
      return new Fields(kind, "", Map.of(), false).fail("", problem);
    }

    StorageException fail(String sub, String problem) {
      String at = path + sub;
      return new StorageException("malformed " + kind + " record: "
          + (at.isEmpty() ? "the record" : at) + " " + problem, false, null);
    }

    /** Whether an optional key holds a value; a {@code null} there counts as absent. */
    boolean has(String key) {
      Object v = map.get(key);
      if (v == null && map.containsKey(key)) {
        read++;
      }
      return v != null;
    }

    /** The value of a key that must be present; {@code null} is a value. */
    @Nullable Object any(String key) {
      if (!map.containsKey(key)) {
        throw fail("/" + key, "is required");
      }
      read++;
      return map.get(key);
    }

    /** A present, non-null value; {@code sub} is its path segment ({@code /*} for map keys). */
    private Object required(String key, String sub) {
      Object v = any(key);
      if (v == null) {
        throw fail(sub, "is required");
      }
      return v;
    }

    private @Nullable Object optional(String key) {
      if (map.containsKey(key)) {
        read++;
        return map.get(key);
      }
      return null;
    }

    /** A key's path segment: {@code /*} for the data's own keys. */
    private String sub(String key) {
      return isMap ? "/*" : "/" + key;
    }

    String string(String key) {
      if (required(key, sub(key)) instanceof String s) {
        return s;
      }
      throw fail(sub(key), "must be a string");
    }

    boolean bool(String key) {
      if (required(key, sub(key)) instanceof Boolean b) {
        return b;
      }
      throw fail(sub(key), "must be true or false");
    }

    long longValue(String key) {
      if (required(key, sub(key)) instanceof Long l) {
        return l;
      }
      throw fail(sub(key), "must be an integer that fits 64 bits");
    }

    Instant instant(String key) {
      return toInstant(string(key), key);
    }

    @Nullable String optionalString(String key) {
      Object v = optional(key);
      if (v == null || v instanceof String) {
        return (String) v;
      }
      throw fail(sub(key), "must be a string");
    }

    @Nullable Instant optionalInstant(String key) {
      Object v = optional(key);
      if (v == null) {
        return null;
      }
      if (v instanceof String s) {
        return toInstant(s, key);
      }
      throw fail(sub(key), "must be a string");
    }

    private Instant toInstant(String s, String key) {
      try {
        return IsoInstants.parseStored(s);
      } catch (DateTimeParseException x) {
        throw fail(sub(key), "is not an ISO-8601 instant");
      }
    }

    ProfileId profileId(String key) {
      String s = string(key);
      try {
        return ProfileId.of(s);
      } catch (IllegalArgumentException x) {
        throw fail(sub(key), "is not a valid profile id");
      }
    }

    Money money(String key) {
      Fields m = object(key);
      long minor = m.longValue("mu");
      String currency = m.string("cur");
      m.end();
      try {
        return Money.of(minor, currency);
      } catch (IllegalArgumentException x) {
        throw m.fail("/cur", "is not an ISO 4217 currency code");
      }
    }

    Identifier identifier(String key) {
      return toIdentifier(required(key, sub(key)), path + sub(key));
    }

    List<Identifier> identifiers(String key) {
      List<?> list = list(key);
      List<Identifier> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        out.add(toIdentifier(list.get(i), path + sub(key) + "/" + i));
      }
      return out;
    }

    private Identifier toIdentifier(@Nullable Object v, String at) {
      Fields here = new Fields(kind, at, Map.of(), false);
      if (!(v instanceof List<?> pair) || pair.size() != 2
          || !(pair.get(0) instanceof String type) || !(pair.get(1) instanceof String value)) {
        throw here.fail("", "must be an identifier: [type, value] as two strings");
      }
      IdentifierType t;
      try {
        t = IdentifierType.of(type);
      } catch (IllegalArgumentException x) {
        throw here.fail("/0", "is not a valid identifier type");
      }
      try {
        return new Identifier(t, value);
      } catch (IllegalArgumentException x) {
        throw here.fail("/1", "must be 1 to " + Identifier.MAX_VALUE_LENGTH + " characters");
      }
    }

    List<?> list(String key) {
      if (required(key, sub(key)) instanceof List<?> l) {
        return l;
      }
      throw fail(sub(key), "must be an array");
    }

    /** The objects in an optional array (empty when absent). */
    List<Fields> objects(String key) {
      Object v = optional(key);
      if (v == null) {
        return List.of();
      }
      if (!(v instanceof List<?> l)) {
        throw fail(sub(key), "must be an array");
      }
      List<Fields> out = new ArrayList<>(l.size());
      for (int i = 0; i < l.size(); i++) {
        out.add(toFields(l.get(i), sub(key) + "/" + i));
      }
      return out;
    }

    Fields object(String key) {
      return toFields(required(key, sub(key)), sub(key));
    }

    @Nullable Fields optionalObject(String key) {
      Object v = optional(key);
      return v == null ? null : toFields(v, sub(key), false);
    }

    /** An optional object keyed by the data (trait names, order ids, ...). */
    @Nullable Fields optionalMap(String key) {
      Object v = optional(key);
      return v == null ? null : toFields(v, sub(key), true);
    }

    private Fields toFields(@Nullable Object v, String sub) {
      return toFields(v, sub, false);
    }

    @SuppressWarnings("unchecked")
    private Fields toFields(@Nullable Object v, String sub, boolean isMapOfData) {
      if (v instanceof Map<?, ?> m) {
        return new Fields(kind, path + sub, (Map<String, @Nullable Object>) m, isMapOfData);
      }
      throw fail(sub, "must be an object");
    }

    /** Refuses keys that no getter read. */
    void end() {
      if (read != map.size()) {
        throw fail("", "holds an unknown key");
      }
    }
  }
}
