package io.cdpkit.core.traits;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A comparison between a value and the operands a condition gives, with the semantics of
 * {@link Values}. Used by event filters ({@link PropertyCondition}) and by segment conditions on
 * traits, so both read the same way.
 *
 * <p>On one value: {@code =}, {@code !=} ({@code !=} holds for a missing value), {@code <},
 * {@code <=}, {@code >}, {@code >=} (false when the two are not ordered), {@code between}
 * (inclusive at both ends), {@code in} (equal to any operand), {@code contains} (a string holding
 * the operand as a substring, or a list holding an element equal to it), {@code starts_with},
 * {@code regex} (a match anywhere in a string, in RE2 syntax and linear time, see {@link Regex};
 * anchor with {@code ^} and {@code $}), {@code exists} (not missing), {@code missing}.
 *
 * <p>On several values (a path through a list, {@code products[].category}): a condition holds
 * when any value satisfies it, except {@code !=}, which holds when no value equals the operand,
 * and {@code missing}, which holds when there is no value.
 *
 * <p>Immutable.
 */
public enum Operator {
  EQ("=", 1),
  NE("!=", 1),
  LT("<", 1),
  LE("<=", 1),
  GT(">", 1),
  GE(">=", 1),
  BETWEEN("between", 2),
  IN("in", -1),
  CONTAINS("contains", 1),
  STARTS_WITH("starts_with", 1),
  REGEX("regex", 1),
  EXISTS("exists", 0),
  MISSING("missing", 0);

  private final String symbol;
  private final int arity;

  Operator(String symbol, int arity) {
    this.symbol = symbol;
    this.arity = arity;
  }

  /** The operator as written in JSON definitions: {@code =}, {@code between}, ... */
  public String symbol() {
    return symbol;
  }

  /** How many operands it takes: 0, 1 or 2; -1 for one or more ({@code in}). */
  public int arity() {
    return arity;
  }

  /** The operator written as {@code symbol}. */
  public static Optional<Operator> bySymbol(String symbol) {
    for (Operator o : values()) {
      if (o.symbol.equals(symbol)) {
        return Optional.of(o);
      }
    }
    return Optional.empty();
  }

  /**
   * Checks the operands this operator needs.
   *
   * @return a reason they are unusable, or {@code null} when they are fine
   */
  public @Nullable String checkOperands(List<?> operands) {
    if (arity >= 0 && operands.size() != arity) {
      return symbol + " takes " + arity + (arity == 1 ? " value" : " values") + ", not "
          + operands.size();
    }
    if (arity < 0 && operands.isEmpty()) {
      return symbol + " takes at least one value";
    }
    for (Object o : operands) {
      if (o == null) {
        return "a value of " + symbol + " is null";
      }
      if (!Values.isScalar(o)) {
        return "a value of " + symbol + " is not a string, number, boolean or instant";
      }
    }
    switch (this) {
      case LT, LE, GT, GE, BETWEEN -> {
        for (Object o : operands) {
          if (o instanceof Boolean) {
            return symbol + " does not order booleans";
          }
        }
        if (this == BETWEEN && Values.compare(operands.get(0), operands.get(1)) == null) {
          return "the two values of between are not comparable";
        }
      }
      case STARTS_WITH -> {
        if (!(operands.get(0) instanceof String)) {
          return "starts_with takes a string";
        }
      }
      case REGEX -> {
        if (!(operands.get(0) instanceof String s)) {
          return "regex takes a string";
        }
        String why = Regex.problem(s);
        if (why != null) {
          return "regex is not a valid pattern: " + why;
        }
      }
      default -> { }
    }
    return null;
  }

  /**
   * Whether the condition holds for these values (see the class description).
   *
   * @param values the values found, nulls already left out; empty when missing
   * @param operands the condition's operands
   * @param pattern the compiled pattern for {@code regex}, else ignored
   */
  public boolean test(List<?> values, List<?> operands, @Nullable Regex pattern) {
    switch (this) {
      case EXISTS:
        return !values.isEmpty();
      case MISSING:
        return values.isEmpty();
      case NE:
        for (Object v : values) {
          if (Values.equal(v, operands.get(0))) {
            return false;
          }
        }
        return true;
      default:
        for (Object v : values) {
          if (testOne(v, operands, pattern)) {
            return true;
          }
        }
        return false;
    }
  }

  /** Whether the condition holds for one present value. */
  public boolean testOne(Object v, List<?> operands, @Nullable Regex pattern) {
    switch (this) {
      case EXISTS:
        return true;
      case MISSING:
        return false;
      case EQ:
        return Values.equal(v, operands.get(0));
      case NE:
        return !Values.equal(v, operands.get(0));
      case LT: {
        Integer c = Values.compare(v, operands.get(0));
        return c != null && c < 0;
      }
      case LE: {
        Integer c = Values.compare(v, operands.get(0));
        return c != null && c <= 0;
      }
      case GT: {
        Integer c = Values.compare(v, operands.get(0));
        return c != null && c > 0;
      }
      case GE: {
        Integer c = Values.compare(v, operands.get(0));
        return c != null && c >= 0;
      }
      case BETWEEN: {
        Integer lo = Values.compare(v, operands.get(0));
        Integer hi = Values.compare(v, operands.get(1));
        return lo != null && hi != null && lo >= 0 && hi <= 0;
      }
      case IN:
        for (Object o : operands) {
          if (Values.equal(v, o)) {
            return true;
          }
        }
        return false;
      case CONTAINS:
        if (v instanceof String s && operands.get(0) instanceof String o) {
          return s.contains(o);
        }
        if (v instanceof List<?> l) {
          for (Object e : l) {
            if (Values.equal(e, operands.get(0))) {
              return true;
            }
          }
        }
        return false;
      case STARTS_WITH:
        return v instanceof String s && s.startsWith((String) operands.get(0));
      case REGEX:
        return v instanceof String s && pattern != null && pattern.find(s);
      default:
        throw new AssertionError(this);
    }
  }

  /** A compiled pattern for {@code regex}, else {@code null}. */
  public @Nullable Regex compile(List<?> operands) {
    return this == REGEX ? Regex.compile((String) operands.get(0)) : null;
  }

}
