package io.cdpkit.core.internal.memory;

import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.spi.storage.Link;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A component's links as the in-memory store keeps them: one byte array per component, the
 * links one after the other, instead of a list of {@link Link}s with their {@link EventKey}s,
 * {@link Instant}s, messageId strings and identifier lists (about 180 bytes a link in the retail
 * mix; packed, about 50). {@link #read} makes equal links again.
 *
 * <p>The array starts with the number of bytes in use (4 bytes, big-endian, counting
 * themselves); the rest up to the array's end is zeros, room for links to come (an array grows
 * by half once it holds more than {@value #EXACT} bytes, before that to the exact size). A link:
 * <ul>
 *   <li>its time: the seconds as a zigzag varint, then the nanoseconds as a varint, the
 *       milliseconds times two when they are whole milliseconds, else the nanoseconds times two
 *       plus one;
 *   <li>its messageId as a string (below);
 *   <li>the number of identifiers, then each: its type as a number in this workspace's table of
 *       types (varint), its value as a string.
 * </ul>
 * A string: a varint header, 0 for a canonical lower-case UUID, followed by its 16 bytes; else
 * the length times two plus 2, plus 1 when it is written as UTF-16 chars (two bytes each) rather
 * than Latin-1 (one byte each). Any string round-trips exactly, unpaired surrogates included.
 *
 * <p>The table of types only grows: types are names, not personal data.
 *
 * <p>Not thread-safe: guarded by the workspace's lock. Readers, which share the lock, only read
 * the table of types and the arrays.
 */
final class PackedLinks {
  /** Arrays up to this many bytes grow to the exact size; larger ones by half. */
  static final int EXACT = 256;
  private static final int HEADER = 4;

  private final ArrayList<IdentifierType> types = new ArrayList<>();
  private final HashMap<IdentifierType, Integer> typeNumbers = new HashMap<>();
  /** The link being written. */
  private byte[] buf = new byte[128];
  private int pos;

  /** Bytes in use in {@code links}, its header included. */
  static int used(byte[] links) {
    return (links[0] & 0xFF) << 24 | (links[1] & 0xFF) << 16 | (links[2] & 0xFF) << 8
        | (links[3] & 0xFF);
  }

  private static void setUsed(byte[] links, int used) {
    links[0] = (byte) (used >>> 24);
    links[1] = (byte) (used >>> 16);
    links[2] = (byte) (used >>> 8);
    links[3] = (byte) used;
  }

  /**
   * {@code links} (or, when {@code null}, none) with {@code link} after them: the same array
   * when it has room, else a larger copy.
   */
  byte[] add(byte @Nullable [] links, Link link) {
    pos = 0;
    write(link);
    return append(links, buf, 0, pos);
  }

  /**
   * {@code to} (or, when {@code null}, none) with the links of {@code from} after its own: the
   * same array when it has room, else a larger copy. {@code from} is left as it was.
   */
  static byte[] concat(byte @Nullable [] to, byte[] from) {
    return append(to, from, HEADER, used(from) - HEADER);
  }

  private static byte[] append(byte @Nullable [] links, byte[] src, int off, int length) {
    int used = links == null ? HEADER : used(links);
    long need = (long) used + length;
    if (need > SlotIndex.MAX_LENGTH) {
      throw new IllegalStateException("a component of the in-memory store holds at most 2 GB"
          + " of packed links");
    }
    if (links == null || need > links.length) {
      int size = need <= EXACT ? (int) need
          : (int) Math.min(SlotIndex.MAX_LENGTH, Math.max(need, used + (long) (used >> 1)));
      links = links == null ? new byte[size] : Arrays.copyOf(links, size);
    }
    System.arraycopy(src, off, links, used, length);
    setUsed(links, (int) need);
    return links;
  }

  /**
   * Takes {@code links} back to {@code used} bytes (the undo of an {@link #add} or a
   * {@link #concat}): the bytes after are overwritten with zeros. {@code null} when none are left.
   */
  static byte @Nullable [] truncate(byte[] links, int used) {
    Arrays.fill(links, used, used(links), (byte) 0);
    if (used <= HEADER) {
      return null;
    }
    setUsed(links, used);
    return links;
  }

  /** The links, in the order they were added. */
  List<Link> read(byte[] links) {
    int end = used(links);
    List<Link> out = new ArrayList<>();
    int[] at = {HEADER};
    while (at[0] < end) {
      out.add(readLink(links, at));
    }
    return List.copyOf(out);
  }

  // ---- writing

  private void write(Link link) {
    Instant t = link.key().time();
    zigzag(t.getEpochSecond());
    int nanos = t.getNano();
    varint(nanos % 1_000_000 == 0 ? (nanos / 1_000_000) * 2L : nanos * 2L + 1);
    string(link.key().messageId());
    List<Identifier> ids = link.identifiers();
    varint(ids.size());
    for (Identifier id : ids) {
      varint(typeNumber(id.type()));
      string(id.value());
    }
  }

  private int typeNumber(IdentifierType type) {
    Integer n = typeNumbers.get(type);
    if (n == null) {
      n = types.size();
      types.add(type);
      typeNumbers.put(type, n);
    }
    return n;
  }

  private void string(String s) {
    int n = s.length();
    if (n == 36 && CompactIds.key(s) instanceof CompactIds.Bits u) {
      ensure(17);
      buf[pos++] = 0;
      longBits(u.hi());
      longBits(u.lo());
      return;
    }
    boolean latin1 = true;
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) > 0xFF) {
        latin1 = false;
        break;
      }
    }
    varint(n * 2L + 2 + (latin1 ? 0 : 1));
    ensure(latin1 ? n : 2 * n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!latin1) {
        buf[pos++] = (byte) (c >>> 8);
      }
      buf[pos++] = (byte) c;
    }
  }

  private void longBits(long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[pos++] = (byte) (v >>> shift);
    }
  }

  private void zigzag(long v) {
    varint((v << 1) ^ (v >> 63));
  }

  private void varint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }

  // ---- reading

  private Link readLink(byte[] b, int[] at) {
    long zz = varint(b, at);
    long seconds = (zz >>> 1) ^ -(zz & 1);
    long n = varint(b, at);
    long nanos = (n & 1) == 0 ? (n >>> 1) * 1_000_000 : n >>> 1;
    EventKey key = new EventKey(Instant.ofEpochSecond(seconds, nanos), string(b, at));
    int count = (int) varint(b, at);
    Identifier[] ids = new Identifier[count];
    for (int i = 0; i < count; i++) {
      IdentifierType type = types.get((int) varint(b, at));
      ids[i] = new Identifier(type, string(b, at));
    }
    return new Link(key, List.of(ids));
  }

  private static String string(byte[] b, int[] at) {
    long h = varint(b, at);
    int p = at[0];
    if (h == 0) {
      at[0] = p + 16;
      return new UUID(longBits(b, p), longBits(b, p + 8)).toString();
    }
    int n = (int) ((h - 2) >>> 1);
    boolean utf16 = ((h - 2) & 1) != 0;
    char[] cs = new char[n];
    for (int i = 0; i < n; i++) {
      cs[i] = utf16 ? (char) ((b[p++] & 0xFF) << 8 | (b[p++] & 0xFF)) : (char) (b[p++] & 0xFF);
    }
    at[0] = p;
    return new String(cs);
  }

  private static long longBits(byte[] b, int p) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (b[p + i] & 0xFF);
    }
    return v;
  }

  private static long varint(byte[] b, int[] at) {
    long v = 0;
    int p = at[0];
    for (int shift = 0; ; shift += 7) {
      byte x = b[p++];
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        at[0] = p;
        return v;
      }
    }
  }
}
