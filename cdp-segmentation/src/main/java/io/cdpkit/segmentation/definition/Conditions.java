package io.cdpkit.segmentation.definition;

import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.segmentation.internal.Rules;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * Static factories for condition trees, equal to the trees {@link SegmentJson} reads from the
 * JSON each method names.
 *
 * <pre>{@code
 * import static io.cdpkit.segmentation.definition.Conditions.*;
 *
 * Condition c = and(
 *     profile(ProfileField.TOTAL_SPEND, "EUR").gte(1000),
 *     trait("tier").in("gold", "platinum"),
 *     computed("orders_90d").atLeast(2),
 *     not(inSegment("staff")),
 *     or(hasIdentifier("email"), consent("marketing", "sms")),
 *     events("Order Completed")
 *         .where(PropertyCondition.any("products",
 *             PropertyCondition.of("category", Operator.EQ, "dresses")))
 *         .atLeast(1).inLastDays(60),
 *     events("Order Completed")     // the catalog's brand of a product named by its sku
 *         .where(PropertyCondition.of("products[].$catalog.brand", Operator.EQ, "Acme"))
 *         .inLastDays(90),
 *     notFollowedBy(EventFilter.named("Product Added"), EventFilter.named("Order Completed"),
 *         Duration.ofHours(24)).withinDays(7));
 * }</pre>
 *
 * <p>Operands are given as plain values ({@code "gold"}, {@code 1000}, {@code true}, an
 * {@link java.time.Instant}, a {@link java.math.BigDecimal}), which become {@link Literal}s, or as
 * {@link Operand}s ({@link RelativeDate#ago(java.time.Period)}). Every method checks its
 * arguments at once and throws {@link IllegalArgumentException} saying what is wrong.
 *
 * <p>Stateless; the step objects ({@link Comparison}, {@link Events}) are immutable.
 */
public final class Conditions {
  private Conditions() {}

  /** JSON: {@code {"type": "and", "conditions": [...]}}. */
  public static And and(Condition... conditions) {
    return new And(Arrays.asList(conditions));
  }

  /** JSON: {@code {"type": "and", "conditions": [...]}}. */
  public static And and(List<? extends Condition> conditions) {
    return new And(List.copyOf(conditions));
  }

  /** JSON: {@code {"type": "or", "conditions": [...]}}. */
  public static Or or(Condition... conditions) {
    return new Or(Arrays.asList(conditions));
  }

  /** JSON: {@code {"type": "or", "conditions": [...]}}. */
  public static Or or(List<? extends Condition> conditions) {
    return new Or(List.copyOf(conditions));
  }

  /** JSON: {@code {"type": "not", "condition": {...}}}. */
  public static Not not(Condition condition) {
    return new Not(condition);
  }

  /**
   * A comparison on a trait: {@code trait("tier").in("gold", "platinum")}, or on a value inside
   * a nested trait: {@code trait("address.city").eq("Utrecht")} (see {@link TraitCondition}).
   * JSON: {@code {"type": "trait", "name": name, "op": ..., "value"/"values": ...}}.
   */
  public static Comparison<TraitCondition> trait(String name) {
    Objects.requireNonNull(name, "name");
    return new Comparison<>((op, operands) -> new TraitCondition(name, op, operands));
  }

  /**
   * A comparison on a computed trait: {@code computed("orders_90d").atLeast(2)}. JSON:
   * {@code {"type": "computed", "name": name, "op": ..., "value"/"values": ...}}.
   */
  public static Comparison<ComputedCondition> computed(String name) {
    Objects.requireNonNull(name, "name");
    return new Comparison<>((op, operands) -> new ComputedCondition(name, op, operands));
  }

  /**
   * A comparison on a profile field that is not money:
   * {@code profile(ProfileField.CUSTOMER_SINCE).gte(RelativeDate.startOf(MONTH, UTC))}. JSON:
   * {@code {"type": "profile", "field": ..., "op": ..., "value"/"values": ...}}.
   */
  public static Comparison<ProfileCondition> profile(ProfileField field) {
    return profile(field, null);
  }

  /**
   * A comparison on a money field in a currency, in major units:
   * {@code profile(ProfileField.TOTAL_SPEND, "EUR").gte(1000)}. JSON: {@code {"type":
   * "profile", "field": ..., "currency": currency, "op": ..., "value"/"values": ...}}.
   *
   * @throws IllegalArgumentException when the field is no money field (with a currency) or a
   *     money field without one, or the currency is not ISO 4217
   */
  public static Comparison<ProfileCondition> profile(ProfileField field,
      @Nullable String currency) {
    Objects.requireNonNull(field, "field");
    Rules.check("currency", Rules.currencyFor(field, currency));
    return new Comparison<>((op, operands) -> new ProfileCondition(field, currency, op, operands));
  }

  /** JSON: {@code {"type": "identifier", "identifierType": type}}. */
  public static IdentifierCondition hasIdentifier(String type) {
    return new IdentifierCondition(type);
  }

  /** JSON: {@code {"type": "consent", "purpose": purpose, "channel": channel}}. */
  public static ConsentCondition consent(String purpose, String channel) {
    return new ConsentCondition(purpose, channel);
  }

  /** JSON: {@code {"type": "segment", "segment": id}}. */
  public static SegmentCondition inSegment(String id) {
    return new SegmentCondition(id);
  }

  /**
   * Events with one of these names, counted in a window:
   * {@code events("Order Completed").atLeast(2).inLastDays(60)}. JSON: {@code {"type": "event",
   * "events": names, ...}}.
   */
  public static Events events(String... names) {
    return events(EventFilter.named(names));
  }

  /** Events matching a filter, counted in a window. JSON: as {@link #events(String...)}. */
  public static Events events(EventFilter filter) {
    return new Events(Objects.requireNonNull(filter, "filter"), null, 0);
  }

  /**
   * The latest {@code event} is at least {@code wait} old and not followed by
   * {@code followedBy}; add {@link NotFollowedByCondition#withinDays(int)} to look only at
   * recent events. JSON: {@code {"type": "notFollowedBy", "event": {"events": [...]},
   * "followedBy": {"events": [...]}, "wait": "PT24H"}}.
   */
  public static NotFollowedByCondition notFollowedBy(EventFilter event, EventFilter followedBy,
      Duration wait) {
    return new NotFollowedByCondition(event, followedBy, wait, null);
  }

  /**
   * The operator step of a comparison on a trait, computed trait or profile field. Each method
   * names the {@code op} it writes; operands are plain values or {@link Operand}s.
   *
   * <p>Immutable.
   *
   * @param <C> the condition made
   */
  public static final class Comparison<C extends Condition> {
    private final BiFunction<Operator, List<Operand>, C> make;

    private Comparison(BiFunction<Operator, List<Operand>, C> make) {
      this.make = make;
    }

    /**
     * Any operator with its operands: {@code is(Operator.REGEX, "^A")}. JSON: {@code "op":
     * operator.symbol()}, then {@code "value"} for one operand, {@code "values"} for
     * {@code between} and {@code in}, neither for {@code exists} and {@code missing}.
     *
     * @throws IllegalArgumentException when the operands do not suit the operator
     */
    public C is(Operator operator, Object... operands) {
      Objects.requireNonNull(operator, "operator");
      List<Operand> ops = new ArrayList<>(operands.length);
      for (Object o : operands) {
        ops.add(Operand.of(Objects.requireNonNull(o, "operand")));
      }
      return make.apply(operator, ops);
    }

    /** JSON: {@code "op": "=", "value": value}. */
    public C eq(Object value) {
      return is(Operator.EQ, value);
    }

    /** JSON: {@code "op": "!=", "value": value}. */
    public C ne(Object value) {
      return is(Operator.NE, value);
    }

    /** JSON: {@code "op": "<", "value": value}. */
    public C lt(Object value) {
      return is(Operator.LT, value);
    }

    /** JSON: {@code "op": "<=", "value": value}. */
    public C lte(Object value) {
      return is(Operator.LE, value);
    }

    /** JSON: {@code "op": ">", "value": value}. */
    public C gt(Object value) {
      return is(Operator.GT, value);
    }

    /** JSON: {@code "op": ">=", "value": value}. */
    public C gte(Object value) {
      return is(Operator.GE, value);
    }

    /** The same as {@link #gte(Object)}. JSON: {@code "op": ">=", "value": value}. */
    public C atLeast(Object value) {
      return gte(value);
    }

    /** The same as {@link #lte(Object)}. JSON: {@code "op": "<=", "value": value}. */
    public C atMost(Object value) {
      return lte(value);
    }

    /** Inclusive at both ends. JSON: {@code "op": "between", "values": [low, high]}. */
    public C between(Object low, Object high) {
      return is(Operator.BETWEEN, low, high);
    }

    /** JSON: {@code "op": "in", "values": [values...]}. */
    public C in(Object... values) {
      return is(Operator.IN, values);
    }

    /** JSON: {@code "op": "in", "values": [values...]}. */
    public C in(Collection<?> values) {
      return is(Operator.IN, values.toArray());
    }

    /** JSON: {@code "op": "contains", "value": value}. */
    public C contains(Object value) {
      return is(Operator.CONTAINS, value);
    }

    /** JSON: {@code "op": "starts_with", "value": prefix}. */
    public C startsWith(String prefix) {
      return is(Operator.STARTS_WITH, prefix);
    }

    /**
     * A pattern found anywhere, in RE2 syntax and matched in linear time (see
     * {@link io.cdpkit.core.traits.Regex}). JSON: {@code "op": "regex", "value"}.
     */
    public C matches(String regex) {
      return is(Operator.REGEX, regex);
    }

    /** JSON: {@code "op": "exists"}. */
    public C exists() {
      return is(Operator.EXISTS);
    }

    /** JSON: {@code "op": "missing"}. */
    public C missing() {
      return is(Operator.MISSING);
    }
  }

  /**
   * The steps of an event condition: property conditions ({@link #where}), then the count
   * (default at least one), then the window, which makes the {@link EventCondition}.
   *
   * <p>Immutable: each step returns a new object.
   */
  public static final class Events {
    private final EventFilter filter;
    private final @Nullable CountOperator count;
    private final long n;

    private Events(EventFilter filter, @Nullable CountOperator count, long n) {
      this.filter = filter;
      this.count = count;
      this.n = n;
    }

    /**
     * Only events meeting every one of these property conditions too. JSON: adds them to
     * {@code "where": [...]}.
     */
    public Events where(PropertyCondition... conditions) {
      EventFilter f = filter;
      for (PropertyCondition c : conditions) {
        f = f.and(c);
      }
      return new Events(f, count, n);
    }

    /** JSON: {@code "count": {"op": ">=", "value": n}} (the default is 1). */
    public Events atLeast(long n) {
      return count(CountOperator.AT_LEAST, n);
    }

    /** JSON: {@code "count": {"op": "<=", "value": n}}. */
    public Events atMost(long n) {
      return count(CountOperator.AT_MOST, n);
    }

    /** JSON: {@code "count": {"op": "=", "value": n}}. */
    public Events exactly(long n) {
      return count(CountOperator.EXACTLY, n);
    }

    /** No such event. JSON: {@code "count": {"op": "=", "value": 0}}. */
    public Events none() {
      return count(CountOperator.EXACTLY, 0);
    }

    /**
     * Any count operator.
     *
     * @throws IllegalArgumentException when {@code n} is negative
     * @throws IllegalStateException when the count was already set
     */
    public Events count(CountOperator operator, long n) {
      Objects.requireNonNull(operator, "operator");
      if (count != null) {
        throw new IllegalStateException(
            "count was already set to " + count.symbol() + " " + this.n);
      }
      Rules.check("n", Rules.count(n));
      return new Events(filter, operator, n);
    }

    /** In the last {@code days} days. JSON: {@code "within": {"days": days}}. */
    public EventCondition inLastDays(int days) {
      return within(new EventWindow.LastDays(days));
    }

    /**
     * On the UTC dates {@code from} to {@code to}, both included. JSON:
     * {@code "between": {"from": from, "to": to}}.
     */
    public EventCondition between(LocalDate from, LocalDate to) {
      return within(new EventWindow.Between(from, to));
    }

    /** In a window. JSON: {@code "within"} or {@code "between"}. */
    public EventCondition within(EventWindow window) {
      CountOperator c = count == null ? CountOperator.AT_LEAST : count;
      return new EventCondition(filter, c, count == null ? 1 : n, window);
    }
  }
}
