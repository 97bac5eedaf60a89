package io.cdpkit.examples.cli;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An expression of a mapping: a literal, a reference to a value ({@code "{price}"}), a template
 * ({@code "uci-o-{invoice}"}), an object or a list of expressions, or an operator
 * ({@code {"$sum": ...}}). See the mapping language in the examples README. Immutable.
 */
sealed interface Expr {
  /** What an expression is evaluated against: one row, or a group of rows. */
  interface Ctx {
    /** The value of the value definition at {@code index}; null when empty. */
    @Nullable Object value(int index);

    /** The rows of a group, in file order; a row's context is a group of itself. */
    List<? extends Ctx> rows();

    /** The line reported when evaluation fails. */
    long line();
  }

  /** The result; null for "no value". */
  @Nullable Object eval(Ctx ctx);

  /** The column named in errors about this expression's value. */
  default String column() {
    return "mapping";
  }

  /** A constant. */
  record Literal(@Nullable Object value) implements Expr {
    @Override
    public @Nullable Object eval(Ctx ctx) {
      return value;
    }
  }

  /** The value of one value definition, typed. */
  record Ref(String name, int index, String column) implements Expr {
    @Override
    public @Nullable Object eval(Ctx ctx) {
      return ctx.value(index);
    }
  }

  /** Text with references in braces; an empty reference makes the row bad. */
  record Template(List<Object> parts) implements Expr {
    @Override
    public String eval(Ctx ctx) {
      StringBuilder b = new StringBuilder();
      for (Object p : parts) {
        if (p instanceof Ref r) {
          Object v = r.eval(ctx);
          if (v == null) {
            throw new BadRow(ctx.line(), r.column(), "is empty");
          }
          b.append(text(v));
        } else {
          b.append((String) p);
        }
      }
      return b.toString();
    }
  }

  /** An object of expressions; keys whose value is empty are left out. */
  record MapOf(Map<String, Expr> fields) implements Expr {
    @Override
    public Map<String, Object> eval(Ctx ctx) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, Expr> e : fields.entrySet()) {
        Object v = e.getValue().eval(ctx);
        if (v != null) {
          out.put(e.getKey(), v);
        }
      }
      return out;
    }
  }

  /** A list of expressions; empty elements are left out. */
  record ListOf(List<Expr> items) implements Expr {
    @Override
    public List<Object> eval(Ctx ctx) {
      List<Object> out = new ArrayList<>(items.size());
      for (Expr e : items) {
        Object v = e.eval(ctx);
        if (v != null) {
          out.add(v);
        }
      }
      return out;
    }
  }

  /** An operator over the results of its arguments. */
  record Op(String name, List<Expr> args) implements Expr {
    @Override
    public @Nullable Object eval(Ctx ctx) {
      return switch (name) {
        case "$lines" -> {
          List<Object> out = new ArrayList<>();
          for (Ctx row : ctx.rows()) {
            Object v = args.get(0).eval(row);
            if (v != null) {
              out.add(v);
            }
          }
          yield out;
        }
        case "$sum" -> {
          Object sum = 0L;
          for (Ctx row : ctx.rows()) {
            Object v = need(args.get(0), row);
            sum = arithmetic("$sum", sum, v, true, row);
          }
          yield sum;
        }
        case "$min", "$max" -> {
          Object best = null;
          for (Ctx row : ctx.rows()) {
            Object v = args.get(0).eval(row);
            if (v != null && (best == null || (name.equals("$min")
                ? compare(v, best, row) < 0 : compare(v, best, row) > 0))) {
              best = v;
            }
          }
          yield best;
        }
        case "$count" -> (long) ctx.rows().size();
        case "$abs" -> {
          Object v = need(args.get(0), ctx);
          if (v instanceof Long l) {
            if (l == Long.MIN_VALUE) {
              throw new BadRow(ctx.line(), args.get(0).column(), "is too large");
            }
            yield Math.abs(l);
          }
          if (v instanceof BigDecimal d) {
            yield d.abs();
          }
          throw new BadRow(ctx.line(), args.get(0).column(), "is not a number for $abs");
        }
        case "$multiply", "$add" -> {
          Object acc = need(args.get(0), ctx);
          for (int i = 1; i < args.size(); i++) {
            acc = arithmetic(name, acc, need(args.get(i), ctx), name.equals("$add"), ctx);
          }
          yield acc;
        }
        case "$empty" -> {
          Object v = args.get(0).eval(ctx);
          yield v == null || (v instanceof String s && s.isBlank());
        }
        case "$startsWith" -> {
          Object v = args.get(0).eval(ctx);
          Object prefix = args.get(1).eval(ctx);
          yield v != null && prefix != null && text(v).startsWith(text(prefix));
        }
        case "$eq" -> {
          Object a = args.get(0).eval(ctx);
          Object b = args.get(1).eval(ctx);
          yield a == null || b == null ? a == b : compare(a, b, ctx) == 0;
        }
        case "$gt", "$gte", "$lt", "$lte" -> {
          Object a = args.get(0).eval(ctx);
          Object b = args.get(1).eval(ctx);
          if (a == null || b == null) {
            yield false;
          }
          int c = compare(a, b, ctx);
          yield switch (name) {
            case "$gt" -> c > 0;
            case "$gte" -> c >= 0;
            case "$lt" -> c < 0;
            default -> c <= 0;
          };
        }
        case "$not" -> !truth(args.get(0), ctx);
        case "$and" -> {
          for (Expr e : args) {
            if (!truth(e, ctx)) {
              yield false;
            }
          }
          yield true;
        }
        case "$or" -> {
          for (Expr e : args) {
            if (truth(e, ctx)) {
              yield true;
            }
          }
          yield false;
        }
        case "$if" -> truth(args.get(0), ctx) ? args.get(1).eval(ctx)
            : args.size() > 2 ? args.get(2).eval(ctx) : null;
        default -> throw new IllegalStateException("unknown operator " + name);
      };
    }

    @Override
    public String column() {
      return args.size() == 1 ? args.get(0).column() : "mapping";
    }
  }

  /** Whether a condition holds; anything but a boolean is a mapping error at run time. */
  static boolean truth(Expr e, Ctx ctx) {
    Object v = e.eval(ctx);
    if (v instanceof Boolean b) {
      return b;
    }
    throw new BadRow(ctx.line(), e.column(), "is used as a condition but is not true or false");
  }

  private static Object need(Expr e, Ctx ctx) {
    Object v = e.eval(ctx);
    if (v == null) {
      throw new BadRow(ctx.line(), e.column(), "is empty");
    }
    return v;
  }

  /** Adds or multiplies two numbers: long while both are whole and it fits, else exact. */
  private static Object arithmetic(String op, Object a, Object b, boolean add, Ctx ctx) {
    if (a instanceof Long x && b instanceof Long y) {
      try {
        return add ? Math.addExact(x, y) : Math.multiplyExact(x, y);
      } catch (ArithmeticException overflow) {
        return add ? BigDecimal.valueOf(x).add(BigDecimal.valueOf(y))
            : BigDecimal.valueOf(x).multiply(BigDecimal.valueOf(y));
      }
    }
    BigDecimal x = decimal(op, a, ctx);
    BigDecimal y = decimal(op, b, ctx);
    return add ? x.add(y) : x.multiply(y);
  }

  private static BigDecimal decimal(String op, Object v, Ctx ctx) {
    if (v instanceof Long l) {
      return BigDecimal.valueOf(l);
    }
    if (v instanceof BigDecimal d) {
      return d;
    }
    throw new BadRow(ctx.line(), "mapping", op + " needs numbers");
  }

  /** Orders numbers with numbers, times with times, text with text. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compare(Object a, Object b, Ctx ctx) {
    if ((a instanceof Long || a instanceof BigDecimal)
        && (b instanceof Long || b instanceof BigDecimal)) {
      return decimal("compare", a, ctx).compareTo(decimal("compare", b, ctx));
    }
    if (a.getClass() == b.getClass() && a instanceof Comparable c) {
      return c.compareTo(b);
    }
    throw new BadRow(ctx.line(), "mapping", "compares " + kind(a) + " with " + kind(b));
  }

  private static String kind(Object v) {
    return v instanceof Long || v instanceof BigDecimal ? "a number"
        : v instanceof Instant ? "a time" : v instanceof Boolean ? "true/false"
        : v instanceof String ? "text" : "a " + v.getClass().getSimpleName();
  }

  /** A value as text in a template: numbers plain, times in ISO-8601. */
  static String text(Object v) {
    return v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v);
  }

  /** A single-row context's rows. */
  static List<Ctx> self(Ctx ctx) {
    return Collections.singletonList(ctx);
  }
}
