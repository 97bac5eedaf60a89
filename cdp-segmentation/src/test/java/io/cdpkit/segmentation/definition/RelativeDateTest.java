package io.cdpkit.segmentation.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Resolving relative dates, their canonical offsets and zones. */
class RelativeDateTest {
  private static final ZoneId AMSTERDAM = ZoneId.of("Europe/Amsterdam");
  // Sunday 15 March 2026, 10:00 UTC.
  private static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  @Test
  void startOfEachUnitInUtc() {
    assertThat(RelativeDate.startOf(TimeUnitStart.DAY, ZoneOffset.UTC).resolve(NOW))
        .isEqualTo("2026-03-15T00:00:00Z");
    assertThat(RelativeDate.startOf(TimeUnitStart.WEEK, ZoneOffset.UTC).resolve(NOW))
        .isEqualTo("2026-03-09T00:00:00Z");
    assertThat(RelativeDate.startOf(TimeUnitStart.MONTH, ZoneOffset.UTC).resolve(NOW))
        .isEqualTo("2026-03-01T00:00:00Z");
    assertThat(RelativeDate.startOf(TimeUnitStart.YEAR, ZoneOffset.UTC).resolve(NOW))
        .isEqualTo("2026-01-01T00:00:00Z");
  }

  @Test
  void startOfTheDayIsTakenInTheZone() {
    // 23:30 UTC on the 15th is 00:30 on the 16th in Amsterdam (UTC+1 in winter).
    Instant lateEvening = Instant.parse("2026-03-15T23:30:00Z");
    assertThat(RelativeDate.startOf(TimeUnitStart.DAY, AMSTERDAM).resolve(lateEvening))
        .isEqualTo("2026-03-15T23:00:00Z");
    assertThat(RelativeDate.startOf(TimeUnitStart.WEEK, AMSTERDAM).resolve(lateEvening))
        .isEqualTo("2026-03-15T23:00:00Z"); // Monday the 16th starts then
  }

  @Test
  void periodsAreAddedInTheZoneDurationsExactly() {
    // Summer time starts in Amsterdam on 29 March 2026 at 01:00 UTC: that day has 23 hours.
    Instant afternoon = Instant.parse("2026-03-29T12:00:00Z"); // 14:00 CEST
    assertThat(RelativeDate.ago(Period.ofDays(1), AMSTERDAM).resolve(afternoon))
        .isEqualTo("2026-03-28T13:00:00Z"); // 14:00 CET the day before
    assertThat(RelativeDate.ago(Duration.ofHours(24)).resolve(afternoon))
        .isEqualTo("2026-03-28T12:00:00Z");
    assertThat(RelativeDate.ago(Period.ofDays(30)).resolve(NOW))
        .isEqualTo("2026-02-13T10:00:00Z");
  }

  @Test
  void startOfLastMonth() {
    RelativeDate lastMonth = RelativeDate.startOf(TimeUnitStart.MONTH, ZoneOffset.UTC)
        .withOffset(Period.ofMonths(-1));
    assertThat(lastMonth.offset()).isEqualTo("-P1M");
    assertThat(lastMonth.resolve(NOW)).isEqualTo("2026-02-01T00:00:00Z");
  }

  @ParameterizedTest
  @CsvSource({
      "-P30D, -P30D",
      "P-30D, -P30D",
      "p1m, P1M",
      "P1W, P7D",
      "-P0D, P0D",
      "P1Y-2M, P1Y-2M",
      "-PT24H, -PT24H",
      "PT-24H, -PT24H",
      "P1DT2H, PT26H",
      "PT90M, PT1H30M",
  })
  void offsetsAreKeptInCanonicalForm(String given, String canonical) {
    assertThat(new RelativeDate(null, given, ZoneOffset.UTC).offset()).isEqualTo(canonical);
  }

  @ParameterizedTest
  @CsvSource({"UTC", "Z", "GMT", "Etc/UTC", "+00:00", "UTC+00:00"})
  void everyNameOfUtcIsUtc(String zone) {
    assertThat(RelativeDate.startOf(TimeUnitStart.DAY, ZoneId.of(zone)))
        .isEqualTo(RelativeDate.startOf(TimeUnitStart.DAY, ZoneId.of("UTC")))
        .extracting(r -> r.zone().getId()).isEqualTo("UTC");
  }

  @Test
  void fixedOffsetZonesBecomeOffsets() {
    assertThat(RelativeDate.startOf(TimeUnitStart.DAY, ZoneId.of("Etc/GMT-1")).zone())
        .isEqualTo(ZoneOffset.ofHours(1));
    assertThat(RelativeDate.startOf(TimeUnitStart.DAY, AMSTERDAM).zone()).isEqualTo(AMSTERDAM);
  }

  @Test
  void badOffsets() {
    assertThatThrownBy(() -> new RelativeDate(null, "30 days", ZoneOffset.UTC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("offset must be an ISO-8601 period or duration (-P30D, P1M, -PT24H), "
            + "not \"30 days\"");
    assertThatThrownBy(() -> new RelativeDate(null, "P1001Y", ZoneOffset.UTC))
        .hasMessage("offset must be at most 1000 years either way");
    assertThatThrownBy(() -> new RelativeDate(null, "PT9000000H", ZoneOffset.UTC))
        .hasMessage("offset must be at most 1000 years either way");
    assertThat(new RelativeDate(null, "-P1000Y", ZoneOffset.UTC).resolve(NOW))
        .isEqualTo("1026-03-15T10:00:00Z");
  }
}
