package io.cdpkit.core.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BinaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * An immutable map over two arrays with keys sorted by their natural order. Profile state holds
 * many small maps (events per name, activity per channel) that change one entry per event; a
 * union of two sorted arrays is a short linear merge without hashing or per-entry nodes, which
 * keeps both time and garbage per event low. Lookups are binary searches.
 *
 * <p>Equal to any {@link Map} with the same entries. Immutable; values must not be null.
 *
 * @param <K> the key type, naturally ordered
 * @param <V> the value type
 */
public final class ArrayMap<K extends Comparable<? super K>, V> extends AbstractMap<K, V> {
  private static final ArrayMap<?, ?> EMPTY = new ArrayMap<>(new Comparable<?>[0], new Object[0]);

  private final Object[] keys;
  private final Object[] values;

  private ArrayMap(Object[] keys, Object[] values) {
    this.keys = keys;
    this.values = values;
  }

  @SuppressWarnings("unchecked")
  public static <K extends Comparable<? super K>, V> ArrayMap<K, V> of() {
    return (ArrayMap<K, V>) EMPTY;
  }

  public static <K extends Comparable<? super K>, V> ArrayMap<K, V> of(K key, V value) {
    return new ArrayMap<>(new Object[] {Objects.requireNonNull(key, "key")},
        new Object[] {Objects.requireNonNull(value, "value")});
  }

  /** An {@code ArrayMap} with the same entries; the map itself when it is one. */
  @SuppressWarnings("unchecked")
  public static <K extends Comparable<? super K>, V> ArrayMap<K, V> copyOf(
      Map<? extends K, ? extends V> map) {
    if (map instanceof ArrayMap<?, ?> a) {
      return (ArrayMap<K, V>) a;
    }
    if (map.isEmpty()) {
      return of();
    }
    if (map.size() == 1) {
      Map.Entry<? extends K, ? extends V> e = map.entrySet().iterator().next();
      return of(e.getKey(), e.getValue());
    }
    Object[][] entries = new Object[map.size()][];
    int i = 0;
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      entries[i++] = new Object[] {Objects.requireNonNull(e.getKey(), "key"),
          Objects.requireNonNull(e.getValue(), "value")};
    }
    Arrays.sort(entries, (x, y) -> ((K) x[0]).compareTo((K) y[0]));
    Object[] k = new Object[entries.length];
    Object[] v = new Object[entries.length];
    for (int j = 0; j < entries.length; j++) {
      if (j > 0 && ((K) entries[j - 1][0]).compareTo((K) entries[j][0]) == 0) {
        throw new IllegalArgumentException("keys must be distinct by their order");
      }
      k[j] = entries[j][0];
      v[j] = entries[j][1];
    }
    return new ArrayMap<>(k, v);
  }

  /**
   * The union of two maps; where both hold a key, {@code merge} combines the values
   * ({@code this}'s first).
   */
  @SuppressWarnings("unchecked")
  public ArrayMap<K, V> union(ArrayMap<K, V> o, BinaryOperator<V> merge) {
    if (o.keys.length == 0) {
      return this;
    }
    if (keys.length == 0) {
      return o;
    }
    Object[] k = new Object[keys.length + o.keys.length];
    Object[] v = new Object[k.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < keys.length && j < o.keys.length) {
      int c = ((K) keys[i]).compareTo((K) o.keys[j]);
      if (c < 0) {
        k[n] = keys[i];
        v[n++] = values[i++];
      } else if (c > 0) {
        k[n] = o.keys[j];
        v[n++] = o.values[j++];
      } else {
        k[n] = keys[i];
        v[n++] = Objects.requireNonNull(merge.apply((V) values[i++], (V) o.values[j++]));
      }
    }
    while (i < keys.length) {
      k[n] = keys[i];
      v[n++] = values[i++];
    }
    while (j < o.keys.length) {
      k[n] = o.keys[j];
      v[n++] = o.values[j++];
    }
    return new ArrayMap<>(n == k.length ? k : Arrays.copyOf(k, n),
        n == v.length ? v : Arrays.copyOf(v, n));
  }

  @SuppressWarnings("unchecked")
  private int indexOf(@Nullable Object key) {
    if (key == null || keys.length == 0) {
      return -1;
    }
    int lo = 0;
    int hi = keys.length - 1;
    try {
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = ((K) keys[mid]).compareTo((K) key);
        if (c < 0) {
          lo = mid + 1;
        } else if (c > 0) {
          hi = mid - 1;
        } else {
          return mid;
        }
      }
    } catch (ClassCastException e) {
      return -1;
    }
    return -1;
  }

  @Override
  public int size() {
    return keys.length;
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  @SuppressWarnings("unchecked")
  public @Nullable V get(@Nullable Object key) {
    int i = indexOf(key);
    return i < 0 ? null : (V) values[i];
  }

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return keys.length;
      }

      @Override
      public Iterator<Map.Entry<K, V>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < keys.length;
          }

          @Override
          @SuppressWarnings("unchecked")
          public Map.Entry<K, V> next() {
            if (i >= keys.length) {
              throw new NoSuchElementException();
            }
            Map.Entry<K, V> e = new SimpleImmutableEntry<>((K) keys[i], (V) values[i]);
            i++;
            return e;
          }
        };
      }
    };
  }
}
