package io.cdpkit.activation.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What became of one {@link Channel#deliver} call: delivered, failed for now (try again), or
 * failed for good (a dead letter).
 *
 * <p>Immutable.
 */
public final class DeliveryResult {
  /** The three outcomes. */
  public enum Outcome {
    DELIVERED,
    RETRYABLE,
    PERMANENT
  }

  private static final DeliveryResult DELIVERED =
      new DeliveryResult(Outcome.DELIVERED, null, null, null);

  private final Outcome outcome;
  private final @Nullable String reason;
  private final @Nullable String reference;
  private final @Nullable Duration retryAfter;

  private DeliveryResult(Outcome outcome, @Nullable String reason, @Nullable String reference,
      @Nullable Duration retryAfter) {
    this.outcome = outcome;
    this.reason = reason;
    this.reference = reference;
    this.retryAfter = retryAfter;
  }

  /** Delivered. */
  public static DeliveryResult delivered() {
    return DELIVERED;
  }

  /**
   * Delivered; the receiver's reference for it (a message id), kept in the history. It must not
   * contain personal data.
   *
   * @param reference 1 to {@value #MAX_REFERENCE_LENGTH} characters
   */
  public static DeliveryResult delivered(String reference) {
    Objects.requireNonNull(reference, "reference");
    if (reference.isEmpty() || reference.length() > MAX_REFERENCE_LENGTH) {
      throw new IllegalArgumentException(
          "reference must be 1 to " + MAX_REFERENCE_LENGTH + " characters");
    }
    return new DeliveryResult(Outcome.DELIVERED, null, reference, null);
  }

  /** Longest receiver reference, in characters. */
  public static final int MAX_REFERENCE_LENGTH = 200;

  /**
   * Not delivered, but may be if tried again (a timeout, a 5xx, a 429). The reason goes to the
   * history and logs: it must not contain personal data.
   */
  public static DeliveryResult retryable(String reason) {
    return new DeliveryResult(Outcome.RETRYABLE, Objects.requireNonNull(reason), null, null);
  }

  /** As {@link #retryable(String)}, asking to wait at least {@code after} (a Retry-After). */
  public static DeliveryResult retryable(String reason, Duration after) {
    if (after.isNegative()) {
      throw new IllegalArgumentException("after must not be negative");
    }
    return new DeliveryResult(Outcome.RETRYABLE, Objects.requireNonNull(reason), null, after);
  }

  /**
   * Will never be delivered (a rejected address, a 4xx other than 408 and 429): the message
   * becomes a dead letter at once. The reason must not contain personal data.
   */
  public static DeliveryResult permanent(String reason) {
    return new DeliveryResult(Outcome.PERMANENT, Objects.requireNonNull(reason), null, null);
  }

  public Outcome outcome() {
    return outcome;
  }

  /** Why it failed; empty when delivered. */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /** The receiver's reference, when it gave one. */
  public Optional<String> reference() {
    return Optional.ofNullable(reference);
  }

  /** The least wait before the next attempt, when the receiver asked for one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeliveryResult r && outcome == r.outcome
        && Objects.equals(reason, r.reason) && Objects.equals(reference, r.reference)
        && Objects.equals(retryAfter, r.retryAfter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(outcome, reason, reference, retryAfter);
  }

  @Override
  public String toString() {
    return "DeliveryResult[" + outcome + (reason == null ? "" : ", " + reason) + "]";
  }
}
