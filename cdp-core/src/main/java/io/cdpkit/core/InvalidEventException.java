package io.cdpkit.core;

import java.util.Objects;

/**
 * An event, or a batch of events, broke a rule. {@link #pointer()} names the offending field as a
 * JSON pointer (RFC 6901) into the message as clients send it, for example {@code /messageId},
 * {@code /traits/email} or {@code /properties/total}; the empty pointer {@code ""} means the
 * message as a whole. {@link #reason()} says what is wrong. Neither ever contains the offending
 * value, so the message is safe to log.
 *
 * <p>Nothing of a rejected event is stored. Immutable.
 */
public final class InvalidEventException extends CdpException {
  private static final long serialVersionUID = 1L;

  private final String pointer;
  private final String reason;

  public InvalidEventException(String pointer, String reason) {
    super(describe(pointer, reason));
    this.pointer = Objects.requireNonNull(pointer, "pointer");
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The offending field as a JSON pointer; {@code ""} for the whole message. */
  public String pointer() {
    return pointer;
  }

  /** What is wrong with the field, without its value. */
  public String reason() {
    return reason;
  }

  /** The same violation, for a field nested under {@code prefix} (a JSON pointer). */
  public InvalidEventException under(String prefix) {
    return new InvalidEventException(prefix + pointer, reason);
  }

  private static String describe(String pointer, String reason) {
    return (pointer.isEmpty() ? "message" : pointer) + ": " + reason;
  }
}
