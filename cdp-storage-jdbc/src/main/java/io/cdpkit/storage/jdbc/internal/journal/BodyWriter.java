package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import org.jspecify.annotations.Nullable;

/**
 * Appends the primitives of a journal body to a growing byte array: varints, strings, instants.
 *
 * <p>A string is a varint header {@code length << 1 | form} and its bytes: form 0 is UTF-8
 * ({@code length} bytes), form 1 is raw UTF-16 ({@code length} chars, two bytes each, big-endian),
 * used only for a string with an unpaired surrogate, which UTF-8 cannot carry. A nullable value is
 * a byte 0 (absent) or 1 and the value. An instant is its epoch second as a zigzag varlong and its
 * nanos as a varint.
 *
 * <p>A <i>symbol</i> (a string that tends to repeat within a body: map keys, trait names,
 * messageIds, identifier types, currencies) is a varint {@code 0} for {@code null} (where the
 * field is nullable), {@code 1} and the string for a string not written as a symbol before in
 * this body (it takes the next index, from 0), or {@code index + 2} for a repeat. The table is
 * per body: a reader starts empty at the body's first byte.
 *
 * <p>Not thread-safe.
 */
final class BodyWriter {
  private byte[] buf;
  private int len;
  /** Symbols written so far, by their index; created at the first symbol. */
  private @Nullable HashMap<String, Integer> symbols;
  /** Whether repeats are written as back-references (off only to measure what they save). */
  private final boolean backReferences;

  BodyWriter(int capacity) {
    this(capacity, true);
  }

  /**
   * A writer; {@code backReferences} false writes every symbol in full (still readable: each
   * takes an index the reader keeps and nobody refers to), for measurements.
   */
  BodyWriter(int capacity, boolean backReferences) {
    buf = new byte[Math.max(16, capacity)];
    this.backReferences = backReferences;
  }

  /** Bytes written so far. */
  int size() {
    return len;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  void writeByte(int b) {
    ensure(1);
    buf[len++] = (byte) b;
  }

  void writeBoolean(boolean b) {
    writeByte(b ? 1 : 0);
  }

  void writeVarint(int v) {
    writeVarlong(v & 0xFFFFFFFFL);
  }

  void writeVarlong(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[len++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
  }

  void writeZigzag(long v) {
    writeVarlong((v << 1) ^ (v >> 63));
  }

  void writeString(String s) {
    writeString(s, false);
  }

  /**
   * A string of a record whose stored form (RecordCodec JSON, written at a checkpoint) cannot
   * hold an unpaired surrogate: such a string is refused here, as the JSON writer refuses it.
   *
   * @throws IllegalArgumentException when {@code s} holds an unpaired UTF-16 surrogate
   */
  void writeText(String s) {
    writeString(s, true);
  }

  void writeNullableText(@Nullable String s) {
    if (s == null) {
      writeByte(0);
    } else {
      writeByte(1);
      writeText(s);
    }
  }

  /** A symbol (see the class description); refused like {@link #writeText}. */
  void writeSymbol(String s) {
    if (backReferences) {
      if (symbols == null) {
        symbols = new HashMap<>(64);
      }
      Integer at = symbols.putIfAbsent(s, symbols.size());
      if (at != null) {
        writeVarint(at + 2);
        return;
      }
    }
    writeByte(1);
    writeString(s, true);
  }

  /** A nullable symbol: {@code 0} for {@code null}. */
  void writeNullableSymbol(@Nullable String s) {
    if (s == null) {
      writeByte(0);
    } else {
      writeSymbol(s);
    }
  }

  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII
  private void writeString(String s, boolean strict) {
    int n = s.length();
    // Fast path: ASCII, one byte per char.
    int i = 0;
    while (i < n && s.charAt(i) < 0x80) {
      i++;
    }
    if (i == n) {
      writeVarlong((long) n << 1);
      ensure(n);
      s.getBytes(0, n, buf, len); // deprecated but exact for ASCII, and without a copy
      len += n;
      return;
    }
    if (wellFormed(s, i)) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      writeVarlong((long) b.length << 1);
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
    } else if (strict) {
      throw new IllegalArgumentException(
          "the record holds a string with an unpaired UTF-16 surrogate, which could not be read");
    } else {
      writeVarlong(((long) n << 1) | 1);
      ensure(2 * n);
      for (int j = 0; j < n; j++) {
        char c = s.charAt(j);
        buf[len++] = (byte) (c >>> 8);
        buf[len++] = (byte) c;
      }
    }
  }

  /** Whether {@code s} from {@code from} on has no unpaired surrogate. */
  private static boolean wellFormed(String s, int from) {
    int n = s.length();
    for (int i = from; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  void writeNullableString(@Nullable String s) {
    if (s == null) {
      writeByte(0);
    } else {
      writeByte(1);
      writeString(s);
    }
  }

  void writeInstant(Instant t) {
    writeZigzag(t.getEpochSecond());
    writeVarint(t.getNano());
  }

  void writeNullableInstant(@Nullable Instant t) {
    if (t == null) {
      writeByte(0);
    } else {
      writeByte(1);
      writeInstant(t);
    }
  }

  void writeIdentifier(Identifier id) {
    writeString(id.type().id());
    writeString(id.value());
  }

  void writeNullableIdentifier(@Nullable Identifier id) {
    if (id == null) {
      writeByte(0);
    } else {
      writeByte(1);
      writeIdentifier(id);
    }
  }

  void writeProfileId(ProfileId id) {
    writeString(id.value());
  }

  void writeNullableProfileId(@Nullable ProfileId id) {
    writeNullableString(id == null ? null : id.value());
  }

  void writeEventKey(EventKey k) {
    writeInstant(k.time());
    writeString(k.messageId());
  }
}
