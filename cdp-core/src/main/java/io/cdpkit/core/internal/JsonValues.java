package io.cdpkit.core.internal;

import io.cdpkit.core.InvalidEventException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Deep, unmodifiable copies of JSON-like values: {@code null}, {@link String}, {@link Boolean},
 * {@link Long}, {@link BigDecimal}, {@link List} and {@link Map} with string keys. Other integral
 * numbers become {@code Long} (or {@code BigDecimal} when too large), other numbers
 * {@code BigDecimal}, so that money read from JSON stays exact.
 *
 * <p>The checked copies ({@link #copyMap(Map, String, int)}, used by {@code Event} and
 * {@code EventContext}) apply the {@linkplain Text text rule} to every key (a name) and string
 * value (free text), and refuse containers nested deeper than {@link #MAX_DEPTH} levels counted
 * from the message (the message object is level 1, {@code properties} level 2), with an
 * {@link InvalidEventException} whose pointer names the offending key or the first container too
 * deep. The walk recurses at most {@link #MAX_DEPTH} levels, so no depth of input can overflow
 * the stack. A copy remembers its height and whether it was checked, so copying a copy is free.
 *
 * <p>Stateless and thread-safe; the copies are immutable.
 */
public final class JsonValues {
  /**
   * The deepest nesting of objects and arrays in one event, counting the message object as level
   * 1, whether the event was built in Java or read from JSON. It bounds the JSON codec's
   * configurable {@link io.cdpkit.core.json.EventLimits#maxNestingDepth()} from above.
   */
  public static final int MAX_DEPTH = 64;

  /** The deepest nesting the unchecked copies accept, as the store's record reader does. */
  public static final int STORED_MAX_DEPTH = 2_000;

  private static final Map<String, @Nullable Object> EMPTY = Collections.emptyMap();

  /** Most digits of a number the door accepts ({@link #checkBounds}). */
  public static final int MAX_NUMBER_DIGITS = 1000;
  /** Largest decimal exponent, either way, of a number the door accepts. */
  public static final int MAX_NUMBER_EXPONENT = 1000;

  private JsonValues() {}

  /**
   * A deep unmodifiable copy preserving key order, without the text rule (for values read back
   * from a store; at most {@value #STORED_MAX_DEPTH} levels); {@code null} values are kept.
   *
   * @throws IllegalArgumentException for a value that is not JSON-like
   */
  public static Map<String, @Nullable Object> copyMap(@Nullable Map<String, ?> map) {
    if (map == null || map.isEmpty()) {
      return EMPTY;
    }
    if (map instanceof FrozenMap f) {
      return f;
    }
    return (FrozenMap) copy(map);
  }

  /**
   * A checked deep unmodifiable copy (see the class description) of the map at JSON pointer
   * {@code pointer} and nesting level {@code level}. A map this class made and checked is
   * returned as it is when it fits under {@link #MAX_DEPTH} at that level.
   *
   * @throws InvalidEventException naming the offending field
   */
  public static Map<String, @Nullable Object> copyMap(@Nullable Map<String, ?> map,
      String pointer, int level) {
    if (map == null || map.isEmpty()) {
      return EMPTY;
    }
    Checked c = new Checked(pointer);
    return (FrozenMap) c.copy(map, level);
  }

  /**
   * {@link EventSize}'s bound of a map or list copied here, counted when it was copied (a map's
   * as {@code EventSize.map} gives it, a list's as {@code EventSize.value}); -1 for any other.
   */
  static long sizeBound(@Nullable Object v) {
    return v instanceof FrozenMap f ? f.sizeBound : v instanceof FrozenList l ? l.sizeBound : -1;
  }

  /**
   * How deep a value copied here nests: 0 for a scalar, 1 for a container of scalars, and so
   * on (0 for containers made elsewhere).
   */
  public static int height(@Nullable Object v) {
    if (v instanceof FrozenMap f) {
      return f.height;
    }
    if (v instanceof FrozenList l) {
      return l.height;
    }
    return 0;
  }

  /**
   * Whether {@code v} is a container a checked copy made, so that every key and string in it
   * passed the {@linkplain Text text rule} (and so holds no unpaired surrogate); false for
   * scalars and for containers made elsewhere or by the unchecked copies.
   */
  public static boolean textChecked(@Nullable Object v) {
    return (v instanceof FrozenMap f && f.checked) || (v instanceof FrozenList l && l.checked);
  }

  /**
   * Checks a map copied here, at JSON pointer {@code pointer} and nesting level {@code level},
   * against the door's bounds: it nests at most {@code maxDepth} levels, and holds no number
   * with more than {@value #MAX_NUMBER_DIGITS} digits or a decimal exponent beyond
   * &plusmn;{@value #MAX_NUMBER_EXPONENT}. Each copy remembers its height and whether it holds
   * such a number, so a map within the bounds costs two field reads; the walk that finds the
   * offending field runs only for one that is not (and recurses at most its height, which a
   * checked copy bounds by {@link #MAX_DEPTH}).
   *
   * @throws InvalidEventException naming the first container too deep or the first number out
   *     of bounds
   */
  public static void checkBounds(Map<String, @Nullable Object> map, String pointer, int level,
      int maxDepth) {
    if (map.isEmpty()) {
      return;
    }
    checkDepth(map, pointer, level, maxDepth);
    if (outsized(map)) {
      StringBuilder p = new StringBuilder(pointer);
      String reason = findNumber(map, p);
      throw new InvalidEventException(p.toString(), reason);
    }
  }

  /** Why a number is out of the door's bounds, or {@code null}. */
  static @Nullable String numberProblem(BigDecimal d) {
    if (d.precision() > MAX_NUMBER_DIGITS) {
      return "has more than " + MAX_NUMBER_DIGITS + " digits";
    }
    long exponent = (long) d.precision() - d.scale() - 1;
    if (Math.abs(exponent) > MAX_NUMBER_EXPONENT && d.signum() != 0) {
      return "has a decimal exponent beyond \u00b1" + MAX_NUMBER_EXPONENT;
    }
    return null;
  }

  /**
   * {@code map} itself when it was frozen here (nobody can change it), else a shallow copy of
   * it: what a builder keeps until it copies deeply.
   */
  public static Map<String, @Nullable Object> snapshot(Map<String, ?> map) {
    return map instanceof FrozenMap f ? f : new LinkedHashMap<String, @Nullable Object>(map);
  }

  /** Whether a value copied here is, or holds, a number out of the door's bounds. */
  private static boolean outsized(@Nullable Object v) {
    return v instanceof FrozenMap f ? f.outsized
        : v instanceof FrozenList l ? l.outsized
        : v instanceof BigDecimal d && numberProblem(d) != null;
  }

  /** Appends the path to the first out-of-bounds number below {@code v}; returns why. */
  private static @Nullable String findNumber(@Nullable Object v, StringBuilder p) {
    if (v instanceof BigDecimal d) {
      return numberProblem(d);
    }
    int mark = p.length();
    if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (outsized(e.getValue())) {
          p.append('/').append(Text.escape((String) e.getKey()));
          return findNumber(e.getValue(), p);
        }
      }
    } else if (v instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        if (outsized(l.get(i))) {
          p.append('/').append(i);
          return findNumber(l.get(i), p);
        }
      }
    }
    p.setLength(mark);
    return null;
  }

  private static void checkDepth(Object value, String pointer, int level, int max) {
    if (level + height(value) - 1 <= max) {
      return;
    }
    StringBuilder p = new StringBuilder(pointer);
    Object v = value;
    for (int at = level; at <= max; at++) {
      // descend into the first child that is too deep
      if (v instanceof Map<?, ?> m) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (at + height(e.getValue()) > max) {
            p.append('/').append(Text.escape((String) e.getKey()));
            v = e.getValue();
            break;
          }
        }
      } else if (v instanceof List<?> l) {
        for (int i = 0; i < l.size(); i++) {
          if (at + height(l.get(i)) > max) {
            p.append('/').append(i);
            v = l.get(i);
            break;
          }
        }
      }
    }
    throw new InvalidEventException(p.toString(), "nests deeper than " + max + " levels");
  }

  /** One checked copy: tracks the path for error pointers. */
  private static final class Checked {
    private final String base;
    private final ArrayList<Object> path = new ArrayList<>();

    Checked(String base) {
      this.base = base;
    }

    private InvalidEventException fail(String reason) {
      return new InvalidEventException(pointer(), reason);
    }

    /** The JSON pointer of the value being copied. */
    private String pointer() {
      if (path.isEmpty()) {
        return base;
      }
      StringBuilder p = new StringBuilder(base);
      for (Object o : path) {
        p.append('/').append(o instanceof String k ? Text.escape(k) : o.toString());
      }
      return p.toString();
    }

    /** Copies {@code v}, a container at nesting {@code level}. */
    @Nullable Object copy(@Nullable Object v, int level) {
      if (v == null || v instanceof Boolean || v instanceof Long || v instanceof BigDecimal) {
        return v;
      }
      if (v instanceof String s) {
        String p = Text.valueProblem(s);
        if (p != null) {
          throw fail(p);
        }
        return s;
      }
      if ((v instanceof FrozenMap f && f.checked) || (v instanceof FrozenList l && l.checked)) {
        checkDepth(v, pointer(), level, MAX_DEPTH);
        return v;
      }
      if (v instanceof Map<?, ?> m) {
        if (level > MAX_DEPTH) {
          throw fail("nests deeper than " + MAX_DEPTH + " levels");
        }
        LinkedHashMap<String, @Nullable Object> out = new LinkedHashMap<>(m.size() * 2);
        int h = 0;
        boolean big = false;
        long bound = EventSize.EMPTY_MAP;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!(e.getKey() instanceof String k)) {
            throw fail("map keys must be strings");
          }
          String p = Text.nameProblem(k);
          if (p != null) {
            throw fail("has a key that " + p);
          }
          path.add(k);
          Object c = copy(e.getValue(), level + 1);
          h = Math.max(h, height(c));
          big |= outsized(c);
          bound += EventSize.str(k) + EventSize.value(c);
          out.put(k, c);
          path.remove(path.size() - 1);
        }
        return new FrozenMap(out, h + 1, true, big, bound);
      }
      if (v instanceof List<?> l) {
        if (level > MAX_DEPTH) {
          throw fail("nests deeper than " + MAX_DEPTH + " levels");
        }
        Object[] out = new Object[l.size()];
        int i = 0;
        int h = 0;
        boolean big = false;
        long bound = EventSize.LIST;
        for (Object o : l) {
          path.add(i);
          Object c = copy(o, level + 1);
          h = Math.max(h, height(c));
          big |= outsized(c);
          bound += EventSize.value(c);
          out[i++] = c;
          path.remove(path.size() - 1);
        }
        return new FrozenList(out, h + 1, true, big, bound);
      }
      try {
        Object c = scalar(v);
        return c instanceof String s ? copy(s, level) : c;
      } catch (IllegalArgumentException e) {
        throw fail(e.getMessage());
      }
    }

  }

  /** A deep copy made here: read-only over a map nobody else holds. */
  private static final class FrozenMap extends AbstractMap<String, @Nullable Object> {
    private final LinkedHashMap<String, @Nullable Object> map;
    private final Map<String, @Nullable Object> view;
    /** How deep it nests; 1 when its values are scalars. */
    final int height;
    /** Whether the text rule was applied to every key and string in it. */
    final boolean checked;
    /** Whether it holds a number out of the door's bounds ({@link #numberProblem}). */
    final boolean outsized;
    /** {@link EventSize}'s bound of its JSON size, counted while it was copied. */
    final long sizeBound;

    FrozenMap(LinkedHashMap<String, @Nullable Object> map, int height, boolean checked,
        boolean outsized, long sizeBound) {
      this.map = map;
      this.view = Collections.unmodifiableMap(map);
      this.height = height;
      this.checked = checked;
      this.outsized = outsized;
      this.sizeBound = sizeBound;
    }

    @Override
    public void forEach(
        java.util.function.BiConsumer<? super String, ? super @Nullable Object> action) {
      map.forEach(action);
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean containsKey(@Nullable Object key) {
      return map.containsKey(key);
    }

    @Override
    public @Nullable Object get(@Nullable Object key) {
      return map.get(key);
    }

    @Override
    public Set<Map.Entry<String, @Nullable Object>> entrySet() {
      return view.entrySet();
    }
  }

  /** A deep copy made here: read-only over a list nobody else holds. */
  private static final class FrozenList extends AbstractList<@Nullable Object>
      implements RandomAccess {
    private final Object[] items;
    final int height;
    final boolean checked;
    final boolean outsized;
    /** {@link EventSize}'s bound of its JSON size as a value, counted while it was copied. */
    final long sizeBound;

    FrozenList(Object[] items, int height, boolean checked, boolean outsized, long sizeBound) {
      this.items = items;
      this.height = height;
      this.checked = checked;
      this.outsized = outsized;
      this.sizeBound = sizeBound;
    }

    @Override
    public @Nullable Object get(int index) {
      return items[index];
    }

    @Override
    public int size() {
      return items.length;
    }
  }

  /**
   * A deep unmodifiable copy of one value, without the text rule (for values read back from a
   * store); it nests at most {@value #STORED_MAX_DEPTH} levels, the store's own bound.
   *
   * @throws IllegalArgumentException for a value that is not JSON-like
   */
  public static @Nullable Object copy(@Nullable Object v) {
    return copy(v, 1);
  }

  private static @Nullable Object copy(@Nullable Object v, int level) {
    if (level > STORED_MAX_DEPTH) {
      throw new IllegalArgumentException("nests deeper than " + STORED_MAX_DEPTH + " levels");
    }
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long
        || v instanceof BigDecimal || v instanceof FrozenMap || v instanceof FrozenList) {
      return v;
    }
    if (v instanceof Map<?, ?> m) {
      LinkedHashMap<String, @Nullable Object> out = new LinkedHashMap<>(m.size() * 2);
      int h = 0;
      boolean big = false;
      long bound = EventSize.EMPTY_MAP;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String k)) {
          throw new IllegalArgumentException("map keys must be strings");
        }
        Object c = copy(e.getValue(), level + 1);
        h = Math.max(h, height(c));
        big |= outsized(c);
        bound += EventSize.str(k) + EventSize.value(c);
        out.put(k, c);
      }
      return new FrozenMap(out, h + 1, false, big, bound);
    }
    if (v instanceof List<?> l) {
      Object[] out = new Object[l.size()];
      int i = 0;
      int h = 0;
      boolean big = false;
      long bound = EventSize.LIST;
      for (Object o : l) {
        Object c = copy(o, level + 1);
        h = Math.max(h, height(c));
        big |= outsized(c);
        bound += EventSize.value(c);
        out[i++] = c;
      }
      return new FrozenList(out, h + 1, false, big, bound);
    }
    return scalar(v);
  }

  private static Object scalar(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger b) {
      return b.bitLength() < 64 ? (Object) b.longValue() : new BigDecimal(b);
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("numbers must be finite");
      }
      return new BigDecimal(Double.toString(d));
    }
    if (v instanceof CharSequence cs) {
      return cs.toString();
    }
    throw new IllegalArgumentException(
        "unsupported value type " + v.getClass().getName()
            + "; use String, Boolean, a number, List or Map");
  }

  /** {@code map.get(key)} as a string, or {@code null} when absent or not a string. */
  public static @Nullable String string(Map<String, @Nullable Object> map, String key) {
    return map.get(key) instanceof String s ? s : null;
  }
}
