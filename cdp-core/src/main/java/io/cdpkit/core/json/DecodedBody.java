package io.cdpkit.core.json;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.internal.json.BodyDecoder;
import io.cdpkit.core.internal.json.Reading;
import io.cdpkit.core.model.EventType;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A request body read by {@link EventCodec#readBody(byte[])}, its messages not yet turned into
 * events: a host looks at the {@link #writeKey()} to find the workspace, then reads the messages
 * as that workspace says (its zone, the namespace of derived message ids). The body is parsed
 * once.
 *
 * <p>Immutable; thread-safe.
 */
public final class DecodedBody {
  private final BodyDecoder.Parsed parsed;
  private final @Nullable EventType typeIfMissing;
  private final @Nullable Instant receivedAt;

  DecodedBody(BodyDecoder.Parsed parsed, @Nullable EventType typeIfMissing,
      @Nullable Instant receivedAt) {
    this.parsed = parsed;
    this.typeIfMissing = typeIfMissing;
    this.receivedAt = receivedAt;
  }

  /**
   * This body with messages that have no {@code type} key read as {@code type}: Segment's
   * single-call paths ({@code /v1/track}, {@code /v1/identify}, ...) name the type in the path,
   * and their documented bodies leave it out. A message that has a {@code type} keeps it.
   */
  public DecodedBody withTypeIfMissing(EventType type) {
    return new DecodedBody(parsed, Objects.requireNonNull(type, "type"), receivedAt);
  }

  /**
   * This body with every event received at {@code receivedAt}: a client's {@code receivedAt}
   * is still checked (an unreadable one rejects its message) but replaced, as a host that does
   * not trust clients' clocks wants. The engine stamps bodies it ingests this way.
   */
  public DecodedBody withReceivedAt(Instant receivedAt) {
    return new DecodedBody(parsed, typeIfMissing,
        Objects.requireNonNull(receivedAt, "receivedAt"));
  }

  /**
   * The body's top-level {@code writeKey}, when it is a string. analytics.js and the single-call
   * examples of the HTTP APIs send the key this way; the server libraries send it in the
   * {@code Authorization} header instead.
   */
  public Optional<String> writeKey() {
    return Optional.ofNullable(parsed.writeKey());
  }

  /** Whether the body is {@code {"batch": [...]}} rather than one message. */
  public boolean isBatch() {
    return parsed.isBatch();
  }

  /**
   * The messages, one entry each in body order, read with {@code zone} for date-times sent
   * without an offset and {@code idNamespace} for the ids of messages sent without a
   * {@code messageId} (see {@link EventCodec}, "Messages").
   *
   * @param idNamespace the namespace of derived message ids, usually the workspace's id
   * @param zone the zone of local date-times
   * @return one entry per message; unmodifiable
   * @throws InvalidEventException when the batch-level {@code sentAt} is not a date-time
   */
  public List<DecodedMessage> messages(String idNamespace, ZoneId zone) {
    return parsed.messages(new Reading(Objects.requireNonNull(zone, "zone"),
        Objects.requireNonNull(idNamespace, "idNamespace"), typeIfMissing, receivedAt));
  }
}
