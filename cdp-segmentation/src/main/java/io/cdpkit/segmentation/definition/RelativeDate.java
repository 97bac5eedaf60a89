package io.cdpkit.segmentation.definition;

import io.cdpkit.segmentation.internal.Rules;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAmount;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An instant relative to the moment of evaluation: {@link #resolve(Instant) resolving} at
 * {@code now} first goes back to the start of the {@link #startOf() unit} holding {@code now} in
 * {@link #zone()}, when one is given, then adds the {@link #offset()}: an ISO-8601 period
 * ({@code -P30D}, {@code P1M}; added in the zone, so a month is a calendar month and a day is a
 * calendar day across daylight saving changes) or duration ({@code -PT24H}; exact).
 *
 * <pre>{@code
 * RelativeDate.ago(Period.ofDays(30));                                // 30 days ago (UTC)
 * RelativeDate.startOf(TimeUnitStart.MONTH, ZoneOffset.UTC);          // start of this month
 * RelativeDate.startOf(TimeUnitStart.MONTH, zone)
 *     .withOffset(Period.ofMonths(-1));                              // start of last month
 * }</pre>
 *
 * <p>Relative dates compare with {@code =}, {@code !=}, {@code <}, {@code <=}, {@code >},
 * {@code >=} and {@code between}. JSON:
 * {@code {"date": {"startOf": "month", "offset": "P0D", "zone": "UTC"}}}; {@code startOf} is
 * left out when absent; when reading, {@code offset} defaults to {@code P0D} and {@code zone} to
 * {@code UTC}.
 *
 * <p>Immutable.
 *
 * @param startOf the unit to go back to the start of, or {@code null} to start at {@code now}
 * @param offset the period or duration added, in canonical form ({@code -P30D}, {@code P1M},
 *     {@code -PT24H}; {@code P0D} for none): see {@link #RelativeDate(TimeUnitStart, String,
 *     ZoneId)}
 * @param zone the time zone of the unit's start and of a period's days and months; a zone with
 *     a fixed offset is kept as that offset ({@code Etc/GMT-1} becomes {@code +01:00}), and
 *     {@code UTC} for every name of UTC ({@code Z}, {@code GMT}, {@code Etc/UTC}, ...)
 */
public record RelativeDate(@Nullable TimeUnitStart startOf, String offset, ZoneId zone)
    implements Operand {
  private static final ZoneId UTC = ZoneId.of("UTC");

  /**
   * Checks the offset and puts it in canonical form: a period when it holds no {@code T}, else a
   * duration, at most {@value DefinitionLimits#MAX_OFFSET_YEARS} years either way; written with a
   * leading minus when every part is negative ({@code P-30D} becomes {@code -P30D},
   * {@code PT-24H} becomes {@code -PT24H}), durations in hours, minutes and seconds
   * ({@code P1D} with a {@code T} part becomes hours).
   *
   * @throws IllegalArgumentException when the offset is not an ISO-8601 period or duration, or
   *     is too large
   */
  public RelativeDate {
    Objects.requireNonNull(offset, "offset");
    ZoneId z = Objects.requireNonNull(zone, "zone").normalized();
    zone = z.equals(ZoneOffset.UTC) ? UTC : z;
    try {
      offset = Rules.offsetText(Rules.offset(offset));
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("offset " + ex.getMessage(), ex);
    }
  }

  /** The start of the current {@code unit} in {@code zone}, with no offset. */
  public static RelativeDate startOf(TimeUnitStart unit, ZoneId zone) {
    return new RelativeDate(Objects.requireNonNull(unit, "unit"), "P0D", zone);
  }

  /** {@code period} before now, days and months counted in UTC: {@code ago(Period.ofDays(30))}. */
  public static RelativeDate ago(Period period) {
    return ago(period, ZoneOffset.UTC);
  }

  /** {@code period} before now, days and months counted in {@code zone}. */
  public static RelativeDate ago(Period period, ZoneId zone) {
    return new RelativeDate(null, Rules.offsetText(period.negated()), zone);
  }

  /** {@code duration} before now: {@code ago(Duration.ofHours(24))}. */
  public static RelativeDate ago(Duration duration) {
    return new RelativeDate(null, Rules.offsetText(duration.negated()), ZoneOffset.UTC);
  }

  /** This relative date with {@code period} as its offset instead (negative to go back). */
  public RelativeDate withOffset(Period period) {
    return new RelativeDate(startOf, Rules.offsetText(period), zone);
  }

  /** This relative date with {@code duration} as its offset instead (negative to go back). */
  public RelativeDate withOffset(Duration duration) {
    return new RelativeDate(startOf, Rules.offsetText(duration), zone);
  }

  /** The offset as a {@link Period} or a {@link Duration}. */
  public TemporalAmount offsetAmount() {
    return Rules.offset(offset);
  }

  /**
   * The instant this date stands for when evaluated at {@code now}.
   *
   * @throws java.time.DateTimeException when the result lies outside the range of
   *     {@link Instant}
   */
  public Instant resolve(Instant now) {
    ZonedDateTime t = now.atZone(zone);
    if (startOf != null) {
      t = startOf.startOf(t, zone);
    }
    TemporalAmount amount = offsetAmount();
    if (amount instanceof Period p) {
      return t.plus(p).toInstant();
    }
    return t.toInstant().plus((Duration) amount);
  }
}
