package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Reads what {@link BodyWriter} wrote. Every read checks the bounds: a body that ends early, or
 * holds a value out of range, is a {@link StorageException} (not retryable) that names what was
 * being read, never a value.
 *
 * <p>Not thread-safe.
 */
final class BodyReader {
  private final byte[] buf;
  private int pos;
  /** The symbols read so far (see {@link BodyWriter}), by index. */
  private final ArrayList<String> symbols = new ArrayList<>();

  BodyReader(byte[] buf) {
    this.buf = buf;
  }

  boolean atEnd() {
    return pos >= buf.length;
  }

  /** Bytes left to read. */
  int remaining() {
    return buf.length - pos;
  }

  int position() {
    return pos;
  }

  static StorageException malformed(String what) {
    return new StorageException("malformed journal body: " + what, false, null);
  }

  int readByte() {
    if (pos >= buf.length) {
      throw malformed("it ends early");
    }
    return buf[pos++] & 0xFF;
  }

  boolean readPresent() {
    int b = readByte();
    if (b > 1) {
      throw malformed("a presence flag is " + b);
    }
    return b == 1;
  }

  boolean readBoolean() {
    return readPresent();
  }

  long readVarlong() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw malformed("a varint is too long");
  }

  int readVarint() {
    long v = readVarlong();
    if (v < 0 || v > 0xFFFFFFFFL) {
      throw malformed("a varint is out of range");
    }
    return (int) v;
  }

  /** A non-negative count or length, at most {@code Integer.MAX_VALUE}. */
  int readCount() {
    long v = readVarlong();
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw malformed("a count is out of range");
    }
    return (int) v;
  }

  long readZigzag() {
    long v = readVarlong();
    return (v >>> 1) ^ -(v & 1);
  }

  String readString() {
    long header = readVarlong();
    if (header < 0) {
      throw malformed("a string length is out of range");
    }
    long n = header >>> 1;
    boolean utf16 = (header & 1) != 0;
    long bytes = utf16 ? 2 * n : n;
    if (bytes > buf.length - pos) {
      throw malformed("a string runs past the end");
    }
    int b = (int) bytes;
    String s;
    if (utf16) {
      char[] cs = new char[(int) n];
      for (int i = 0; i < cs.length; i++) {
        cs[i] = (char) (((buf[pos + 2 * i] & 0xFF) << 8) | (buf[pos + 2 * i + 1] & 0xFF));
      }
      s = new String(cs);
    } else {
      s = new String(buf, pos, b, StandardCharsets.UTF_8);
    }
    pos += b;
    return s;
  }

  String readSymbol() {
    String s = readNullableSymbol();
    if (s == null) {
      throw malformed("a required symbol is absent");
    }
    return s;
  }

  @Nullable String readNullableSymbol() {
    long v = readVarlong();
    if (v == 0) {
      return null;
    }
    if (v == 1) {
      String s = readString();
      symbols.add(s);
      return s;
    }
    if (v - 2 >= symbols.size() || v < 0) {
      throw malformed("a symbol refers to no earlier symbol");
    }
    return symbols.get((int) (v - 2));
  }

  @Nullable String readNullableString() {
    return readPresent() ? readString() : null;
  }

  Instant readInstant() {
    long seconds = readZigzag();
    int nanos = readVarint();
    try {
      return Instant.ofEpochSecond(seconds, nanos);
    } catch (RuntimeException e) {
      throw malformed("an instant is out of range");
    }
  }

  @Nullable Instant readNullableInstant() {
    return readPresent() ? readInstant() : null;
  }

  Identifier readIdentifier() {
    String type = readString();
    String value = readString();
    try {
      return new Identifier(IdentifierType.of(type), value);
    } catch (IllegalArgumentException e) {
      throw malformed("an identifier is invalid");
    }
  }

  @Nullable Identifier readNullableIdentifier() {
    return readPresent() ? readIdentifier() : null;
  }

  ProfileId readProfileId() {
    String v = readString();
    try {
      return ProfileId.of(v);
    } catch (IllegalArgumentException e) {
      throw malformed("a profile id is invalid");
    }
  }

  @Nullable ProfileId readNullableProfileId() {
    return readPresent() ? readProfileId() : null;
  }

  EventKey readEventKey() {
    Instant t = readInstant();
    return new EventKey(t, readString());
  }
}
