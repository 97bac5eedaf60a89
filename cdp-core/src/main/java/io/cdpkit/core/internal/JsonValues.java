package io.cdpkit.core.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractList;
import java.util.AbstractMap;
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
 * {@code BigDecimal}, so that money read from JSON stays exact. Stateless and thread-safe; the
 * copies are immutable.
 */
public final class JsonValues {
  private static final Map<String, @Nullable Object> EMPTY = Collections.emptyMap();

  private JsonValues() {}

  /**
   * A deep unmodifiable copy preserving key order; {@code null} values are kept. A map this class
   * made is returned as it is: it is already deep and unmodifiable.
   */
  @SuppressWarnings("unchecked")
  public static Map<String, @Nullable Object> copyMap(@Nullable Map<String, ?> map) {
    if (map == null || map.isEmpty()) {
      return EMPTY;
    }
    if (map instanceof FrozenMap f) {
      return f;
    }
    LinkedHashMap<String, @Nullable Object> out = new LinkedHashMap<>(map.size() * 2);
    for (Map.Entry<String, ?> e : map.entrySet()) {
      if (e.getKey() == null) {
        throw new IllegalArgumentException("map keys must not be null");
      }
      out.put(e.getKey(), copy(e.getValue()));
    }
    return new FrozenMap(out);
  }

  /** A deep copy made here: read-only over a map nobody else holds. */
  private static final class FrozenMap extends AbstractMap<String, @Nullable Object> {
    private final LinkedHashMap<String, @Nullable Object> map;
    private final Map<String, @Nullable Object> view;

    FrozenMap(LinkedHashMap<String, @Nullable Object> map) {
      this.map = map;
      this.view = Collections.unmodifiableMap(map);
    }

    @Override
    public void forEach(
        java.util.function.BiConsumer<? super String, ? super @Nullable Object> action) {
      map.forEach(action);
    }

    @Override
    public int size() {
      return view.size();
    }

    @Override
    public boolean containsKey(@Nullable Object key) {
      return view.containsKey(key);
    }

    @Override
    public @Nullable Object get(@Nullable Object key) {
      return view.get(key);
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

    FrozenList(Object[] items) {
      this.items = items;
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

  /** A deep unmodifiable copy of one value. */
  public static @Nullable Object copy(@Nullable Object v) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long
        || v instanceof BigDecimal || v instanceof FrozenMap || v instanceof FrozenList) {
      return v;
    }
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
    if (v instanceof Map<?, ?> m) {
      LinkedHashMap<String, @Nullable Object> out = new LinkedHashMap<>(m.size() * 2);
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String k)) {
          throw new IllegalArgumentException("map keys must be strings");
        }
        out.put(k, copy(e.getValue()));
      }
      return new FrozenMap(out);
    }
    if (v instanceof List<?> l) {
      Object[] out = new Object[l.size()];
      int i = 0;
      for (Object o : l) {
        out[i++] = copy(o);
      }
      return new FrozenList(out);
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
