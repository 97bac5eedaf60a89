package io.cdpkit.core.internal.memory;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The slots of a {@link SlotMap} in the order of their keys, for scans, at about 4 bytes per key
 * instead of a {@link java.util.TreeSet} entry's 40: a sorted array of slot numbers, and a tree
 * of the slots added since it was last rebuilt. The tree is merged into the array when it reaches
 * a thirty-second of it (or 4,096 slots), so the rebuilds cost a constant per slot added.
 *
 * <p>Slots are never taken out directly: whether a slot still holds a key of the scan is asked
 * of the map ({@code present}) while scanning, and the ones that went are dropped at a rebuild
 * once there are enough of them ({@link #removed}, and the slots the map holds). So the undo of
 * an addition needs nothing here. The map holds the slots it frees, with their keys, until this
 * index has dropped them (then it calls {@code release}): a slot number here always stands for
 * the key it was added with, and the order stays consistent. A key that comes back in another
 * slot while its old slot is still here (held) is seen once, in its new slot: of two slots with
 * equal keys, the one added later wins.
 *
 * <p>Not thread-safe: guarded by the workspace's lock. Scans by readers that share the lock only
 * read.
 */
final class SortedKeys {
  /** The order of the keys of two slots (held ones included). */
  interface Order {
    int compare(int a, int b);
  }

  private final IntPredicate present;
  private final Order order;
  private final IntSupplier held;
  private final Runnable release;
  private int[] sorted = new int[0];
  private final TreeSet<Integer> recent;
  /** Slots taken out of the scan since the array last dropped them. */
  private int removals;

  /** The tree's size that always allows a rebuild (tests use small ones). */
  private final int minTree;

  /**
   * @param present whether a slot holds a key of the scan now
   * @param order the keys' order
   * @param held how many freed slots the map holds for this index
   * @param release called when this index holds none of the map's freed slots any more
   */
  SortedKeys(IntPredicate present, Order order, IntSupplier held, Runnable release) {
    this(present, order, held, release, 4096);
  }

  SortedKeys(IntPredicate present, Order order, IntSupplier held, Runnable release,
      int minTree) {
    this.present = present;
    this.order = order;
    this.held = held;
    this.release = release;
    this.recent = new TreeSet<>(order::compare);
    this.minTree = minTree;
  }

  /** Notes a slot whose key joined the scan. */
  void add(int slot) {
    Integer s = slot;
    recent.remove(s); // a slot with an equal key, held by the map, gives way to this one
    recent.add(s);
    if (recent.size() > Math.max(minTree, sorted.length / 32)) {
      rebuild();
    }
  }

  /** Notes a key taken out of the scan; its slot here goes at a later rebuild. */
  void removed() {
    removals++;
  }

  /**
   * Merges the tree into the array: each of its slots is placed by a binary search, and the runs
   * of the array between them are copied whole, so a rebuild reads no key of the array but those
   * the searches touch. Slots taken out of the scan are dropped only when they (and the slots the
   * map holds) have come to an eighth of the array, as that asks the map about every slot; then
   * the map may reuse the slots it held.
   */
  private void rebuild() {
    int[] a = sorted;
    int[] out = new int[a.length + recent.size()];
    int n = 0;
    int i = 0;
    for (int k : recent) {
      int lo = i;
      int hi = a.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (order.compare(a[mid], k) < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      System.arraycopy(a, i, out, n, lo - i);
      n += lo - i;
      i = lo;
      if (i < a.length && order.compare(a[i], k) == 0) {
        i++; // added again (maybe in another slot): the later one stays
      }
      out[n++] = k;
    }
    System.arraycopy(a, i, out, n, a.length - i);
    n += a.length - i;
    boolean dropped = false;
    if ((long) removals + held.getAsInt() > n / 8) {
      int m = 0;
      for (int j = 0; j < n; j++) {
        if (present.test(out[j])) {
          out[m++] = out[j];
        }
      }
      n = m;
      removals = 0;
      dropped = true;
    }
    sorted = n == out.length ? out : Arrays.copyOf(out, n);
    recent.clear();
    if (dropped) {
      release.run();
    }
  }

  /**
   * The slots present whose keys are greater than a key (all when {@code vsAfter} is
   * {@code null}), in order.
   *
   * @param vsAfter compares a slot's key with that key
   */
  PrimitiveIterator.OfInt after(@Nullable IntUnaryOperator vsAfter) {
    int from = 0;
    if (vsAfter != null) {
      int lo = 0;
      int hi = sorted.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (vsAfter.applyAsInt(sorted[mid]) <= 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      from = lo;
    }
    Iterator<Integer> tail = recent.iterator();
    return merge(from, tail, vsAfter);
  }

  private PrimitiveIterator.OfInt merge(int from, Iterator<Integer> tail,
      @Nullable IntUnaryOperator vsAfter) {
    int[] a = sorted;
    return new PrimitiveIterator.OfInt() {
      private int i = from;
      private int t = firstTail();
      private int next = advance();

      /** The tree's first slot after the key, or -1. */
      private int firstTail() {
        while (tail.hasNext()) {
          int k = tail.next();
          if (vsAfter == null || vsAfter.applyAsInt(k) > 0) {
            return k;
          }
        }
        return -1;
      }

      private int nextTail() {
        return tail.hasNext() ? tail.next() : -1;
      }

      private int advance() {
        while (true) {
          int k;
          int c = i >= a.length ? 1 : t < 0 ? -1 : order.compare(a[i], t);
          if (c < 0) {
            k = a[i++];
          } else if (t >= 0) {
            if (c == 0) {
              i++; // the array's slot with an equal key: the tree's is the later one
            }
            k = t;
            t = nextTail();
          } else {
            return -1;
          }
          if (present.test(k)) {
            return k;
          }
        }
      }

      @Override
      public boolean hasNext() {
        return next >= 0;
      }

      @Override
      public int nextInt() {
        int k = next;
        if (k < 0) {
          throw new NoSuchElementException();
        }
        next = advance();
        return k;
      }
    };
  }
}
