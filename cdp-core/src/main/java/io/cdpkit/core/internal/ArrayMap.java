package io.cdpkit.core.internal;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BinaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * An immutable map over one array, keys sorted by their natural order. Profile state holds
 * many small maps (events per name, activity per channel) that change one entry per event; a
 * union of two sorted arrays is a short linear merge without hashing or per-entry nodes, which
 * keeps both time and garbage per event low. Lookups are binary searches.
 *
 * <p>Equal to any {@link Map} with the same entries, with the same hash code and text as
 * {@link AbstractMap}'s. Immutable (the changing methods throw
 * {@link UnsupportedOperationException}); values must not be null. It implements {@link Map}
 * itself rather than extending {@link AbstractMap}, whose two cached views would take 8 more
 * bytes in each of these maps (a profile keeps several; the views are made on each call here).
 *
 * @param <K> the key type, naturally ordered
 * @param <V> the value type
 */
public final class ArrayMap<K extends Comparable<? super K>, V> implements Map<K, V> {
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
            Map.Entry<K, V> e = new AbstractMap.SimpleImmutableEntry<>((K) kv[i], (V) kv[n + i]);
            i++;
            return e;
          }
        };
      }
    };
  }

  @Override
  public boolean isEmpty() {
    return kv.length == 0;
  }

  @Override
  public boolean containsValue(@Nullable Object value) {
    int n = kv.length >> 1;
    for (int i = n; i < 2 * n; i++) {
      if (kv[i].equals(value)) {
        return true;
      }
    }
    return false;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<? super K, ? super V> action) {
    Object[] a = kv;
    int n = a.length >> 1;
    for (int i = 0; i < n; i++) {
      action.accept((K) a[i], (V) a[n + i]);
    }
  }

  @Override
  public Set<K> keySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return ArrayMap.this.size();
      }

      @Override
      public boolean contains(@Nullable Object o) {
        return containsKey(o);
      }

      @Override
      public Iterator<K> iterator() {
        return new Walk<>(0);
      }
    };
  }

  @Override
  public Collection<V> values() {
    return new AbstractCollection<>() {
      @Override
      public int size() {
        return ArrayMap.this.size();
      }

      @Override
      public Iterator<V> iterator() {
        return new Walk<>(kv.length >> 1);
      }
    };
  }

  /** The keys ({@code from} 0) or the values ({@code from} the size) in key order. */
  private final class Walk<T> implements Iterator<T> {
    private final int from;
    private int i;

    Walk(int from) {
      this.from = from;
    }

    @Override
    public boolean hasNext() {
      return i < kv.length >> 1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
      if (i >= kv.length >> 1) {
        throw new NoSuchElementException();
      }
      return (T) kv[from + i++];
    }
  }

  @Override
  public @Nullable V put(K key, V value) {
    throw new UnsupportedOperationException("an ArrayMap is immutable");
  }

  @Override
  public @Nullable V remove(@Nullable Object key) {
    throw new UnsupportedOperationException("an ArrayMap is immutable");
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> m) {
    throw new UnsupportedOperationException("an ArrayMap is immutable");
  }

  @Override
  public void clear() {
    throw new UnsupportedOperationException("an ArrayMap is immutable");
  }

  /** Equal to any map with the same entries ({@link Map#equals}). */
  @Override
  public boolean equals(@Nullable Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof Map<?, ?> m) || m.size() != size()) {
      return false;
    }
    Object[] a = kv;
    int n = a.length >> 1;
    try {
      for (int i = 0; i < n; i++) {
        if (!a[n + i].equals(m.get(a[i]))) {
          return false;
        }
      }
    } catch (ClassCastException | NullPointerException unlike) {
      return false;
    }
    return true;
  }

  /** The sum of the entries' hash codes ({@link Map#hashCode}). */
  @Override
  public int hashCode() {
    Object[] a = kv;
    int n = a.length >> 1;
    int h = 0;
    for (int i = 0; i < n; i++) {
      h += a[i].hashCode() ^ a[n + i].hashCode();
    }
    return h;
  }

  /** As {@link AbstractMap#toString()}: {@code {k1=v1, k2=v2}}. */
  @Override
  public String toString() {
    Object[] a = kv;
    int n = a.length >> 1;
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(a[i] == this ? "(this Map)" : a[i]).append('=')
          .append(a[n + i] == this ? "(this Map)" : a[n + i]);
    }
    return sb.append('}').toString();
  }
}
