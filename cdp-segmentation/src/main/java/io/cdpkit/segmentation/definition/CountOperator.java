package io.cdpkit.segmentation.definition;

import java.util.Optional;

/**
 * How an {@link EventCondition} compares the number of matching events with its {@code n}.
 *
 * <p>Immutable.
 */
public enum CountOperator {
  /** At least n events. */
  AT_LEAST(">="),
  /** At most n events (none counts). */
  AT_MOST("<="),
  /** Exactly n events. */
  EXACTLY("=");

  private final String symbol;

  CountOperator(String symbol) {
    this.symbol = symbol;
  }

  /** The operator as written in JSON: {@code >=}, {@code <=}, {@code =}. */
  public String symbol() {
    return symbol;
  }

  /** The operator written as {@code symbol}. */
  public static Optional<CountOperator> bySymbol(String symbol) {
    for (CountOperator o : values()) {
      if (o.symbol.equals(symbol)) {
        return Optional.of(o);
      }
    }
    return Optional.empty();
  }

  /** Whether {@code count} events satisfy this operator with {@code n}. */
  public boolean test(long count, long n) {
    return switch (this) {
      case AT_LEAST -> count >= n;
      case AT_MOST -> count <= n;
      case EXACTLY -> count == n;
    };
  }
}
