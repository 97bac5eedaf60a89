package io.cdpkit.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The fast reading path agrees with {@code ISO_OFFSET_DATE_TIME} on every text it accepts; the
 * fast writing path gives {@code Instant.toString()}'s text for every instant.
 */
class IsoInstantsProperties {

  private static Instant formatter(String s) {
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Property(tries = 3_000)
  void agreesWithTheFormatter(@ForAll("dateTimes") String s) {
    Instant fast = IsoInstants.parse(s);
    if (fast != null) {
      assertThat(formatter(s)).as(s).isEqualTo(fast);
    }
  }

  @Property(tries = 1_000)
  void takesEveryWellFormedValidDateTime(@ForAll("valid") String s) {
    assertThat(IsoInstants.parse(s)).as(s).isNotNull().isEqualTo(formatter(s));
  }

  @Property(tries = 1_000)
  void neverAcceptsWhatTheFormatterRefuses(@ForAll String s) {
    if (IsoInstants.parse(s) != null) {
      assertThat(formatter(s)).as(s).isNotNull();
    }
  }

  @Property(tries = 2_000)
  void readsStoredTextAsInstantParseDoes(@ForAll("anyShape") String s) {
    Instant expected;
    try {
      expected = Instant.parse(s);
    } catch (DateTimeParseException e) {
      assertThatThrownBy(() -> IsoInstants.parseStored(s)).as(s)
          .isInstanceOf(DateTimeParseException.class);
      return;
    }
    assertThat(IsoInstants.parseStored(s)).as(s).isEqualTo(expected);
  }

  @Property(tries = 1_000)
  void readsBackWhatItWrites(@ForAll("instants") Instant t) {
    assertThat(IsoInstants.parseStored(IsoInstants.format(t))).isEqualTo(t);
  }

  @Property(tries = 5_000)
  void formatsAsToStringDoes(@ForAll("instants") Instant t) {
    assertThat(IsoInstants.format(t)).isEqualTo(t.toString());
  }

  @Example
  void formatsTheEdges() {
    for (long s : new long[] {IsoInstants.FIRST_SECOND - 1, IsoInstants.FIRST_SECOND, -1, 0, 1,
        IsoInstants.LAST_SECOND, IsoInstants.LAST_SECOND + 1}) {
      for (int nano : new int[] {0, 1, 999, 1_000, 100_000, 999_999, 1_000_000, 120_000_000,
          999_999_999}) {
        Instant t = Instant.ofEpochSecond(s, nano);
        assertThat(IsoInstants.format(t)).as("%s %s", s, nano).isEqualTo(t.toString());
      }
    }
    assertThat(IsoInstants.format(Instant.MIN)).isEqualTo(Instant.MIN.toString());
    assertThat(IsoInstants.format(Instant.MAX)).isEqualTo(Instant.MAX.toString());
    assertThat(IsoInstants.format(Instant.parse("2010-12-01T08:26:00Z")))
        .isEqualTo("2010-12-01T08:26:00Z");
    assertThat(IsoInstants.format(Instant.parse("2024-02-29T23:59:59.000120Z")))
        .isEqualTo("2024-02-29T23:59:59.000120Z");
  }

  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Long> seconds = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.longs().between(IsoInstants.FIRST_SECOND - 86_400L * 800,
            IsoInstants.LAST_SECOND + 86_400L * 800)),
        Tuple.of(3, Arbitraries.longs().between(1_000_000_000L, 2_000_000_000L)),
        Tuple.of(1, Arbitraries.longs().between(Instant.MIN.getEpochSecond(),
            Instant.MAX.getEpochSecond())));
    Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.just(0),
        Arbitraries.integers().between(0, 999).map(m -> m * 1_000_000),
        Arbitraries.integers().between(0, 999_999).map(u -> u * 1_000),
        Arbitraries.integers().between(0, 999_999_999));
    return Combinators.combine(seconds, nanos).as(Instant::ofEpochSecond);
  }

  @Example
  void examples() {
    assertThat(IsoInstants.parse("2026-03-01T10:15:00.123+01:00"))
        .isEqualTo(Instant.parse("2026-03-01T09:15:00.123Z"));
    assertThat(IsoInstants.parse("2024-02-29T23:59:59.999999999-00:30"))
        .isEqualTo(Instant.parse("2024-03-01T00:29:59.999999999Z"));
    assertThat(IsoInstants.parse("2023-02-29T10:00:00Z")).isNull();
    assertThat(IsoInstants.parse("2026-03-01T24:00:00Z")).isNull();
    assertThat(IsoInstants.parse("2026-03-01T10:15:00.1234567890Z")).isNull();
    assertThat(IsoInstants.parse("2026-03-01T10:15:00.Z")).isNull();
    assertThat(IsoInstants.parse("2026-03-01T10:15:00+19:00")).isNull();
    assertThat(IsoInstants.parse("2026-03-01T10:15:00")).isNull();
    assertThat(IsoInstants.parse("2026-03-01t10:15:00z")).isNull(); // the formatter's to judge
  }

  @Provide
  Arbitrary<String> anyShape() {
    return Arbitraries.oneOf(valid(), dateTimes());
  }

  @Provide
  Arbitrary<String> valid() {
    Arbitrary<String> date = Arbitraries.integers().between(0, 400_000).map(d ->
        java.time.LocalDate.of(1900, 1, 1).plusDays(d).toString());
    Arbitrary<String> time = Combinators.combine(Arbitraries.integers().between(0, 23),
        Arbitraries.integers().between(0, 59), Arbitraries.integers().between(0, 59))
        .as((h, m, sec) -> String.format("%02d:%02d:%02d", h, m, sec));
    Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(9)
        .map(f -> f.isEmpty() ? "" : "." + f);
    Arbitrary<String> offset = Arbitraries.oneOf(Arbitraries.just("Z"),
        Combinators.combine(Arbitraries.of("+", "-"), Arbitraries.integers().between(0, 17),
            Arbitraries.integers().between(0, 59))
            .as((sign, h, m) -> String.format("%s%02d:%02d", sign, h, m)));
    return Combinators.combine(date, time, fraction, offset)
        .as((d, t, f, o) -> d + "T" + t + f + o);
  }

  @Provide
  Arbitrary<String> dateTimes() {
    Arbitrary<String> two = Arbitraries.integers().between(0, 99)
        .map(i -> String.format("%02d", i));
    Arbitrary<String> year = Arbitraries.oneOf(Arbitraries.integers().between(0, 9999)
        .map(i -> String.format("%04d", i)), Arbitraries.strings().ofLength(4));
    Arbitrary<String> fraction = Arbitraries.strings().withChars("0123456789.xZ")
        .ofMinLength(0).ofMaxLength(11);
    Arbitrary<String> offset = Arbitraries.oneOf(Arbitraries.of("Z", "z", "", "+", "-00:00",
        "+18:00", "-18:00", "+18:01", "+1:00", "+0100", "+01:00:30"),
        Combinators.combine(Arbitraries.of("+", "-", "*"), two, Arbitraries.of(":", "-"), two)
            .as((sign, h, c, m) -> sign + h + c + m));
    return Combinators.combine(year, two, two, Arbitraries.of("T", "t", " "), two, two, two,
        Combinators.combine(fraction, offset).as((f, o) -> f + o))
        .as((y, mo, d, t, h, mi, sec, rest) -> y + "-" + mo + "-" + d + t + h + ":" + mi + ":"
            + sec + rest);
  }
}
