package io.cdpkit.core.internal.memory;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The keys of a map in a given order, for scans, at about 4 bytes per key instead of a
 * {@link java.util.TreeSet} entry's 40: a sorted array, and a tree of the keys added since it
 * was last rebuilt. The tree is merged into the array when it reaches a thirty-second of it (or
 * 4,096 keys), so the rebuilds cost a constant per key added.
 *
 * <p>Keys are never taken out directly: whether a key is still in the map is asked of the map
 * ({@code present}) while scanning, and the ones that went are dropped at a rebuild once there
 * are enough of them ({@link #removed}). So the undo of an addition needs nothing here; a key
 * added again while an older copy is still in the array is seen once.
 *
 * <p>Not thread-safe: guarded by the workspace's lock.
 *
 * @param <K> the key type
 */
final class SortedKeys<K> {
  private final Predicate<K> present;
  private final Comparator<? super K> order;
  private Object[] sorted = new Object[0];
  private final TreeSet<K> recent;
  /** Keys taken out of the map since the array last dropped them. */
  private int removals;

  /** The tree's size that always allows a rebuild (tests use small ones). */
  private final int minTree;

  /**
   * @param present whether a key is in the map now
   * @param order the keys' order
   */
  SortedKeys(Predicate<K> present, Comparator<? super K> order) {
    this(present, order, 4096);
  }

  SortedKeys(Predicate<K> present, Comparator<? super K> order, int minTree) {
    this.present = present;
    this.order = order;
    this.recent = new TreeSet<>(order);
    this.minTree = minTree;
  }

  /** Notes a key added to the map. */
  void add(K key) {
    recent.add(key);
    if (recent.size() > Math.max(minTree, sorted.length / 32)) {
      rebuild();
    }
  }

  /** Notes a key taken out of the map; its copy here goes at a later rebuild. */
  void removed() {
    removals++;
  }

  /**
   * Merges the tree into the array: each of its keys is placed by a binary search, and the runs
   * of the array between them are copied whole, so a rebuild reads no key of the array but those
   * the searches touch. Keys taken out of the map are dropped only when they have come to an
   * eighth of the array, as that asks the map about every key.
   */
  @SuppressWarnings("unchecked")
  private void rebuild() {
    Object[] a = sorted;
    Object[] out = new Object[a.length + recent.size()];
    int n = 0;
    int i = 0;
    for (K k : recent) {
      int lo = i;
      int hi = a.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (order.compare((K) a[mid], k) < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      System.arraycopy(a, i, out, n, lo - i);
      n += lo - i;
      i = lo;
      if (i < a.length && order.compare((K) a[i], k) == 0) {
        continue; // added again: the array's copy stays
      }
      out[n++] = k;
    }
    System.arraycopy(a, i, out, n, a.length - i);
    n += a.length - i;
    if (removals > n / 8) {
      int m = 0;
      for (int j = 0; j < n; j++) {
        if (present.test((K) out[j])) {
          out[m++] = out[j];
        }
      }
      n = m;
      removals = 0;
    }
    sorted = n == out.length ? out : Arrays.copyOf(out, n);
    recent.clear();
  }

  /** The keys present, greater than {@code after} (all when null), in order. */
  @SuppressWarnings("unchecked")
  Iterator<K> after(@Nullable K after) {
    int from = 0;
    if (after != null) {
      int lo = 0;
      int hi = sorted.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (order.compare((K) sorted[mid], after) <= 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      from = lo;
    }
    Iterator<K> tail = after == null ? recent.iterator()
        : recent.tailSet(after, false).iterator();
    return merge(from, tail);
  }

  @SuppressWarnings("unchecked")
  private Iterator<K> merge(int from, Iterator<K> tail) {
    Object[] a = sorted;
    return new Iterator<>() {
      private int i = from;
      private @Nullable K t = tail.hasNext() ? tail.next() : null;
      private @Nullable K next = advance();

      private @Nullable K advance() {
        while (true) {
          K k;
          if (i < a.length && (t == null || order.compare((K) a[i], t) <= 0)) {
            k = (K) a[i++];
            if (t != null && order.compare(k, t) == 0) {
              t = tail.hasNext() ? tail.next() : null;
            }
          } else if (t != null) {
            k = t;
            t = tail.hasNext() ? tail.next() : null;
          } else {
            return null;
          }
          if (present.test(k)) {
            return k;
          }
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public K next() {
        K k = next;
        if (k == null) {
          throw new NoSuchElementException();
        }
        next = advance();
        return k;
      }
    };
  }
}
