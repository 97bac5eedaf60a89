package io.cdpkit.core.traits;

/**
 * The time a {@link ComputedTrait} looks back over: all time, or the last {@code days} days.
 *
 * <p>Windows are whole days in UTC: "the last 30 days" at an instant holds the events dated
 * (UTC) from 29 days before that instant's date up to and including it, and events dated later
 * (clocks ahead). So a windowed value changes at UTC midnight, when the oldest day leaves the
 * window, and the state keeps one bucket per UTC day that had matching events.
 *
 * <p>Immutable.
 *
 * @param days the days looked back over, or 0 for all time
 */
public record Window(int days) {
  /** Longest window, in days (ten years). */
  public static final int MAX_DAYS = 3660;

  public Window {
    if (days < 0 || days > MAX_DAYS) {
      throw new IllegalArgumentException("window days must be 0 (all time) to " + MAX_DAYS
          + ", was " + days);
    }
  }

  /** All time. */
  public static Window allTime() {
    return new Window(0);
  }

  /** The last {@code days} days (see the class description). */
  public static Window lastDays(int days) {
    if (days == 0) {
      throw new IllegalArgumentException("window days must be 1 to " + MAX_DAYS + ", was 0");
    }
    return new Window(days);
  }

  /** Whether this window is all time. */
  public boolean isAllTime() {
    return days == 0;
  }

  @Override
  public String toString() {
    return days == 0 ? "all time" : "last " + days + " days";
  }
}
