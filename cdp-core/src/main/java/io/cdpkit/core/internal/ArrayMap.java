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
 * An immutable map over one array, keys sorted by their natural order. Profile state holds
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
  private static final ArrayMap<?, ?> EMPTY = new ArrayMap<>(new Object[0]);

  /**
   * The keys in order, then the values in the same order, in one array (one object less per
   * map than two arrays: profiles keep hundreds of thousands of these maps).
   */
  private final Object[] kv;

  private ArrayMap(Object[] kv) {
    this.kv = kv;
  }

  @SuppressWarnings("unchecked")
  public static <K extends Comparable<? super K>, V> ArrayMap<K, V> of() {
    return (ArrayMap<K, V>) EMPTY;
  }

  public static <K extends Comparable<? super K>, V> ArrayMap<K, V> of(K key, V value) {
    return new ArrayMap<>(new Object[] {Objects.requireNonNull(key, "key"),
        Objects.requireNonNull(value, "value")});
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
    int n = entries.length;
    Object[] kv = new Object[2 * n];
    for (int j = 0; j < n; j++) {
      if (j > 0 && ((K) entries[j - 1][0]).compareTo((K) entries[j][0]) == 0) {
        throw new IllegalArgumentException("keys must be distinct by their order");
      }
      kv[j] = entries[j][0];
      kv[n + j] = entries[j][1];
    }
    return new ArrayMap<>(kv);
  }

  /**
   * The union of two maps; where both hold a key, {@code merge} combines the values
   * ({@code this}'s first).
   */
  @SuppressWarnings("unchecked")
  public ArrayMap<K, V> union(ArrayMap<K, V> o, BinaryOperator<V> merge) {
    Object[] a = kv;
    Object[] b = o.kv;
    int an = a.length >> 1;
    int bn = b.length >> 1;
    if (bn == 0) {
      return this;
    }
    if (an == 0) {
      return o;
    }
    // First count the keys of the union, so the result is allocated once at its size.
    int n = 0;
    int i = 0;
    int j = 0;
    while (i < an && j < bn) {
      int c = ((K) a[i]).compareTo((K) b[j]);
      if (c <= 0) {
        i++;
      }
      if (c >= 0) {
        j++;
      }
      n++;
    }
    n += (an - i) + (bn - j);
    Object[] r = new Object[2 * n];
    i = 0;
    j = 0;
    int m = 0;
    while (i < an && j < bn) {
      int c = ((K) a[i]).compareTo((K) b[j]);
      if (c < 0) {
        r[m] = a[i];
        r[n + m++] = a[an + i++];
      } else if (c > 0) {
        r[m] = b[j];
        r[n + m++] = b[bn + j++];
      } else {
        r[m] = a[i];
        r[n + m++] = Objects.requireNonNull(merge.apply((V) a[an + i++], (V) b[bn + j++]));
      }
    }
    while (i < an) {
      r[m] = a[i];
      r[n + m++] = a[an + i++];
    }
    while (j < bn) {
      r[m] = b[j];
      r[n + m++] = b[bn + j++];
    }
    return new ArrayMap<>(r);
  }

  @SuppressWarnings("unchecked")
  private int indexOf(@Nullable Object key) {
    Object[] keys = kv;
    if (key == null || keys.length == 0) {
      return -1;
    }
    int lo = 0;
    int hi = (keys.length >> 1) - 1;
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
    return kv.length >> 1;
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  @SuppressWarnings("unchecked")
  public @Nullable V get(@Nullable Object key) {
    int i = indexOf(key);
    return i < 0 ? null : (V) kv[(kv.length >> 1) + i];
  }

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return kv.length >> 1;
      }

      @Override
      public Iterator<Map.Entry<K, V>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < kv.length >> 1;
          }

          @Override
          @SuppressWarnings("unchecked")
          public Map.Entry<K, V> next() {
            int n = kv.length >> 1;
            if (i >= n) {
              throw new NoSuchElementException();
            }
            Map.Entry<K, V> e = new SimpleImmutableEntry<>((K) kv[i], (V) kv[n + i]);
            i++;
            return e;
          }
        };
      }
    };
  }
}
