package io.cdpkit.core.traits;

import io.cdpkit.core.model.Profile;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The cut points that turn recency, frequency and monetary value into the 1-to-5 scores of
 * {@link RetailTraits} ({@code rfm_recency}, {@code rfm_frequency}, {@code rfm_monetary}): four
 * per dimension, ascending (equal neighbours allowed), closing the first four quintiles. Score 5
 * is best in each dimension. A value equal to a cut point falls in the quintile that cut point
 * closes:
 *
 * <ul>
 *   <li>recency, in UTC days since the latest order (fewer is better): up to {@code r1} days
 *       scores 5, above {@code r1} up to {@code r2} scores 4, ..., above {@code r4} scores 1;
 *   <li>frequency, in orders over the last 365 days: up to {@code f1} scores 1, above
 *       {@code f1} up to {@code f2} scores 2, ..., above {@code f4} scores 5;
 *   <li>monetary, in major units of {@link #currency()} spent over the last 365 days (the sum of
 *       order {@code total}s, refunds not subtracted): as frequency.
 * </ul>
 *
 * <p>Quintiles are a property of the population, which no per-profile trait can see: compute the
 * thresholds in a batch over the profiles ({@link #fromPopulation}), nightly say, and rebuild the
 * pack with them; until there is a population, {@link #defaults()} holds.
 *
 * <pre>{@code
 * RfmThresholds t = RfmThresholds.fromPopulation(customers, clock.instant(), "EUR");
 * ComputedTraits retail = RetailTraits.builder().rfmThresholds(t).build();
 * }</pre>
 *
 * <p>Immutable.
 *
 * @param recencyDays four cut points in days, ascending, not negative
 * @param frequency four cut points in orders over 365 days, ascending, not negative
 * @param monetary four cut points in major units of {@code currency}, ascending, not negative
 * @param currency the ISO 4217 code of the monetary cut points; taken in upper case
 */
public record RfmThresholds(List<Long> recencyDays, List<Long> frequency,
    List<BigDecimal> monetary, String currency) {
  /** Cut points per dimension. */
  public static final int CUT_POINTS = 4;

  private static final RfmThresholds DEFAULTS = new RfmThresholds(
      List.of(30L, 90L, 180L, 365L),
      List.of(1L, 2L, 3L, 5L),
      List.of(new BigDecimal("50"), new BigDecimal("150"), new BigDecimal("400"),
          new BigDecimal("1000")),
      "EUR");

  /**
   * Checks and copies the cut points.
   *
   * @throws IllegalArgumentException when a dimension does not have four cut points, they
   *     descend somewhere or one is negative, or the currency is not an ISO 4217 code
   */
  public RfmThresholds {
    recencyDays = check("recency", recencyDays);
    frequency = check("frequency", frequency);
    monetary = check("monetary", monetary);
    currency = currencyCode(currency);
  }

  /**
   * Thresholds for a shop without a population to measure yet, in EUR: recency 30, 90, 180, 365
   * days; frequency 1, 2, 3, 5 orders; monetary 50, 150, 400, 1000 EUR. So a customer who
   * ordered in the last month (recency 5), six times in the year (frequency 5), for more than
   * 1000 EUR (monetary 5) scores {@code "555"}; one whose single 40 EUR order is two years old
   * scores {@code "111"}.
   */
  public static RfmThresholds defaults() {
    return DEFAULTS;
  }

  /**
   * The cut points of a population at {@code now}: over the profiles that have an order that
   * counts (as {@code Profile.orderCount()} counts them), the 20th, 40th, 60th and 80th
   * percentiles of their recency in days, their {@code orders_365d} and their
   * {@code spend_365d_<currency>} (as {@link RetailTraits} computes them), by nearest rank: the
   * {@code q}-th cut point is the smallest value that at least {@code q} × 20 % of those
   * profiles do not exceed. With 100 customers valued 1 to 100 the cut points are 20, 40, 60,
   * 80, and each score goes to 20 of them.
   *
   * <p>The values come from the profiles' orders, so the pack need not be declared. Holds three
   * values per profile with an order in memory.
   *
   * @param profiles the population, such as every profile of a workspace
   * @param now the instant the values are taken at
   * @param currency the ISO 4217 code of the monetary dimension
   * @throws IllegalArgumentException when the currency is not an ISO 4217 code, or no profile
   *     has an order that counts; keep the previous thresholds then
   */
  public static RfmThresholds fromPopulation(Iterable<Profile> profiles, Instant now,
      String currency) {
    Objects.requireNonNull(profiles, "profiles");
    Objects.requireNonNull(now, "now");
    String code = currencyCode(currency);
    String spend = RetailTraits.spendTraitName(code);
    List<Long> recency = new ArrayList<>();
    List<Long> frequency = new ArrayList<>();
    List<BigDecimal> monetary = new ArrayList<>();
    long from = RetailTraits.epochDay(now) - RetailTraits.YEAR_DAYS + 1;
    for (Profile p : profiles) {
      Instant last = RetailTraits.lastOrder(p.state());
      if (last == null) {
        continue;
      }
      recency.add(Math.max(0, RetailTraits.daysBetween(last, now)));
      frequency.add(RetailTraits.ordersSince(p.state(), from));
      monetary.add(RetailTraits.spendSince(p.state(), from, code));
    }
    if (recency.isEmpty()) {
      throw new IllegalArgumentException("no profile has an order that counts: there is no "
          + "population to measure");
    }
    return new RfmThresholds(cutPoints(recency), cutPoints(frequency), cutPoints(monetary), code);
  }

  /** The recency score of a customer whose latest order is {@code days} UTC days old. */
  public int recencyScore(long days) {
    return CUT_POINTS + 1 - below(recencyDays, days);
  }

  /** The frequency score of a customer with {@code orders} orders over 365 days. */
  public int frequencyScore(long orders) {
    return 1 + below(frequency, orders);
  }

  /** The monetary score of a customer who spent {@code spend} over 365 days. */
  public int monetaryScore(BigDecimal spend) {
    Objects.requireNonNull(spend, "spend");
    int n = 0;
    for (BigDecimal c : monetary) {
      if (c.compareTo(spend) < 0) {
        n++;
      }
    }
    return 1 + n;
  }

  private static int below(List<Long> cuts, long v) {
    int n = 0;
    for (long c : cuts) {
      if (c < v) {
        n++;
      }
    }
    return n;
  }

  /** Nearest-rank 20th, 40th, 60th and 80th percentiles of a non-empty list. */
  private static <T extends Comparable<? super T>> List<T> cutPoints(List<T> values) {
    Collections.sort(values);
    int n = values.size();
    List<T> out = new ArrayList<>(CUT_POINTS);
    for (int q = 1; q <= CUT_POINTS; q++) {
      // ceil(q * n / 5), the rank of the q-th cut point, from 1.
      long rank = (q * (long) n + CUT_POINTS) / (CUT_POINTS + 1);
      out.add(values.get((int) rank - 1));
    }
    return out;
  }

  private static <T extends Comparable<? super T>> List<T> check(String dimension,
      List<T> cuts) {
    Objects.requireNonNull(cuts, dimension);
    List<T> copy = List.copyOf(cuts);
    if (copy.size() != CUT_POINTS) {
      throw new IllegalArgumentException(dimension + " needs " + CUT_POINTS
          + " cut points, not " + copy.size());
    }
    for (int i = 0; i < CUT_POINTS; i++) {
      T c = copy.get(i);
      if (c instanceof Long l && l < 0 || c instanceof BigDecimal d && d.signum() < 0) {
        throw new IllegalArgumentException(dimension + " cut point " + c + " is negative");
      }
      if (i > 0 && copy.get(i - 1).compareTo(c) > 0) {
        throw new IllegalArgumentException(dimension + " cut points must ascend: " + c
            + " follows " + copy.get(i - 1));
      }
    }
    return copy;
  }

  /** The upper-case ISO 4217 code. */
  static String currencyCode(String currency) {
    Objects.requireNonNull(currency, "currency");
    String code = currency.strip().toUpperCase(Locale.ROOT);
    try {
      Currency.getInstance(code);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("currency " + currency + " is not an ISO 4217 code");
    }
    return code;
  }

  /** The cut points, as in {@code recency [30, 90, 180, 365] days, ...}. */
  @Override
  public String toString() {
    return "RfmThresholds[recency " + recencyDays + " days, frequency " + frequency
        + " orders, monetary " + Arrays.toString(monetary.stream()
            .map(BigDecimal::toPlainString).toArray()) + " " + currency + "]";
  }
}
