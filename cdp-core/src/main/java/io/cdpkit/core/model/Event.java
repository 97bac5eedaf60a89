package io.cdpkit.core.model;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.internal.JsonValues;
import io.cdpkit.core.internal.Text;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One message from a touchpoint, following the Segment Spec ({@code identify}, {@code track},
 * {@code page}, {@code screen}, {@code group}, {@code alias}) with the fields retail needs.
 *
 * <p>Events are immutable and append-only. {@link #messageId()} is the idempotency key: an event
 * whose messageId was already ingested in the same workspace changes nothing.
 *
 * <h2>Identifiers</h2>
 * {@link #userId()} is the shop's customer id ({@link IdentifierType#CUSTOMER_ID}),
 * {@link #anonymousId()} a cookie or anonymous id ({@link IdentifierType#ANONYMOUS_ID}), and
 * {@link #identifiers()} carries any others (e-mail, phone, loyalty card, POS customer number,
 * device id, host-defined types); on the wire they are Segment's {@code context.externalIds}.
 * Identify traits named {@code email} and {@code phone} are identifiers too. Values are as the
 * client sent them; the pipeline normalises them.
 *
 * <h2>Time</h2>
 * The four timestamps follow the Segment Spec. {@link #eventTime()} is when the event happened:
 * <ul>
 *   <li>When the message has both {@code timestamp} and {@code originalTimestamp}, the
 *       {@code timestamp} as it is. A library that records the call time as
 *       {@code originalTimestamp} sends {@code timestamp} only when the caller gave one
 *       (RudderStack's clients; a historical import), and the caller's time wins.
 *   <li>Otherwise the client's time corrected for its clock skew:
 *       {@code receivedAt - (sentAt - t)}, where {@code t} is the {@code originalTimestamp} or
 *       else the {@code timestamp} (analytics.js and Segment's server libraries send only
 *       {@code timestamp}). Without {@code sentAt}, {@code t} is taken as it is.
 *   <li>Without any client time, {@code receivedAt}.
 * </ul>
 *
 * <p>The ingest pipeline bounds what clients state (see {@code Cdp.Builder.clockTolerance}): every
 * time in an event ({@code timestamp}, {@code originalTimestamp}, {@code sentAt},
 * {@code receivedAt}, a consent's {@code expiresAt} and {@code proof.confirmedAt}) must lie in
 * {@link #MIN_TIME} .. {@link #MAX_TIME} (the years 1970 to 9999), and so must the event time;
 * otherwise the event is rejected naming the field. An event dated further after its receive
 * time than the tolerance is stored {@linkplain #withEventTime restamped} at its receive time.
 *
 * <h2>Values</h2>
 * Properties, traits and other JSON-like maps hold {@code null}, {@link String},
 * {@link Boolean}, {@link Long}, {@link java.math.BigDecimal} (every non-integral number, so money
 * stays exact), {@link List} and {@link Map}; they are deep, unmodifiable copies, nested at most
 * {@value io.cdpkit.core.internal.JsonValues#MAX_DEPTH} levels deep counting the message as level
 * 1 (the pipeline applies the lower {@link io.cdpkit.core.json.EventLimits#maxNestingDepth()},
 * default 32, to events built in Java too).
 *
 * <h2>Text</h2>
 * One rule for text, whether the event was built in Java or read from JSON: no string holds an
 * unpaired UTF-16 surrogate or a control character (C0, {@code DEL}, C1); string values in maps
 * may hold tab, line feed and carriage return, ids, names and keys may not. Identifier values
 * (userId, anonymousId, previousId, {@code context.externalIds}, e-mail and phone traits) must
 * moreover hold no invisible formatting character (see
 * {@link io.cdpkit.core.identity.IdentityRules}). A string that breaks the rule is refused with
 * an {@link InvalidEventException} naming the field, never quoting the value.
 *
 * <p>Immutable. Build one with {@link #track(String)}, {@link #identify()}, {@link #page(String)},
 * {@link #screen(String)}, {@link #group(String)} or {@link #alias(String)}:
 *
 * <pre>{@code
 * Event order = Event.track("Order Completed")
 *     .messageId("pos-4711-receipt-88")
 *     .identifier(IdentifierType.LOYALTY_CARD, "2900012345678")
 *     .property("order_id", "R-88").property("total", new BigDecimal("59.90"))
 *     .property("currency", "EUR")
 *     .channel(Channels.POS).storeId("amsterdam-01")
 *     .timestamp(Instant.parse("2026-03-01T10:15:00Z"))
 *     .build();
 * }</pre>
 *
 * @param type the kind of message
 * @param messageId the idempotency key, 1 to 200 characters
 * @param userId the shop's customer id
 * @param anonymousId a cookie or anonymous id
 * @param previousId for {@code alias}: the id being linked to {@code userId}, an anonymous id
 * @param groupId for {@code group}: the account or household
 * @param name the event name of a {@code track} (its {@code event} field) or the name of a
 *     {@code page} or {@code screen}
 * @param identifiers further typed identifiers, as sent
 * @param properties the event's properties
 * @param traits the traits of an {@code identify} or {@code group}
 * @param context where and how the event happened
 * @param consents consent decisions the event carries
 * @param timestamp the message's {@code timestamp} as sent
 * @param originalTimestamp the message's {@code originalTimestamp} as sent
 * @param sentAt when the client sent the message, by its own clock
 * @param receivedAt when the message was received, by the server's clock; set by the pipeline
 *     when absent
 * @param extra every other top-level field, kept as sent ({@code integrations}, Segment's
 *     {@code channel}, {@code _metadata}, ...)
 */
public record Event(
    EventType type,
    String messageId,
    @Nullable String userId,
    @Nullable String anonymousId,
    @Nullable String previousId,
    @Nullable String groupId,
    @Nullable String name,
    List<Identifier> identifiers,
    Map<String, @Nullable Object> properties,
    Map<String, @Nullable Object> traits,
    EventContext context,
    List<ConsentChange> consents,
    @Nullable Instant timestamp,
    @Nullable Instant originalTimestamp,
    @Nullable Instant sentAt,
    @Nullable Instant receivedAt,
    Map<String, @Nullable Object> extra) {

  /** Longest accepted messageId, in characters. */
  public static final int MAX_MESSAGE_ID_LENGTH = 200;
  /** Longest accepted event name, in characters. */
  public static final int MAX_NAME_LENGTH = 200;
  /** The earliest time the ingest pipeline accepts in an event: 1970-01-01T00:00:00Z. */
  public static final Instant MIN_TIME = Instant.EPOCH;
  /** The latest time the ingest pipeline accepts in an event: the end of the year 9999 (UTC). */
  public static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /**
   * Checks the rules every event must meet on its own.
   *
   * @throws InvalidEventException naming the first field that breaks a rule
   */
  public Event {
    if (type == null) {
      throw new InvalidEventException("/type", "is required");
    }
    if (messageId == null || messageId.isBlank()) {
      throw new InvalidEventException("/messageId", "is required");
    }
    Text.name(messageId, "/messageId");
    Text.name(userId, "/userId");
    Text.name(anonymousId, "/anonymousId");
    Text.name(previousId, "/previousId");
    Text.name(groupId, "/groupId");
    Text.name(name, type == EventType.TRACK ? "/event" : "/name");
    if (identifiers != null) {
      for (int i = 0; i < identifiers.size(); i++) {
        Identifier id = identifiers.get(i);
        if (id != null) {
          Text.name(id.value(), "/context/externalIds/" + i + "/id");
        }
      }
    }
    if (messageId.length() > MAX_MESSAGE_ID_LENGTH) {
      throw new InvalidEventException(
          "/messageId", "is longer than " + MAX_MESSAGE_ID_LENGTH + " characters");
    }
    userId = blankToNull(userId, "/userId");
    anonymousId = blankToNull(anonymousId, "/anonymousId");
    previousId = blankToNull(previousId, "/previousId");
    groupId = blankToNull(groupId, "/groupId");
    String namePointer = type == EventType.TRACK ? "/event" : "/name";
    if (name != null && name.isBlank()) {
      name = null;
    }
    if (name != null && name.length() > MAX_NAME_LENGTH) {
      throw new InvalidEventException(
          namePointer, "is longer than " + MAX_NAME_LENGTH + " characters");
    }
    switch (type) {
      case TRACK -> {
        if (name == null) {
          throw new InvalidEventException("/event", "is required for a track");
        }
      }
      case ALIAS -> {
        if (previousId == null) {
          throw new InvalidEventException("/previousId", "is required for an alias");
        }
        if (userId == null) {
          throw new InvalidEventException("/userId", "is required for an alias");
        }
      }
      case GROUP -> {
        if (groupId == null) {
          throw new InvalidEventException("/groupId", "is required for a group");
        }
      }
      default -> { }
    }
    identifiers = identifiers == null ? List.of() : List.copyOf(identifiers);
    if (userId == null && anonymousId == null && identifiers.isEmpty()) {
      throw new InvalidEventException(
          "/userId", "userId, anonymousId or an identifier in context.externalIds is required");
    }
    properties = JsonValues.copyMap(properties, "/properties", 2);
    traits = JsonValues.copyMap(traits, "/traits", 2);
    extra = JsonValues.copyMap(extra, "", 1);
    context = context == null ? EventContext.EMPTY : context;
    consents = consents == null ? List.of() : List.copyOf(consents);
  }

  private static @Nullable String blankToNull(@Nullable String s, String pointer) {
    if (s == null || s.isBlank()) {
      return null;
    }
    if (s.length() > Identifier.MAX_VALUE_LENGTH) {
      throw new InvalidEventException(
          pointer, "is longer than " + Identifier.MAX_VALUE_LENGTH + " characters");
    }
    return s;
  }

  /**
   * When the event happened, corrected for clock skew (see the class description).
   *
   * When the skew correction cannot be computed (times so far apart that it leaves the range of
   * {@link Instant}; the pipeline rejects such events), the original timestamp is taken as it is.
   *
   * @throws IllegalStateException when the event carries no time at all and has not been
   *     received yet
   */
  public Instant eventTime() {
    if (timestamp != null && originalTimestamp != null) {
      return timestamp;
    }
    Instant original = originalTimestamp != null ? originalTimestamp : timestamp;
    if (original != null && sentAt != null && receivedAt != null) {
      try {
        return receivedAt.minus(Duration.between(original, sentAt));
      } catch (ArithmeticException | java.time.DateTimeException ex) {
        return original;
      }
    }
    if (original != null) {
      return original;
    }
    if (receivedAt != null) {
      return receivedAt;
    }
    throw new IllegalStateException("event has neither a client time nor receivedAt");
  }

  /** The conflict-ordering key of this event: event time, then messageId. */
  public EventKey key() {
    return new EventKey(eventTime(), messageId);
  }

  /** This event with {@code receivedAt} set, unless it already has one. */
  public Event receivedAtIfAbsent(Instant now) {
    if (receivedAt != null) {
      return this;
    }
    return new Event(type, messageId, userId, anonymousId, previousId, groupId, name, identifiers,
        properties, traits, context, consents, timestamp, originalTimestamp, sentAt, now, extra);
  }

  /**
   * This event with {@code receivedAt} replaced: a server stamps its own time of receipt and
   * ignores one a client claims.
   */
  public Event withReceivedAt(Instant receivedAt) {
    return new Event(type, messageId, userId, anonymousId, previousId, groupId, name, identifiers,
        properties, traits, context, consents, timestamp, originalTimestamp, sentAt,
        Objects.requireNonNull(receivedAt, "receivedAt"), extra);
  }

  /**
   * This event restamped: {@code timestamp} set to {@code time}, {@code originalTimestamp} and
   * {@code sentAt} cleared, {@code receivedAt} kept, so that {@link #eventTime()} is
   * {@code time}. The pipeline stores an event dated too far in the future this way.
   */
  public Event withEventTime(Instant time) {
    return new Event(type, messageId, userId, anonymousId, previousId, groupId, name, identifiers,
        properties, traits, context, consents, Objects.requireNonNull(time, "time"), null, null,
        receivedAt, extra);
  }

  /** This event with its properties replaced (the pipeline's corrections use it). */
  public Event withProperties(Map<String, ?> properties) {
    return new Event(type, messageId, userId, anonymousId, previousId, groupId, name, identifiers,
        JsonValues.copyMap(properties), traits, context, consents, timestamp, originalTimestamp,
        sentAt, receivedAt, extra);
  }

  /** This event with its traits replaced (the pipeline's corrections use it). */
  public Event withTraits(Map<String, ?> traits) {
    return new Event(type, messageId, userId, anonymousId, previousId, groupId, name, identifiers,
        properties, JsonValues.copyMap(traits), context, consents, timestamp, originalTimestamp,
        sentAt, receivedAt, extra);
  }

  /** This event with its context replaced (the pipeline's corrections use it). */
  public Event withContext(EventContext context) {
    return new Event(type, messageId, userId, anonymousId, previousId, groupId, name, identifiers,
        properties, traits, Objects.requireNonNull(context, "context"), consents, timestamp,
        originalTimestamp, sentAt, receivedAt, extra);
  }

  /** This event with {@code sentAt} set, unless it already has one (a batch's {@code sentAt}). */
  public Event sentAtIfAbsent(@Nullable Instant batchSentAt) {
    if (sentAt != null || batchSentAt == null) {
      return this;
    }
    return new Event(type, messageId, userId, anonymousId, previousId, groupId, name, identifiers,
        properties, traits, context, consents, timestamp, originalTimestamp, batchSentAt,
        receivedAt, extra);
  }

  public static Builder track(String event) {
    return new Builder(EventType.TRACK).name(event);
  }

  public static Builder identify() {
    return new Builder(EventType.IDENTIFY);
  }

  public static Builder page(@Nullable String name) {
    return new Builder(EventType.PAGE).name(name);
  }

  public static Builder screen(@Nullable String name) {
    return new Builder(EventType.SCREEN).name(name);
  }

  public static Builder group(String groupId) {
    return new Builder(EventType.GROUP).groupId(groupId);
  }

  public static Builder alias(String previousId) {
    return new Builder(EventType.ALIAS).previousId(previousId);
  }

  /** A builder of the given type, for codecs that read the type from data. */
  public static Builder builder(EventType type) {
    return new Builder(Objects.requireNonNull(type, "type"));
  }

  /**
   * Builds an {@link Event}; {@link #build()} checks the rules and throws
   * {@link InvalidEventException} naming the field. Not thread-safe.
   */
  public static final class Builder {
    private final EventType type;
    private @Nullable String messageId;
    private @Nullable String userId;
    private @Nullable String anonymousId;
    private @Nullable String previousId;
    private @Nullable String groupId;
    private @Nullable String name;
    private final List<Identifier> identifiers = new ArrayList<>();
    private final Map<String, @Nullable Object> properties = new LinkedHashMap<>();
    private final Map<String, @Nullable Object> traits = new LinkedHashMap<>();
    private final Map<String, @Nullable Object> extra = new LinkedHashMap<>();
    private final List<ConsentChange> consents = new ArrayList<>();
    private @Nullable EventContext context;
    private EventContext.@Nullable Builder contextBuilder;
    private @Nullable Instant timestamp;
    private @Nullable Instant originalTimestamp;
    private @Nullable Instant sentAt;
    private @Nullable Instant receivedAt;

    private Builder(EventType type) {
      this.type = type;
    }

    public Builder messageId(String messageId) {
      if (this.messageId != null) {
        throw new IllegalStateException("messageId was already set");
      }
      this.messageId = messageId;
      return this;
    }

    public Builder userId(@Nullable String userId) {
      this.userId = userId;
      return this;
    }

    public Builder anonymousId(@Nullable String anonymousId) {
      this.anonymousId = anonymousId;
      return this;
    }

    public Builder previousId(@Nullable String previousId) {
      this.previousId = previousId;
      return this;
    }

    public Builder groupId(@Nullable String groupId) {
      this.groupId = groupId;
      return this;
    }

    public Builder name(@Nullable String name) {
      this.name = name;
      return this;
    }

    /** Adds a typed identifier, as the client sent it. */
    public Builder identifier(IdentifierType type, String value) {
      identifiers.add(new Identifier(type, value));
      return this;
    }

    public Builder identifier(Identifier identifier) {
      identifiers.add(Objects.requireNonNull(identifier, "identifier"));
      return this;
    }

    public Builder property(String key, @Nullable Object value) {
      properties.put(Objects.requireNonNull(key, "key"), value);
      return this;
    }

    public Builder properties(Map<String, ?> properties) {
      this.properties.putAll(properties);
      return this;
    }

    public Builder trait(String key, @Nullable Object value) {
      traits.put(Objects.requireNonNull(key, "key"), value);
      return this;
    }

    public Builder traits(Map<String, ?> traits) {
      this.traits.putAll(traits);
      return this;
    }

    /** Keeps another top-level field as sent. */
    public Builder extra(String key, @Nullable Object value) {
      extra.put(Objects.requireNonNull(key, "key"), value);
      return this;
    }

    public Builder consent(String purpose, String channel, boolean granted) {
      consents.add(new ConsentChange(purpose, channel, granted));
      return this;
    }

    public Builder consent(ConsentChange change) {
      consents.add(Objects.requireNonNull(change, "change"));
      return this;
    }

    /**
     * Sets the whole context.
     *
     * @throws IllegalStateException when {@link #channel(String)} or {@link #storeId(String)} was
     *     used first
     */
    public Builder context(EventContext context) {
      if (contextBuilder != null) {
        throw new IllegalStateException("channel or storeId was already set; set them on the "
            + "context instead");
      }
      this.context = Objects.requireNonNull(context, "context");
      return this;
    }

    /** Sets {@code context.channel}. */
    public Builder channel(@Nullable String channel) {
      contextBuilder().channel(channel);
      return this;
    }

    /** Sets {@code context.storeId}. */
    public Builder storeId(@Nullable String storeId) {
      contextBuilder().storeId(storeId);
      return this;
    }

    /** Sets {@code context.source}. */
    public Builder source(@Nullable String source) {
      contextBuilder().source(source);
      return this;
    }

    private EventContext.Builder contextBuilder() {
      if (contextBuilder == null) {
        contextBuilder = context == null ? EventContext.builder() : context.toBuilder();
        context = null;
      }
      return contextBuilder;
    }

    /** The time the event happened, as the sender asserts it. */
    public Builder timestamp(@Nullable Instant timestamp) {
      this.timestamp = timestamp;
      return this;
    }

    public Builder originalTimestamp(@Nullable Instant originalTimestamp) {
      this.originalTimestamp = originalTimestamp;
      return this;
    }

    public Builder sentAt(@Nullable Instant sentAt) {
      this.sentAt = sentAt;
      return this;
    }

    public Builder receivedAt(@Nullable Instant receivedAt) {
      this.receivedAt = receivedAt;
      return this;
    }

    /**
     * The event.
     *
     * @throws InvalidEventException naming the first field that breaks a rule
     */
    public Event build() {
      EventContext ctx = contextBuilder != null ? contextBuilder.build()
          : context != null ? context : EventContext.EMPTY;
      return new Event(type, messageId == null ? "" : messageId, userId, anonymousId, previousId,
          groupId, name, identifiers, properties, traits, ctx, consents, timestamp,
          originalTimestamp, sentAt, receivedAt, extra);
    }
  }
}
