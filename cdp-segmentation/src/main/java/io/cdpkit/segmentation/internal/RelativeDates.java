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

  /**
   * The earliest instant after {@code now} at which {@code R} reaches or passes {@code x}, or
   * {@code null} when it already passed it. May be early (by at most a day, where a period's
   * arithmetic cannot be undone exactly), never late.
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
    Instant t = r.startOf() == null ? y : ceilBoundary(r, y);
    return t.isAfter(now) ? t : nextBoundaryOrNano(r, now);
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
