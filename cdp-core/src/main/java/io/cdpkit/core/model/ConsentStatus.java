package io.cdpkit.core.model;

/**
 * Whether a purpose on a channel may be used at an instant, from the decision in force then.
 *
 * <p>Immutable.
 */
public enum ConsentStatus {
  /** Granted, and not expired at the instant. */
  GRANTED,
  /** Denied or withdrawn. */
  DENIED,
  /** Granted with an expiry at or before the instant. */
  EXPIRED,
  /** No decision recorded (by the instant). */
  NONE;

  /** Whether this status allows processing: only {@link #GRANTED}. */
  public boolean allows() {
    return this == GRANTED;
  }
}
