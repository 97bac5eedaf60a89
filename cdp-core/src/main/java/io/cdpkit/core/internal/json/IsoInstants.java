package io.cdpkit.core.internal.json;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;

/**
 * Fast paths for instants as text. Writing: {@link #format} gives exactly what
 * {@link Instant#toString()} gives, without {@code DateTimeFormatter} (which was about a fifth
 * of the row stores' encoding work on order-heavy profiles). Reading: a fast path for the
 * date-times clients send almost always,
 * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|+HH:mm|-HH:mm)}, read without {@code DateTimeFormatter}
 * (whose parsing was a seventh of the tracking endpoint's work). It accepts only text that
 * {@code DateTimeFormatter.ISO_OFFSET_DATE_TIME} reads to the same instant; for anything else
 * (other shapes, invalid dates) it answers {@code null} and the caller asks the formatter, whose
 * verdict stands. Stateless; thread-safe.
 */
final class IsoInstants {
  private IsoInstants() {}

  /** 0000-01-01T00:00:00Z, the first second {@link #format} writes itself. */
  static final long FIRST_SECOND = -62_167_219_200L;

  /** 9999-12-31T23:59:59Z, the last second {@link #format} writes itself. */
  static final long LAST_SECOND = 253_402_300_799L;

  /**
   * {@code t.toString()}, the same text ({@code DateTimeFormatter.ISO_INSTANT}: the fraction in
   * groups of three digits, none when it is zero). Instants outside the years 0000 to 9999,
   * which that format writes with a sign or more digits, go to {@code toString()} itself.
   */
  static String format(Instant t) {
    long s = t.getEpochSecond();
    if (s < FIRST_SECOND || s > LAST_SECOND) {
      return t.toString();
    }
    LocalDate d = LocalDate.ofEpochDay(Math.floorDiv(s, 86_400L));
    int secondOfDay = (int) Math.floorMod(s, 86_400L);
    int nano = t.getNano();
    int fraction = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
    byte[] b = new byte[20 + (fraction == 0 ? 0 : fraction + 1)];
    put(b, 0, d.getYear(), 4);
    b[4] = '-';
    put(b, 5, d.getMonthValue(), 2);
    b[7] = '-';
    put(b, 8, d.getDayOfMonth(), 2);
    b[10] = 'T';
    put(b, 11, secondOfDay / 3600, 2);
    b[13] = ':';
    put(b, 14, secondOfDay / 60 % 60, 2);
    b[16] = ':';
    put(b, 17, secondOfDay % 60, 2);
    if (fraction != 0) {
      b[19] = '.';
      put(b, 20, fraction == 3 ? nano / 1_000_000 : fraction == 6 ? nano / 1_000 : nano,
          fraction);
    }
    b[b.length - 1] = 'Z';
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /** Writes {@code v} as {@code len} decimal digits, zero-padded, at {@code at}. */
  private static void put(byte[] b, int at, int v, int len) {
    for (int k = at + len - 1; k >= at; k--) {
      b[k] = (byte) ('0' + v % 10);
      v /= 10;
    }
  }

  /**
   * {@code Instant.parse(s)}: the fast path for the text {@link #format} writes (and the other
   * texts of its shape), {@code Instant.parse} itself for anything else, so the same texts are
   * accepted and refused.
   *
   * @throws java.time.format.DateTimeParseException when {@code Instant.parse} refuses {@code s}
   */
  static Instant parseStored(String s) {
    Instant fast = parse(s);
    return fast != null ? fast : Instant.parse(s);
  }

  /** The instant, or null when {@code s} is not of the fast shape or not a valid date-time. */
  static @Nullable Instant parse(String s) {
    int n = s.length();
    // 2026-03-01T10:15:00Z is 20 characters; at most 9 fraction digits and an offset: 35.
    if (n < 20 || n > 35 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
        || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && isDigit(s.charAt(i))) {
        nanos = nanos * 10 + (s.charAt(i) - '0');
        i++;
      }
      int count = i - start;
      if (count == 0 || (i < n && isDigit(s.charAt(i)))) {
        return null;
      }
      for (int k = count; k < 9; k++) {
        nanos *= 10;
      }
    }
    ZoneOffset offset;
    if (i == n - 1 && s.charAt(i) == 'Z') {
      offset = ZoneOffset.UTC;
    } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-')
        && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, 2);
      int om = digits(s, i + 4, 2);
      if ((oh | om) < 0 || om > 59 || oh > 18) {
        return null;
      }
      int sign = s.charAt(i) == '-' ? -1 : 1;
      try {
        offset = ZoneOffset.ofHoursMinutes(sign * oh, sign * om);
      } catch (DateTimeException e) {
        return null;
      }
    } else {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(offset);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The value of {@code len} ASCII digits at {@code at}, or -1 when one is not a digit. */
  private static int digits(String s, int at, int len) {
    int v = 0;
    for (int k = at; k < at + len; k++) {
      char c = s.charAt(k);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
