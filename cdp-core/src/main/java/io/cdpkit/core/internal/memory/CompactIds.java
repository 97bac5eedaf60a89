package io.cdpkit.core.internal.memory;

import java.util.Comparator;
import java.util.UUID;

/**
 * Ids as the store keeps them: an id written as a UUID in its canonical form (36 characters,
 * lower-case hexadecimal, dashes at 8, 13, 18 and 23; the pipeline's ids for components are
 * such) is kept as its 128 bits, 32 bytes instead of about 80 for the string; any other id is
 * kept as the string itself. {@link #id} gives back the equal string.
 */
final class CompactIds {
  private CompactIds() {}

  /** A canonical UUID id's bits. */
  record Bits(long hi, long lo) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Bits b && b.hi == hi && b.lo == lo;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(hi * 31 + lo);
    }

    @Override
    public String toString() {
      return new UUID(hi, lo).toString();
    }
  }

  /** The key an id is kept under: its {@link Bits} when it is a canonical UUID, else itself. */
  static Object key(String id) {
    if (id.length() != 36) {
      return id;
    }
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return id;
        }
        continue;
      }
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else {
        return id;
      }
      if (i < 18) {
        hi = hi << 4 | d;
      } else {
        lo = lo << 4 | d;
      }
    }
    return new Bits(hi, lo);
  }

  /**
   * Keys in the order of the ids they stand for ({@link String#compareTo}): two {@link Bits}
   * compare as unsigned 128-bit numbers without being written out, which is the same order, as
   * a canonical UUID's hexadecimal digits sort as their values and its dashes sit at the same
   * places in both.
   */
  static final Comparator<Object> ORDER = (a, b) -> {
    if (a instanceof Bits x && b instanceof Bits y) {
      int c = Long.compareUnsigned(x.hi(), y.hi());
      return c != 0 ? c : Long.compareUnsigned(x.lo(), y.lo());
    }
    return id(a).compareTo(id(b));
  };

  /** The id a key stands for. */
  static String id(Object key) {
    return key instanceof String s ? s : key.toString();
  }
}
