package io.cdpkit.core.internal.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.cdpkit.core.internal.JsonValues;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.LawfulBasis;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.Identifier;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Writes an {@link Event} as a Segment-shaped message, the inverse of {@link EventMapping}: for
 * every event it accepts, {@code EventMapping.toEvent(read(write(e)), null)} equals {@code e}.
 *
 * <p>Stateless; thread-safe.
 */
public final class EventWriter {
  private EventWriter() {}

  /**
   * Checks that {@code event} can be written so that it reads back equal.
   *
   * @throws IllegalArgumentException when {@code extra} or {@code context.other} holds a key the
   *     codec maps to a field of its own (the message names the key, never a value), or a string
   *     holds an unpaired UTF-16 surrogate (Jackson would write it as an escape the reader
   *     refuses)
   */
  public static void checkWritable(Event event) {
    String nameKey = EventMapping.nameKey(event.type());
    for (String key : event.extra().keySet()) {
      if (EventMapping.TOP_LEVEL.contains(key) || key.equals(nameKey)) {
        throw new IllegalArgumentException("extra holds the key '" + key + "', which is written "
            + "from the event's own field; move the value there");
      }
    }
    checkContextWritable(event.context());
    if (!validText(event)) {
      throw new IllegalArgumentException("the event holds a string with an unpaired UTF-16 "
          + "surrogate, which the reader refuses");
    }
  }

  /** Whether every string of the event, keys included, is well-formed UTF-16. */
  private static boolean validText(Event e) {
    EventContext c = e.context();
    for (String s : new String[] {e.messageId(), e.userId(), e.anonymousId(), e.previousId(),
        e.groupId(), e.name(), c.channel(), c.storeId(), c.source(), c.locale(), c.ip(),
        c.userAgent(), c.libraryName(), c.libraryVersion()}) {
      if (s != null && JsonTreeReader.hasUnpairedSurrogate(s)) {
        return false;
      }
    }
    for (Identifier id : e.identifiers()) {
      if (JsonTreeReader.hasUnpairedSurrogate(id.value())) {
        return false;
      }
    }
    for (Object m : new Object[] {e.properties(), e.traits(), e.extra(), c.device(),
        c.campaign(), c.traits(), c.other()}) {
      if (!validText(m)) {
        return false;
      }
    }
    return true;
  }

  static boolean validText(@Nullable Object v) {
    if (JsonValues.textChecked(v)) {
      return true; // the door's text rule refused unpaired surrogates in it already
    }
    if (v instanceof String s) {
      return !JsonTreeReader.hasUnpairedSurrogate(s);
    }
    if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> entry : m.entrySet()) {
        if (!validText(entry.getKey()) || !validText(entry.getValue())) {
          return false;
        }
      }
    } else if (v instanceof List<?> l) {
      for (Object o : l) {
        if (!validText(o)) {
          return false;
        }
      }
    }
    return true;
  }

  static void checkContextWritable(EventContext context) {
    for (String key : context.other().keySet()) {
      if (EventMapping.CONTEXT_KEYS.contains(key)) {
        throw new IllegalArgumentException("context.other holds the key '" + key + "', which is "
            + "written from the context's own field (or the event's identifiers)");
      }
    }
  }

  /** Writes {@code event}; call {@link #checkWritable(Event)} first. */
  public static void write(Event event, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", event.type().wireName());
    g.writeStringField("messageId", event.messageId());
    stringField(g, "userId", event.userId());
    stringField(g, "anonymousId", event.anonymousId());
    stringField(g, "previousId", event.previousId());
    stringField(g, "groupId", event.groupId());
    stringField(g, EventMapping.nameKey(event.type()), event.name());
    mapField(g, "properties", event.properties());
    mapField(g, "traits", event.traits());
    writeContext(g, event.context(), event.identifiers(),
        EventMapping.derivedChannel(event.extra().get("channel")));
    if (!event.consents().isEmpty()) {
      g.writeArrayFieldStart("consent");
      for (ConsentChange c : event.consents()) {
        writeConsent(g, c);
      }
      g.writeEndArray();
    }
    instantField(g, "timestamp", event.timestamp());
    instantField(g, "originalTimestamp", event.originalTimestamp());
    instantField(g, "sentAt", event.sentAt());
    instantField(g, "receivedAt", event.receivedAt());
    for (Map.Entry<String, @Nullable Object> e : event.extra().entrySet()) {
      g.writeFieldName(e.getKey());
      writeValue(g, e.getValue());
    }
    g.writeEndObject();
  }

  /**
   * Writes the {@code context} field when there is anything to say. {@code context.channel} is
   * left out when it equals {@code derivedChannel} (what the reader infers from the top-level
   * {@code channel}), and written as {@code null} when the context has none but one would be
   * inferred, so that the event reads back equal.
   */
  static void writeContext(JsonGenerator g, EventContext c, List<Identifier> identifiers,
      @Nullable String derivedChannel) throws IOException {
    boolean channel = !Objects.equals(c.channel(), derivedChannel);
    boolean any = channel || c.storeId() != null || c.source() != null || c.locale() != null
        || c.ip() != null || c.userAgent() != null || c.libraryName() != null
        || c.libraryVersion() != null || !c.device().isEmpty() || !c.campaign().isEmpty()
        || !c.traits().isEmpty() || !c.other().isEmpty() || !identifiers.isEmpty();
    if (!any) {
      return;
    }
    g.writeFieldName("context");
    writeContextObject(g, c, identifiers, channel);
  }

  /** Writes a context object; {@code channel} says whether to write the channel key. */
  public static void writeContextObject(JsonGenerator g, EventContext c,
      List<Identifier> identifiers, boolean channel) throws IOException {
    g.writeStartObject();
    if (channel) {
      g.writeFieldName("channel");
      if (c.channel() == null) {
        g.writeNull();
      } else {
        g.writeString(c.channel());
      }
    }
    stringField(g, "storeId", c.storeId());
    stringField(g, "source", c.source());
    stringField(g, "locale", c.locale());
    stringField(g, "ip", c.ip());
    stringField(g, "userAgent", c.userAgent());
    if (c.libraryName() != null || c.libraryVersion() != null) {
      g.writeObjectFieldStart("library");
      stringField(g, "name", c.libraryName());
      stringField(g, "version", c.libraryVersion());
      g.writeEndObject();
    }
    mapField(g, "device", c.device());
    mapField(g, "campaign", c.campaign());
    mapField(g, "traits", c.traits());
    if (!identifiers.isEmpty()) {
      g.writeArrayFieldStart("externalIds");
      for (Identifier id : identifiers) {
        writeIdentifier(g, id);
      }
      g.writeEndArray();
    }
    for (Map.Entry<String, @Nullable Object> e : c.other().entrySet()) {
      g.writeFieldName(e.getKey());
      writeValue(g, e.getValue());
    }
    g.writeEndObject();
  }

  /** {@code {"id": value, "type": type}}, an element of {@code context.externalIds}. */
  public static void writeIdentifier(JsonGenerator g, Identifier id) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", id.value());
    g.writeStringField("type", id.type().id());
    g.writeEndObject();
  }

  /**
   * {@code {"purpose": ..., "channel": ..., "granted": ...}} and the evidence that is present;
   * {@code basis} only when it is not {@code consent} (a missing basis reads as consent).
   */
  public static void writeConsent(JsonGenerator g, ConsentChange c) throws IOException {
    g.writeStartObject();
    g.writeStringField("purpose", c.purpose());
    g.writeStringField("channel", c.channel());
    g.writeBooleanField("granted", c.granted());
    if (c.basis() != LawfulBasis.CONSENT) {
      g.writeStringField("basis", c.basis().wireName());
    }
    stringField(g, "source", c.source());
    stringField(g, "policyVersion", c.policyVersion());
    ConsentProof p = c.proof();
    if (p != null) {
      g.writeObjectFieldStart("proof");
      stringField(g, "formId", p.formId());
      stringField(g, "reference", p.reference());
      if (p.confirmedAt() != null) {
        g.writeStringField("confirmedAt", IsoInstants.format(p.confirmedAt()));
      }
      g.writeEndObject();
    }
    if (c.expiresAt() != null) {
      g.writeStringField("expiresAt", IsoInstants.format(c.expiresAt()));
    }
    g.writeEndObject();
  }

  private static void stringField(JsonGenerator g, String key, @Nullable String value)
      throws IOException {
    if (value != null) {
      g.writeStringField(key, value);
    }
  }

  private static void instantField(JsonGenerator g, String key, @Nullable Instant value)
      throws IOException {
    if (value != null) {
      g.writeStringField(key, IsoInstants.format(value));
    }
  }

  private static void mapField(JsonGenerator g, String key, Map<String, @Nullable Object> map)
      throws IOException {
    if (!map.isEmpty()) {
      g.writeFieldName(key);
      writeValue(g, map);
    }
  }

  /** Writes one JSON-like value (the types {@link io.cdpkit.core.internal.JsonValues} keeps). */
  static void writeValue(JsonGenerator g, @Nullable Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof BigDecimal d) {
      g.writeNumber(decimalText(d));
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName((String) e.getKey());
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof List<?> l) {
      g.writeStartArray();
      for (Object o : l) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else {
      // Cannot happen for values copied by JsonValues; name the type, never the value.
      throw new IllegalArgumentException("unsupported value type " + v.getClass().getName());
    }
  }

  /**
   * A decimal's JSON text that reads back as an equal {@code BigDecimal} (same scale), never as a
   * {@code Long}: {@link BigDecimal#toString()} has a point or an exponent unless the scale is 0,
   * and a scale-0 decimal that fits a long gets an explicit {@code E0}. Larger scale-0 decimals
   * are written as plain digits, which the reader turns into a {@code BigDecimal} anyway.
   */
  static String decimalText(BigDecimal d) {
    if (d.scale() != 0) {
      return d.toString();
    }
    if (d.unscaledValue().bitLength() < 64) {
      return d.unscaledValue() + "E0";
    }
    return d.unscaledValue().toString();
  }
}
