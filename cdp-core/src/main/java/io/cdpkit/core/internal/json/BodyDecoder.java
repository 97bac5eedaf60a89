package io.cdpkit.core.internal.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.json.DecodedMessage;
import io.cdpkit.core.json.EventLimits;
import io.cdpkit.core.model.Event;
import java.io.ByteArrayInputStream;
import java.io.CharConversionException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.jspecify.annotations.Nullable;

/**
 * Reads request bodies and single messages for {@link io.cdpkit.core.json.EventCodec}, enforcing
 * {@link EventLimits}. Immutable; thread-safe (the mapper is only used to create parsers).
 */
public final class BodyDecoder {
  private final ObjectMapper mapper;
  private final EventLimits limits;
  private final JsonTreeReader reader;

  public BodyDecoder(ObjectMapper mapper, EventLimits limits) {
    this.mapper = mapper;
    this.limits = limits;
    this.reader = new JsonTreeReader(limits.maxNestingDepth());
  }

  /** A body from bytes: inflated when gzipped, else used as it is. */
  public Parsed parseBody(byte[] body) {
    if (isGzip(body)) {
      try {
        return parseJson(inflate(new ByteArrayInputStream(body)));
      } catch (IOException e) {
        throw new UncheckedIOException(e); // cannot happen: inflate maps format errors
      }
    }
    if (body.length > limits.maxBatchBytes()) {
      throw tooLarge();
    }
    return parseJson(body);
  }

  /** A body from a stream, read to its end or the limit; the stream is not closed. */
  public Parsed parseBody(InputStream in) throws IOException {
    PushbackInputStream pin = new PushbackInputStream(in, 2);
    byte[] head = pin.readNBytes(2);
    pin.unread(head);
    if (isGzip(head)) {
      return parseJson(inflate(pin));
    }
    return parseJson(readBounded(pin));
  }

  /**
   * A body read as JSON, its messages not yet mapped to events: the write key can be looked at
   * first, and the messages then read as the workspace it names says ({@link Reading}).
   */
  public final class Parsed {
    private final @Nullable String writeKey;
    private final @Nullable List<Raw> batch;
    private final @Nullable Raw single;
    private final @Nullable Map<String, @Nullable Object> batchContext;
    private final @Nullable Object batchSentAt;

    private Parsed(@Nullable String writeKey, @Nullable List<Raw> batch, @Nullable Raw single,
        @Nullable Map<String, @Nullable Object> batchContext, @Nullable Object batchSentAt) {
      this.writeKey = writeKey;
      this.batch = batch;
      this.single = single;
      this.batchContext = batchContext;
      this.batchSentAt = batchSentAt;
    }

    /** The body's top-level {@code writeKey}, when it is a string. */
    public @Nullable String writeKey() {
      return writeKey;
    }

    /** Whether the body is a {@code batch} (else a single message). */
    public boolean isBatch() {
      return batch != null;
    }

    /**
     * The messages, in body order.
     *
     * @throws InvalidEventException when the batch-level {@code sentAt} is not a date-time
     */
    public List<DecodedMessage> messages(Reading reading) {
      if (single != null) {
        return List.of(decodeOne(single, null, null, reading));
      }
      Instant sentAt = EventMapping.instant(batchSentAt, "/sentAt", reading.zone());
      List<DecodedMessage> out = new ArrayList<>(batch.size());
      for (Raw raw : batch) {
        out.add(decodeOne(raw, batchContext, sentAt, reading));
      }
      return List.copyOf(out);
    }
  }

  /** One message, not gzipped. */
  public Event decodeMessage(byte[] json) {
    if (json.length > limits.maxEventBytes()) {
      throw eventTooLarge();
    }
    try (JsonParser p = mapper.createParser(json)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new InvalidEventException("", "is empty");
      }
      if (t != JsonToken.START_OBJECT) {
        throw new InvalidEventException("", "must be a JSON object");
      }
      JsonTreeReader.Result r = reader.read(p);
      expectEnd(p);
      if (r.error() != null) {
        throw r.error();
      }
      @SuppressWarnings("unchecked")
      Map<String, @Nullable Object> message = (Map<String, @Nullable Object>) r.value();
      return EventMapping.toEvent(message, null);
    } catch (JsonProcessingException e) {
      throw notJson(e);
    } catch (CharConversionException e) {
      throw badEncoding();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen when reading a byte array
    }
  }

  private static boolean isGzip(byte[] b) {
    return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
  }

  private byte[] inflate(InputStream compressed) throws IOException {
    try {
      return readBounded(new GZIPInputStream(compressed, 8192));
    } catch (ZipException | EOFException e) {
      throw new InvalidEventException("", "is not valid gzip");
    }
  }

  /** Reads at most {@code maxBatchBytes}; one byte more rejects the body without reading on. */
  private byte[] readBounded(InputStream in) throws IOException {
    byte[] all = readAtMost(in, limits.maxBatchBytes());
    if (all == null) {
      throw tooLarge();
    }
    return all;
  }

  /**
   * The stream's bytes to its end, or {@code null} as soon as it has given more than {@code max}
   * (reading stops at {@code max + 1}). The stream is not closed.
   */
  public static byte @Nullable [] readAtMost(InputStream in, int max) throws IOException {
    return readAtMost(in, max, -1);
  }

  /**
   * As {@link #readAtMost(InputStream, int)}, expecting {@code expected} bytes (a request's
   * {@code Content-Length}; negative when unknown): a body of that size is read into one array of
   * its size, without a growing buffer or a copy. The hint is not trusted: a stream that gives
   * fewer or more bytes is read as it is, within {@code max}.
   */
  public static byte @Nullable [] readAtMost(InputStream in, int max, long expected)
      throws IOException {
    byte[] buf = new byte[expected >= 0 && expected <= max ? (int) expected
        : Math.min(max + 1, 8 * 1024)];
    int len = 0;
    while (true) {
      if (len == buf.length) {
        // Full: the expected end, or more to come.
        int b = in.read();
        if (b < 0) {
          return buf;
        }
        if (len + 1 > max) {
          return null;
        }
        buf = Arrays.copyOf(buf, (int) Math.min((long) max + 1, Math.max(8 * 1024L,
            2L * buf.length)));
        buf[len++] = (byte) b;
        continue;
      }
      int n = in.read(buf, len, buf.length - len);
      if (n < 0) {
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
      }
      len += n;
      if (len > max) {
        return null;
      }
    }
  }

  private InvalidEventException tooLarge() {
    return new InvalidEventException(
        "", TOO_LARGE + limits.maxBatchBytes() + " bytes (after decompression)");
  }

  /** How the reason of a body over {@link EventLimits#maxBatchBytes()} starts. */
  private static final String TOO_LARGE = "is larger than ";

  /**
   * Whether {@code e}, thrown for a whole body, says the body is over
   * {@link EventLimits#maxBatchBytes()} (an HTTP endpoint answers 413 to it, 400 to the rest).
   */
  public static boolean isBodyTooLarge(InvalidEventException e) {
    return e.pointer().isEmpty() && e.reason().startsWith(TOO_LARGE);
  }

  private InvalidEventException eventTooLarge() {
    return new InvalidEventException("", "is larger than " + limits.maxEventBytes() + " bytes");
  }

  /**
   * A message as read: its value, the first rule it broke, its size in bytes, and whether it lies
   * beyond {@link EventLimits#maxBatchEvents()}.
   */
  private record Raw(int index, JsonTreeReader.Result result, long bytes, boolean excess) {}

  private Parsed parseJson(byte[] json) {
    try (JsonParser p = mapper.createParser(json)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new InvalidEventException("", "is empty");
      }
      if (t != JsonToken.START_OBJECT) {
        throw new InvalidEventException("", "must be a JSON object");
      }
      long start = p.currentTokenLocation().getByteOffset();
      Map<String, @Nullable Object> top = new LinkedHashMap<>();
      InvalidEventException topError = null;
      List<Raw> batch = null;
      for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String key = p.currentName();
        p.nextToken();
        if (key.equals("batch")) {
          if (batch != null) {
            throw new InvalidEventException("/batch", "is a duplicate key");
          }
          if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new InvalidEventException("/batch", "must be an array");
          }
          batch = readBatch(p);
          continue;
        }
        JsonTreeReader.Result r = reader.readField(p, key, 2);
        if (top.containsKey(key)) {
          r = new JsonTreeReader.Result(null, new InvalidEventException(
              "/" + JsonTreeReader.escape(key), "is a duplicate key"));
        } else {
          top.put(key, r.value());
        }
        if (topError == null) {
          topError = r.error();
        }
      }
      long bytes = p.currentTokenLocation().getByteOffset() + 1 - start;
      expectEnd(p);
      String writeKey = top.get("writeKey") instanceof String k ? k : null;
      if (batch == null) {
        // A single message: the whole body is the message.
        return new Parsed(writeKey, null,
            new Raw(0, new JsonTreeReader.Result(top, topError), bytes, false), null, null);
      }
      if (topError != null) {
        throw topError;
      }
      Object context = top.get("context");
      if (context != null && !(context instanceof Map)) {
        throw new InvalidEventException("/context", "must be an object");
      }
      @SuppressWarnings("unchecked")
      Map<String, @Nullable Object> batchContext = (Map<String, @Nullable Object>) context;
      return new Parsed(writeKey, batch, null, batchContext, top.get("sentAt"));
    } catch (JsonProcessingException e) {
      throw notJson(e);
    } catch (CharConversionException e) {
      throw badEncoding();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen when reading a byte array
    }
  }

  private List<Raw> readBatch(JsonParser p) throws IOException {
    List<Raw> batch = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == null) {
        throw new InvalidEventException("/batch", "is not closed");
      }
      long start = p.currentTokenLocation().getByteOffset();
      JsonTreeReader.Result r = reader.read(p);
      long bytes = p.currentTokenLocation().getByteOffset() + 1 - start;
      batch.add(new Raw(batch.size(), r, bytes, batch.size() >= limits.maxBatchEvents()));
    }
    return batch;
  }

  private DecodedMessage decodeOne(Raw raw, @Nullable Map<String, @Nullable Object> batchContext,
      @Nullable Instant batchSentAt, Reading reading) {
    Object value = raw.result().value();
    String messageId = null;
    if (value instanceof Map<?, ?> m && m.get("messageId") instanceof String s && !s.isBlank()
        && s.length() <= Event.MAX_MESSAGE_ID_LENGTH) {
      messageId = s;
    }
    if (raw.excess()) {
      return DecodedMessage.rejected(raw.index(), messageId, new InvalidEventException("",
          "is beyond the batch limit of " + limits.maxBatchEvents() + " messages"));
    }
    if (raw.bytes() > limits.maxEventBytes()) {
      return DecodedMessage.rejected(raw.index(), messageId, eventTooLarge());
    }
    if (raw.result().error() != null) {
      return DecodedMessage.rejected(raw.index(), messageId, raw.result().error());
    }
    if (!(value instanceof Map<?, ?>)) {
      return DecodedMessage.rejected(
          raw.index(), null, new InvalidEventException("", "must be a JSON object"));
    }
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> message = (Map<String, @Nullable Object>) value;
    try {
      Event event = EventMapping.toEvent(message, batchContext, batchSentAt, reading);
      return DecodedMessage.valid(raw.index(), event);
    } catch (InvalidEventException e) {
      return DecodedMessage.rejected(raw.index(), messageId, e);
    }
  }

  private static void expectEnd(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw new InvalidEventException("", "has content after the JSON object");
    }
  }

  /**
   * Jackson detects UTF-16 and UTF-32 from the first bytes; its UTF-32 reader reports a code
   * point out of range as a {@link CharConversionException}, an {@link IOException} that is not a
   * {@link JsonProcessingException} (found by fuzzing).
   */
  private static InvalidEventException badEncoding() {
    return new InvalidEventException("", "is not valid JSON (invalid character encoding)");
  }

  /** Never Jackson's message: it can quote the input. Line and column are safe. */
  private static InvalidEventException notJson(JsonProcessingException e) {
    String reason = e instanceof StreamConstraintsException
        ? "exceeds a parser limit (nesting depth, number or string length)"
        : "is not valid JSON";
    JsonLocation loc = e.getLocation();
    if (loc != null && loc.getLineNr() > 0) {
      reason += " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }
    return new InvalidEventException("", reason);
  }
}
