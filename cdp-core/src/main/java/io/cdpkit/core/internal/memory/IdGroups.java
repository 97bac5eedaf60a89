package io.cdpkit.core.internal.memory;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Insertion-ordered sets of identifiers by key (the identifiers of a profile, of a component)
 * without an object per set where the set is small: a key's group is the lone identifier itself,
 * an exact-size array of up to {@value #SMALL}, or beyond that a {@link LinkedHashSet}. Most
 * profiles hold one or two identifiers, for which a hash set costs about 150 bytes. The store
 * puts its identifiers' keys ({@link CompactIds#key(io.cdpkit.core.model.Identifier)}) in the
 * groups; any object with {@code equals} and {@code hashCode} other than an array or a
 * {@link LinkedHashSet} will do.
 *
 * <p>The groups live in one column of a {@link SlotMap}, next to the key's other values, and
 * are reached by the key's slot. A key whose group is not empty keeps its slot: the store's nodes
 * refer to their profile and component by slot number, and each node is in its profile's and
 * its component's group.
 *
 * <p>Not thread-safe: guarded by the workspace's lock.
 *
 * @param <K> the key
 */
final class IdGroups<K> {
  /** Largest group kept as an array. */
  static final int SMALL = 16;

  private final SlotMap<K> map;
  private final int column;

  /** Groups in a column of {@code map}. */
  IdGroups(SlotMap<K> map, int column) {
    this.map = map;
    this.column = column;
  }

  /** Adds {@code id} to the group of the key in a slot in use; whether it was not there. */
  boolean add(int s, Object id) {
    Object g = map.get(s, column);
    if (g == null) {
      map.set(s, column, id);
      return true;
    }
    if (g instanceof Object[] arr) {
      for (Object x : arr) {
        if (x.equals(id)) {
          return false;
        }
      }
      if (arr.length < SMALL) {
        Object[] more = Arrays.copyOf(arr, arr.length + 1);
        more[arr.length] = id;
        map.set(s, column, more);
      } else {
        LinkedHashSet<Object> set = new LinkedHashSet<>(Arrays.asList(arr));
        set.add(id);
        map.set(s, column, set);
      }
      return true;
    }
    if (g instanceof LinkedHashSet<?> set) {
      @SuppressWarnings("unchecked")
      LinkedHashSet<Object> objects = (LinkedHashSet<Object>) set;
      return objects.add(id);
    }
    if (g.equals(id)) {
      return false;
    }
    map.set(s, column, new Object[] {g, id});
    return true;
  }

  /**
   * Removes {@code id} from the group of the key in a slot in use (a group left empty goes, and
   * the key with it when it has nothing else); whether it was there.
   */
  boolean remove(int s, Object id) {
    Object g = map.get(s, column);
    if (g == null) {
      return false;
    }
    Object after;
    if (g instanceof Object[] arr) {
      int at = -1;
      for (int i = 0; i < arr.length; i++) {
        if (arr[i].equals(id)) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        return false;
      }
      if (arr.length == 2) {
        after = arr[1 - at];
      } else {
        Object[] less = new Object[arr.length - 1];
        System.arraycopy(arr, 0, less, 0, at);
        System.arraycopy(arr, at + 1, less, at, arr.length - at - 1);
        after = less;
      }
    } else if (g instanceof LinkedHashSet<?> set) {
      if (!set.remove(id)) {
        return false;
      }
      after = set.size() > SMALL ? set
          : set.size() == 1 ? set.iterator().next() : set.toArray();
    } else {
      if (!g.equals(id)) {
        return false;
      }
      after = null;
    }
    map.set(s, column, after);
    if (after == null) {
      map.removeIfEmpty(s);
    }
    return true;
  }

  /** The group of the key in a slot in use, in insertion order (empty when none). */
  List<Object> get(int s) {
    return list(map.get(s, column));
  }

  private static List<Object> list(@Nullable Object g) {
    if (g == null) {
      return List.of();
    }
    if (g instanceof Object[] arr) {
      return List.of(arr);
    }
    if (g instanceof LinkedHashSet<?> set) {
      return List.copyOf(set);
    }
    return List.of(g);
  }
}
