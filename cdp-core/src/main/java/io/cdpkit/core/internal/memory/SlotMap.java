package io.cdpkit.core.internal.memory;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A hash map from keys to a few columns of values, without an object per entry: each key has a
 * slot, and the slot's values sit in parallel arrays (a few object columns and, optionally, one
 * {@code int} column). The store keeps several records per key (an identifier's node and its
 * events' chain head; a profile's record and its identifiers; a component's record, identifiers
 * and links), which as separate {@link java.util.HashMap}s cost an entry object of 32 bytes per
 * key and map.
 *
 * <p>Slots are found through an open-addressing table of slot numbers (linear probing,
 * backward-shift deletion, so it has no tombstones). A key whose object columns are all
 * {@code null} and whose {@code int} column is {@link #NONE} is removed, and its slot reused: the
 * map keeps no key that has nothing under it (an erased identifier's value does not stay behind).
 * The last key found is remembered by identity, as the store often looks up the same key object
 * several times in a row.
 *
 * <p>Not thread-safe: guarded by the workspace's lock. Readers, which share the lock, only
 * ever write the remembered key and slot; a slot is taken from them only when the key array
 * holds that very key object there, so a torn pair from two readers costs a lookup, never a
 * wrong answer.
 *
 * @param <K> the key type, with {@code equals} and {@code hashCode}
 */
final class SlotMap<K> {
  /** The {@code int} column's empty value. */
  static final int NONE = -1;

  private Object[] keys = new Object[16];
  private int[] hashes = new int[16];
  private final Object[][] columns;
  private int @Nullable [] ints;
  /** Slot plus one by key hash; 0 is an empty cell. */
  private int[] table = new int[32];
  /** Slots ever used (the next fresh slot). */
  private int slots;
  /** Freed slots to reuse, as a stack. */
  private int[] free = new int[16];
  private int freeCount;
  private int size;
  private @Nullable Object lastKey;
  private int lastSlot = -1;

  /**
   * @param columns how many object columns
   * @param intColumn whether there is an {@code int} column
   */
  SlotMap(int columns, boolean intColumn) {
    this.columns = new Object[columns][16];
    this.ints = intColumn ? new int[16] : null;
  }

  /** Keys present. */
  int size() {
    return size;
  }

  /** The key's slot, or -1. */
  int find(K key) {
    Object k = Objects.requireNonNull(key, "key");
    int ls = lastSlot;
    if (k == lastKey && ls >= 0 && keys[ls] == k) {
      return ls;
    }
    int h = SlotIndex.hash(k);
    int mask = table.length - 1;
    for (int i = h & mask; table[i] != 0; i = (i + 1) & mask) {
      int s = table[i] - 1;
      if (hashes[s] == h && k.equals(keys[s])) {
        lastKey = k;
        lastSlot = s;
        return s;
      }
    }
    return -1;
  }

  /** The key's slot, made (with empty columns) when it has none. */
  int findOrAdd(K key) {
    int found = find(key);
    if (found >= 0) {
      return found;
    }
    int s;
    if (freeCount > 0) {
      s = free[--freeCount];
    } else {
      if (slots == keys.length) {
        grow(SlotIndex.grown(slots));
      }
      s = slots++;
    }
    keys[s] = key;
    int h = SlotIndex.hash(key);
    hashes[s] = h;
    if (ints != null) {
      ints[s] = NONE;
    }
    if (SlotIndex.crowded(size + 1, table.length)) {
      table = SlotIndex.rehash(table, hashes, table.length * 2);
    }
    SlotIndex.insert(table, h, s);
    size++;
    lastKey = key;
    lastSlot = s;
    return s;
  }

  /**
   * The slots ever used: a scan looks at slots 0 to this (exclusive) and skips those whose
   * {@link #keyOrNull} is {@code null} (free).
   */
  int slotLimit() {
    return slots;
  }

  /** The key in a slot, or {@code null} when the slot is free. */
  @SuppressWarnings("unchecked")
  @Nullable K keyOrNull(int slot) {
    return (K) keys[slot];
  }

  /** The key in a slot in use. */
  @SuppressWarnings("unchecked")
  K key(int slot) {
    return (K) keys[slot];
  }

  @Nullable Object get(int slot, int column) {
    return columns[column][slot];
  }

  void set(int slot, int column, @Nullable Object value) {
    columns[column][slot] = value;
  }

  int getInt(int slot) {
    return ints[slot];
  }

  void setInt(int slot, int value) {
    ints[slot] = value;
  }

  /** The key's value in a column, or {@code null}. */
  @Nullable Object get(K key, int column) {
    int s = find(key);
    return s < 0 ? null : columns[column][s];
  }

  /**
   * Sets the key's value in a column ({@code null} clears it, and a key left with nothing goes);
   * returns the value it replaced.
   */
  @Nullable Object put(K key, int column, @Nullable Object value) {
    int s = value == null ? find(key) : findOrAdd(key);
    if (s < 0) {
      return null;
    }
    Object old = columns[column][s];
    columns[column][s] = value;
    if (value == null) {
      removeIfEmpty(s);
    }
    return old;
  }

  /** Removes the slot's key when all its columns are empty; whether it did. */
  boolean removeIfEmpty(int slot) {
    if (ints != null && ints[slot] != NONE) {
      return false;
    }
    for (Object[] c : columns) {
      if (c[slot] != null) {
        return false;
      }
    }
    SlotIndex.remove(table, hashes, slot);
    if (lastKey == keys[slot]) {
      lastKey = null; // keep no reference to a key that went (an erased identifier's value)
    }
    keys[slot] = null;
    if (freeCount == free.length) {
      free = Arrays.copyOf(free, SlotIndex.grown(freeCount));
    }
    free[freeCount++] = slot;
    size--;
    return true;
  }

  private void grow(int n) {
    keys = Arrays.copyOf(keys, n);
    hashes = Arrays.copyOf(hashes, n);
    for (int c = 0; c < columns.length; c++) {
      columns[c] = Arrays.copyOf(columns[c], n);
    }
    if (ints != null) {
      ints = Arrays.copyOf(ints, n);
    }
  }
}
