package io.cdpkit.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.internal.json.BodyDecoder;
import io.cdpkit.core.model.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

/**
 * Reads and writes events as JSON exactly as Segment and RudderStack tracking clients send them:
 * single messages and {@code {"batch": [...]}} bodies, plain or gzipped, within
 * {@link EventLimits}.
 *
 * <pre>{@code
 * EventCodec codec = EventCodec.create();
 * for (DecodedMessage m : codec.decodeBody(requestBody)) {
 *   if (m.isValid()) {
 *     ingest(m.event().receivedAtIfAbsent(clock.instant()));
 *   } else {
 *     reject(m.index(), m.messageId(), m.error().pointer(), m.error().reason());
 *   }
 * }
 * }</pre>
 *
 * <h2>Bodies</h2>
 * {@link #decodeBody(byte[])} accepts a single message object, or an object with a
 * {@code batch} array of messages. A body starting with the gzip magic bytes ({@code 1f 8b}) is
 * inflated first, whatever the request's headers say (RudderStack's Node client gzips under a
 * form content type); inflation stops as soon as {@link EventLimits#maxBatchBytes()} is passed.
 * <ul>
 *   <li>Whole-body problems throw {@link InvalidEventException}: not gzip although it starts like
 *       it, not JSON, not an object, content after the object, too large (pointer {@code ""});
 *       {@code batch} not an array, a second {@code batch} key (pointer {@code /batch}); a batch-level
 *       {@code sentAt} that is not a date-time ({@code /sentAt}) or {@code context} that is not an
 *       object ({@code /context}).
 *   <li>Every other problem belongs to one message and does not stop the others: each message
 *       yields a {@link DecodedMessage} holding the event or the error, whose pointer is relative
 *       to the message ({@code /timestamp}, {@code /properties/total}; {@code ""} for a message
 *       over {@link EventLimits#maxEventBytes()}, one beyond the first
 *       {@link EventLimits#maxBatchEvents()} of its batch, or one that is not an object).
 *   <li>Batch-level fields: {@code sentAt} becomes the {@code sentAt} of each message that has
 *       none; {@code context} is merged under each message's {@code context}, key by key, the
 *       message's keys winning (Segment's Java client puts {@code context.library} there; a
 *       problem inside a merged batch-level key is reported per message, under
 *       {@code /context}). {@code writeKey}, {@code sequence}, a batch-level {@code timestamp} and
 *       any other top-level key of a batch body are not event data and are ignored. The write
 *       key is the host's to check, from the body ({@link DecodedBody#writeKey()}, read by
 *       {@link #readBody(byte[])}) or the {@code Authorization} header.
 * </ul>
 *
 * <h2>Messages</h2>
 * <ul>
 *   <li>{@code type}, case-insensitive: {@code identify}, {@code track}, {@code page},
 *       {@code screen}, {@code group}, {@code alias}; anything else is an error at {@code /type}.
 *   <li>{@code messageId}, {@code userId}, {@code anonymousId}, {@code previousId},
 *       {@code groupId}: strings; the four ids may also be integers, taken as their digits. A
 *       message of a body without {@code messageId} (or with {@code null}) gets one derived
 *       from its content and the id namespace (the workspace): {@code cdp-} and 32 hex digits,
 *       the same for every retry of the message (see {@link DecodedBody#messages}).
 *       {@link #decodeMessage(byte[])} requires one.
 *   <li>{@code event} is the name of a {@code track}; {@code name} the name of any other type
 *       (page and screen names). The key that does not name the event ({@code name} on a track,
 *       {@code event} on a page) is kept in {@code extra}.
 *   <li>{@code properties}, {@code traits}: objects ({@code null} or absent: empty).
 *   <li>{@code context}: {@code channel} (the retail channel), {@code storeId}, {@code source},
 *       {@code locale}, {@code ip}, {@code userAgent} (strings), {@code library.name} and
 *       {@code library.version} (other keys inside {@code library} are not kept),
 *       {@code device}, {@code campaign}, {@code traits} (objects); {@code externalIds} (below);
 *       every other key goes to {@link io.cdpkit.core.model.EventContext#other()} as sent.
 *   <li>{@code context.externalIds}: an array of {@code {"id": "...", "type": "..."}} giving
 *       {@link Event#identifiers()}; the type is lower-cased ({@code Locale.ROOT}) and looked up
 *       with {@link io.cdpkit.core.model.IdentifierType#of(String)} ({@code email}, {@code phone},
 *       {@code loyalty_card}, {@code pos_customer}, {@code device_id}, {@code customer_id},
 *       {@code anonymous_id} or a host type). Other keys of an entry (Segment's
 *       {@code collection}, {@code encoding}) are not kept. A missing or invalid type or id is an
 *       error at {@code /context/externalIds/<i>/type} or {@code /id}.
 *   <li>Segment's top-level {@code channel} ({@code server}, {@code browser}, {@code mobile})
 *       stays in {@code extra} as sent. When {@code context} has no {@code channel} key,
 *       {@code browser} implies the retail channel {@code web} and {@code mobile} implies
 *       {@code app}; {@code server} implies none. An explicit {@code "channel": null} in
 *       {@code context} means "no retail channel" and stops the inference.
 *   <li>{@code consent} (a CDPKit extension): an array of
 *       {@code {"purpose": "marketing", "channel": "email", "granted": true}} giving
 *       {@link Event#consents()}, each with optional evidence: {@code basis}, {@code source},
 *       {@code policyVersion}, {@code proof} ({@code {"formId", "reference", "confirmedAt"}})
 *       and {@code expiresAt} (see {@link io.cdpkit.core.model.ConsentChange} for the shape and
 *       limits); errors name the field, e.g. {@code /consent/0/proof/formId}. Other keys of an
 *       entry are ignored.
 *   <li>{@code timestamp}, {@code originalTimestamp}, {@code sentAt}, {@code receivedAt}:
 *       ISO-8601 date-times with {@code Z} or an offset ({@code 2026-03-01T10:15:00.123+01:00});
 *       in a body, also local date-times without one ({@code 2026-03-01T10:15:00}), read in the
 *       body's zone (the workspace's; UTC for {@link #decodeBody(byte[])}); anything else is an
 *       error at the field ("is not an ISO-8601 date-time"). The same holds for a consent's
 *       {@code expiresAt} and {@code proof.confirmedAt}. A client's
 *       {@code receivedAt} is kept; hosts that do not trust clients' clocks should clear it
 *       before calling {@link Event#receivedAtIfAbsent}.
 *   <li>Every other top-level key ({@code integrations}, {@code _metadata}, {@code channel},
 *       ...) goes to {@link Event#extra()} as sent.
 *   <li>Numbers: integers become {@code Long}, or {@code BigDecimal} when too large for one;
 *       every number with a fraction or an exponent becomes a {@code BigDecimal} exactly as
 *       written ({@code 19.99}, never a {@code double}), so money stays exact.
 *   <li>The rules of {@link Event} itself (a messageId, an event name for a track, previousId and
 *       userId for an alias, groupId for a group, at least one of userId, anonymousId or an
 *       identifier) are reported with the pointers {@link Event}'s constructor uses.
 * </ul>
 *
 * <h2>Safety</h2>
 * Errors name a JSON pointer and a reason, and for syntax errors a line and column, never a
 * value: Jackson's messages are not passed on, and the parser does not keep the source for its
 * locations. Duplicate keys are refused at every level (per message, pointing at the repeated
 * key; the body when the envelope repeats one); strings holding an unpaired UTF-16 surrogate are
 * refused (they could not be written back). A number of more than
 * {@value io.cdpkit.core.internal.json.JsonTreeReader#MAX_NUMBER_CHARS} characters is refused
 * per message, without being converted. Each message may nest objects and arrays
 * {@link EventLimits#maxNestingDepth()} deep (default 32); as a last guard the parser refuses
 * any body nested more than {@value #PARSER_MAX_NESTING_DEPTH} levels, as a whole.
 *
 * <h2>Writing</h2>
 * {@link #encode(Event)} writes the same shape, so {@code decodeMessage(encode(e))} equals
 * {@code e} for every event it accepts: timestamps as {@link java.time.Instant#toString()},
 * identifiers as {@code context.externalIds}, {@code context.channel} left out when the
 * top-level {@code channel} implies it (and written as {@code null} when the top-level channel
 * implies one the event does not have), empty maps and absent values left out, decimals so that
 * they read back with the same scale ({@code 5} with scale 0 as {@code 5E0}).
 *
 * <p>Thread-safe: one codec can serve every request.
 */
public final class EventCodec {
  /** The parser's own nesting limit for a whole body; see "Safety" above. */
  public static final int PARSER_MAX_NESTING_DEPTH = 1_000;

  private final EventLimits limits;
  private final ObjectMapper mapper;
  private final BodyDecoder decoder;

  private EventCodec(EventLimits limits) {
    this.limits = limits;
    JsonFactory factory = JsonFactory.builder()
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(Math.max(PARSER_MAX_NESTING_DEPTH, limits.maxNestingDepth() + 2))
            // Long numbers are refused per message (JsonTreeReader.MAX_NUMBER_CHARS), not by the
            // tokenizer, which would refuse the whole body for one message's number.
            .maxNumberLength(Math.max(limits.maxEventBytes(), limits.maxBatchBytes()))
            .build())
        .build();
    this.mapper = JsonMapper.builder(factory)
        .addModule(new CdpJacksonModule(limits))
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
        .build();
    this.decoder = new BodyDecoder(mapper, limits);
  }

  /** A codec with {@link EventLimits#defaults()}. */
  public static EventCodec create() {
    return new EventCodec(EventLimits.defaults());
  }

  /** A codec with the given limits. */
  public static EventCodec create(EventLimits limits) {
    return new EventCodec(Objects.requireNonNull(limits, "limits"));
  }

  /** The limits this codec enforces. */
  public EventLimits limits() {
    return limits;
  }

  /**
   * The messages of a request body: one message object or {@code {"batch": [...]}}, plain or
   * gzipped (see the class description). The same as
   * {@code readBody(body).messages("", ZoneOffset.UTC)}: date-times without an offset are read
   * in UTC, and ids derived for messages without a {@code messageId} have no namespace.
   *
   * @return one entry per message, in body order; unmodifiable
   * @throws InvalidEventException when the body as a whole is unusable
   */
  public List<DecodedMessage> decodeBody(byte[] body) {
    return readBody(body).messages("", ZoneOffset.UTC);
  }

  /**
   * As {@link #decodeBody(byte[])}, reading {@code body} until its end or until
   * {@link EventLimits#maxBatchBytes()} is passed (then it stops reading and throws). The stream
   * is not closed.
   *
   * @throws InvalidEventException when the body as a whole is unusable
   * @throws IOException when reading the stream fails
   */
  public List<DecodedMessage> decodeBody(InputStream body) throws IOException {
    return readBody(body).messages("", ZoneOffset.UTC);
  }

  /**
   * A request body parsed once, its messages to be read when the host knows the workspace: the
   * body's {@code writeKey} may be what names it (see {@link DecodedBody}).
   *
   * @throws InvalidEventException when the body as a whole is unusable
   */
  public DecodedBody readBody(byte[] body) {
    return new DecodedBody(decoder.parseBody(Objects.requireNonNull(body, "body")), null, null);
  }

  /**
   * As {@link #readBody(byte[])}, reading {@code body} until its end or until
   * {@link EventLimits#maxBatchBytes()} is passed (then it stops reading and throws). The stream
   * is not closed.
   *
   * @throws InvalidEventException when the body as a whole is unusable
   * @throws IOException when reading the stream fails
   */
  public DecodedBody readBody(InputStream body) throws IOException {
    return new DecodedBody(decoder.parseBody(Objects.requireNonNull(body, "body")), null, null);
  }

  /**
   * One message, as UTF-8 JSON; not gzipped.
   *
   * @throws InvalidEventException when the message is not JSON, larger than
   *     {@link EventLimits#maxEventBytes()} (pointer {@code ""}) or breaks a rule
   */
  public Event decodeMessage(byte[] json) {
    return decoder.decodeMessage(Objects.requireNonNull(json, "json"));
  }

  /**
   * One message.
   *
   * @throws InvalidEventException as {@link #decodeMessage(byte[])}
   */
  public Event decodeMessage(String json) {
    return decodeMessage(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The event as one Segment-shaped message, UTF-8 JSON.
   *
   * @throws IllegalArgumentException when {@code extra} or {@code context.other} holds a key the
   *     codec writes from a field of its own ({@code userId} in {@code extra},
   *     {@code channel} in {@code context.other}, ...), or a string holds an unpaired UTF-16
   *     surrogate; such an event could not be read back equal
   */
  public byte[] encode(Event event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    write(event, out);
    return out.toByteArray();
  }

  /**
   * The events as a {@code {"batch": [...]}} body, UTF-8 JSON, not gzipped. Limits are not
   * applied; check {@link #encodedSize(Event)} against them when the reader enforces them.
   *
   * @throws IllegalArgumentException as {@link #encode(Event)}
   */
  public byte[] encodeBatch(List<Event> events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512 * Math.max(1, events.size()));
    try (JsonGenerator g = mapper.createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("batch");
      for (Event e : events) {
        mapper.writeValue(g, Objects.requireNonNull(e, "event"));
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw writeFailed(e);
    }
    return out.toByteArray();
  }

  /**
   * The exact length of {@link #encode(Event)}, counted without keeping the bytes.
   *
   * @throws IllegalArgumentException as {@link #encode(Event)}
   */
  public int encodedSize(Event event) {
    CountingOutputStream out = new CountingOutputStream();
    write(event, out);
    return Math.toIntExact(out.count);
  }

  private void write(Event event, OutputStream out) {
    try {
      mapper.writeValue(out, Objects.requireNonNull(event, "event"));
    } catch (IOException e) {
      throw writeFailed(e);
    }
  }

  /**
   * The serializer's {@link IllegalArgumentException} (see {@link #encode(Event)}), which Jackson
   * wraps; any other failure is a bug, and as Jackson's message may quote the event's text,
   * neither it nor the cause is passed on.
   */
  private static RuntimeException writeFailed(IOException e) {
    if (e.getCause() instanceof IllegalArgumentException iae) {
      return iae;
    }
    return new IllegalStateException("writing the event as JSON failed");
  }

  /** Counts bytes and drops them. Not thread-safe. */
  private static final class CountingOutputStream extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
