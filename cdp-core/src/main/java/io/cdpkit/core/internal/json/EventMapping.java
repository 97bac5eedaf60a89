package io.cdpkit.core.internal.json;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.LawfulBasis;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Maps a message read by {@link JsonTreeReader} to an {@link Event}. The mapping is described in
 * {@link io.cdpkit.core.json.EventCodec}; {@link EventWriter} is its inverse. Every failure is an
 * {@link InvalidEventException} whose pointer is relative to the message and whose reason never
 * holds a value.
 *
 * <p>Stateless; thread-safe.
 */
public final class EventMapping {
  /** Top-level keys mapped to event fields whatever the type ({@code event}/{@code name} aside). */
  static final Set<String> TOP_LEVEL = Set.of("type", "messageId", "userId", "anonymousId",
      "previousId", "groupId", "properties", "traits", "context", "consent", "timestamp",
      "originalTimestamp", "sentAt", "receivedAt");
  /** Context keys mapped to {@link EventContext} fields or to identifiers. */
  static final Set<String> CONTEXT_KEYS = Set.of("channel", "storeId", "source", "locale", "ip",
      "userAgent", "library", "device", "campaign", "traits", "externalIds");

  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ISO_OFFSET_DATE_TIME.withLocale(Locale.ROOT);
  private static final DateTimeFormatter ISO_LOCAL =
      DateTimeFormatter.ISO_LOCAL_DATE_TIME.withLocale(Locale.ROOT);

  private EventMapping() {}

  /** The top-level key holding the event name: {@code event} for a track, else {@code name}. */
  static String nameKey(EventType type) {
    return type == EventType.TRACK ? "event" : "name";
  }

  /**
   * The retail channel implied by Segment's top-level {@code channel}: {@code browser} is
   * {@code web}, {@code mobile} is {@code app}, anything else none.
   */
  static @Nullable String derivedChannel(@Nullable Object segmentChannel) {
    if ("browser".equals(segmentChannel)) {
      return "web";
    }
    if ("mobile".equals(segmentChannel)) {
      return "app";
    }
    return null;
  }

  /**
   * The event in {@code message}.
   *
   * @param batchContext a batch's {@code context}, merged under the message's own (message keys
   *     win), or {@code null}
   */
  public static Event toEvent(Map<String, @Nullable Object> message,
      @Nullable Map<String, @Nullable Object> batchContext) {
    return toEvent(message, batchContext, null, Reading.STRICT);
  }

  /**
   * The event in {@code message}, read as {@code reading} says: date-times without a zone in its
   * zone, a missing {@code messageId} derived from the message.
   *
   * @param batchContext a batch's {@code context}, merged under the message's own (message keys
   *     win), or {@code null}
   * @param batchSentAt a batch's {@code sentAt}, the message's when it has none, or {@code null}
   */
  public static Event toEvent(Map<String, @Nullable Object> message,
      @Nullable Map<String, @Nullable Object> batchContext, @Nullable Instant batchSentAt,
      Reading reading) {
    ZoneId zone = reading.zone();
    Object typeValue = message.get("type");
    EventType type;
    if (typeValue == null && !message.containsKey("type") && reading.typeIfMissing() != null) {
      type = reading.typeIfMissing();
    } else if (typeValue == null) {
      throw new InvalidEventException("/type", "is required");
    } else if (!(typeValue instanceof String typeName)) {
      throw new InvalidEventException("/type", "must be a string");
    } else {
      type = EventType.fromWireName(typeName).orElseThrow(() -> new InvalidEventException(
          "/type", "is not one of identify, track, page, screen, group, alias"));
    }
    String nameKey = nameKey(type);

    String messageId = string(message, "messageId", "/messageId");
    if (messageId == null && reading.derivesIds()) {
      messageId = reading.derivedMessageId(message, type);
    }
    String userId = id(message, "userId");
    String anonymousId = id(message, "anonymousId");
    String previousId = id(message, "previousId");
    String groupId = id(message, "groupId");
    String name = string(message, nameKey, type == EventType.TRACK ? "/event" : "/name");
    Map<String, @Nullable Object> properties = object(message, "properties", "/properties");
    Map<String, @Nullable Object> traits = object(message, "traits", "/traits");

    Map<String, @Nullable Object> extra = new LinkedHashMap<>();
    for (Map.Entry<String, @Nullable Object> e : message.entrySet()) {
      if (!TOP_LEVEL.contains(e.getKey()) && !e.getKey().equals(nameKey)) {
        extra.put(e.getKey(), e.getValue());
      }
    }

    Object rawContext = message.get("context");
    if (rawContext != null && !(rawContext instanceof Map)) {
      throw new InvalidEventException("/context", "must be an object");
    }
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> ctx = (Map<String, @Nullable Object>) rawContext;
    if (batchContext != null && !batchContext.isEmpty()) {
      Map<String, @Nullable Object> merged = new LinkedHashMap<>(batchContext);
      if (ctx != null) {
        merged.putAll(ctx);
      }
      ctx = merged;
    }
    List<Identifier> identifiers = new ArrayList<>();
    EventContext context = context(ctx == null ? Map.of() : ctx, extra.get("channel"),
        identifiers);
    List<ConsentChange> consents = consents(message.get("consent"), zone);

    Instant timestamp = instant(message, "timestamp", zone);
    Instant originalTimestamp = instant(message, "originalTimestamp", zone);
    Instant sentAt = instant(message, "sentAt", zone);
    if (sentAt == null) {
      sentAt = batchSentAt;
    }
    Instant receivedAt = instant(message, "receivedAt", zone);
    if (reading.receivedAt() != null) {
      receivedAt = reading.receivedAt();
    }

    return new Event(type, messageId == null ? "" : messageId, userId, anonymousId, previousId,
        groupId, name, identifiers, properties, traits, context, consents, timestamp,
        originalTimestamp, sentAt, receivedAt, extra);
  }

  /**
   * A {@code context} object as an {@link EventContext}; its {@code externalIds} are added to
   * {@code identifiers}.
   *
   * @param segmentChannel the message's top-level {@code channel}, which implies the retail
   *     channel when {@code context} has no {@code channel} key
   */
  public static EventContext context(Map<String, @Nullable Object> ctx,
      @Nullable Object segmentChannel, List<Identifier> identifiers) {
    EventContext.Builder b = EventContext.builder();
    if (ctx.containsKey("channel")) {
      b.channel(string(ctx, "channel", "/context/channel"));
    } else {
      b.channel(derivedChannel(segmentChannel));
    }
    b.storeId(string(ctx, "storeId", "/context/storeId"));
    b.source(string(ctx, "source", "/context/source"));
    b.locale(string(ctx, "locale", "/context/locale"));
    b.ip(string(ctx, "ip", "/context/ip"));
    b.userAgent(string(ctx, "userAgent", "/context/userAgent"));
    Map<String, @Nullable Object> library = object(ctx, "library", "/context/library");
    b.library(string(library, "name", "/context/library/name"),
        string(library, "version", "/context/library/version"));
    b.device(object(ctx, "device", "/context/device"));
    b.campaign(object(ctx, "campaign", "/context/campaign"));
    b.traits(object(ctx, "traits", "/context/traits"));
    identifiers.addAll(externalIds(ctx.get("externalIds")));
    Map<String, @Nullable Object> other = new LinkedHashMap<>();
    for (Map.Entry<String, @Nullable Object> e : ctx.entrySet()) {
      if (!CONTEXT_KEYS.contains(e.getKey())) {
        other.put(e.getKey(), e.getValue());
      }
    }
    b.other(other);
    return b.build();
  }

  /** {@code context.externalIds} as identifiers. */
  static List<Identifier> externalIds(@Nullable Object raw) {
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof List<?> list)) {
      throw new InvalidEventException("/context/externalIds", "must be an array");
    }
    List<Identifier> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      String at = "/context/externalIds/" + i;
      out.add(identifier(list.get(i), at));
    }
    return out;
  }

  /** One {@code {"id": ..., "type": ...}} object as an identifier; pointers start with {@code at}. */
  public static Identifier identifier(@Nullable Object raw, String at) {
    if (!(raw instanceof Map<?, ?>)) {
      throw new InvalidEventException(at, "must be an object");
    }
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> item = (Map<String, @Nullable Object>) raw;
    String typeName = string(item, "type", at + "/type");
    if (typeName == null) {
      throw new InvalidEventException(at + "/type", "is required");
    }
    IdentifierType type;
    try {
      type = IdentifierType.of(typeName.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidEventException(at + "/type",
          "must match [a-z][a-z0-9_]{0,31}, ignoring case");
    }
    String value = string(item, "id", at + "/id");
    if (value == null) {
      throw new InvalidEventException(at + "/id", "is required");
    }
    try {
      return new Identifier(type, value);
    } catch (IllegalArgumentException e) {
      throw new InvalidEventException(at + "/id",
          "must be 1 to " + Identifier.MAX_VALUE_LENGTH + " characters");
    }
  }

  /** The top-level {@code consent} array. */
  static List<ConsentChange> consents(@Nullable Object raw, @Nullable ZoneId zone) {
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof List<?> list)) {
      throw new InvalidEventException("/consent", "must be an array");
    }
    List<ConsentChange> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      out.add(consent(list.get(i), "/consent/" + i, zone));
    }
    return out;
  }

  /**
   * One {@code {"purpose", "channel", "granted", "basis"?, "source"?, "policyVersion"?,
   * "proof"?, "expiresAt"?}} object (see {@link ConsentChange}); other keys are ignored.
   * Pointers start with {@code at}.
   */
  public static ConsentChange consent(@Nullable Object raw, String at) {
    return consent(raw, at, null);
  }

  private static ConsentChange consent(@Nullable Object raw, String at, @Nullable ZoneId zone) {
    if (!(raw instanceof Map<?, ?>)) {
      throw new InvalidEventException(at, "must be an object");
    }
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> item = (Map<String, @Nullable Object>) raw;
    String purpose = string(item, "purpose", at + "/purpose");
    String channel = string(item, "channel", at + "/channel");
    if (!(item.get("granted") instanceof Boolean granted)) {
      throw new InvalidEventException(at + "/granted", "must be true or false");
    }
    String basisName = string(item, "basis", at + "/basis");
    LawfulBasis basis = null;
    if (basisName != null) {
      try {
        basis = LawfulBasis.fromWireName(basisName);
      } catch (InvalidEventException e) {
        throw e.under(at + "/basis");
      }
    }
    String source = string(item, "source", at + "/source");
    String policyVersion = string(item, "policyVersion", at + "/policyVersion");
    Instant expiresAt = instant(item.get("expiresAt"), at + "/expiresAt", zone);
    ConsentProof proof = null;
    Object rawProof = item.get("proof");
    if (rawProof != null) {
      Map<String, @Nullable Object> p = object(item, "proof", at + "/proof");
      String formId = string(p, "formId", at + "/proof/formId");
      String reference = string(p, "reference", at + "/proof/reference");
      Instant confirmedAt = instant(p.get("confirmedAt"), at + "/proof/confirmedAt", zone);
      try {
        proof = new ConsentProof(formId, reference, confirmedAt);
      } catch (InvalidEventException e) {
        throw e.under(at + "/proof");
      }
    }
    try {
      return new ConsentChange(purpose, channel, granted, basis, source, policyVersion, proof,
          expiresAt);
    } catch (InvalidEventException e) {
      throw e.under(at);
    }
  }

  /** A string field; {@code null} when absent or JSON null. */
  static @Nullable String string(Map<String, @Nullable Object> m, String key, String pointer) {
    Object v = m.get(key);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new InvalidEventException(pointer, "must be a string");
  }

  /** An id field: a string, or an integer taken as its decimal digits. */
  static @Nullable String id(Map<String, @Nullable Object> m, String key) {
    Object v = m.get(key);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    if (v instanceof Long l) {
      return Long.toString(l);
    }
    if (v instanceof BigDecimal d && d.scale() == 0) {
      return d.toPlainString();
    }
    throw new InvalidEventException("/" + key, "must be a string");
  }

  /** An object field; empty when absent or JSON null. */
  @SuppressWarnings("unchecked")
  static Map<String, @Nullable Object> object(Map<String, @Nullable Object> m, String key,
      String pointer) {
    Object v = m.get(key);
    if (v == null) {
      return Map.of();
    }
    if (v instanceof Map<?, ?> map) {
      return (Map<String, @Nullable Object>) map;
    }
    throw new InvalidEventException(pointer, "must be an object");
  }

  /** A date-time field; {@code null} when absent or JSON null. */
  static @Nullable Instant instant(Map<String, @Nullable Object> m, String key,
      @Nullable ZoneId zone) {
    return instant(m.get(key), "/" + key, zone);
  }

  /** An ISO-8601 date-time with {@code Z} or an offset, as an instant. */
  public static @Nullable Instant instant(@Nullable Object v, String pointer) {
    return instant(v, pointer, null);
  }

  /**
   * An ISO-8601 date-time with {@code Z} or an offset, as an instant; with a {@code zone}, also a
   * local date-time without one ({@code 2026-03-01T10:15:00}), read in that zone (a time skipped
   * by a daylight-saving change moves forward by the gap, a repeated one takes the earlier
   * offset, as {@link java.time.ZonedDateTime#of} does).
   */
  public static @Nullable Instant instant(@Nullable Object v, String pointer,
      @Nullable ZoneId zone) {
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      Instant fast = IsoInstants.parse(s);
      if (fast != null) {
        return fast;
      }
      try {
        return OffsetDateTime.parse(s, ISO).toInstant();
      } catch (DateTimeParseException e) {
        // fall through: the parser's message quotes the text
      }
      if (zone != null) {
        try {
          return LocalDateTime.parse(s, ISO_LOCAL).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
          // fall through
        }
      }
    }
    throw new InvalidEventException(pointer, "is not an ISO-8601 date-time");
  }
}
