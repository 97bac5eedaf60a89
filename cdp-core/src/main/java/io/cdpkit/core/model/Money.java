package io.cdpkit.core.model;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * An amount of money as whole minor units (cents) of one currency. Never a floating-point number.
 *
 * <p>The minor unit of a currency is {@link Currency#getDefaultFractionDigits()} decimals, or 2
 * for a currency that has none defined ({@code XAU}, {@code XXX}, ...): see
 * {@link #fractionDigits(String)}.
 *
 * <p>Limits: the ingest pipeline accepts order and refund amounts up to
 * {@link #MAX_AMOUNT_MINOR_UNITS} (10<sup>14</sup> minor units: a trillion euros, a hundred
 * trillion yen). A long holds the sum of 92,233 such maximal orders, far more than any person
 * places; sums over a profile ({@link Profile#totalSpend}) saturate at {@link Long#MAX_VALUE}
 * rather than overflow, so a profile always stays readable.
 *
 * <p>Immutable.
 *
 * @param minorUnits the amount in the currency's minor units; may be negative
 * @param currency ISO 4217 code, upper-case, for example {@code EUR}
 */
public record Money(long minorUnits, String currency) {
  /** The largest order or refund amount the pipeline accepts, in minor units: 10<sup>14</sup>. */
  public static final long MAX_AMOUNT_MINOR_UNITS = 100_000_000_000_000L;

  public Money {
    Objects.requireNonNull(currency, "currency");
    Currency.getInstance(currency); // throws IllegalArgumentException when unknown
  }

  public static Money of(long minorUnits, String currency) {
    return new Money(minorUnits, currency);
  }

  /** The amount in major units, exactly ({@code 1999 EUR} gives {@code 19.99}). */
  public BigDecimal toBigDecimal() {
    return BigDecimal.valueOf(minorUnits, fractionDigits(currency));
  }

  /**
   * The decimals of a currency's minor unit: its {@link Currency#getDefaultFractionDigits()}, or
   * 2 when it defines none (a pseudo-currency such as {@code XAU}).
   *
   * @throws IllegalArgumentException when the code is not an ISO 4217 currency
   */
  public static int fractionDigits(String currency) {
    int digits = Currency.getInstance(currency).getDefaultFractionDigits();
    return digits < 0 ? 2 : digits;
  }

  /**
   * {@code a + b}, or {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} where that overflows: how
   * sums of minor units saturate (see {@code Profile.totalSpend}).
   */
  public static long addSaturated(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  /**
   * The sum of two amounts in the same currency.
   *
   * @throws IllegalArgumentException when the currencies differ
   * @throws ArithmeticException on overflow (sums the engine makes saturate instead)
   */
  public Money plus(Money other) {
    if (!currency.equals(other.currency)) {
      throw new IllegalArgumentException("cannot add " + other.currency + " to " + currency);
    }
    return new Money(Math.addExact(minorUnits, other.minorUnits), currency);
  }

  @Override
  public String toString() {
    return toBigDecimal().toPlainString() + " " + currency;
  }
}
