package io.cdpkit.core.traits;

/**
 * What a {@link ComputedTrait} makes of the values it collects. "Value" is the property the trait
 * names; for {@code MIN}, {@code MAX}, {@code FIRST} and {@code LAST} without a property it is
 * the event's time. A path through a list ({@code products[].price}) gives several values per
 * event. Values that are not scalars (lists, maps) are skipped; {@code SUM} and {@code AVERAGE}
 * skip values that are not numbers.
 *
 * <p>Immutable.
 */
public enum Aggregation {
  /** Matching events (a {@code Long}; 0 when none). */
  COUNT(false),
  /** Sum of the numeric values (a {@code BigDecimal}; 0 when none). */
  SUM(true),
  /** Mean of the numeric values (a {@code BigDecimal}, 16 significant digits); none when none. */
  AVERAGE(true),
  /** Smallest value under {@link Values#ORDER}. */
  MIN(false),
  /** Largest value under {@link Values#ORDER}. */
  MAX(false),
  /** Value of the earliest matching event (event time, then messageId). */
  FIRST(false),
  /** Value of the latest matching event (event time, then messageId). */
  LAST(false),
  /** The value seen most often; ties go to the one seen last, then the smallest. */
  MOST_FREQUENT(true),
  /** How many distinct values (a {@code Long}; 0 when none). */
  DISTINCT_COUNT(true),
  /** The distinct values, sorted by {@link Values#ORDER} (a {@code List}; empty when none). */
  UNIQUE_LIST(true),
  /**
   * The latest event times with the session id each event carried, for sessions
   * ({@link Partial.Timeline}; see {@link WebTraits}). The property, optional, is the path of the
   * session id; page and screen events count as views. Its value is the number of events kept (a
   * {@code Long}; 0 when none); the sessions themselves are derived from the state.
   */
  TIMELINE(false),
  /**
   * The distinct values seen most recently, newest first (a {@code List} of at most
   * {@value Partial.Recent#MAX_VALUES}; empty when none); strings are cut to
   * {@value Partial.Recent#MAX_VALUE_LENGTH} characters ({@link Partial.Recent}).
   */
  RECENT(true),
  /**
   * The loyalty ledger: one entry per loyalty event ({@link LoyaltyTraits#EARNED_EVENT} and the
   * other three), read by the rules {@link LoyaltyTraits} documents; other events and loyalty
   * events that break those rules add nothing. Takes no property. Its value is the number of
   * entries (a {@code Long}; 0 when none); {@link LoyaltyTraits} derives balances from it.
   */
  LEDGER(false);

  private final boolean needsProperty;

  Aggregation(boolean needsProperty) {
    this.needsProperty = needsProperty;
  }

  /** Whether a trait of this kind must name a property. */
  public boolean needsProperty() {
    return needsProperty;
  }
}
