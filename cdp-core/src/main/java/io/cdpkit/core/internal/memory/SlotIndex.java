package io.cdpkit.core.internal.memory;

/**
 * The hash index that {@link SlotMap} and {@link EventTable} keep over their slots: an
 * open-addressing table (linear probing, backward-shift deletion) whose cells hold a slot number
 * plus one (0: empty), with each slot's hash kept by the owner in an {@code int[]} of its own.
 * Static helpers over the owner's arrays, so the owners keep no extra object per table.
 *
 * <p>A cell also holds the top bits of its slot's hash, as many as the slot number leaves free
 * ({@link #tagMask}: 27 bits while the owner has at most 16 slots, 12 bits at a million): a
 * probe passes over a cell whose bits differ without reading the slot's hash or key, each of
 * which is a read at a random place in a large array. A lookup of a new key (every event's
 * messageId) then reads the run of adjacent cells and nothing else.
 *
 * <p>Not thread-safe; the owners guard their arrays.
 */
final class SlotIndex {
  private SlotIndex() {}

  /** The largest array length the JVM reliably allocates. */
  static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

  /**
   * The next length of an owner's per-slot arrays of length {@code n}: half as large again, not
   * twice, so they stand at least two thirds full (on average about 80%) instead of at least
   * half. The hash table itself still doubles, to stay a power of two (see {@link #crowded}).
   *
   * @throws IllegalStateException when the arrays cannot grow any more
   */
  static int grown(int n) {
    if (n >= MAX_LENGTH) {
      throw new IllegalStateException("a table of the in-memory store is full (" + n
          + " slots)");
    }
    return (int) Math.min((long) n + (n >> 1) + 1, MAX_LENGTH);
  }

  /**
   * Whether a table of {@code cells} cells would be too full with {@code entries} entries: more
   * than three quarters. (At most half full, the tables took about 10 bytes more per stored
   * event; linear probing then looks at more cells per miss, 8.5 on average at three quarters
   * against 2.5 at half, but the cells of a run are adjacent.)
   */
  static boolean crowded(int entries, int cells) {
    return (long) entries * 4 > (long) cells * 3;
  }

  /** The spread hash of a key, as the tables store it. */
  static int hash(Object key) {
    int h = key.hashCode() * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  /**
   * The bits of a cell that hold hash bits, for an owner whose slot arrays have
   * {@code capacity} slots: all but those that a slot number plus one up to {@code capacity}
   * needs (at least one bit is left to the slot, at most 31).
   */
  static int tagMask(int capacity) {
    int slotBits = Math.min(31, 32 - Integer.numberOfLeadingZeros(capacity));
    return -(1 << slotBits);
  }

  /**
   * Re-makes the cells of {@code table}, made with {@code oldTagMask}, for {@code tagMask},
   * which leaves fewer bits to the hash: in place, as a cell stays where its hash put it.
   */
  static void retag(int[] table, int oldTagMask, int tagMask) {
    int keep = tagMask | ~oldTagMask;
    for (int i = 0; i < table.length; i++) {
      table[i] &= keep;
    }
  }

  /** Whether a cell that is not empty may hold a slot with the hash {@code hash}. */
  static boolean mayHold(int cell, int hash, int tagMask) {
    return ((cell ^ hash) & tagMask) == 0;
  }

  /** The slot a cell that is not empty holds. */
  static int slot(int cell, int tagMask) {
    return (cell & ~tagMask) - 1;
  }

  /** Puts {@code slot} (whose hash is {@code hash}) into the first free cell of its run. */
  static void insert(int[] table, int hash, int slot, int tagMask) {
    int mask = table.length - 1;
    int i = hash & mask;
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    table[i] = (hash & tagMask) | (slot + 1);
  }

  /**
   * Takes {@code slot} out of the table, moving later cells of its run back into the gap where
   * they belong, so that lookups never need tombstones.
   *
   * @throws IllegalStateException when the slot is not in the table
   */
  static void remove(int[] table, int[] hashes, int slot, int tagMask) {
    int mask = table.length - 1;
    int i = hashes[slot] & mask;
    while ((table[i] & ~tagMask) != slot + 1) {
      if (table[i] == 0) {
        throw new IllegalStateException("slot " + slot + " is not indexed");
      }
      i = (i + 1) & mask;
    }
    int gap = i;
    for (int j = (gap + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
      int home = hashes[slot(table[j], tagMask)] & mask;
      // The cell at j may move to the gap when its home is not cyclically in (gap, j].
      boolean stays = gap <= j ? home > gap && home <= j : home > gap || home <= j;
      if (!stays) {
        table[gap] = table[j];
        gap = j;
      }
    }
    table[gap] = 0;
  }

  /**
   * A table of {@code capacity} cells (a power of two) holding the slots of {@code old}, both
   * made with {@code tagMask} ({@link #retag} changes the mask in place).
   */
  static int[] rehash(int[] old, int[] hashes, int capacity, int tagMask) {
    int[] table = new int[capacity];
    for (int cell : old) {
      if (cell != 0) {
        int s = slot(cell, tagMask);
        insert(table, hashes[s], s, tagMask);
      }
    }
    return table;
  }
}
