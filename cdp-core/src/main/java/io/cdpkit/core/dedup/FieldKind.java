package io.cdpkit.core.dedup;

import java.util.List;

/**
 * What a field holds, which decides how two of its values are normalised and compared. Each
 * kind has an ordered list of comparison levels, from the strongest agreement (an exact match)
 * to the last, "else" (the values differ); a pair of values falls into the first level it
 * satisfies. A value that is missing on either side gives no level and no weight.
 *
 * <ul>
 *   <li>{@link #NAME}: exact; Jaro-Winkler similarity at least 0.92; the same sound (Double
 *       Metaphone, primary or alternate code); Jaro-Winkler at least 0.88; at least 0.70; else.
 *   <li>{@link #TEXT} (streets, cities): exact; Jaro-Winkler at least 0.92; at least 0.80;
 *       else.
 *   <li>{@link #DATE}: exact; day and month transposed; one digit off (one substitution,
 *       insertion, deletion or swap of neighbours); two digits off; else. Dates are compared as
 *       their digits ({@code 1987-03-05} and {@code 19870305} are equal).
 *   <li>{@link #CODE} (postcodes, phone numbers, identity numbers): exact; one character off;
 *       two characters off; else. Phone numbers are best given as digits.
 *   <li>{@link #EMAIL_LOCAL} (the part of an e-mail address before the {@code @}, without a
 *       {@code +tag}): exact; Jaro-Winkler at least 0.92; at least 0.80; else.
 *   <li>{@link #CATEGORY} (a state, a gender): exact; else.
 * </ul>
 *
 * <p>All kinds ignore case (by {@link java.util.Locale#ROOT}), accents, surrounding white space
 * and repeated inner white space.
 *
 * <p>Immutable.
 */
public enum FieldKind {
  /** Given names and surnames. */
  NAME(List.of("exact", "jaro-winkler >= 0.92", "phonetic", "jaro-winkler >= 0.88",
      "jaro-winkler >= 0.70", "else")),
  /** Free text such as a street with its number, a city, a building name. */
  TEXT(List.of("exact", "jaro-winkler >= 0.92", "jaro-winkler >= 0.80", "else")),
  /** Dates, compared as their digits. */
  DATE(List.of("exact", "day and month transposed", "one digit off", "two digits off",
      "else")),
  /** Short codes: postcodes, phone numbers, identity numbers. */
  CODE(List.of("exact", "one character off", "two characters off", "else")),
  /** The local part of an e-mail address. */
  EMAIL_LOCAL(List.of("exact", "jaro-winkler >= 0.92", "jaro-winkler >= 0.80", "else")),
  /** A value from a small set, only equal or not. */
  CATEGORY(List.of("exact", "else"));

  private final List<String> levels;

  FieldKind(List<String> levels) {
    this.levels = levels;
  }

  /** The names of this kind's comparison levels, strongest first; the last is "else". */
  public List<String> levels() {
    return levels;
  }
}
