package io.cdpkit.core.traits;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The pattern of a {@code regex} condition ({@link Operator#REGEX}), matched in time linear in
 * the text, whatever the pattern.
 *
 * <p>Patterns come from segment definitions and event filters, and the texts they meet from
 * events, which anyone who can reach the tracking endpoint writes. A backtracking engine such as
 * {@code java.util.regex} takes time exponential in the text for patterns like {@code (a+)+$}:
 * one forged property of forty characters would hold an ingest thread or a segment evaluation
 * for minutes. So patterns use the syntax of RE2 (the one of Go, BigQuery and Google Sheets),
 * matched by RE2/J without backtracking:
 *
 * <ul>
 *   <li>Supported: literals, {@code .}, classes ({@code [a-z]}, {@code [^0-9]},
 *     {@code [[:alpha:]]}), {@code \d \s \w \b}, Unicode classes ({@code \pL}, {@code \p{Greek}}),
 *     {@code * + ? {n,m}} and their lazy forms, groups {@code (...)}, {@code (?:...)},
 *     {@code (?P<name>...)}, alternation, anchors {@code ^ $ \A \z}, flags {@code (?i)},
 *     {@code (?s)}, {@code (?m)}, quoting {@code \Q...\E}.
 *   <li>Refused, with the reason: back-references ({@code \1}), look-around ({@code (?=},
 *     {@code (?!}, {@code (?<=}), possessive quantifiers and Java's own classes
 *     ({@code \p{javaWhitespace}}).
 *   <li>{@code \s} and {@code \w} are ASCII only; use {@code \p{Z}} or {@code \pL} for Unicode.
 *   <li>Without {@code (?m)}, {@code $} matches only at the end of the text ({@code
 *     java.util.regex} matches it before a final line break too).
 * </ul>
 *
 * <p>Limits, refused with a reason: at most {@value #MAX_LENGTH} characters, groups nested at
 * most {@value #MAX_DEPTH} deep, and at most {@value #MAX_SIZE} units of compiled size, where each
 * literal or class is one unit and a counted repetition multiplies its operand ({@code [0-9]{4}}
 * is four units, {@code (ab){3}{2}} twelve). A match then costs at most that size per character
 * of the text. A case-insensitive pattern ({@code (?i)}) may not name U+1C80-U+1C88 (Cyrillic
 * Extended-C), as a character, an escape or the ends of a range around them: RE2/J 1.8 never
 * returns from compiling one, as its case tables do not know them.
 *
 * <p>Immutable and thread-safe.
 */
public final class Regex {
  /** Most characters of a pattern. */
  public static final int MAX_LENGTH = 1_000;
  /** Most levels of nested groups. */
  public static final int MAX_DEPTH = 50;
  /** Most units of compiled size (see the class description). */
  public static final int MAX_SIZE = 1_000;

  private final String source;
  private final Pattern pattern;

  private Regex(String source, Pattern pattern) {
    this.source = source;
    this.pattern = pattern;
  }

  /**
   * The pattern written as {@code source}.
   *
   * @throws IllegalArgumentException when it is not a valid pattern or exceeds a limit, saying
   *     why (see {@link #problem})
   */
  public static Regex compile(String source) {
    Object parsed = parse(source);
    if (parsed instanceof String why) {
      throw new IllegalArgumentException("regex is not a valid pattern: " + why);
    }
    return new Regex(source, (Pattern) parsed);
  }

  /**
   * Why {@code source} is not a usable pattern, or {@code null} when it is. The limits are checked
   * before the pattern is parsed, so no pattern makes the check itself slow or deep.
   */
  public static @Nullable String problem(String source) {
    return parse(source) instanceof String why ? why : null;
  }

  /** The compiled pattern, or why there is none; the pattern is parsed once. */
  private static Object parse(String source) {
    if (source.length() > MAX_LENGTH) {
      return "longer than " + MAX_LENGTH + " characters";
    }
    String limit = Size.of(source);
    if (limit != null) {
      return limit;
    }
    if (Folding.unclosed(source)) {
      return "case-insensitive and naming U+1C80-U+1C88 (Cyrillic Extended-C), which RE2/J does"
          + " not fold";
    }
    try {
      return Pattern.compile(source);
    } catch (PatternSyntaxException ex) {
      return ex.getDescription() + (ex.getPattern().isEmpty() ? "" : ": `" + ex.getPattern() + "`");
    }
  }

  /** Whether the pattern matches somewhere in {@code text} (anchor with {@code ^} and {@code $}). */
  public boolean find(CharSequence text) {
    return pattern.matcher(text).find();
  }

  /** Whether the pattern matches all of {@code text}. */
  public boolean matches(CharSequence text) {
    return pattern.matcher(text).matches();
  }

  /** The pattern as written. */
  public String source() {
    return source;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Regex r && r.source.equals(source);
  }

  @Override
  public int hashCode() {
    return source.hashCode();
  }

  @Override
  public String toString() {
    return "Regex[" + source + "]";
  }

  /**
   * Whether a pattern may fold case ({@code (?i)} anywhere) and names, as a character, an escape
   * or within a class range, a code point whose case orbit RE2/J's tables do not close: it loops
   * forever compiling such a pattern ({@code (?i)\x{1C80}}), whatever the text. Those code points
   * are U+1C80-U+1C88 on Java 17 to 25 ({@code RegexTest} checks it against RE2/J's own folding
   * on the Java it runs on). It errs towards yes.
   */
  static final class Folding {
    static final int FIRST = 0x1C80;
    static final int LAST = 0x1C88;

    private Folding() {}

    static boolean unclosed(String s) {
      if (!foldsCase(s)) {
        return false;
      }
      // Every character and escape as the value it names, and every unescaped dash as a range
      // between its neighbours, in a class or not: no class is parsed, so none is misread (a
      // dash outside a class is refused too when its neighbours span those code points).
      int before = -1;     // the value before an unescaped dash, else -1
      int last = -1;
      int i = 0;
      while (i < s.length()) {
        int c = s.codePointAt(i);
        i += Character.charCount(c);
        if (c == '-') {
          // after a dash, a dash is a range's first end itself
          before = last >= 0 ? last : '-';
          last = -1;
          continue;
        }
        int v = c;
        if (c == '\\' && i < s.length()) {
          char e = s.charAt(i++);
          if (e == 'x' && i < s.length() && s.charAt(i) == '{') {
            int end = s.indexOf('}', i);
            v = hex(s, i + 1, end < 0 ? s.length() : end);
            i = end < 0 ? s.length() : end + 1;
          } else if (e == 'x') {
            v = hex(s, i, Math.min(s.length(), i + 2));
            i = Math.min(s.length(), i + 2);
          } else {
            v = e;
          }
        }
        if (v >= FIRST && v <= LAST || before >= 0 && before <= LAST && v >= FIRST) {
          return true;
        }
        before = -1;
        last = v;
      }
      return false;
    }

    /** Whether a flag group ({@code (?i)}, {@code (?s-i:...)}) names {@code i}. */
    private static boolean foldsCase(String s) {
      for (int i = s.indexOf("(?"); i >= 0; i = s.indexOf("(?", i + 1)) {
        for (int j = i + 2; j < s.length() && "imsU-".indexOf(s.charAt(j)) >= 0; j++) {
          if (s.charAt(j) == 'i') {
            return true;
          }
        }
      }
      return false;
    }

    /** The hexadecimal number in {@code s[from, to)}, capped; -1 when there is none. */
    private static int hex(String s, int from, int to) {
      int v = 0;
      boolean any = false;
      for (int k = from; k < to; k++) {
        int d = Character.digit(s.charAt(k), 16);
        if (d < 0) {
          return any ? v : -1;
        }
        any = true;
        v = Math.min(v * 16 + d, 0x110000);
      }
      return any ? v : -1;
    }
  }

  /**
   * An upper bound of a pattern's nesting and compiled size, read from its text without parsing
   * it. It errs towards larger: a character it cannot place counts as one unit.
   */
  static final class Size {
    private final String s;
    private int i;

    private Size(String s) {
      this.s = s;
    }

    /** Why the pattern exceeds a limit, or {@code null}. */
    static @Nullable String of(String pattern) {
      try {
        return units(pattern) > MAX_SIZE ? "larger than " + MAX_SIZE + " units (counted"
            + " repetitions multiply what they repeat)" : null;
      } catch (TooDeep e) {
        return "groups nested more than " + MAX_DEPTH + " deep";
      }
    }

    /** The pattern's size in units (see the class description). */
    static long units(String pattern) {
      Size z = new Size(pattern);
      long size = 0;
      while (z.i < pattern.length()) {
        // an unmatched ) ends a sequence at the top too; the rest still counts
        size = cap(size + z.sequence(0));
      }
      return size;
    }

    /** The size of what follows up to an unmatched {@code )} or the end, which it consumes. */
    private long sequence(int depth) {
      if (depth > MAX_DEPTH) {
        throw new TooDeep();
      }
      long total = 0;
      long last = 0;
      while (i < s.length()) {
        char c = s.charAt(i++);
        switch (c) {
          case ')' -> {
            return total;
          }
          case '(' -> last = sequence(depth + 1) + 1;
          case '[' -> last = skipClass();
          case '\\' -> last = escape();
          case '{' -> {
            long times = repeat();
            if (times < 0) {
              last = 1;
            } else {
              // the operand already counted once; a repetition makes it `times` copies
              total = cap(total + times(last, times - 1));
              last = times(last, times);
              continue;
            }
          }
          default -> last = 1;
        }
        total = cap(total + last);
      }
      return total;
    }

    /** Past a class {@code [...]}; one unit. */
    private long skipClass() {
      if (i < s.length() && s.charAt(i) == '^') {
        i++;
      }
      if (i < s.length() && s.charAt(i) == ']') {
        i++;
      }
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '\\') {
          i++;
        } else if (c == '[' && i < s.length() && s.charAt(i) == ':') {
          int end = s.indexOf(":]", i + 1);
          if (end >= 0) {
            i = end + 2;
          }
        } else if (c == ']') {
          break;
        }
      }
      return 1;
    }

    /** Past an escape; one unit, or one per character quoted by {@code \Q...\E}. */
    private long escape() {
      if (i >= s.length()) {
        return 1;
      }
      char c = s.charAt(i++);
      if (c == 'Q') {
        int end = s.indexOf("\\E", i);
        int stop = end < 0 ? s.length() : end;
        long n = Math.max(1, stop - i);
        i = end < 0 ? s.length() : end + 2;
        return n;
      }
      if ((c == 'p' || c == 'P') && i < s.length() && s.charAt(i) == '{') {
        int end = s.indexOf('}', i);
        i = end < 0 ? s.length() : end + 1;
      }
      return 1;
    }

    /**
     * The copies a counted repetition {@code {n}}, {@code {n,}} or {@code {n,m}} makes (for
     * {@code {n,}}, n + 1), consuming it; -1, consuming nothing, when the brace is a literal.
     */
    private long repeat() {
      int j = i;
      long n = digits(j);
      if (n < 0) {
        return -1;
      }
      j = end;
      long m = n;
      if (j < s.length() && s.charAt(j) == ',') {
        j++;
        long k = digits(j);
        if (k < 0) {
          m = n + 1;
        } else {
          m = k;
          j = end;
        }
      }
      if (j >= s.length() || s.charAt(j) != '}') {
        return -1;
      }
      i = j + 1;
      if (i < s.length() && s.charAt(i) == '?') {
        i++;
      }
      return Math.max(1, Math.max(n, m));
    }

    private int end;

    /** A decimal number at {@code j} (capped), setting {@link #end} past it; -1 when none. */
    private long digits(int j) {
      long v = 0;
      int k = j;
      while (k < s.length() && Character.isDigit(s.charAt(k)) && s.charAt(k) < 128) {
        v = cap(v * 10 + (s.charAt(k) - '0'));
        k++;
      }
      end = k;
      return k == j ? -1 : v;
    }

    private static final long CAP = 1L << 40;

    private static long cap(long v) {
      return Math.min(v, CAP);
    }

    private static long times(long a, long b) {
      return a != 0 && b > CAP / a ? CAP : a * b;
    }

    private static final class TooDeep extends RuntimeException {
      TooDeep() {
        super(null, null, false, false);
      }
    }
  }
}
