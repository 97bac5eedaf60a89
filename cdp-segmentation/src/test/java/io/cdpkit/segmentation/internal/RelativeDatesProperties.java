package io.cdpkit.segmentation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.segmentation.definition.RelativeDate;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * When a comparison with a relative date next changes: for an offset without a unit
 * ({@code -P30D}, {@code -P1M}, {@code -PT24H}) the instant is exact, so a member of "viewed a
 * product created in the last 30 days" is checked once, when it leaves, not a day early and
 * then again at every run until it does.
 */
class RelativeDatesProperties {
  static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

  @Provide
  Arbitrary<RelativeDate> relative() {
    Arbitrary<ZoneId> zones = Arbitraries.of(ZoneOffset.UTC, ZoneId.of("Europe/Amsterdam"),
        ZoneId.of("Pacific/Chatham"), ZoneId.of("America/Sao_Paulo"));
    Arbitrary<Period> periods = Arbitraries.oneOf(
        Arbitraries.integers().between(-400, 400).map(Period::ofDays),
        Arbitraries.integers().between(-36, 36).map(Period::ofMonths),
        Arbitraries.integers().between(-3, 3).map(Period::ofYears),
        Arbitraries.integers().between(-12, 12).map(m -> Period.of(0, m, 15)));
    Arbitrary<RelativeDate> byPeriod = periods.flatMap(p -> zones.map(z ->
        RelativeDate.ago(p.negated(), z)));
    Arbitrary<RelativeDate> byDuration = Arbitraries.longs().between(-10_000, 10_000)
        .map(h -> RelativeDate.ago(Duration.ofMinutes(h * 7)));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, byPeriod), net.jqwik.api.Tuple.of(1, byDuration));
  }

  @Provide
  Arbitrary<Instant> instants() {
    // Two years around the base, to the nanosecond, often on the hour and around month ends.
    Arbitrary<Instant> any = Arbitraries.longs().between(-2 * 365 * 86_400L, 2 * 365 * 86_400L)
        .flatMap(s -> Arbitraries.longs().between(0, 999_999_999)
            .map(n -> BASE.plusSeconds(s).plusNanos(n)));
    Arbitrary<Instant> hours = Arbitraries.longs().between(-2 * 365 * 24L, 2 * 365 * 24L)
        .map(h -> BASE.plus(Duration.ofHours(h)));
    return Arbitraries.oneOf(any, hours);
  }

  @Property(tries = 2_000)
  void theNextCrossingIsExactWithoutAUnit(@ForAll("relative") RelativeDate r,
      @ForAll("instants") Instant x, @ForAll("instants") Instant now) {
    RelativeDates.Compiled c = RelativeDates.Compiled.of(r);
    Instant t = RelativeDates.nextCrossing(c, x, now);
    if (c.resolve(now).isAfter(x)) {
      assertThat(t).isNull();
      return;
    }
    assertThat(t).isNotNull().isAfter(now);
    if (c.resolve(now).equals(x)) {
      assertThat(t).isEqualTo(now.plusNanos(1));
      return;
    }
    // Reached at t, and not a nanosecond before (R never decreases, so nowhere before).
    assertThat(c.resolve(t)).as("R(t) for t=" + t).isAfterOrEqualTo(x);
    Instant before = t.minusNanos(1);
    if (before.isAfter(now)) {
      assertThat(c.resolve(before)).as("R(t - 1ns) for t=" + t).isBefore(x);
    }
  }

  @Example
  void thirtyDaysAgoIsCrossedExactlyThirtyDaysLater() {
    RelativeDates.Compiled c = RelativeDates.Compiled.of(RelativeDate.ago(Period.ofDays(30)));
    Instant created = Instant.parse("2026-03-10T11:02:03Z");
    assertThat(RelativeDates.nextCrossing(c, created, Instant.parse("2026-03-15T10:00:00Z")))
        .isEqualTo(Instant.parse("2026-04-09T11:02:03Z"));
    // A month back from 31 March is 28 or 29 February: the first instant "a month ago"
    // reaches 28 February 2026, 10:00, is 28 March 10:00.
    RelativeDates.Compiled month = RelativeDates.Compiled.of(RelativeDate.ago(Period.ofMonths(1)));
    assertThat(RelativeDates.nextCrossing(month, Instant.parse("2026-02-28T10:00:00Z"),
        Instant.parse("2026-03-01T00:00:00Z"))).isEqualTo(Instant.parse("2026-03-28T10:00:00Z"));
  }
}
