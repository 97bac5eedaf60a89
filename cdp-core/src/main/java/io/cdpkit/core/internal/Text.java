package io.cdpkit.core.internal;

import io.cdpkit.core.InvalidEventException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The one canonical text rule applied at the door, to events built in Java and to events read
 * from JSON alike. Every string that enters the engine is one of three kinds, each with its
 * rule:
 *
 * <ul>
 *   <li><b>Names</b>: messageIds, event and page names, {@code userId}, {@code anonymousId},
 *       {@code previousId}, {@code groupId}, map keys (properties, traits, context, extra, at
 *       every level), context fields ({@code channel}, {@code storeId}, {@code source},
 *       {@code locale}, {@code ip}, {@code userAgent}, library name and version) and the
 *       consent's source, policy version and proof. A name is well-formed UTF-16 (no unpaired
 *       surrogate) and holds no control character (Unicode {@code Cc}: C0 {@code U+0000}-{@code
 *       U+001F}, {@code DEL}, C1 {@code U+0080}-{@code U+009F}), not even a tab or line break.
 *   <li><b>Values</b>: the string values in properties, traits, context maps and extra fields
 *       (free text such as an address or a review). The rule of names, except that tab,
 *       line feed and carriage return are allowed.
 *   <li><b>Identifier values</b> (see {@link io.cdpkit.core.identity.IdentityRules}): the rule of
 *       names, and no invisible character: no format character (Unicode {@code Cf}: zero-width
 *       space, joiner and non-joiner, word joiner, byte order mark, soft hyphen, bidi
 *       embeddings, overrides and isolates, ...), no separator other than the ASCII space
 *       (Unicode {@code Zs}, {@code Zl}, {@code Zp}: no-break space, narrow no-break space,
 *       ideographic space, line and paragraph separators, ...), no other default-ignorable
 *       character (combining grapheme joiner, Hangul fillers, variation selectors, Mongolian
 *       free variation selectors, Khmer inherent vowels) and no noncharacter ({@code U+FDD0}-{@code
 *       U+FDEF}, {@code U+xxFFFE}, {@code U+xxFFFF}). Invisible characters are refused rather
 *       than removed: an identifier that holds one was not typed by its owner, and refusing it
 *       leaves nothing that an erasure of the visible value could miss.
 * </ul>
 *
 * A string that breaks its rule is refused with an {@link InvalidEventException} naming the
 * field as a JSON pointer and the reason; the value itself is never quoted.
 *
 * <p>Behind the door, hashes of text (erasure tombstones, blind indexes, log hashes) encode it
 * with {@link #utf8(String)}, which refuses malformed text instead of turning an unpaired
 * surrogate into {@code ?}, so two different strings never hash alike because of the encoding.
 *
 * <p>Stateless and thread-safe.
 */
public final class Text {
  /** Reason given for an unpaired surrogate. */
  public static final String UNPAIRED_SURROGATE = "holds an unpaired UTF-16 surrogate";
  /** Reason given for a control character. */
  public static final String CONTROL = "holds a control character";
  /** Reason given for an invisible character in an identifier. */
  public static final String INVISIBLE = "holds an invisible or formatting character";

  private Text() {}

  /**
   * Checks a name (see the class description).
   *
   * @return {@code s}
   * @throws InvalidEventException naming {@code pointer} when it breaks the rule
   */
  public static @Nullable String name(@Nullable String s, String pointer) {
    String p = s == null ? null : problem(s, false, false);
    if (p != null) {
      throw new InvalidEventException(pointer, p);
    }
    return s;
  }

  /**
   * Checks a free-text value (see the class description).
   *
   * @return {@code s}
   * @throws InvalidEventException naming {@code pointer} when it breaks the rule
   */
  public static String value(String s, String pointer) {
    String p = problem(s, true, false);
    if (p != null) {
      throw new InvalidEventException(pointer, p);
    }
    return s;
  }

  /** Why {@code s} is not acceptable as a name, or {@code null} when it is. */
  public static @Nullable String nameProblem(String s) {
    return problem(s, false, false);
  }

  /** Why {@code s} is not acceptable as a free-text value, or {@code null} when it is. */
  public static @Nullable String valueProblem(String s) {
    return problem(s, true, false);
  }

  /** Why {@code s} is not acceptable as an identifier value, or {@code null} when it is. */
  public static @Nullable String identifierProblem(String s) {
    return problem(s, false, true);
  }

  private static @Nullable String problem(String s, boolean lineBreaks, boolean visible) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        continue; // printable ASCII: the common case
      }
      int cp = c;
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          cp = Character.toCodePoint(c, s.charAt(++i));
        } else {
          return UNPAIRED_SURROGATE;
        }
      } else if (Character.isLowSurrogate(c)) {
        return UNPAIRED_SURROGATE;
      }
      if (Character.getType(cp) == Character.CONTROL) {
        if (lineBreaks && (cp == '\t' || cp == '\n' || cp == '\r')) {
          continue;
        }
        return CONTROL;
      }
      if (visible && invisible(cp)) {
        return INVISIBLE;
      }
    }
    return null;
  }

  /** Whether {@code cp} is refused in identifiers as invisible (see the class description). */
  static boolean invisible(int cp) {
    switch (Character.getType(cp)) {
      case Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR:
        return true;
      case Character.SPACE_SEPARATOR:
        return cp != ' ';
      default:
        break;
    }
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
      return true; // noncharacters
    }
    return cp == 0x034F // combining grapheme joiner
        || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 // Hangul fillers
        || cp == 0x17B4 || cp == 0x17B5 // Khmer inherent vowels
        || (cp >= 0x180B && cp <= 0x180F) // Mongolian free variation selectors, separator
        || (cp >= 0xFE00 && cp <= 0xFE0F) // variation selectors
        || (cp >= 0xE0000 && cp <= 0xE0FFF); // tags, variation selectors supplement
  }

  /**
   * The UTF-8 bytes of {@code s}, refusing malformed text: unlike {@code getBytes(UTF_8)}, an
   * unpaired surrogate is an error, not a {@code ?}.
   *
   * @throws IllegalArgumentException when {@code s} holds an unpaired surrogate
   */
  public static byte[] utf8(String s) {
    // Fast path: well-formed text encodes the same either way.
    if (isWellFormed(s)) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    try {
      ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(s));
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("text " + UNPAIRED_SURROGATE);
    }
  }

  /** Whether {@code s} is well-formed UTF-16: every surrogate is part of a pair. */
  public static boolean isWellFormed(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The code units of {@code s}, two bytes each, big-endian: an exact, injective encoding of any
   * string, well-formed or not. For hashes that must never fail (log hashes).
   */
  public static byte[] utf16(String s) {
    byte[] out = new byte[s.length() * 2];
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      out[2 * i] = (byte) (c >>> 8);
      out[2 * i + 1] = (byte) c;
    }
    return out;
  }

  /**
   * A copy of a value read back from a store, repaired to meet the rule: an event written before
   * the rule applied may hold what the door now refuses. Every unpaired surrogate and every
   * control character (in keys and in the event's top-level fields also tab and line breaks;
   * everywhere when {@code keepLineBreaks} is false) is replaced by {@code U+FFFD}, and a
   * container nested deeper than {@code maxDepth} (the value being at {@code level}) by
   * {@code null}. Only for reading old records, so that the person
   * they belong to stays readable, exportable and erasable; nothing new is ever stored so.
   *
   * @param v a JSON-like value (maps with string keys, lists, scalars)
   */
  public static @Nullable Object repaired(@Nullable Object v, int level, int maxDepth,
      boolean keepLineBreaks) {
    if (v instanceof String s) {
      return repairedString(s, keepLineBreaks && level > 1);
    }
    if (v instanceof java.util.Map<?, ?> m) {
      if (level > maxDepth) {
        return null;
      }
      java.util.LinkedHashMap<String, @Nullable Object> out = new java.util.LinkedHashMap<>();
      for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
        // Top-level fields of the message are names (ids, event name); deeper strings are values.
        out.put(repairedString((String) e.getKey(), false),
            level == 1 && e.getValue() instanceof String s ? repairedString(s, false)
                : repaired(e.getValue(), level + 1, maxDepth, keepLineBreaks));
      }
      return out;
    }
    if (v instanceof java.util.List<?> l) {
      if (level > maxDepth) {
        return null;
      }
      java.util.List<@Nullable Object> out = new java.util.ArrayList<>(l.size());
      for (Object o : l) {
        out.add(repaired(o, level + 1, maxDepth, keepLineBreaks));
      }
      return out;
    }
    return v;
  }

  private static String repairedString(String s, boolean lineBreaks) {
    if (problem(s, lineBreaks, false) == null) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c) || (Character.getType(c) == Character.CONTROL
          && !(lineBreaks && (c == '\t' || c == '\n' || c == '\r')))) {
        b.append('\uFFFD');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** An RFC 6901 reference token for {@code key}. */
  public static String escape(String key) {
    if (key.indexOf('~') < 0 && key.indexOf('/') < 0) {
      return key;
    }
    return key.replace("~", "~0").replace("/", "~1");
  }
}
