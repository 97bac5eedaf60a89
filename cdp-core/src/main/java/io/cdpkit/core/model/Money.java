package io.cdpkit.core.model;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * An amount of money as whole minor units (cents) of one currency. Never a floating-point number.
 *
 * <p>Immutable.
 *
 * @param minorUnits the amount in the currency's minor units; may be negative
 * @param currency ISO 4217 code, upper-case, for example {@code EUR}
 */
public record Money(long minorUnits, String currency) {
  public Money {
    Objects.requireNonNull(currency, "currency");
    Currency.getInstance(currency); // throws IllegalArgumentException when unknown
  }

  public static Money of(long minorUnits, String currency) {
    return new Money(minorUnits, currency);
  }

  /** The amount in major units, exactly ({@code 1999 EUR} gives {@code 19.99}). */
  public BigDecimal toBigDecimal() {
    int digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    return BigDecimal.valueOf(minorUnits, digits);
  }

  /**
   * The sum of two amounts in the same currency.
   *
   * @throws IllegalArgumentException when the currencies differ
   * @throws ArithmeticException on overflow
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
