package io.cdpkit.core.traits;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import org.jspecify.annotations.Nullable;

/**
 * How CDPKit compares the JSON-like values of traits, properties and computed traits: numbers by
 * value ({@code 5} equals {@code 5.0}), strings by their UTF-16 code units (case matters),
 * booleans by equality, and instants by time. An {@link Instant} compares with a string that holds
 * an ISO-8601 instant ({@code 2026-03-01T10:15:00Z}) or date ({@code 2026-03-01}, its start in
 * UTC), so a birthday trait sent as text compares with a date. Other mixes of types are neither
 * equal nor ordered.
 *
 * <p>Stateless and thread-safe.
 */
public final class Values {
  private Values() {}

  /**
   * A total order over scalar values, for min, max and sorted lists: booleans, then numbers, then
   * instants, then strings; within a type the natural order; numbers equal by value ordered by
   * their text, so the order is total and deterministic.
   */
  public static final Comparator<Object> ORDER = Values::compareTotal;

  /** Whether a value is a scalar CDPKit aggregates: string, boolean, long, decimal, instant. */
  public static boolean isScalar(@Nullable Object v) {
    return v instanceof String || v instanceof Boolean || v instanceof Long
        || v instanceof BigDecimal || v instanceof Instant;
  }

  /**
   * The canonical form of a scalar used as a key: a decimal without fraction that fits a long
   * becomes a {@link Long}, other decimals lose trailing zeros; anything else is returned as is.
   */
  public static Object canonical(Object v) {
    if (v instanceof BigDecimal d) {
      BigDecimal s = d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
      if (s.scale() <= 0) {
        try {
          return s.longValueExact();
        } catch (ArithmeticException ex) {
          return s;
        }
      }
      return s;
    }
    if (v instanceof Integer i) {
      return i.longValue();
    }
    return v;
  }

  /** The value as a decimal, or {@code null} when it is not a number. */
  public static @Nullable BigDecimal number(@Nullable Object v) {
    if (v instanceof Long l) {
      return BigDecimal.valueOf(l);
    }
    if (v instanceof Integer i) {
      return BigDecimal.valueOf(i);
    }
    if (v instanceof BigDecimal d) {
      return d;
    }
    return null;
  }

  /** The value as an instant: an instant, or a string holding an ISO-8601 instant or date. */
  public static @Nullable Instant instant(@Nullable Object v) {
    if (v instanceof Instant i) {
      return i;
    }
    if (v instanceof String s) {
      try {
        if (s.length() == 10) {
          return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        return Instant.parse(s);
      } catch (DateTimeParseException ex) {
        return null;
      }
    }
    return null;
  }

  /** Whether two values are equal under the rules in the class description. */
  public static boolean equal(@Nullable Object a, @Nullable Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    Integer c = compare(a, b);
    if (c != null) {
      return c == 0;
    }
    return a.equals(b);
  }

  /**
   * Compares two values, or returns {@code null} when they are not ordered against each other
   * (different kinds, booleans, lists, maps, {@code null}).
   */
  public static @Nullable Integer compare(@Nullable Object a, @Nullable Object b) {
    if (a == null || b == null) {
      return null;
    }
    BigDecimal na = number(a);
    BigDecimal nb = number(b);
    if (na != null && nb != null) {
      return na.compareTo(nb);
    }
    if (a instanceof String sa && b instanceof String sb) {
      return sa.compareTo(sb);
    }
    if (a instanceof Instant || b instanceof Instant) {
      Instant ia = instant(a);
      Instant ib = instant(b);
      return ia == null || ib == null ? null : ia.compareTo(ib);
    }
    if (a instanceof Boolean ba && b instanceof Boolean bb) {
      return ba.equals(bb) ? 0 : null;
    }
    return null;
  }

  private static int rank(Object v) {
    if (v instanceof Boolean) {
      return 0;
    }
    if (number(v) != null) {
      return 1;
    }
    if (v instanceof Instant) {
      return 2;
    }
    if (v instanceof String) {
      return 3;
    }
    return 4;
  }

  private static int compareTotal(Object a, Object b) {
    int ra = rank(a);
    int rb = rank(b);
    if (ra != rb) {
      return Integer.compare(ra, rb);
    }
    switch (ra) {
      case 0:
        return Boolean.compare((Boolean) a, (Boolean) b);
      case 1: {
        int c = number(a).compareTo(number(b));
        return c != 0 ? c : a.toString().compareTo(b.toString());
      }
      case 2:
        return ((Instant) a).compareTo((Instant) b);
      case 3:
        return ((String) a).compareTo((String) b);
      default:
        return a.toString().compareTo(b.toString());
    }
  }
}
