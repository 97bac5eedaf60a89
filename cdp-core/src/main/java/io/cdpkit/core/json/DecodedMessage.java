package io.cdpkit.core.json;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.Event;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One message of a body read by {@link EventCodec#decodeBody(byte[])}: either the event or why it
 * was rejected. A rejected message does not stop the others.
 *
 * <p>The error's {@link InvalidEventException#pointer() pointer} is relative to the message, not
 * to the body: a bad {@code timestamp} in {@code batch[3]} is {@code /timestamp} with
 * {@link #index()} 3, and {@code ""} means the message as a whole (too large, not an object).
 *
 * <p>Immutable.
 *
 * @param index the message's position in the {@code batch} array; 0 for a single-message body
 * @param messageId the message's {@code messageId} when it could be read (a non-blank string of at
 *     most {@link Event#MAX_MESSAGE_ID_LENGTH} characters), even for a rejected message, so the
 *     client can be told which one failed
 * @param event the event, when the message is valid
 * @param error why the message was rejected, when it is not
 */
public record DecodedMessage(
    int index,
    @Nullable String messageId,
    @Nullable Event event,
    @Nullable InvalidEventException error) {

  /**
   * Checks that exactly one of {@code event} and {@code error} is given.
   *
   * @throws IllegalArgumentException when both or neither are given, or {@code index} is negative
   */
  public DecodedMessage {
    if ((event == null) == (error == null)) {
      throw new IllegalArgumentException("exactly one of event and error must be given");
    }
    if (index < 0) {
      throw new IllegalArgumentException("index must not be negative");
    }
  }

  /** A valid message. */
  public static DecodedMessage valid(int index, Event event) {
    return new DecodedMessage(index, event.messageId(), event, null);
  }

  /** A rejected message. */
  public static DecodedMessage rejected(
      int index, @Nullable String messageId, InvalidEventException error) {
    return new DecodedMessage(index, messageId, null, error);
  }

  /** Whether the message holds a valid event. */
  public boolean isValid() {
    return event != null;
  }

  /** The event, when valid. */
  public Optional<Event> eventIfValid() {
    return Optional.ofNullable(event);
  }

  /**
   * The event.
   *
   * @throws InvalidEventException the message's error, when it was rejected
   */
  public Event orThrow() {
    if (event == null) {
      throw error;
    }
    return event;
  }
}
