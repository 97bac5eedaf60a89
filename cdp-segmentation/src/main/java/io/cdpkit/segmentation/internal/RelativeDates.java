package io.cdpkit.segmentation.internal;

import io.cdpkit.segmentation.definition.RelativeDate;
import io.cdpkit.segmentation.definition.TimeUnitStart;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.time.temporal.TemporalAmount;
import org.jspecify.annotations.Nullable;

/**
 * When a comparison with a relative date can next change. A relative date {@code R(t)} never
 * decreases as {@code t} grows, so a comparison with a fixed value {@code x} can only change when
 * {@code R} reaches {@code x} or passes it. Stateless.
 */
final class RelativeDates {
  private RelativeDates() {}

  /**
   * A relative date with its offset parsed once, for evaluation in a loop: the same instants as
   * {@link RelativeDate#resolve}. With a {@code startOf}, the value and the unit it holds for
   * are kept, so the many evaluations at instants within one day, week, month or year compute
   * it once. Thread-safe.
   */
  static final class Compiled {
    /** One unit (day, week, ...) and the value the relative date has throughout it. */
    private record Unit(Instant from, Instant until, Instant value) {}

    private final @Nullable TimeUnitStart startOf;
    private final TemporalAmount amount;
    private final java.time.ZoneId zone;
    private volatile @Nullable Unit unit;

    private Compiled(@Nullable TimeUnitStart startOf, TemporalAmount amount,
        java.time.ZoneId zone) {
      this.startOf = startOf;
      this.amount = amount;
      this.zone = zone;
    }

    static Compiled of(RelativeDate r) {
      return new Compiled(r.startOf(), r.offsetAmount(), r.zone());
    }

    @Nullable TimeUnitStart startOf() {
      return startOf;
    }

    TemporalAmount amount() {
      return amount;
    }

    java.time.ZoneId zone() {
      return zone;
    }

    Instant resolve(Instant now) {
      if (startOf == null) {
        if (amount instanceof Duration d) {
          return now.plus(d);
        }
        return now.atZone(zone).plus((Period) amount).toInstant();
      }
      return unit(now).value();
    }

    /** The first start of the unit after {@code now}. */
    Instant nextBoundary(Instant now) {
      return unit(now).until();
    }

    private Unit unit(Instant now) {
      Unit u = unit;
      if (u != null && !now.isBefore(u.from()) && now.isBefore(u.until())) {
        return u;
      }
      ZonedDateTime s = start(startOf, now.atZone(zone));
      Instant value = amount instanceof Period p ? s.plus(p).toInstant()
          : s.toInstant().plus((Duration) amount);
      u = new Unit(s.toInstant(), next(startOf, s).toInstant(), value);
      unit = u;
      return u;
    }
  }

  /** How far past the undone instant a crossing is searched for, in days. */
  private static final long MAX_SEARCH_DAYS = 4_096;

  /**
   * The earliest instant after {@code now} at which {@code R} reaches or passes {@code x}, or
   * {@code null} when it already passed it. Never late; exact, except that with a
   * {@code startOf} and a period offset it may be early by up to a day (where a period's
   * arithmetic cannot be undone exactly).
   */
  static @Nullable Instant nextCrossing(Compiled r, Instant x, Instant now) {
    Instant rNow = r.resolve(now);
    int c = rNow.compareTo(x);
    if (c > 0) {
      return null;
    }
    if (c == 0) {
      // R equals x now: it passes x at its next move.
      return r.startOf() == null ? now.plusNanos(1) : nextBoundary(r, now);
    }
    // R(t) >= x  <=>  start(t) >= x - offset, for the start of the unit (or t itself).
    Instant y = minusOffset(r, x);
    if (r.startOf() == null && r.amount() instanceof Period) {
      return periodCrossing(r, x, now, y);
    }
    Instant t = r.startOf() == null ? y : ceilBoundary(r, y);
    return t.isAfter(now) ? t : nextBoundaryOrNano(r, now);
  }

  /**
   * For a period offset without a unit: the first instant after {@code now} at which
   * {@code R(t) = t + period} (in the zone) reaches {@code x}. Undoing the period is exact in
   * most cases ({@code -P30D} in UTC), which two evaluations confirm; otherwise (month ends,
   * time-zone transitions, periods of mixed signs) the instant is searched for from the
   * estimate {@code y} on, since {@code R} never decreases. Without the exact instant a
   * member of "viewed a product created in the last 30 days" would be checked a day early, and
   * then at every {@link io.cdpkit.segmentation.Segments#runDue()} until it leaves.
   *
   * @param y an estimate of the instant (a day before undoing the period)
   */
  private static Instant periodCrossing(Compiled r, Instant x, Instant now, Instant y) {
    Instant lo = now; // R(lo) < x throughout
    Instant hi = null; // R(hi) >= x once found
    if (y.isAfter(now)) {
      if (reaches(r, y, x)) {
        hi = y;
      } else {
        lo = y;
      }
    }
    if (hi == null) {
      Instant undone = x.atZone(r.zone()).minus(r.amount()).toInstant();
      if (undone.isAfter(lo) && reaches(r, undone, x)) {
        if (!reaches(r, undone.minusNanos(1), x)) {
          return undone;
        }
        hi = undone;
      } else {
        // Past the undone instant (a period of mixed signs, -P2M15D, undoes worst): look
        // further and further ahead.
        Instant from = undone.isAfter(lo) ? undone : lo;
        for (long days = 2; hi == null && days <= MAX_SEARCH_DAYS; days *= 2) {
          Instant far = from.plus(Duration.ofDays(days));
          if (reaches(r, far, x)) {
            hi = far;
          }
        }
      }
    }
    long above;
    try {
      above = hi == null ? -1 : Duration.between(lo, hi).toNanos();
    } catch (ArithmeticException tooFar) {
      above = -1;
    }
    if (above < 0) {
      return lo.equals(now) ? now.plusNanos(1) : lo; // early, never late
    }
    // R(lo) < x <= R(lo + above): the first instant in between where R reaches x.
    long below = 0;
    while (above - below > 1) {
      long mid = below + (above - below) / 2;
      if (reaches(r, lo.plusNanos(mid), x)) {
        above = mid;
      } else {
        below = mid;
      }
    }
    return lo.plusNanos(above);
  }

  private static boolean reaches(Compiled r, Instant t, Instant x) {
    return r.resolve(t).compareTo(x) >= 0;
  }

  private static Instant nextBoundaryOrNano(Compiled r, Instant now) {
    return r.startOf() == null ? now.plusNanos(1) : nextBoundary(r, now);
  }

  private static Instant minusOffset(Compiled r, Instant x) {
    TemporalAmount a = r.amount();
    if (a instanceof Duration d) {
      return x.minus(d);
    }
    // Periods do not invert exactly (31 January plus a month): a day early is safe.
    return x.atZone(r.zone()).minus((Period) a).minusDays(1).toInstant();
  }

  /** The first start of the unit at or after {@code y}. */
  private static Instant ceilBoundary(Compiled r, Instant y) {
    ZonedDateTime start = start(r.startOf(), y.atZone(r.zone()));
    Instant s = start.toInstant();
    return s.equals(y) ? s : next(r.startOf(), start).toInstant();
  }

  /** The first start of the unit after {@code now}. */
  private static Instant nextBoundary(Compiled r, Instant now) {
    return r.nextBoundary(now);
  }

  private static ZonedDateTime start(TimeUnitStart u, ZonedDateTime t) {
    LocalDate d = t.toLocalDate();
    LocalDate first = switch (u) {
      case DAY -> d;
      case WEEK -> d.with(TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY));
      case MONTH -> d.withDayOfMonth(1);
      case YEAR -> d.withDayOfYear(1);
    };
    return first.atStartOfDay(t.getZone());
  }

  private static ZonedDateTime next(TimeUnitStart u, ZonedDateTime start) {
    LocalDate d = start.toLocalDate();
    LocalDate n = switch (u) {
      case DAY -> d.plusDays(1);
      case WEEK -> d.plusWeeks(1);
      case MONTH -> d.plusMonths(1);
      case YEAR -> d.plusYears(1);
    };
    return n.atStartOfDay(start.getZone());
  }
}
