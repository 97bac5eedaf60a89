package io.cdpkit.segmentation.predict;

import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileState;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One customer's purchase history as the buy-till-you-die models see it: how many repeat
 * purchase periods, when the last one was, how long the customer has been one, and what a
 * repeat purchase was worth on average.
 *
 * <p>Built from orders with {@link #of(Collection, LocalDate, ZoneId, PeriodUnit)}: orders on the
 * same calendar day (in the given zone) are merged into one purchase, summing their amounts, as
 * Fader, Hardie and Lee do with the CDNOW data; orders after the calibration end are ignored. The
 * first purchase day is the customer's birth: {@code frequency} counts the purchase days after
 * it, {@code recency} is the time from the first to the last purchase day, {@code age} the time
 * from the first purchase day to the calibration end day, both in the chosen {@link PeriodUnit}.
 * {@code meanRepeatSpend} is the mean amount of the repeat purchase days (the first day left out,
 * as the Gamma-Gamma model wants), zero without repeats.
 *
 * <p>Immutable.
 *
 * @param frequency x, the number of repeat purchase periods; at least zero
 * @param recency t_x, time from the first to the last purchase; zero when {@code frequency} is;
 *     at most {@code age}
 * @param age T, time from the first purchase to the end of calibration; at least zero
 * @param meanRepeatSpend zbar, the mean spend of the repeat purchases; zero without repeats
 */
public record PurchaseSummary(int frequency, double recency, double age,
    double meanRepeatSpend) {
  /**
   * Checks the fields.
   *
   * @throws IllegalArgumentException naming the field that is out of range (not its value)
   */
  public PurchaseSummary {
    check(frequency, recency, age);
    if (!Double.isFinite(meanRepeatSpend) || meanRepeatSpend < 0) {
      throw new IllegalArgumentException("meanRepeatSpend must be a finite number >= 0");
    }
    if (frequency == 0 && meanRepeatSpend != 0) {
      throw new IllegalArgumentException("meanRepeatSpend must be 0 when frequency is 0");
    }
  }

  /** A summary without spend, for the purchase-count models alone. */
  public static PurchaseSummary of(int frequency, double recency, double age) {
    return new PurchaseSummary(frequency, recency, age, 0);
  }

  /**
   * Checks (x, t_x, T) as the models take them.
   *
   * @throws IllegalArgumentException naming the field that is out of range
   */
  static void check(int frequency, double recency, double age) {
    if (frequency < 0) {
      throw new IllegalArgumentException("frequency must be >= 0");
    }
    if (!Double.isFinite(recency) || recency < 0) {
      throw new IllegalArgumentException("recency must be a finite number >= 0");
    }
    if (!Double.isFinite(age) || age < 0) {
      throw new IllegalArgumentException("age must be a finite number >= 0");
    }
    if (recency > age) {
      throw new IllegalArgumentException("recency must not exceed age");
    }
    if (frequency == 0 && recency != 0) {
      throw new IllegalArgumentException("recency must be 0 when frequency is 0");
    }
  }

  /**
   * Checks a horizon of the models' expectations.
   *
   * @throws IllegalArgumentException naming {@code t}
   */
  static void checkHorizon(double t) {
    if (!Double.isFinite(t) || t < 0) {
      throw new IllegalArgumentException("t must be a finite number >= 0");
    }
  }

  /**
   * One order: when it was placed and what it was worth (in one currency, net of refunds).
   *
   * <p>Immutable.
   *
   * @param time when the order was placed
   * @param amount its value; finite and at least zero
   */
  public record Purchase(Instant time, double amount) {
    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException naming the field
     */
    public Purchase {
      Objects.requireNonNull(time, "time");
      if (!Double.isFinite(amount) || amount < 0) {
        throw new IllegalArgumentException("amount must be a finite number >= 0");
      }
    }
  }

  /**
   * The summary of a customer's orders at the end of a calibration period.
   *
   * @param orders the customer's orders, in any order; those after {@code calibrationEnd} are
   *     ignored
   * @param calibrationEnd the last day of the calibration period (inclusive), in {@code zone}
   * @param zone the zone whose calendar days merge orders and measure time
   * @param unit the unit of recency and age
   * @return the summary, or empty when no order falls on or before {@code calibrationEnd}
   */
  public static Optional<PurchaseSummary> of(Collection<Purchase> orders,
      LocalDate calibrationEnd, ZoneId zone, PeriodUnit unit) {
    Objects.requireNonNull(calibrationEnd, "calibrationEnd");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(unit, "unit");
    TreeMap<LocalDate, Double> days = new TreeMap<>();
    for (Purchase p : orders) {
      LocalDate day = LocalDate.ofInstant(p.time(), zone);
      if (!day.isAfter(calibrationEnd)) {
        days.merge(day, p.amount(), Double::sum);
      }
    }
    if (days.isEmpty()) {
      return Optional.empty();
    }
    LocalDate first = days.firstKey();
    LocalDate last = days.lastKey();
    int x = days.size() - 1;
    double repeatSpend = 0;
    for (var e : days.tailMap(first, false).entrySet()) {
      repeatSpend += e.getValue();
    }
    return Optional.of(new PurchaseSummary(x,
        unit.fromDays(ChronoUnit.DAYS.between(first, last)),
        unit.fromDays(ChronoUnit.DAYS.between(first, calibrationEnd)),
        x == 0 ? 0 : repeatSpend / x));
  }

  /**
   * The summary of a profile's orders in one currency, counted as
   * {@link Profile#orderCount()} counts them: one per order id, none refunded in full, each
   * worth its total net of partial refunds; orders in other currencies are left out.
   *
   * @param currency the ISO 4217 code of the currency whose orders count
   * @return the summary, or empty without such an order on or before {@code calibrationEnd}
   */
  public static Optional<PurchaseSummary> of(Profile profile, String currency,
      LocalDate calibrationEnd, ZoneId zone, PeriodUnit unit) {
    Objects.requireNonNull(profile, "profile");
    return of(profile.state(), currency, calibrationEnd, zone, unit);
  }

  /**
   * The summary of a profile state's orders in one currency, as
   * {@link #of(Profile, String, LocalDate, ZoneId, PeriodUnit)} builds it (what a derived trait
   * sees of a profile).
   *
   * @param currency the ISO 4217 code of the currency whose orders count
   * @return the summary, or empty without such an order on or before {@code calibrationEnd}
   */
  public static Optional<PurchaseSummary> of(ProfileState state, String currency,
      LocalDate calibrationEnd, ZoneId zone, PeriodUnit unit) {
    Objects.requireNonNull(state, "state");
    int digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    List<Purchase> orders = new java.util.ArrayList<>();
    for (ProfileState.OrderEntry e : state.orders().values()) {
      if (e.counts() && e.completion().value().currency().equals(currency)) {
        long net = e.completion().value().minorUnits() - e.refundedMinorUnits();
        orders.add(new Purchase(e.completion().time(),
            BigDecimal.valueOf(Math.max(0, net), digits).doubleValue()));
      }
    }
    return of(orders, calibrationEnd, zone, unit);
  }
}
