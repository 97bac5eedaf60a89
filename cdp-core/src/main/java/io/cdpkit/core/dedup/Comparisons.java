package io.cdpkit.core.dedup;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.commons.codec.language.DoubleMetaphone;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.jspecify.annotations.Nullable;

/**
 * Normalises values and puts pairs of them into the comparison levels of their
 * {@link FieldKind}. Not thread-safe (one per detection run).
 */
final class Comparisons {
  private static final Pattern MARKS = Pattern.compile("\\p{M}+");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern NOT_ALNUM = Pattern.compile("[^\\p{L}\\p{N}]+");
  private static final Pattern NOT_DIGIT = Pattern.compile("[^0-9]+");

  private final JaroWinklerSimilarity jaroWinkler = new JaroWinklerSimilarity();
  private final LevenshteinDistance upToTwo = new LevenshteinDistance(2);
  private final DoubleMetaphone metaphone = new DoubleMetaphone();
  /** Character counts for {@link #jaroWinklerBound}; all zero between calls. */
  private final int[] charCounts = new int[Character.MAX_VALUE + 1];

  /** The value as compared, or null when missing (null, blank, or nothing left). */
  static @Nullable String normalise(FieldKind kind, @Nullable String raw) {
    if (raw == null) {
      return null;
    }
    String s = Normalizer.normalize(raw, Normalizer.Form.NFKD);
    s = MARKS.matcher(s).replaceAll("").toLowerCase(Locale.ROOT);
    s = SPACES.matcher(s).replaceAll(" ").strip();
    switch (kind) {
      case DATE -> s = NOT_DIGIT.matcher(s).replaceAll("");
      case CODE -> s = NOT_ALNUM.matcher(s).replaceAll("");
      case EMAIL_LOCAL -> {
        int at = s.indexOf('@');
        if (at >= 0) {
          s = s.substring(0, at);
        }
        int plus = s.indexOf('+');
        if (plus >= 0) {
          s = s.substring(0, plus);
        }
        s = s.strip();
      }
      default -> { }
    }
    return s.isEmpty() ? null : s;
  }

  /** The primary and alternate Double Metaphone codes of a normalised value. */
  String[] sounds(String value) {
    String letters = NOT_ALNUM.matcher(value).replaceAll("");
    String primary = metaphone.doubleMetaphone(letters, false);
    String alternate = metaphone.doubleMetaphone(letters, true);
    return new String[] {primary == null ? "" : primary, alternate == null ? "" : alternate};
  }

  /** The level (index into {@link FieldKind#levels()}) of two normalised values. */
  int level(FieldKind kind, String a, String b, String @Nullable [] soundsA,
      String @Nullable [] soundsB) {
    if (a.equals(b)) {
      return 0;
    }
    switch (kind) {
      case NAME -> {
        // Most pairs are far apart: the cheap bound spares the similarity itself.
        double bound = jaroWinklerBound(a, b);
        double jw = bound < 0.70 ? 0 : jaroWinkler.apply(a, b);
        if (jw >= 0.92) {
          return 1;
        }
        if (soundsA != null && soundsB != null && soundAlike(soundsA, soundsB)) {
          return 2;
        }
        return jw >= 0.88 ? 3 : jw >= 0.70 ? 4 : 5;
      }
      case TEXT, EMAIL_LOCAL -> {
        double jw = jaroWinklerBound(a, b) < 0.80 ? 0 : jaroWinkler.apply(a, b);
        return jw >= 0.92 ? 1 : jw >= 0.80 ? 2 : 3;
      }
      case DATE -> {
        if (dayMonthTransposed(a, b)) {
          return 1;
        }
        int d = distance(a, b);
        return d == 1 ? 2 : d == 2 ? 3 : 4;
      }
      case CODE -> {
        int d = distance(a, b);
        return d == 1 ? 1 : d == 2 ? 2 : 3;
      }
      case CATEGORY -> {
        return 1;
      }
      default -> throw new AssertionError(kind);
    }
  }

  /**
   * An upper bound of the Jaro-Winkler similarity: the Jaro similarity with every shared
   * character counted as a match (wherever it stands) and no transposition, raised by the
   * common prefix (at most 4) with Winkler's scale of 0.1.
   */
  double jaroWinklerBound(String a, String b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.isEmpty() && b.isEmpty() ? 1 : 0;
    }
    for (int i = 0; i < a.length(); i++) {
      charCounts[a.charAt(i)]++;
    }
    int shared = 0;
    for (int i = 0; i < b.length(); i++) {
      char c = b.charAt(i);
      if (charCounts[c] > 0) {
        charCounts[c]--;
        shared++;
      }
    }
    for (int i = 0; i < a.length(); i++) {
      charCounts[a.charAt(i)] = 0;
    }
    if (shared == 0) {
      return 0;
    }
    double jaro = ((double) shared / a.length() + (double) shared / b.length() + 1) / 3;
    int prefix = 0;
    while (prefix < 4 && prefix < a.length() && prefix < b.length()
        && a.charAt(prefix) == b.charAt(prefix)) {
      prefix++;
    }
    return jaro + 0.1 * prefix * (1 - jaro);
  }

  static boolean soundAlike(String[] a, String[] b) {
    return !a[0].isEmpty() && (a[0].equals(b[0]) || a[0].equals(b[1]) || a[1].equals(b[0]));
  }

  /** Whether two eight-digit dates (YYYYMMDD) differ only by day and month swapped. */
  static boolean dayMonthTransposed(String a, String b) {
    return a.length() == 8 && b.length() == 8 && a.regionMatches(0, b, 0, 4)
        && a.regionMatches(4, b, 6, 2) && a.regionMatches(6, b, 4, 2);
  }

  /**
   * The edit distance of two different values, counting a swap of neighbours as one edit;
   * 3 stands for "more than 2".
   */
  int distance(String a, String b) {
    if (neighboursSwapped(a, b)) {
      return 1;
    }
    int d = upToTwo.apply(a, b);
    return d < 0 ? 3 : d;
  }

  static boolean neighboursSwapped(String a, String b) {
    if (a.length() != b.length()) {
      return false;
    }
    int i = 0;
    while (i < a.length() && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i + 1 < a.length() && a.charAt(i) == b.charAt(i + 1)
        && a.charAt(i + 1) == b.charAt(i) && a.regionMatches(i + 2, b, i + 2, a.length() - i - 2);
  }
}
