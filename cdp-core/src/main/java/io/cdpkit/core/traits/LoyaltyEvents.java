package io.cdpkit.core.traits;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads a loyalty event into a ledger entry, by the rules {@link LoyaltyTraits} documents: the
 * door refuses an event that breaks them ({@link #check}), and a stored event that breaks them
 * (stored before loyalty traits were declared) contributes nothing ({@link #entry}), so the
 * ledger stays a pure function of the stored events.
 *
 * <p>Stateless.
 */
final class LoyaltyEvents {
  private LoyaltyEvents() {}

  /** The kind of a loyalty event, or {@code null} for any other event. */
  static Partial.@Nullable LedgerKind kind(Event e) {
    if (e.type() != EventType.TRACK || e.name() == null) {
      return null;
    }
    return switch (e.name()) {
      case LoyaltyTraits.EARNED_EVENT -> Partial.LedgerKind.EARNED;
      case LoyaltyTraits.REDEEMED_EVENT -> Partial.LedgerKind.REDEEMED;
      case LoyaltyTraits.EXPIRED_EVENT -> Partial.LedgerKind.EXPIRED;
      case LoyaltyTraits.ADJUSTED_EVENT -> Partial.LedgerKind.ADJUSTED;
      default -> null;
    };
  }

  /**
   * Checks a loyalty event (any other event passes).
   *
   * @throws InvalidEventException naming the property that breaks the rules and why
   */
  static void check(Event e) {
    Partial.LedgerKind kind = kind(e);
    if (kind != null) {
      read(e, e.eventTime(), kind, true);
    }
  }

  /** The event's ledger entry at {@code time}; {@code null} when it is not a usable one. */
  static Partial.@Nullable LedgerEntry entry(Event e, Instant time) {
    Partial.LedgerKind kind = kind(e);
    return kind == null ? null : read(e, time, kind, false);
  }

  private static Partial.@Nullable LedgerEntry read(Event e, Instant time,
      Partial.LedgerKind kind, boolean strict) {
    Map<String, @Nullable Object> p = e.properties();
    Long points = points(p.get("points"));
    if (points == null) {
      return fail(strict, "/properties/points", p.get("points") == null ? "is required"
          : "must be a whole number from -" + LoyaltyTraits.MAX_POINTS + " to "
              + LoyaltyTraits.MAX_POINTS);
    }
    if (points < 0 && kind != Partial.LedgerKind.ADJUSTED) {
      return fail(strict, "/properties/points", "must not be negative for " + e.name()
          + " (send " + LoyaltyTraits.ADJUSTED_EVENT + " to take points away)");
    }
    String program = LoyaltyTraits.DEFAULT_PROGRAM;
    if (p.containsKey("program") && p.get("program") != null) {
      if (!(p.get("program") instanceof String s)) {
        return fail(strict, "/properties/program", "must be a string");
      }
      program = s.strip().toLowerCase(Locale.ROOT);
      if (!LoyaltyProgram.NAME.matcher(program).matches()) {
        return fail(strict, "/properties/program", "must match " + LoyaltyProgram.NAME.pattern()
            + " ignoring case and surrounding spaces");
      }
    }
    Instant expiresAt = null;
    Object x = p.get("expires_at");
    if (x != null && (kind == Partial.LedgerKind.EARNED
        || (kind == Partial.LedgerKind.ADJUSTED && points > 0))) {
      if (!(x instanceof String s)) {
        return fail(strict, "/properties/expires_at", "must be an ISO-8601 instant as text");
      }
      try {
        expiresAt = Instant.parse(s.strip());
      } catch (DateTimeParseException ex) {
        return fail(strict, "/properties/expires_at", "must be an ISO-8601 instant"
            + " (2027-01-31T23:00:00Z)");
      }
      if (expiresAt.isBefore(Event.MIN_TIME) || expiresAt.isAfter(Event.MAX_TIME)) {
        return fail(strict, "/properties/expires_at", "must lie in the years 1970 to 9999 (UTC)");
      }
    }
    return new Partial.LedgerEntry(time, e.messageId(), program, kind, points, expiresAt);
  }

  private static Partial.@Nullable LedgerEntry fail(boolean strict, String pointer,
      String reason) {
    if (strict) {
      throw new InvalidEventException(pointer, reason);
    }
    return null;
  }

  /** A whole number of points within the bounds, or {@code null}. */
  private static @Nullable Long points(@Nullable Object v) {
    long n;
    if (v instanceof Long l) {
      n = l;
    } else if (v instanceof Integer i) {
      n = i;
    } else if (v instanceof BigInteger b) {
      if (b.bitLength() > 62) {
        return null;
      }
      n = b.longValue();
    } else if (v instanceof BigDecimal d) {
      if (d.signum() == 0) {
        return 0L;
      }
      if ((long) d.precision() - d.scale() > 19) {
        return null; // far too large, decided without expanding the exponent
      }
      BigDecimal s = d.stripTrailingZeros();
      if (s.scale() > 0) {
        return null;
      }
      try {
        n = s.longValueExact();
      } catch (ArithmeticException ex) {
        return null;
      }
    } else {
      return null;
    }
    return n > LoyaltyTraits.MAX_POINTS || n < -LoyaltyTraits.MAX_POINTS ? null : n;
  }
}
