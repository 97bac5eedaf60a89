package io.cdpkit.core.internal.memory;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A hash map from keys to a few columns of values, without an object per entry: each key has a
 * slot, and the slot's values sit in arrays (a few object columns and a few {@code int}
 * columns, each kind in one array with a slot's values side by side). The store keeps several
 * records per key (an identifier's node and its events' chain head; a profile's record and its
 * identifiers; a component's record, identifiers and links), which as separate
 * {@link java.util.HashMap}s cost an entry object of 32 bytes per key and map.
 *
 * <p>Slots are found through an open-addressing table of slot numbers (linear probing,
 * backward-shift deletion, so it has no tombstones). A key whose object columns are all
 * {@code null} and whose {@code int} columns are {@link #NONE} is removed, and its slot reused:
 * the map keeps no key that has nothing under it (an erased identifier's value does not stay
 * behind). The last key found is remembered by identity, as the store often looks up the same
 * key object several times in a row.
 *
 * <p>A map of profiles or components keeps the ids that are UUIDs ({@link CompactIds.Bits}) as
 * two {@code long}s in arrays of its own instead of as objects ({@code bitsKeys}): the store
 * then refers to such a key by its slot number, and reads the id from the slot. A map whose slot
 * numbers are kept in a sorted index outside ({@code holdFreed}) holds a freed slot, with its
 * key, until that index has dropped it ({@link #release}).
 *
 * <p>Not thread-safe: guarded by the workspace's lock. Readers, which share the lock, only
 * ever write the remembered key and slot; a slot is taken from them only when the key array
 * holds that very key object there, so a torn pair from two readers costs a lookup, never a
 * wrong answer.
 *
 * @param <K> the key type, with {@code equals} and {@code hashCode}
 */
final class SlotMap<K> {
  /** The {@code int} columns' empty value. */
  static final int NONE = -1;

  /** What {@link #keys} holds for a key kept as two {@code long}s (see {@link #bitsKeys}). */
  private static final Object BITS = new Object();

  private Object[] keys = new Object[16];
  private int[] hashes = new int[16];
  /** The object columns, a slot's values side by side, as {@link #ints}. */
  private Object[] columns;
  private final int width;
  /**
   * The {@code int} columns, a slot's values side by side (slot {@code s}, column {@code c} at
   * {@code s * intWidth + c}): a node's profile and component are read from one cache line.
   */
  private int[] ints;
  private final int intWidth;
  /**
   * Whether {@link CompactIds.Bits} keys are kept as their two {@code long}s in {@link #bits}
   * (with {@link #BITS} in {@link #keys}) instead of as objects.
   */
  private final boolean bitsKeys;
  /**
   * A bits key's high and low {@code long} side by side (slot {@code s} at {@code 2s} and
   * {@code 2s + 1}): a lookup reads both from one cache line, where two arrays cost two.
   */
  private long @Nullable [] bits;
  /**
   * Whether freed slots are held (see {@link #release}) instead of reused at once: a held slot
   * keeps its key, so an outside index of slot numbers sorted by key (the store's scan order)
   * still compares it, and no other key takes its number before that index has dropped it.
   */
  private final boolean holdFreed;
  /** Freed slots not yet released, and the same as a set (both only when {@link #holdFreed}). */
  private int[] held = new int[0];
  private int heldCount;
  private final java.util.BitSet heldSet = new java.util.BitSet();
  /** Slot plus one by key hash; 0 is an empty cell. */
  private int[] table = new int[32];
  /** The hash bits of {@link #table}'s cells ({@link SlotIndex#tagMask}) for {@link #keys}. */
  private int tagMask = SlotIndex.tagMask(16);
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
    this(columns, intColumn ? 1 : 0, false, false);
  }

  /**
   * @param columns how many object columns
   * @param intColumns how many {@code int} columns
   * @param bitsKeys whether {@link CompactIds.Bits} keys are kept as two {@code long}s: 16 bytes
   *     per key in this map's arrays instead of a reference to a 32-byte object
   * @param holdFreed whether freed slots wait for {@link #release} before they are reused
   */
  SlotMap(int columns, int intColumns, boolean bitsKeys, boolean holdFreed) {
    this.width = columns;
    this.columns = new Object[columns * 16];
    this.intWidth = intColumns;
    this.ints = new int[intColumns * 16];
    this.bitsKeys = bitsKeys;
    this.holdFreed = holdFreed;
    if (bitsKeys) {
      bits = new long[32];
    }
  }

  /** Keys present. */
  int size() {
    return size;
  }

  /** The key's slot, or -1. */
  int find(K key) {
    Object k = Objects.requireNonNull(key, "key");
    int ls = lastSlot;
    if (k == lastKey && ls >= 0) {
      Object at = keys[ls];
      // A key kept as bits is checked against the slot's bits: the slot may have gone to
      // another key since (a torn pair of two readers, or a reuse).
      if (at == k || at == BITS && k instanceof CompactIds.Bits b && bits[2 * ls] == b.hi()
          && bits[2 * ls + 1] == b.lo()) {
        return ls;
      }
    }
    if (bitsKeys && k instanceof CompactIds.Bits b) {
      int s = findBits(b.hi(), b.lo());
      if (s >= 0) {
        lastKey = k;
        lastSlot = s;
      }
      return s;
    }
    int h = SlotIndex.hash(k);
    int mask = table.length - 1;
    int tm = tagMask;
    for (int i = h & mask; table[i] != 0; i = (i + 1) & mask) {
      int cell = table[i];
      if (!SlotIndex.mayHold(cell, h, tm)) {
        continue;
      }
      // The tag stands in for the hash (see findBits); the key decides.
      int s = SlotIndex.slot(cell, tm);
      if (k.equals(keys[s])) {
        lastKey = k;
        lastSlot = s;
        return s;
      }
    }
    return -1;
  }

  /** The slot of the key kept as {@code hi} and {@code lo}, or -1 (only with bits keys). */
  private int findBits(long hi, long lo) {
    int h = SlotIndex.hash(CompactIds.Bits.hashCode(hi, lo));
    long[] b = bits;
    int mask = table.length - 1;
    int tm = tagMask;
    for (int i = h & mask; table[i] != 0; i = (i + 1) & mask) {
      int cell = table[i];
      // The tag stands in for the hash: a cell of another hash passes it once in 2^tag bits
      // probes (4,096 at a million slots), and the bits and the key decide anyway.
      if (!SlotIndex.mayHold(cell, h, tm)) {
        continue;
      }
      int s = SlotIndex.slot(cell, tm);
      if (b[2 * s] == hi && b[2 * s + 1] == lo && keys[s] == BITS) {
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
    int h;
    if (bitsKeys && key instanceof CompactIds.Bits b) {
      keys[s] = BITS;
      bits[2 * s] = b.hi();
      bits[2 * s + 1] = b.lo();
      h = SlotIndex.hash(CompactIds.Bits.hashCode(b.hi(), b.lo()));
    } else {
      keys[s] = key;
      h = SlotIndex.hash(key);
    }
    lastKey = key;
    lastSlot = s;
    hashes[s] = h;
    Arrays.fill(ints, s * intWidth, (s + 1) * intWidth, NONE);
    if (SlotIndex.crowded(size + 1, table.length)) {
      table = SlotIndex.rehash(table, hashes, table.length * 2, tagMask);
    }
    SlotIndex.insert(table, h, s, tagMask);
    size++;
    return s;
  }

  /**
   * The slots ever used: a scan looks at slots 0 to this (exclusive) and skips those not
   * {@link #inUse}.
   */
  int slotLimit() {
    return slots;
  }

  /** Whether a slot holds a key (it is neither free nor held). */
  boolean inUse(int slot) {
    return keys[slot] != null && !(holdFreed && heldSet.get(slot));
  }

  /**
   * The key in a slot, or {@code null} when the slot is free or held. A key kept as bits is
   * given as a new {@link CompactIds.Bits}.
   */
  @Nullable K keyOrNull(int slot) {
    return inUse(slot) ? key(slot) : null;
  }

  /**
   * The key in a slot in use, or in a held slot (which keeps its key until released). A key
   * kept as bits is given as a new {@link CompactIds.Bits}.
   */
  @SuppressWarnings("unchecked")
  K key(int slot) {
    Object k = keys[slot];
    return (K) (k == BITS ? new CompactIds.Bits(bits[2 * slot], bits[2 * slot + 1]) : k);
  }

  /** Whether the slot's key is kept as bits ({@link #hi}, {@link #lo}). */
  boolean isBits(int slot) {
    return keys[slot] == BITS;
  }

  /** The high bits of a key kept as bits. */
  long hi(int slot) {
    return bits[2 * slot];
  }

  /** The low bits of a key kept as bits. */
  long lo(int slot) {
    return bits[2 * slot + 1];
  }

  @Nullable Object get(int slot, int column) {
    return columns[slot * width + column];
  }

  void set(int slot, int column, @Nullable Object value) {
    columns[slot * width + column] = value;
  }

  /** The first {@code int} column's value. */
  int getInt(int slot) {
    return ints[slot * intWidth];
  }

  void setInt(int slot, int value) {
    ints[slot * intWidth] = value;
  }

  int getInt(int slot, int column) {
    return ints[slot * intWidth + column];
  }

  void setInt(int slot, int column, int value) {
    ints[slot * intWidth + column] = value;
  }

  /** The key's value in a column, or {@code null}. */
  @Nullable Object get(K key, int column) {
    int s = find(key);
    return s < 0 ? null : columns[s * width + column];
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
    Object old = columns[s * width + column];
    columns[s * width + column] = value;
    if (value == null) {
      removeIfEmpty(s);
    }
    return old;
  }

  /**
   * Removes the slot's key when all its columns are empty; whether it did. The slot is free for
   * another key at once, or, when freed slots are held, after the next {@link #release}.
   */
  boolean removeIfEmpty(int slot) {
    for (int i = slot * intWidth; i < (slot + 1) * intWidth; i++) {
      if (ints[i] != NONE) {
        return false;
      }
    }
    for (int i = slot * width; i < (slot + 1) * width; i++) {
      if (columns[i] != null) {
        return false;
      }
    }
    SlotIndex.remove(table, hashes, slot, tagMask);
    if (lastKey == keys[slot] || lastSlot == slot) {
      // Keep no reference to a key that went (an erased identifier's value), and no slot that
      // went: a held slot keeps its bits, which would still pass the check in find.
      lastKey = null;
      lastSlot = -1;
    }
    size--;
    if (holdFreed) {
      if (heldCount == held.length) {
        held = Arrays.copyOf(held, SlotIndex.grown(heldCount));
      }
      held[heldCount++] = slot;
      heldSet.set(slot);
      return true;
    }
    keys[slot] = null;
    pushFree(slot);
    return true;
  }

  private void pushFree(int slot) {
    if (freeCount == free.length) {
      free = Arrays.copyOf(free, SlotIndex.grown(freeCount));
    }
    free[freeCount++] = slot;
  }

  /** Freed slots waiting for {@link #release}. */
  int heldCount() {
    return heldCount;
  }

  /** Makes the held slots free for other keys; their keys go. */
  void release() {
    for (int i = 0; i < heldCount; i++) {
      int s = held[i];
      keys[s] = null;
      pushFree(s);
    }
    heldCount = 0;
    held = new int[0];
    heldSet.clear();
  }

  private void grow(int n) {
    int m = SlotIndex.tagMask(n);
    if (m != tagMask) {
      SlotIndex.retag(table, tagMask, m);
      tagMask = m;
    }
    keys = Arrays.copyOf(keys, n);
    hashes = Arrays.copyOf(hashes, n);
    columns = Arrays.copyOf(columns, n * width);
    ints = Arrays.copyOf(ints, n * intWidth);
    if (bitsKeys) {
      bits = Arrays.copyOf(bits, 2 * n);
    }
  }
}
