package io.cdpkit.core.internal.memory;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One workspace's events in their packed form ({@link PackedEvents}), in slots numbered in
 * insertion order, with two indexes that hold no object per event: an open-addressing hash table
 * of slot numbers by messageId (linear probing, backward-shift deletion, so it has no
 * tombstones), and per anchor a chain of slots through an {@code int} array, newest first. Per
 * event that is the packed bytes plus about 20 bytes of arrays.
 *
 * <p>A deleted event's slot stays empty: slots are not reused, so that an undo can put the
 * event back where it was.
 *
 * <p>Not thread-safe: guarded by the workspace's lock.
 */
final class EventTable {
  private static final int NONE = SlotMap.NONE;

  private final PackedEvents packer = new PackedEvents(new PackedEvents.Dictionary());
  /** The packed events by slot; {@code null} for a deleted one. */
  private byte[][] packed = new byte[256][];
  /** The messageId hash of each slot's event. */
  private int[] hashes = new int[256];
  /** The next (older) slot of the same anchor, or {@link #NONE}. */
  private int[] next = new int[256];
  /** Slots in use (the next new slot's number). */
  private int slots;
  /** Events present. */
  private int live;
  /** Slot plus one by messageId hash; 0 is an empty cell. */
  private int[] table = new int[512];
  /**
   * The newest slot of each anchor's chain, in the {@code int} column of the workspace's map of
   * identifiers (which also holds their nodes), so an anchor costs no entry of its own.
   */
  private final SlotMap<Identifier> heads;

  /** A table whose anchor chains start in {@code identifiers}' {@code int} column. */
  EventTable(SlotMap<Identifier> identifiers) {
    this.heads = identifiers;
  }

  /** A table with a map of anchors of its own. */
  EventTable() {
    this(new SlotMap<>(0, true));
  }

  private int head(Identifier anchor) {
    int s = heads.find(anchor);
    return s < 0 ? NONE : heads.getInt(s);
  }

  /** Sets an anchor's chain head; {@link #NONE} when it has no events left. */
  private void setHead(Identifier anchor, int head) {
    if (head == NONE) {
      int s = heads.find(anchor);
      if (s >= 0) {
        heads.setInt(s, NONE);
        heads.removeIfEmpty(s);
      }
    } else {
      heads.setInt(heads.findOrAdd(anchor), head);
    }
  }

  int size() {
    return live;
  }

  /**
   * The slots ever used, in insertion order: a scan looks at slots 0 to this (exclusive) and
   * skips those that hold no event ({@link #holds}).
   */
  int slotLimit() {
    return slots;
  }

  /** Whether a slot below {@link #slotLimit} holds an event (not deleted or taken out). */
  boolean holds(int slot) {
    return packed[slot] != null;
  }

  /** The slot of the event with this messageId, or -1. */
  int find(String messageId) {
    int h = SlotIndex.hash(messageId);
    int mask = table.length - 1;
    for (int i = h & mask; table[i] != 0; i = (i + 1) & mask) {
      int s = table[i] - 1;
      if (hashes[s] == h && packer.messageId(packed[s]).equals(messageId)) {
        return s;
      }
    }
    return -1;
  }

  /** The messageId of the event in a slot that holds one, read without the rest of it. */
  String messageId(int slot) {
    return packer.messageId(packed[slot]);
  }

  /** The anchor of the event in a slot that holds one, read without the rest of it. */
  @Nullable Identifier anchor(int slot) {
    return packer.anchor(packed[slot]);
  }

  /** The event in a slot that holds one. */
  StoredEvent event(int slot) {
    return packer.unpack(packed[slot]);
  }

  /**
   * Packs and adds an event whose messageId is not present (see {@link #find}); returns its
   * slot.
   */
  int insert(StoredEvent event) {
    byte[] bytes = packer.pack(event);
    if (slots == packed.length) {
      int n = slots * 2;
      packed = Arrays.copyOf(packed, n);
      hashes = Arrays.copyOf(hashes, n);
      next = Arrays.copyOf(next, n);
    }
    int s = slots++;
    packed[s] = bytes;
    hashes[s] = SlotIndex.hash(event.messageId());
    link(s, event.anchor());
    return s;
  }

  /**
   * Takes the newest slot out again (the undo of {@link #insert}); the slots inserted after it
   * must have been taken out first.
   */
  void uninsert(int slot, @Nullable Identifier anchor) {
    unlinkHead(slot, anchor);
    packed[slot] = null;
    if (slot == slots - 1) {
      slots--;
    }
  }

  /** Deletes the event in a slot from both indexes; {@link #restore} undoes it. */
  byte[] delete(int slot) {
    byte[] bytes = packed[slot];
    SlotIndex.remove(table, hashes, slot);
    packed[slot] = null;
    live--;
    return bytes;
  }

  /** Puts a deleted event back in its slot (its anchor chain is restored by the caller). */
  void restore(int slot, byte[] bytes) {
    packed[slot] = bytes;
    index(slot);
    live++;
  }

  /** The slots of an anchor's chain, newest first. */
  int[] chain(Identifier anchor) {
    int head = head(anchor);
    if (head == NONE) {
      return new int[0];
    }
    int n = 0;
    int[] out = new int[8];
    for (int s = head; s != NONE; s = next[s]) {
      if (n == out.length) {
        out = Arrays.copyOf(out, n * 2);
      }
      out[n++] = s;
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * Sets an anchor's chain to these slots, newest first (none: the anchor has no events).
   */
  void setChain(Identifier anchor, int[] slotsNewestFirst) {
    if (slotsNewestFirst.length == 0) {
      setHead(anchor, NONE);
      return;
    }
    for (int i = 0; i < slotsNewestFirst.length; i++) {
      next[slotsNewestFirst[i]] =
          i + 1 < slotsNewestFirst.length ? slotsNewestFirst[i + 1] : NONE;
    }
    setHead(anchor, slotsNewestFirst[0]);
  }

  private void link(int slot, @Nullable Identifier anchor) {
    index(slot);
    live++;
    if (anchor != null) {
      int s = heads.findOrAdd(anchor);
      next[slot] = heads.getInt(s);
      heads.setInt(s, slot);
    } else {
      next[slot] = NONE;
    }
  }

  private void unlinkHead(int slot, @Nullable Identifier anchor) {
    SlotIndex.remove(table, hashes, slot);
    live--;
    if (anchor != null) {
      setHead(anchor, next[slot]);
    }
  }

  // ---- the messageId hash table

  private void index(int slot) {
    if ((live + 1) * 2 > table.length) {
      table = SlotIndex.rehash(table, hashes, table.length * 2);
    }
    SlotIndex.insert(table, hashes[slot], slot);
  }
}
