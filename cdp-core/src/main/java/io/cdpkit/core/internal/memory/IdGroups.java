package io.cdpkit.core.internal.memory;

import io.cdpkit.core.model.Identifier;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Insertion-ordered sets of identifiers by key (the identifiers of a profile, of a component)
 * without an object per set where the set is small: a key maps to the lone identifier itself,
 * to an exact-size array of up to {@value #SMALL}, or beyond that to a {@link LinkedHashSet}.
 * Most profiles hold one or two identifiers, for which a hash set costs about 150 bytes.
 *
 * <p>Not thread-safe: guarded by the workspace's lock.
 *
 * @param <K> the key
 */
final class IdGroups<K> {
  /** Largest group kept as an array. */
  static final int SMALL = 16;

  private final HashMap<K, Object> groups = new HashMap<>();

  /** Adds {@code id} to the key's group; whether it was not there. */
  boolean add(K key, Identifier id) {
    Object g = groups.get(key);
    if (g == null) {
      groups.put(key, id);
      return true;
    }
    if (g instanceof Identifier one) {
      if (one.equals(id)) {
        return false;
      }
      groups.put(key, new Identifier[] {one, id});
      return true;
    }
    if (g instanceof Identifier[] arr) {
      for (Identifier x : arr) {
        if (x.equals(id)) {
          return false;
        }
      }
      if (arr.length < SMALL) {
        Identifier[] more = Arrays.copyOf(arr, arr.length + 1);
        more[arr.length] = id;
        groups.put(key, more);
      } else {
        LinkedHashSet<Identifier> set = new LinkedHashSet<>(Arrays.asList(arr));
        set.add(id);
        groups.put(key, set);
      }
      return true;
    }
    @SuppressWarnings("unchecked")
    LinkedHashSet<Identifier> set = (LinkedHashSet<Identifier>) g;
    return set.add(id);
  }

  /** Removes {@code id} from the key's group (a group left empty goes); whether it was there. */
  boolean remove(K key, Identifier id) {
    Object g = groups.get(key);
    if (g == null) {
      return false;
    }
    if (g instanceof Identifier one) {
      if (!one.equals(id)) {
        return false;
      }
      groups.remove(key);
      return true;
    }
    if (g instanceof Identifier[] arr) {
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
        groups.put(key, arr[1 - at]);
      } else {
        Identifier[] less = new Identifier[arr.length - 1];
        System.arraycopy(arr, 0, less, 0, at);
        System.arraycopy(arr, at + 1, less, at, arr.length - at - 1);
        groups.put(key, less);
      }
      return true;
    }
    @SuppressWarnings("unchecked")
    LinkedHashSet<Identifier> set = (LinkedHashSet<Identifier>) g;
    if (!set.remove(id)) {
      return false;
    }
    if (set.size() <= SMALL) {
      groups.put(key, set.size() == 1 ? set.iterator().next()
          : set.toArray(new Identifier[0]));
    }
    return true;
  }

  /** The key's group in insertion order (empty when none). */
  List<Identifier> get(K key) {
    return list(groups.get(key));
  }

  private static List<Identifier> list(@Nullable Object g) {
    if (g == null) {
      return List.of();
    }
    if (g instanceof Identifier one) {
      return List.of(one);
    }
    if (g instanceof Identifier[] arr) {
      return List.of(arr);
    }
    @SuppressWarnings("unchecked")
    LinkedHashSet<Identifier> set = (LinkedHashSet<Identifier>) g;
    return List.copyOf(set);
  }
}
