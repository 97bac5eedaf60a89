package io.cdpkit.core;

import java.util.Objects;

/**
 * A correction or partial drop the engine made to an event it kept: the event was stored (or
 * found to be a duplicate, or dropped as erased), but not exactly as sent. A warning names the
 * field and says what was done; it never holds the value itself, so it is safe to log.
 *
 * <p>Immutable.
 *
 * @param field the corrected or dropped field, as a JSON pointer (RFC 6901) into the message as
 *     clients send it ({@code /timestamp}, {@code /properties/total}, {@code /traits/phone})
 * @param kind what was done
 */
public record IngestWarning(String field, Kind kind) {

  /** What the engine did to a field of a kept event. */
  public enum Kind {
    /**
     * A client time lay further in the future than the receive time allows (see
     * {@code Cdp.Builder.clockTolerance}): the event was kept at its receive time instead
     * ({@code receivedAt} itself, when set by the caller in the future, is replaced by the
     * pipeline's clock).
     */
    TIME_CORRECTED,
    /**
     * An order or refund amount had more decimals than its currency's minor unit (a client
     * summing in binary floating point sends {@code 29.849999999999998}): it was rounded
     * half-even to the minor unit, and the event stores the rounded amount.
     */
    AMOUNT_ROUNDED,
    /**
     * A trait that is an identifier ({@code email}, {@code phone}, ...) could not be used (it is
     * not a string, too long, or its type's normalisation refuses it): the trait was left out of
     * the stored event, the rest of the event was kept.
     */
    IDENTIFIER_DROPPED,
    /**
     * An order or refund amount ({@code total}, else {@code revenue}) was sent as text holding a
     * plain decimal number ({@code "19.99"}): it was read as that number, and the event stores
     * the number. Text that is not such a number is still refused.
     */
    NUMBER_FROM_TEXT
  }

  public IngestWarning {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(kind, "kind");
  }

  @Override
  public String toString() {
    return kind + " " + (field.isEmpty() ? "message" : field);
  }
}
