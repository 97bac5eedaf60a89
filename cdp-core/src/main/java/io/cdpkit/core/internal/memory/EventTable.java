package io.cdpkit.core.internal.memory;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One workspace's events in their packed form ({@link PackedEvents}), in slots numbered in
 * insertion order, with two indexes that hold no object per event: an open-addressing hash table
 * of slot numbers by messageId (linear probing, backward-shift deletion, so it has no
 * tombstones), and per anchor a chain of slots through an {@code int} array, newest first.
 *
 * <p>The packed events sit one after the other in large byte arrays (chunks of at most
 * {@value #CHUNK} bytes; the first starts at 4 KB and grows, an event larger than a chunk gets
 * one of its own), each behind its length as a varint and starting at a multiple of 4 bytes, so
 * that an {@code int} per slot locates it: the chunk's number and the offset in 4-byte units.
 * Per event that is the packed bytes plus about 2 bytes of length and alignment and about 12
 * bytes of arrays, instead of an array object (16 bytes of header and up to 7 of padding) and a
 * reference. So the chunks hold at most 16 GB of packed events.
 *
 * <p>A deleted event's bytes are overwritten with zeros at once, so an erased event leaves none
 * of its values behind; the space is reclaimed when deleted events come to half of what the
 * chunks hold (then every live event is copied into new chunks, in slot order). A deleted
 * event's slot stays empty: slots are not reused, so that an undo can put the event back in its
 * slot (its bytes go at the end of the chunks).
 *
 * <p>Not thread-safe: guarded by the workspace's lock.
 */
final class EventTable {
  private static final int NONE = SlotMap.NONE;
  /** The largest chunk, except one that holds a larger event alone. */
  static final int CHUNK = 1 << 20;
  /** The bits of a location that hold the offset (in 4-byte units) within the chunk. */
  private static final int OFFSET_BITS = 18;
  private static final int OFFSET_MASK = (1 << OFFSET_BITS) - 1;
  /** Chunks at most: one location less than 2^32 keeps {@link #NONE} free. */
  private static final int MAX_CHUNKS = (1 << (32 - OFFSET_BITS)) - 1;
  /** Deleted bytes that never start a compaction, however few the live ones. */
  private static final long COMPACT_AFTER = 1 << 20;
  /** {@link #COMPACT_AFTER}, or less in tests. */
  private final long compactAfter;

  private final PackedEvents packer = new PackedEvents(new PackedEvents.Dictionary());
  /** The chunks in use are {@code chunks[0 .. chunkCount)}; events go at the end of the last. */
  private byte[][] chunks = new byte[4][];
  private int chunkCount;
  /** Bytes used in the last chunk (a multiple of 4). */
  private int fill;
  /** Bytes the chunks' events take, live or deleted (lengths and alignment included). */
  private long used;
  /** Of {@link #used}, the bytes of deleted events (zeros now). */
  private long dead;
  /** Where each slot's event is (chunk, offset in 4-byte units); {@link #NONE}: none. */
  private int[] at = new int[256];
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
  /** The hash bits of {@link #table}'s cells ({@link SlotIndex#tagMask}) for {@link #at}. */
  private int tagMask = SlotIndex.tagMask(256);
  /**
   * The newest slot of each anchor's chain, in the {@code int} column of the workspace's map of
   * identifiers (which also holds their nodes), so an anchor costs no entry of its own.
   */
  private final SlotMap<Object> heads;
  /** The keys of {@link #heads}: identifiers by {@link CompactIds#key(Identifier)}. */
  private final IdentifierKeys keys;

  /**
   * A table whose anchor chains start in {@code identifiers}' {@code int} column, whose keys
   * {@code keys} gives.
   */
  EventTable(SlotMap<Object> identifiers, IdentifierKeys keys) {
    this(identifiers, keys, COMPACT_AFTER);
  }

  /** A table with a map of anchors of its own that compacts after {@code compactAfter} bytes. */
  EventTable(long compactAfter) {
    this(new SlotMap<>(0, true), new IdentifierKeys(), compactAfter);
  }

  private EventTable(SlotMap<Object> identifiers, IdentifierKeys keys, long compactAfter) {
    this.heads = identifiers;
    this.keys = keys;
    this.compactAfter = compactAfter;
  }

  private int head(Identifier anchor) {
    int s = keys.find(heads, anchor);
    return s < 0 ? NONE : heads.getInt(s);
  }

  /** Sets an anchor's chain head; {@link #NONE} when it has no events left. */
  private void setHead(Identifier anchor, int head) {
    if (head == NONE) {
      int s = keys.find(heads, anchor);
      if (s >= 0) {
        heads.setInt(s, NONE);
        if (heads.removeIfEmpty(s)) {
          keys.forget();
        }
      }
    } else {
      heads.setInt(keys.findOrAdd(heads, anchor), head);
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
    return at[slot] != NONE;
  }

  /** The slot of the event with this messageId, or -1. */
  int find(String messageId) {
    int h = SlotIndex.hash(messageId);
    int mask = table.length - 1;
    int tm = tagMask;
    for (int i = h & mask; table[i] != 0; i = (i + 1) & mask) {
      int cell = table[i];
      if (!SlotIndex.mayHold(cell, h, tm)) {
        continue;
      }
      int s = SlotIndex.slot(cell, tm);
      if (hashes[s] == h && messageId(s).equals(messageId)) {
        return s;
      }
    }
    return -1;
  }

  /** The messageId of the event in a slot that holds one, read without the rest of it. */
  String messageId(int slot) {
    int p = at[slot];
    byte[] c = chunks[p >>> OFFSET_BITS];
    return packer.messageId(c, start(c, p));
  }

  /** The anchor of the event in a slot that holds one, read without the rest of it. */
  @Nullable Identifier anchor(int slot) {
    int p = at[slot];
    byte[] c = chunks[p >>> OFFSET_BITS];
    return packer.anchor(c, start(c, p));
  }

  /** The event in a slot that holds one. */
  StoredEvent event(int slot) {
    int p = at[slot];
    byte[] c = chunks[p >>> OFFSET_BITS];
    return packer.unpack(c, start(c, p));
  }

  /**
   * Packs and adds an event whose messageId is not present (see {@link #find}); returns its
   * slot.
   */
  int insert(StoredEvent event) {
    int length = packer.write(event);
    if (slots == at.length) {
      int n = SlotIndex.grown(slots);
      int m = SlotIndex.tagMask(n);
      if (m != tagMask) {
        SlotIndex.retag(table, tagMask, m);
        tagMask = m;
      }
      at = Arrays.copyOf(at, n);
      hashes = Arrays.copyOf(hashes, n);
      next = Arrays.copyOf(next, n);
    }
    int s = slots++;
    at[s] = append(null, length);
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
    erase(slot, false);
    if (slot == slots - 1) {
      slots--;
    }
  }

  /** Deletes the event in a slot from both indexes; {@link #restore} undoes it. */
  byte[] delete(int slot) {
    SlotIndex.remove(table, hashes, slot, tagMask);
    live--;
    return erase(slot, true);
  }

  /** Puts a deleted event back in its slot (its anchor chain is restored by the caller). */
  void restore(int slot, byte[] bytes) {
    at[slot] = append(bytes, bytes.length);
    index(slot);
    live++;
  }

  // ---- the chunks

  /** The offset in {@code chunk} of the packed bytes at location {@code p} (after the length). */
  private static int start(byte[] chunk, int p) {
    int off = (p & OFFSET_MASK) << 2;
    while (chunk[off++] < 0) {
      // the length's varint continues
    }
    return off;
  }

  /** The length of the packed bytes at location {@code p}. */
  private static int length(byte[] chunk, int p) {
    int off = (p & OFFSET_MASK) << 2;
    int n = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = chunk[off++];
      n |= (b & 0x7F) << shift;
      if (b >= 0) {
        return n;
      }
    }
  }

  private static int varintSize(int n) {
    int size = 1;
    while ((n >>>= 7) != 0) {
      size++;
    }
    return size;
  }

  /**
   * Puts {@code length} packed bytes (from {@code from}, or {@code null}: from the packer's
   * last write) at the end of the chunks, behind their length; returns their location.
   */
  private int append(byte @Nullable [] from, int length) {
    int need = varintSize(length) + length;
    int aligned = (need + 3) & ~3;
    if (chunkCount == 0 || fill + need > CHUNK) {
      if (chunkCount == MAX_CHUNKS) {
        throw new IllegalStateException("the in-memory store holds at most 16 GB of packed"
            + " events per workspace");
      }
      if (chunkCount == chunks.length) {
        chunks = Arrays.copyOf(chunks, chunkCount * 2);
      }
      // A first chunk starts small (a workspace may hold a few events); an event larger than a
      // chunk gets one of its own, and the next event starts a new one.
      chunks[chunkCount] = new byte[need > CHUNK ? need
          : chunkCount == 0 ? Math.max(4096, aligned) : CHUNK];
      chunkCount++;
      fill = 0;
    }
    byte[] c = chunks[chunkCount - 1];
    if (fill + need > c.length) {
      c = Arrays.copyOf(c, Math.min(CHUNK, Math.max(c.length * 2, fill + aligned)));
      chunks[chunkCount - 1] = c;
    }
    int p = ((chunkCount - 1) << OFFSET_BITS) | (fill >>> 2);
    int off = fill;
    for (int n = length; ; n >>>= 7) {
      if ((n & ~0x7F) == 0) {
        c[off++] = (byte) n;
        break;
      }
      c[off++] = (byte) ((n & 0x7F) | 0x80);
    }
    if (from == null) {
      packer.copyOut(c, off);
    } else {
      System.arraycopy(from, 0, c, off, length);
    }
    fill = need > CHUNK ? CHUNK : fill + aligned;
    used += aligned;
    return p;
  }

  /**
   * Overwrites a slot's event with zeros and empties the slot; returns a copy of its packed
   * bytes when {@code copy}, else {@code null}. The space is taken back at once when the event
   * was the last one written, else at a compaction.
   */
  private byte @Nullable [] erase(int slot, boolean copy) {
    int p = at[slot];
    byte[] c = chunks[p >>> OFFSET_BITS];
    int from = (p & OFFSET_MASK) << 2;
    int start = start(c, p);
    int end = start + length(c, p);
    byte[] bytes = copy ? Arrays.copyOfRange(c, start, end) : null;
    Arrays.fill(c, from, end, (byte) 0);
    at[slot] = NONE;
    int aligned = (end - from + 3) & ~3;
    if ((p >>> OFFSET_BITS) == chunkCount - 1 && from + aligned == fill) {
      fill = from; // the last event written: its space is free again
      used -= aligned;
    } else {
      dead += aligned;
      if (dead > compactAfter && dead * 2 > used) {
        compact();
      }
    }
    return bytes;
  }

  /** Copies every live event into new chunks, in slot order, leaving out the deleted ones. */
  private void compact() {
    byte[][] old = chunks;
    chunks = new byte[4][];
    chunkCount = 0;
    fill = 0;
    used = 0;
    dead = 0;
    for (int s = 0; s < slots; s++) {
      int p = at[s];
      if (p != NONE) {
        byte[] c = old[p >>> OFFSET_BITS];
        int start = start(c, p);
        at[s] = append(Arrays.copyOfRange(c, start, start + length(c, p)), length(c, p));
      }
    }
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
      int s = keys.findOrAdd(heads, anchor);
      next[slot] = heads.getInt(s);
      heads.setInt(s, slot);
    } else {
      next[slot] = NONE;
    }
  }

  private void unlinkHead(int slot, @Nullable Identifier anchor) {
    SlotIndex.remove(table, hashes, slot, tagMask);
    live--;
    if (anchor != null) {
      setHead(anchor, next[slot]);
    }
  }

  // ---- the messageId hash table

  private void index(int slot) {
    if (SlotIndex.crowded(live + 1, table.length)) {
      table = SlotIndex.rehash(table, hashes, table.length * 2, tagMask);
    }
    SlotIndex.insert(table, hashes[slot], slot, tagMask);
  }
}
