package io.cdpkit.core.internal.memory;

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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory store's own compact form of a stored event: one byte array per event, read back
 * into an equal {@link StoredEvent} on demand, so the store keeps no object of the caller's.
 *
 * <h2>Format</h2>
 * The messageId first (so a look-up can compare it without decoding the rest), then the stored
 * (normalised) identifiers (so the anchor is read without the rest), then a byte with the event
 * type, a bit set saying which optional fields follow, and the fields in a fixed order.
 * Integers are LEB128 varints, signed ones zigzag-coded. Strings are a varint header whose low
 * three bits give the kind: Latin-1 inline (one byte per char), UTF-16 inline (two), an entry of
 * the store's {@linkplain Dictionary dictionary}, a lower-case UUID in 16 bytes, or a reference
 * to a stored identifier's value (the userId and anonymousId repeat one as often as not). Every char is kept as it was, so any string round-trips. An
 * instant is its seconds and nanoseconds, the first one absolute and later ones as the
 * difference to the one before; nanoseconds that are whole milli- or microseconds take fewer
 * bytes. JSON-like values carry a tag: null, false, true, long, decimal with a long unscaled
 * value, decimal with a big one, string, list, map. A map keeps its key order.
 *
 * <p>Only names go to the dictionary: map keys, event names, identifier types, context fields
 * such as channel, store, source, locale and library, consent purposes, channels, sources and
 * policy versions. Values (ids, traits, properties, the IP address and the user agent) are always
 * inline, so erasing an event leaves none of its values behind.
 *
 * <p>Not thread-safe: the store calls it under its workspace lock.
 */
final class PackedEvents {
  private static final int STR_LATIN1 = 0;
  private static final int STR_UTF16 = 1;
  private static final int STR_DICT = 2;
  private static final int STR_UUID = 3;
  private static final int STR_BACKREF = 4;

  private static final int V_NULL = 0;
  private static final int V_FALSE = 1;
  private static final int V_TRUE = 2;
  private static final int V_LONG = 3;
  private static final int V_DECIMAL = 4;
  private static final int V_BIG_DECIMAL = 5;
  private static final int V_STRING = 6;
  private static final int V_LIST = 7;
  private static final int V_MAP = 8;

  // Presence bits of the optional fields, in the order they are written.
  private static final int F_USER_ID = 1;
  private static final int F_ANONYMOUS_ID = 1 << 1;
  private static final int F_PREVIOUS_ID = 1 << 2;
  private static final int F_GROUP_ID = 1 << 3;
  private static final int F_NAME = 1 << 4;
  private static final int F_TIMESTAMP = 1 << 5;
  private static final int F_ORIGINAL_TIMESTAMP = 1 << 6;
  private static final int F_SENT_AT = 1 << 7;
  private static final int F_RECEIVED_AT = 1 << 8;
  private static final int F_IDENTIFIERS = 1 << 9;
  private static final int F_PROPERTIES = 1 << 10;
  private static final int F_TRAITS = 1 << 11;
  private static final int F_CONTEXT = 1 << 12;
  private static final int F_CONSENTS = 1 << 13;
  private static final int F_EXTRA = 1 << 14;
  private static final int F_KEY_TIME = 1 << 15;
  private static final int F_KEY_MESSAGE_ID = 1 << 16;

  // Presence bits of a context's fields.
  private static final int C_CHANNEL = 1;
  private static final int C_STORE_ID = 1 << 1;
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

  // Presence bits of a consent decision's optional fields (above granted and the basis).
  private static final int K_GRANTED = 1 << 3;
  private static final int K_SOURCE = 1 << 4;
  private static final int K_POLICY = 1 << 5;
  private static final int K_PROOF = 1 << 6;
  private static final int K_EXPIRES = 1 << 7;
  private static final int P_FORM = 1;
  private static final int P_REFERENCE = 1 << 1;
  private static final int P_CONFIRMED = 1 << 2;

  private static final EventType[] TYPES = EventType.values();
  private static final LawfulBasis[] BASES = LawfulBasis.values();

  private final Dictionary dict;
  /** The buffer events are written to before they are copied out at their exact size. */
  private byte[] buf = new byte[512];
  private int pos;
  /** The strings of the event being written that a stored identifier may refer back to. */
  private final ArrayList<String> earlier = new ArrayList<>();

  PackedEvents(Dictionary dict) {
    this.dict = dict;
  }

  // ------------------------------------------------------------------ writing

  /** The event in its compact form. */
  byte[] pack(StoredEvent stored) {
    int length = write(stored); // first: the write may replace the buffer with a larger one
    return Arrays.copyOf(buf, length);
  }

  /**
   * Packs the event into this packer's buffer and returns its length; {@link #copyOut} copies
   * it out before the next write.
   */
  int write(StoredEvent stored) {
    pos = 0;
    earlier.clear();
    Event e = stored.event();
    string(e.messageId(), false);
    // The stored identifiers next, so that the anchor is read without the rest (anchor()); the
    // userId, anonymousId and raw identifiers further on refer back to their values.
    varint(stored.identifiers().size());
    for (Identifier id : stored.identifiers()) {
      string(id.type().id(), true);
      string(id.value(), false);
      earlier.add(id.value());
    }
    int flags = 0;
    flags |= e.userId() != null ? F_USER_ID : 0;
    flags |= e.anonymousId() != null ? F_ANONYMOUS_ID : 0;
    flags |= e.previousId() != null ? F_PREVIOUS_ID : 0;
    flags |= e.groupId() != null ? F_GROUP_ID : 0;
    flags |= e.name() != null ? F_NAME : 0;
    flags |= e.timestamp() != null ? F_TIMESTAMP : 0;
    flags |= e.originalTimestamp() != null ? F_ORIGINAL_TIMESTAMP : 0;
    flags |= e.sentAt() != null ? F_SENT_AT : 0;
    flags |= e.receivedAt() != null ? F_RECEIVED_AT : 0;
    flags |= !e.identifiers().isEmpty() ? F_IDENTIFIERS : 0;
    flags |= !e.properties().isEmpty() ? F_PROPERTIES : 0;
    flags |= !e.traits().isEmpty() ? F_TRAITS : 0;
    flags |= !e.context().equals(EventContext.EMPTY) ? F_CONTEXT : 0;
    flags |= !e.consents().isEmpty() ? F_CONSENTS : 0;
    flags |= !e.extra().isEmpty() ? F_EXTRA : 0;
    EventKey key = stored.key();
    boolean keyTimeDerived = key.time().equals(eventTimeOrNull(e));
    flags |= keyTimeDerived ? 0 : F_KEY_TIME;
    flags |= key.messageId().equals(e.messageId()) ? 0 : F_KEY_MESSAGE_ID;
    writeByte(e.type().ordinal());
    varint(flags);
    Instant[] last = {null};
    if (e.userId() != null) {
      refString(e.userId());
    }
    if (e.anonymousId() != null) {
      refString(e.anonymousId());
    }
    if (e.previousId() != null) {
      refString(e.previousId());
    }
    if (e.groupId() != null) {
      refString(e.groupId());
    }
    if (e.name() != null) {
      string(e.name(), true);
    }
    instantField(e.timestamp(), last);
    instantField(e.originalTimestamp(), last);
    instantField(e.sentAt(), last);
    instantField(e.receivedAt(), last);
    if (!e.identifiers().isEmpty()) {
      varint(e.identifiers().size());
      for (Identifier id : e.identifiers()) {
        string(id.type().id(), true);
        refString(id.value());
      }
    }
    if (!e.properties().isEmpty()) {
      map(e.properties());
    }
    if (!e.traits().isEmpty()) {
      map(e.traits());
    }
    if ((flags & F_CONTEXT) != 0) {
      context(e.context());
    }
    if (!e.consents().isEmpty()) {
      varint(e.consents().size());
      for (ConsentChange c : e.consents()) {
        consent(c);
      }
    }
    if (!e.extra().isEmpty()) {
      map(e.extra());
    }
    if (!keyTimeDerived) {
      instant(key.time(), null);
    }
    if ((flags & F_KEY_MESSAGE_ID) != 0) {
      string(key.messageId(), false);
    }
    return pos;
  }

  /** Copies the event {@link #write} packed last to {@code to} at {@code offset}. */
  void copyOut(byte[] to, int offset) {
    System.arraycopy(buf, 0, to, offset, pos);
  }

  private static @Nullable Instant eventTimeOrNull(Event e) {
    try {
      return e.eventTime();
    } catch (IllegalStateException ex) {
      return null; // neither a client time nor receivedAt: the key's time is written
    }
  }

  /** A string, as a reference to a stored identifier's value when it is one. */
  private void refString(String s) {
    int ref = earlier.indexOf(s);
    if (ref >= 0) {
      varint(((long) ref << 3) | STR_BACKREF);
    } else {
      string(s, false);
    }
  }

  private void context(EventContext c) {
    int f = 0;
    f |= c.channel() != null ? C_CHANNEL : 0;
    f |= c.storeId() != null ? C_STORE_ID : 0;
    f |= c.source() != null ? C_SOURCE : 0;
    f |= c.locale() != null ? C_LOCALE : 0;
    f |= c.ip() != null ? C_IP : 0;
    f |= c.userAgent() != null ? C_USER_AGENT : 0;
    f |= c.libraryName() != null ? C_LIBRARY_NAME : 0;
    f |= c.libraryVersion() != null ? C_LIBRARY_VERSION : 0;
    f |= !c.device().isEmpty() ? C_DEVICE : 0;
    f |= !c.campaign().isEmpty() ? C_CAMPAIGN : 0;
    f |= !c.traits().isEmpty() ? C_TRAITS : 0;
    f |= !c.other().isEmpty() ? C_OTHER : 0;
    varint(f);
    optName(c.channel());
    optName(c.storeId());
    optName(c.source());
    optName(c.locale());
    if (c.ip() != null) {
      string(c.ip(), false);
    }
    if (c.userAgent() != null) {
      string(c.userAgent(), false);
    }
    optName(c.libraryName());
    optName(c.libraryVersion());
    optMap(c.device());
    optMap(c.campaign());
    optMap(c.traits());
    optMap(c.other());
  }

  private void consent(ConsentChange c) {
    int f = c.basis().ordinal();
    f |= c.granted() ? K_GRANTED : 0;
    f |= c.source() != null ? K_SOURCE : 0;
    f |= c.policyVersion() != null ? K_POLICY : 0;
    f |= c.proof() != null ? K_PROOF : 0;
    f |= c.expiresAt() != null ? K_EXPIRES : 0;
    writeByte(f);
    string(c.purpose(), true);
    string(c.channel(), true);
    optName(c.source());
    optName(c.policyVersion());
    ConsentProof p = c.proof();
    if (p != null) {
      int pf = (p.formId() != null ? P_FORM : 0) | (p.reference() != null ? P_REFERENCE : 0)
          | (p.confirmedAt() != null ? P_CONFIRMED : 0);
      writeByte(pf);
      optName(p.formId());
      if (p.reference() != null) {
        string(p.reference(), false);
      }
      if (p.confirmedAt() != null) {
        instant(p.confirmedAt(), null);
      }
    }
    if (c.expiresAt() != null) {
      instant(c.expiresAt(), null);
    }
  }

  private void optName(@Nullable String s) {
    if (s != null) {
      string(s, true);
    }
  }

  private void optMap(Map<String, @Nullable Object> m) {
    if (!m.isEmpty()) {
      map(m);
    }
  }

  private void map(Map<String, ?> m) {
    varint(m.size());
    // forEach, not entrySet(): an unmodifiable map's entry iterator wraps every entry.
    m.forEach(this::entry);
  }

  private void entry(String key, @Nullable Object value) {
    string(key, true);
    value(value);
  }

  private void value(@Nullable Object v) {
    if (v == null) {
      writeByte(V_NULL);
    } else if (v instanceof String s) {
      writeByte(V_STRING);
      string(s, false);
    } else if (v instanceof Boolean b) {
      writeByte(b ? V_TRUE : V_FALSE);
    } else if (v instanceof Long l) {
      writeByte(V_LONG);
      zigzag(l);
    } else if (v instanceof BigDecimal d) {
      BigInteger u = d.unscaledValue();
      if (u.bitLength() < 64) {
        writeByte(V_DECIMAL);
        zigzag(d.scale());
        zigzag(u.longValue());
      } else {
        writeByte(V_BIG_DECIMAL);
        zigzag(d.scale());
        byte[] b = u.toByteArray();
        varint(b.length);
        writeBytes(b);
      }
    } else if (v instanceof List<?> l) {
      writeByte(V_LIST);
      varint(l.size());
      for (Object o : l) {
        value(o);
      }
    } else if (v instanceof Map<?, ?> m) {
      writeByte(V_MAP);
      @SuppressWarnings("unchecked")
      Map<String, ?> sm = (Map<String, ?>) m;
      map(sm);
    } else {
      // An Event's values are copied to these types; anything else is a bug upstream.
      throw new IllegalArgumentException("not a JSON-like value: " + v.getClass().getName());
    }
  }

  private void instantField(@Nullable Instant t, Instant[] last) {
    if (t != null) {
      instant(t, last[0]);
      last[0] = t;
    }
  }

  /** An instant, as the difference to {@code base} when there is one. */
  private void instant(Instant t, @Nullable Instant base) {
    long seconds = base == null ? t.getEpochSecond() : t.getEpochSecond() - base.getEpochSecond();
    zigzag(seconds);
    int nanos = t.getNano();
    if (nanos % 1_000_000 == 0) {
      varint((long) (nanos / 1_000_000) << 2);
    } else if (nanos % 1_000 == 0) {
      varint(((long) (nanos / 1_000) << 2) | 1);
    } else {
      varint(((long) nanos << 2) | 2);
    }
  }

  private void string(String s, boolean name) {
    int n = s.length();
    if (name) {
      int id = dict.id(s);
      if (id >= 0) {
        varint(((long) id << 3) | STR_DICT);
        return;
      }
    }
    if (n == 36 && uuid(s)) {
      return;
    }
    // Latin-1 optimistically, in one pass; rewritten as UTF-16 at the first char above 0xFF.
    int start = pos;
    varint(((long) n << 3) | STR_LATIN1);
    ensure(n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c > 0xFF) {
        pos = start;
        utf16(s);
        return;
      }
      buf[pos++] = (byte) c;
    }
  }

  private void utf16(String s) {
    int n = s.length();
    varint(((long) n << 3) | STR_UTF16);
    ensure(2 * n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      buf[pos++] = (byte) (c >>> 8);
      buf[pos++] = (byte) c;
    }
  }

  /** Writes {@code s} as 16 bytes when it is a lower-case UUID ({@code 8-4-4-4-12} hex). */
  private boolean uuid(String s) {
    if (s.charAt(8) != '-' || s.charAt(13) != '-' || s.charAt(18) != '-'
        || s.charAt(23) != '-') {
      return false;
    }
    ensure(17);
    int start = pos;
    buf[pos++] = STR_UUID;
    for (int i = 0; i < 36; i += 2) {
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        i--; // skip the dash: the pair starts after it
        continue;
      }
      char hi = s.charAt(i);
      char lo = s.charAt(i + 1);
      int h = CompactIds.digit(hi);
      int l = CompactIds.digit(lo);
      if ((h | l) < 0) {
        pos = start;
        return false;
      }
      buf[pos++] = (byte) ((h << 4) | l);
    }
    return true;
  }

  private void zigzag(long v) {
    varint((v << 1) ^ (v >> 63));
  }

  private void varint(long v) {
    if ((v & ~0x7FL) == 0 && pos < buf.length) {
      buf[pos++] = (byte) v;
      return;
    }
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  private void writeByte(int b) {
    ensure(1);
    buf[pos++] = (byte) b;
  }

  private void writeBytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }

  // ------------------------------------------------------------------ reading

  /** The messageId of a packed event (it is written first). */
  String messageId(byte[] packed) {
    return messageId(packed, 0);
  }

  /** The messageId of the event packed in {@code b} from {@code offset}. */
  String messageId(byte[] b, int offset) {
    return new Reader(b, offset, dict).string(null);
  }

  /** The anchor of a packed event (its first stored identifier), without reading the rest. */
  @Nullable Identifier anchor(byte[] packed) {
    return anchor(packed, 0);
  }

  /** The anchor of the event packed in {@code b} from {@code offset}. */
  @Nullable Identifier anchor(byte[] b, int offset) {
    return new Reader(b, offset, dict).anchor();
  }

  /** The stored event a packed one holds, equal to the one packed. */
  StoredEvent unpack(byte[] packed) {
    return unpack(packed, 0);
  }

  /** The stored event packed in {@code b} from {@code offset}. */
  StoredEvent unpack(byte[] b, int offset) {
    return new Reader(b, offset, dict).event();
  }

  /** One read of one packed event. */
  private static final class Reader {
    private final byte[] b;
    private final Dictionary dict;
    private int at;
    private final ArrayList<String> earlier = new ArrayList<>(4);

    Reader(byte[] b, int offset, Dictionary dict) {
      this.b = b;
      this.at = offset;
      this.dict = dict;
    }

    /** The stored identifiers, which follow the messageId; remembered for back-references. */
    List<Identifier> storedIdentifiers() {
      int n = (int) varint();
      if (n == 0) {
        return List.of();
      }
      Identifier[] ids = new Identifier[n];
      for (int i = 0; i < n; i++) {
        IdentifierType t = IdentifierType.of(string(null));
        ids[i] = new Identifier(t, string(earlier));
      }
      return List.of(ids);
    }

    /** The anchor: the first stored identifier, or null. */
    @Nullable Identifier anchor() {
      string(null);
      if (varint() == 0) {
        return null;
      }
      IdentifierType t = IdentifierType.of(string(null));
      return new Identifier(t, string(null));
    }

    StoredEvent event() {
      String messageId = string(null);
      List<Identifier> stored = storedIdentifiers();
      EventType type = TYPES[b[at++]];
      int f = (int) varint();
      String userId = (f & F_USER_ID) != 0 ? string(null) : null;
      String anonymousId = (f & F_ANONYMOUS_ID) != 0 ? string(null) : null;
      String previousId = (f & F_PREVIOUS_ID) != 0 ? string(null) : null;
      String groupId = (f & F_GROUP_ID) != 0 ? string(null) : null;
      String name = (f & F_NAME) != 0 ? string(null) : null;
      Instant last = null;
      Instant timestamp = null;
      if ((f & F_TIMESTAMP) != 0) {
        last = timestamp = instant(last);
      }
      Instant originalTimestamp = null;
      if ((f & F_ORIGINAL_TIMESTAMP) != 0) {
        last = originalTimestamp = instant(last);
      }
      Instant sentAt = null;
      if ((f & F_SENT_AT) != 0) {
        last = sentAt = instant(last);
      }
      Instant receivedAt = (f & F_RECEIVED_AT) != 0 ? instant(last) : null;
      List<Identifier> identifiers = List.of();
      if ((f & F_IDENTIFIERS) != 0) {
        int n = (int) varint();
        identifiers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          IdentifierType t = IdentifierType.of(string(null));
          identifiers.add(new Identifier(t, string(null)));
        }
      }
      Map<String, @Nullable Object> properties = (f & F_PROPERTIES) != 0 ? map() : Map.of();
      Map<String, @Nullable Object> traits = (f & F_TRAITS) != 0 ? map() : Map.of();
      EventContext context = (f & F_CONTEXT) != 0 ? context() : EventContext.EMPTY;
      List<ConsentChange> consents = List.of();
      if ((f & F_CONSENTS) != 0) {
        int n = (int) varint();
        consents = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          consents.add(consent());
        }
      }
      Map<String, @Nullable Object> extra = (f & F_EXTRA) != 0 ? map() : Map.of();
      Event e = new Event(type, messageId, userId, anonymousId, previousId, groupId, name,
          identifiers, properties, traits, context, consents, timestamp, originalTimestamp,
          sentAt, receivedAt, extra);
      Instant keyTime = (f & F_KEY_TIME) != 0 ? instant(null) : e.eventTime();
      String keyMessageId = (f & F_KEY_MESSAGE_ID) != 0 ? string(null) : messageId;
      return new StoredEvent(e, new EventKey(keyTime, keyMessageId), stored,
          stored.isEmpty() ? null : stored.get(0));
    }

    private EventContext context() {
      int f = (int) varint();
      EventContext.Builder c = EventContext.builder()
          .channel((f & C_CHANNEL) != 0 ? string(null) : null)
          .storeId((f & C_STORE_ID) != 0 ? string(null) : null)
          .source((f & C_SOURCE) != 0 ? string(null) : null)
          .locale((f & C_LOCALE) != 0 ? string(null) : null)
          .ip((f & C_IP) != 0 ? string(null) : null)
          .userAgent((f & C_USER_AGENT) != 0 ? string(null) : null);
      String libraryName = (f & C_LIBRARY_NAME) != 0 ? string(null) : null;
      String libraryVersion = (f & C_LIBRARY_VERSION) != 0 ? string(null) : null;
      c.library(libraryName, libraryVersion);
      if ((f & C_DEVICE) != 0) {
        c.device(map());
      }
      if ((f & C_CAMPAIGN) != 0) {
        c.campaign(map());
      }
      if ((f & C_TRAITS) != 0) {
        c.traits(map());
      }
      if ((f & C_OTHER) != 0) {
        c.other(map());
      }
      return c.build();
    }

    private ConsentChange consent() {
      int f = b[at++] & 0xFF;
      LawfulBasis basis = BASES[f & 0x7];
      String purpose = string(null);
      String channel = string(null);
      String source = (f & K_SOURCE) != 0 ? string(null) : null;
      String policy = (f & K_POLICY) != 0 ? string(null) : null;
      ConsentProof proof = null;
      if ((f & K_PROOF) != 0) {
        int pf = b[at++];
        String formId = (pf & P_FORM) != 0 ? string(null) : null;
        String reference = (pf & P_REFERENCE) != 0 ? string(null) : null;
        Instant confirmedAt = (pf & P_CONFIRMED) != 0 ? instant(null) : null;
        proof = new ConsentProof(formId, reference, confirmedAt);
      }
      Instant expiresAt = (f & K_EXPIRES) != 0 ? instant(null) : null;
      return new ConsentChange(purpose, channel, (f & K_GRANTED) != 0, basis, source, policy,
          proof, expiresAt);
    }

    private Map<String, @Nullable Object> map() {
      int n = (int) varint();
      LinkedHashMap<String, @Nullable Object> m = new LinkedHashMap<>(Math.max(4, n * 2));
      for (int i = 0; i < n; i++) {
        String k = string(null);
        m.put(k, value());
      }
      return m;
    }

    private @Nullable Object value() {
      int tag = b[at++];
      switch (tag) {
        case V_NULL:
          return null;
        case V_FALSE:
          return Boolean.FALSE;
        case V_TRUE:
          return Boolean.TRUE;
        case V_LONG:
          return zigzag();
        case V_DECIMAL: {
          int scale = (int) zigzag();
          return BigDecimal.valueOf(zigzag(), scale);
        }
        case V_BIG_DECIMAL: {
          int scale = (int) zigzag();
          int n = (int) varint();
          byte[] u = Arrays.copyOfRange(b, at, at + n);
          at += n;
          return new BigDecimal(new BigInteger(u), scale);
        }
        case V_STRING:
          return string(null);
        case V_LIST: {
          int n = (int) varint();
          List<@Nullable Object> l = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            l.add(value());
          }
          return l;
        }
        case V_MAP:
          return map();
        default:
          throw new IllegalStateException("corrupt packed event: value tag " + tag);
      }
    }

    private Instant instant(@Nullable Instant base) {
      long seconds = zigzag();
      long n = varint();
      int nanos = switch ((int) (n & 3)) {
        case 0 -> (int) (n >>> 2) * 1_000_000;
        case 1 -> (int) (n >>> 2) * 1_000;
        default -> (int) (n >>> 2);
      };
      return Instant.ofEpochSecond(base == null ? seconds : base.getEpochSecond() + seconds,
          nanos);
    }

    /** A string; {@code refs}, when given, remembers it for later back-references. */
    String string(@Nullable List<String> refs) {
      long h = varint();
      int kind = (int) (h & 7);
      int n = (int) (h >>> 3);
      String s;
      switch (kind) {
        case STR_LATIN1 -> {
          s = new String(b, at, n, java.nio.charset.StandardCharsets.ISO_8859_1);
          at += n;
        }
        case STR_UTF16 -> {
          char[] cs = new char[n];
          for (int i = 0; i < n; i++) {
            cs[i] = (char) (((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF));
            at += 2;
          }
          s = new String(cs);
        }
        case STR_DICT -> s = dict.string(n);
        case STR_UUID -> {
          char[] cs = new char[36];
          int c = 0;
          for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
              cs[c++] = '-';
            }
            int v = b[at++] & 0xFF;
            cs[c++] = Character.forDigit(v >>> 4, 16);
            cs[c++] = Character.forDigit(v & 0xF, 16);
          }
          s = new String(cs);
        }
        case STR_BACKREF -> s = earlier.get(n);
        default -> throw new IllegalStateException("corrupt packed event: string kind " + kind);
      }
      if (refs != null) {
        refs.add(s);
      }
      return s;
    }

    private long zigzag() {
      long v = varint();
      return (v >>> 1) ^ -(v & 1);
    }

    private long varint() {
      long v = 0;
      int shift = 0;
      while (true) {
        byte x = b[at++];
        v |= (long) (x & 0x7F) << shift;
        if (x >= 0) {
          return v;
        }
        shift += 7;
      }
    }
  }

  /**
   * The names packed events share, each kept once: a string's id is its position. Entries are
   * never removed (a rolled-back event may leave one unused); at most {@link #MAX} are taken,
   * later names are written inline. Not thread-safe: guarded as the store's events are.
   */
  static final class Dictionary {
    /** Most entries; names beyond it are written inline. */
    static final int MAX = 1 << 16;
    /** Longest name taken into the dictionary; a longer one is written inline. */
    static final int MAX_LENGTH = 64;

    private final HashMap<String, Integer> ids = new HashMap<>();
    private String[] strings = new String[64];
    private int size;
    /**
     * The names looked up last, by their hash: names are mostly the same instances (constants
     * of the sender's code), found here by identity without a map look-up.
     */
    private final String[] recent = new String[256];
    private final int[] recentIds = new int[256];

    /** The id of {@code s}, added when new and there is room; -1 when it is not taken. */
    int id(String s) {
      int r = s.hashCode() & (recent.length - 1);
      if (recent[r] == s) {
        return recentIds[r];
      }
      int id = slowId(s);
      if (id >= 0) {
        recent[r] = s;
        recentIds[r] = id;
      }
      return id;
    }

    private int slowId(String s) {
      Integer id = ids.get(s);
      if (id != null) {
        return id;
      }
      if (size == MAX || s.length() > MAX_LENGTH) {
        return -1;
      }
      if (size == strings.length) {
        strings = Arrays.copyOf(strings, size * 2);
      }
      strings[size] = s;
      ids.put(s, size);
      return size++;
    }

    String string(int id) {
      return strings[id];
    }
  }
}
