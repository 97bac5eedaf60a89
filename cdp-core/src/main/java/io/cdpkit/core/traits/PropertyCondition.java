package io.cdpkit.core.traits;

import io.cdpkit.core.catalog.ProductLookup;
import io.cdpkit.core.model.Event;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A condition on an event's properties: a {@link PropertyPath} compared by an {@link Operator}
 * ({@code category = "dresses"}), or {@code any}: some element of the list at the path meets all
 * the nested conditions, whose paths are relative to the element ({@code products any (category =
 * "dresses", size = "M")}: one product that is both, not a dress and some other product in M).
 *
 * <pre>{@code
 * PropertyCondition dressInM = PropertyCondition.any("products",
 *     PropertyCondition.of("category", Operator.EQ, "dresses"),
 *     PropertyCondition.of("size", Operator.EQ, "M"));
 * }</pre>
 *
 * <p>Immutable.
 */
public final class PropertyCondition {
  /** Most conditions nested under one {@code any}, and most levels of {@code any}. */
  public static final int MAX_NESTED = 32;

  private final PropertyPath path;
  private final @Nullable Operator operator;
  private final List<Object> operands;
  private final List<PropertyCondition> elementConditions;
  private final @Nullable Regex pattern;

  private PropertyCondition(PropertyPath path, @Nullable Operator operator, List<Object> operands,
      List<PropertyCondition> elementConditions) {
    this.path = path;
    this.operator = operator;
    this.operands = operands;
    this.elementConditions = elementConditions;
    this.pattern = operator == null ? null : operator.compile(operands);
  }

  /**
   * A comparison.
   *
   * @throws IllegalArgumentException when the path or the operands are unusable, saying why
   */
  public static PropertyCondition of(String path, Operator operator, Object... operands) {
    return of(path, operator, List.of(operands));
  }

  /** See {@link #of(String, Operator, Object...)}. */
  public static PropertyCondition of(String path, Operator operator, List<?> operands) {
    Objects.requireNonNull(operator, "operator");
    PropertyPath p = PropertyPath.parse(path);
    List<Object> ops = operands.stream().map(o -> o == null ? null : Values.canonical(o))
        .map(o -> (Object) o).toList();
    String why = operator.checkOperands(ops);
    if (why != null) {
      throw new IllegalArgumentException(why);
    }
    return new PropertyCondition(p, operator, ops, List.of());
  }

  /**
   * Some element of the list at {@code path} meets every one of {@code conditions}.
   *
   * @throws IllegalArgumentException when the path is unusable, names an event field, or there
   *     are no conditions or too many
   */
  public static PropertyCondition any(String path, PropertyCondition... conditions) {
    return any(path, List.of(conditions));
  }

  /** See {@link #any(String, PropertyCondition...)}. */
  public static PropertyCondition any(String path, List<PropertyCondition> conditions) {
    PropertyPath p = PropertyPath.parse(path);
    if (p.special()) {
      throw new IllegalArgumentException("any needs a path into properties, not " + path);
    }
    if (conditions.isEmpty() || conditions.size() > MAX_NESTED) {
      throw new IllegalArgumentException("any takes 1 to " + MAX_NESTED + " conditions");
    }
    if (depth(conditions) >= MAX_NESTED) {
      throw new IllegalArgumentException("any is nested more than " + MAX_NESTED + " deep");
    }
    return new PropertyCondition(p, null, List.of(), List.copyOf(conditions));
  }

  private static int depth(List<PropertyCondition> cs) {
    int d = 0;
    for (PropertyCondition c : cs) {
      d = Math.max(d, c.isAny() ? 1 + depth(c.elementConditions) : 0);
    }
    return d;
  }

  public PropertyPath path() {
    return path;
  }

  /** The comparison, or empty for {@code any}. */
  public java.util.Optional<Operator> operator() {
    return java.util.Optional.ofNullable(operator);
  }

  /** The operands of a comparison; empty for {@code any}. */
  public List<Object> operands() {
    return operands;
  }

  /** The nested conditions of {@code any}; empty for a comparison. */
  public List<PropertyCondition> elementConditions() {
    return elementConditions;
  }

  public boolean isAny() {
    return operator == null;
  }

  /** Whether the event meets this condition, without a catalog. */
  public boolean test(Event e) {
    return test(e, ProductLookup.NONE);
  }

  /** Whether the event meets this condition, paths joining through {@code catalog}. */
  public boolean test(Event e, ProductLookup catalog) {
    return testValues(path.values(e, catalog), catalog);
  }

  /** Whether a map (a list element) meets this condition, paths relative to it. */
  public boolean test(Map<String, ?> element) {
    return test(element, ProductLookup.NONE);
  }

  /** As {@link #test(Map)}, paths joining through {@code catalog}. */
  public boolean test(Map<String, ?> element, ProductLookup catalog) {
    return testValues(path.values(element, catalog), catalog);
  }

  /** The catalog fields this condition reads through {@code $catalog}, nested ones included. */
  public java.util.Set<String> catalogFields() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    path.catalogField().ifPresent(out::add);
    for (PropertyCondition c : elementConditions) {
      out.addAll(c.catalogFields());
    }
    return out;
  }

  private boolean testValues(List<Object> values, ProductLookup catalog) {
    if (operator != null) {
      return operator.test(values, operands, pattern);
    }
    for (Object v : values) {
      if (v instanceof List<?> l) {
        for (Object x : l) {
          if (x instanceof Map<?, ?> m && all(m, catalog)) {
            return true;
          }
        }
      } else if (v instanceof Map<?, ?> m && all(m, catalog)) {
        return true;
      }
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private boolean all(Map<?, ?> m, ProductLookup catalog) {
    for (PropertyCondition c : elementConditions) {
      if (!c.test((Map<String, ?>) m, catalog)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PropertyCondition c && c.path.equals(path)
        && Objects.equals(c.operator, operator) && c.operands.equals(operands)
        && c.elementConditions.equals(elementConditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, operator, operands, elementConditions);
  }

  /**
   * The condition as written, operands included (definitions hold no personal data), strings
   * quoted, so that two conditions have the same text only when they are equal.
   */
  @Override
  public String toString() {
    if (operator == null) {
      return path + " any " + elementConditions;
    }
    StringBuilder sb = new StringBuilder().append(path).append(' ').append(operator.symbol());
    for (int i = 0; i < operands.size(); i++) {
      sb.append(i == 0 ? " " : ", ");
      Object o = operands.get(i);
      if (o instanceof String str) {
        sb.append('"').append(str.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      } else if (o instanceof java.time.Instant t) {
        sb.append("instant(").append(t).append(')');
      } else {
        sb.append(o);
      }
    }
    return sb.toString();
  }
}
