package io.cdpkit.core.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Deep, unmodifiable copies of JSON-like values: {@code null}, {@link String}, {@link Boolean},
 * {@link Long}, {@link BigDecimal}, {@link List} and {@link Map} with string keys. Other integral
 * numbers become {@code Long} (or {@code BigDecimal} when too large), other numbers
 * {@code BigDecimal}, so that money read from JSON stays exact.
 */
public final class JsonValues {
  private static final Map<String, @Nullable Object> EMPTY = Collections.emptyMap();

  private JsonValues() {}

  /** A deep unmodifiable copy preserving key order; {@code null} values are kept. */
  public static Map<String, @Nullable Object> copyMap(@Nullable Map<String, ?> map) {
    if (map == null || map.isEmpty()) {
      return EMPTY;
    }
    LinkedHashMap<String, @Nullable Object> out = new LinkedHashMap<>(map.size() * 2);
    for (Map.Entry<String, ?> e : map.entrySet()) {
      if (e.getKey() == null) {
        throw new IllegalArgumentException("map keys must not be null");
      }
      out.put(e.getKey(), copy(e.getValue()));
    }
    return Collections.unmodifiableMap(out);
  }

  /** A deep unmodifiable copy of one value. */
  public static @Nullable Object copy(@Nullable Object v) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long
        || v instanceof BigDecimal) {
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
      return Collections.unmodifiableMap(out);
    }
    if (v instanceof List<?> l) {
      List<@Nullable Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(copy(o));
      }
      return Collections.unmodifiableList(out);
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
