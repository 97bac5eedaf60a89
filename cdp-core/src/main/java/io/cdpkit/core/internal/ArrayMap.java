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
 * A map of one entry (most of a profile's maps: a visitor's one channel, her one kind of event)
 * holds its key and value in two fields of its own, without an array: 24 bytes instead of 40.
 *
 * @param <K> the key type, naturally ordered
 * @param <V> the value type
 */
public final class ArrayMap<K extends Comparable<? super K>, V> implements Map<K, V> {
  private static final Object[] NONE = new Object[0];
  private static final ArrayMap<?, ?> EMPTY = new ArrayMap<>(null, NONE);

  /** The key of a map of one entry; null in a map of any other size. */
  private final @Nullable Object single;

  /**
   * The value of a map of one entry; otherwise the keys in order, then the values in the same
   * order, in one array (one object less per map than two arrays: profiles keep hundreds of
   * thousands of these maps).
   */
  private final Object data;

  private ArrayMap(@Nullable Object single, Object data) {
    this.single = single;
    this.data = data;
  }

  @SuppressWarnings("unchecked")
  public static <K extends Comparable<? super K>, V> ArrayMap<K, V> of() {
    return (ArrayMap<K, V>) EMPTY;
  }

  public static <K extends Comparable<? super K>, V> ArrayMap<K, V> of(K key, V value) {
    return new ArrayMap<>(Objects.requireNonNull(key, "key"),
        Objects.requireNonNull(value, "value"));
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
    return new ArrayMap<>(null, kv);
  }

  /** The key at position {@code i} in key order. */
  private Object keyAt(int i) {
    return single != null ? single : ((Object[]) data)[i];
  }

  /** The value at position {@code i} in key order. */
  private Object valueAt(int i) {
    if (single != null) {
      return data;
    }
    Object[] kv = (Object[]) data;
    return kv[(kv.length >> 1) + i];
  }

  /**
   * The union of two maps; where both hold a key, {@code merge} combines the values
   * ({@code this}'s first).
   */
  @SuppressWarnings("unchecked")
  public ArrayMap<K, V> union(ArrayMap<K, V> o, BinaryOperator<V> merge) {
    int an = size();
    int bn = o.size();
    if (bn == 0) {
      return this;
    }
    if (an == 0) {
      return o;
    }
    if (an == 1 && bn == 1) {
      int c = ((K) single).compareTo((K) o.single);
      if (c == 0) {
        return new ArrayMap<>(single, Objects.requireNonNull(merge.apply((V) data, (V) o.data)));
      }
      return c < 0 ? new ArrayMap<>(null, new Object[] {single, o.single, data, o.data})
          : new ArrayMap<>(null, new Object[] {o.single, single, o.data, data});
    }
    if (bn == 1) {
      return withOne((Object[]) data, o.single, o.data, false, merge);
    }
    if (an == 1) {
      return withOne((Object[]) o.data, single, data, true, merge);
    }
    Object[] a = (Object[]) data;
    Object[] b = (Object[]) o.data;
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
    return new ArrayMap<>(null, r);
  }

  /**
   * The union of a map of two or more entries ({@code kv}) and one entry: the entry put in its
   * place by a binary search, or merged with the entry of its key ({@code merge} takes the
   * left-hand map's value first: the one entry's when {@code oneIsLeft}).
   */
  @SuppressWarnings("unchecked")
  private static <K extends Comparable<? super K>, V> ArrayMap<K, V> withOne(Object[] kv,
      Object key, Object value, boolean oneIsLeft, BinaryOperator<V> merge) {
    int n = kv.length >> 1;
    int found = search(kv, key);
    if (found >= 0) {
      Object[] r = kv.clone();
      if (oneIsLeft) {
        r[found] = key;
      }
      r[n + found] = Objects.requireNonNull(oneIsLeft ? merge.apply((V) value, (V) kv[n + found])
          : merge.apply((V) kv[n + found], (V) value));
      return new ArrayMap<>(null, r);
    }
    int lo = -found - 1;
    Object[] r = new Object[2 * n + 2];
    System.arraycopy(kv, 0, r, 0, lo);
    r[lo] = key;
    System.arraycopy(kv, lo, r, lo + 1, n - lo);
    System.arraycopy(kv, n, r, n + 1, lo);
    r[n + 1 + lo] = value;
    System.arraycopy(kv, n + lo, r, n + 2 + lo, n - lo);
    return new ArrayMap<>(null, r);
  }

  @SuppressWarnings("unchecked")
  private int indexOf(@Nullable Object key) {
    if (key == null) {
      return -1;
    }
    try {
      if (single != null) {
        return ((K) single).compareTo((K) key) == 0 ? 0 : -1;
      }
      return Math.max(-1, search((Object[]) data, key));
    } catch (ClassCastException e) {
      return -1;
    }
  }

  /**
   * The position of {@code key} among the keys of the array form {@code kv}, or, where it is
   * not there, {@code -(insertion point) - 1} (as {@link Arrays#binarySearch}).
   */
  @SuppressWarnings("unchecked")
  private static <K extends Comparable<? super K>> int search(Object[] kv, Object key) {
    int lo = 0;
    int hi = (kv.length >> 1) - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = ((K) kv[mid]).compareTo((K) key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -lo - 1;
  }

  @Override
  public int size() {
    return single != null ? 1 : ((Object[]) data).length >> 1;
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  @SuppressWarnings("unchecked")
  public @Nullable V get(@Nullable Object key) {
    int i = indexOf(key);
    return i < 0 ? null : (V) valueAt(i);
  }

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return ArrayMap.this.size();
      }

      @Override
      public Iterator<Map.Entry<K, V>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < ArrayMap.this.size();
          }

          @Override
          @SuppressWarnings("unchecked")
          public Map.Entry<K, V> next() {
            if (i >= ArrayMap.this.size()) {
              throw new NoSuchElementException();
            }
            Map.Entry<K, V> e =
                new AbstractMap.SimpleImmutableEntry<>((K) keyAt(i), (V) valueAt(i));
            i++;
            return e;
          }
        };
      }
    };
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public boolean containsValue(@Nullable Object value) {
    int n = size();
    for (int i = 0; i < n; i++) {
      if (valueAt(i).equals(value)) {
        return true;
      }
    }
    return false;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<? super K, ? super V> action) {
    if (single != null) {
      action.accept((K) single, (V) data);
      return;
    }
    Object[] a = (Object[]) data;
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
        return new Walk<>(true);
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
        return new Walk<>(false);
      }
    };
  }

  /** The keys or the values in key order. */
  private final class Walk<T> implements Iterator<T> {
    private final boolean keys;
    private int i;

    Walk(boolean keys) {
      this.keys = keys;
    }

    @Override
    public boolean hasNext() {
      return i < size();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
      if (i >= size()) {
        throw new NoSuchElementException();
      }
      int at = i++;
      return (T) (keys ? keyAt(at) : valueAt(at));
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
    int n = size();
    try {
      for (int i = 0; i < n; i++) {
        if (!valueAt(i).equals(m.get(keyAt(i)))) {
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
    int n = size();
    int h = 0;
    for (int i = 0; i < n; i++) {
      h += keyAt(i).hashCode() ^ valueAt(i).hashCode();
    }
    return h;
  }

  /** As {@link AbstractMap#toString()}: {@code {k1=v1, k2=v2}}. */
  @Override
  public String toString() {
    int n = size();
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      Object k = keyAt(i);
      Object v = valueAt(i);
      sb.append(k == this ? "(this Map)" : k).append('=').append(v == this ? "(this Map)" : v);
    }
    return sb.append('}').toString();
  }
}
