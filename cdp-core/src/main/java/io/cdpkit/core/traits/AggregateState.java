package io.cdpkit.core.traits;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one profile's events contributed to one {@link ComputedTrait}: a single {@link Partial}
 * for an all-time trait, or one partial per UTC day (epoch day) for a windowed one. Joining two
 * states joins their partials day by day, so the state is a join-semilattice like the rest of
 * {@link io.cdpkit.core.model.ProfileState}.
 *
 * <p>Immutable.
 */
public final class AggregateState {
  private static final long[] NO_DAYS = new long[0];
  private static final Partial[] NO_PARTIALS = new Partial[0];

  private final @Nullable Partial total;
  private final long[] days;
  private final Partial[] partials;

  private AggregateState(@Nullable Partial total, long[] days, Partial[] partials) {
    this.total = total;
    this.days = days;
    this.partials = partials;
  }

  /** The state of an all-time trait. */
  public static AggregateState total(Partial total) {
    return new AggregateState(Objects.requireNonNull(total, "total"), NO_DAYS, NO_PARTIALS);
  }

  /** The state of a windowed trait with one day's partial. */
  public static AggregateState day(long epochDay, Partial partial) {
    return new AggregateState(null, new long[] {epochDay},
        new Partial[] {Objects.requireNonNull(partial, "partial")});
  }

  /**
   * The state of a windowed trait from its days.
   *
   * @param epochDays UTC epoch days, strictly ascending
   * @param partials the partial of each day
   * @throws IllegalArgumentException when the days are not strictly ascending or the arrays
   *     differ in length
   */
  public static AggregateState days(long[] epochDays, Partial[] partials) {
    if (epochDays.length != partials.length) {
      throw new IllegalArgumentException("days and partials differ in length");
    }
    for (int i = 1; i < epochDays.length; i++) {
      if (epochDays[i] <= epochDays[i - 1]) {
        throw new IllegalArgumentException("days must be strictly ascending");
      }
    }
    for (Partial p : partials) {
      Objects.requireNonNull(p, "partial");
    }
    return new AggregateState(null, epochDays.clone(), partials.clone());
  }

  /** The all-time partial, or {@code null} for a windowed trait. */
  public @Nullable Partial total() {
    return total;
  }

  /** Days that have a partial, ascending (a copy). */
  public long[] epochDays() {
    return days.clone();
  }

  /** The partial of the {@code i}-th day of {@link #epochDays()}. */
  public Partial partialAt(int i) {
    return partials[i];
  }

  /** Number of days with a partial. */
  public int dayCount() {
    return days.length;
  }

  /** Whether this is the state of a windowed trait. */
  public boolean windowed() {
    return total == null;
  }

  /** The least upper bound of two states of the same trait. */
  public AggregateState join(AggregateState o) {
    if (total != null && o.total != null) {
      return new AggregateState(total.join(o.total), NO_DAYS, NO_PARTIALS);
    }
    if (total != null || o.total != null) {
      throw new IllegalArgumentException("cannot join an all-time and a windowed state");
    }
    long[] d = new long[days.length + o.days.length];
    Partial[] p = new Partial[d.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < days.length || j < o.days.length) {
      if (j == o.days.length || (i < days.length && days[i] < o.days[j])) {
        d[n] = days[i];
        p[n++] = partials[i++];
      } else if (i == days.length || o.days[j] < days[i]) {
        d[n] = o.days[j];
        p[n++] = o.partials[j++];
      } else {
        d[n] = days[i];
        p[n++] = partials[i++].join(o.partials[j++]);
      }
    }
    return new AggregateState(null, n == d.length ? d : Arrays.copyOf(d, n),
        n == p.length ? p : Arrays.copyOf(p, n));
  }

  /**
   * The joined partial of the days from {@code fromDay} to {@code toDay} (inclusive), or of all
   * time for an all-time state; {@code null} when nothing falls in the range.
   */
  public @Nullable Partial range(long fromDay, long toDay) {
    if (total != null) {
      return total;
    }
    Partial acc = null;
    for (int i = 0; i < days.length; i++) {
      if (days[i] >= fromDay && days[i] <= toDay) {
        acc = acc == null ? partials[i] : acc.join(partials[i]);
      }
    }
    return acc;
  }

  /**
   * The number of events counted on the days from {@code fromDay} to {@code toDay} (inclusive),
   * for the state of a windowed {@code COUNT}; the same as {@link #range} without building
   * partials, for evaluation in a loop.
   *
   * @throws ClassCastException when the partials are not counts
   */
  public long countBetween(long fromDay, long toDay) {
    if (total != null) {
      return ((Partial.Count) total).n();
    }
    long n = 0;
    for (int i = 0; i < days.length; i++) {
      long d = days[i];
      if (d > toDay) {
        break;
      }
      if (d >= fromDay) {
        n += ((Partial.Count) partials[i]).n();
      }
    }
    return n;
  }

  /**
   * The earliest instant after {@code now} at which the value over the last {@code windowDays}
   * days can change without new events: the UTC midnight at which the oldest day inside the
   * window leaves it; {@code null} when no day is inside it or the state is all-time.
   */
  public @Nullable Instant nextChange(int windowDays, Instant now) {
    if (total != null || windowDays <= 0) {
      return null;
    }
    long today = LocalDate.ofInstant(now, ZoneOffset.UTC).toEpochDay();
    long from = today - windowDays + 1;
    for (long d : days) {
      if (d >= from) {
        return LocalDate.ofEpochDay(d + windowDays).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AggregateState s && Objects.equals(total, s.total)
        && Arrays.equals(days, s.days) && Arrays.equals(partials, s.partials);
  }

  @Override
  public int hashCode() {
    return Objects.hash(total, Arrays.hashCode(days), Arrays.hashCode(partials));
  }

  /** Sizes only: values may be personal data. */
  @Override
  public String toString() {
    return total != null ? "AggregateState[all time]" : "AggregateState[" + days.length + " days]";
  }
}
