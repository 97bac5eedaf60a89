package io.cdpkit.core.internal.memory;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.util.Comparator;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Ids as the store keeps them: an id written as a UUID in its canonical form (36 characters,
 * lower-case hexadecimal, dashes at 8, 13, 18 and 23; the pipeline's ids for components are
 * such) is kept as its 128 bits, 32 bytes instead of about 80 for the string; any other id is
 * kept as the string itself. {@link #id} gives back the equal string.
 *
 * <p>Identifiers likewise ({@link #key(Identifier)}): one whose value is a canonical UUID (most
 * anonymousIds) is kept as its type and bits, a {@link UuidIdentifier} of 32 bytes instead of an
 * {@link Identifier} with its string (about 104 bytes); any other identifier is kept as itself,
 * so its value keeps its exact text (an upper-case UUID stays upper case).
 * {@link #identifier} gives back the equal identifier.
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
      return hashCode(hi, lo);
    }

    /** The hash of the bits {@code hi} and {@code lo}, as {@link #hashCode()} gives it. */
    static int hashCode(long hi, long lo) {
      return Long.hashCode(hi * 31 + lo);
    }

    @Override
    public String toString() {
      return new UUID(hi, lo).toString();
    }
  }

  /**
   * An identifier whose value is a canonical UUID, kept as its type and the UUID's bits. Equal
   * exactly when the identifiers they stand for are.
   */
  record UuidIdentifier(IdentifierType type, long hi, long lo) {
    @Override
    public boolean equals(Object o) {
      return o instanceof UuidIdentifier u && u.hi == hi && u.lo == lo && u.type.equals(type);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(hi * 31 + lo) * 31 + type.hashCode();
    }

    /** Type and bits, never the value. */
    @Override
    public String toString() {
      return type.id() + ":uuid";
    }
  }

  /** The key an id is kept under: its {@link Bits} when it is a canonical UUID, else itself. */
  static Object key(String id) {
    Object k = parse(id, null);
    return k != null ? k : id;
  }

  /**
   * The key an identifier is kept under: a {@link UuidIdentifier} when its value is a canonical
   * UUID, else the identifier itself.
   */
  static Object key(Identifier id) {
    Object k = parse(id.value(), id.type());
    return k != null ? k : id;
  }

  /**
   * In one pass over {@code s}: {@code null} when it is not a canonical UUID, else its
   * {@link Bits} or, when {@code type} is given, its {@link UuidIdentifier}. The digits go
   * through a table, without a branch per digit: a UUID's digits are letters or not at random,
   * which a branch on the kind of character mispredicts about one time in three.
   */
  private static @Nullable Object parse(String s, @Nullable IdentifierType type) {
    if (s.length() != 36 || s.charAt(8) != '-' || s.charAt(13) != '-' || s.charAt(18) != '-'
        || s.charAt(23) != '-') {
      return null;
    }
    int bad = 0;
    long hi = 0;
    for (int i = 0; i < 18; i++) {
      if (i != 8 && i != 13) {
        int d = digit(s.charAt(i));
        bad |= d;
        hi = hi << 4 | d;
      }
    }
    long lo = 0;
    for (int i = 19; i < 36; i++) {
      if (i != 23) {
        int d = digit(s.charAt(i));
        bad |= d;
        lo = lo << 4 | d;
      }
    }
    if (bad < 0) {
      return null;
    }
    return type == null ? new Bits(hi, lo) : new UuidIdentifier(type, hi, lo);
  }

  /** A lower-case hex digit's value; negative for any other char. */
  static int digit(char c) {
    // Chars from 128 up index the table by their low 7 bits and are made negative by the rest.
    return HEX[c & 0x7F] | -(c >>> 7);
  }

  /** The value of a lower-case hex digit by char, -1 for any other ASCII char. */
  private static final byte[] HEX = new byte[128];

  static {
    java.util.Arrays.fill(HEX, (byte) -1);
    for (int c = '0'; c <= '9'; c++) {
      HEX[c] = (byte) (c - '0');
    }
    for (int c = 'a'; c <= 'f'; c++) {
      HEX[c] = (byte) (c - 'a' + 10);
    }
  }

  /** The identifier a key of {@link #key(Identifier)} stands for. */
  static Identifier identifier(Object key) {
    if (key instanceof UuidIdentifier u) {
      return new Identifier(u.type(), new UUID(u.hi(), u.lo()).toString());
    }
    return (Identifier) key;
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
