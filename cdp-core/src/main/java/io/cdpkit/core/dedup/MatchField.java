package io.cdpkit.core.dedup;

import java.util.List;
import java.util.Objects;

/**
 * A field that duplicate detection compares: its name (the key of the values in a
 * {@link MatchRecord}), its {@link FieldKind}, and whether an exact match is weighed by how
 * common the value is (term frequency: two records that both say "smith" prove less than two
 * that both say "zielinski").
 *
 * <p>The standard fields cover what most hosts hold of a person; a host adds its own with
 * {@link #custom}.
 *
 * <pre>{@code
 * MatchField loyaltyTier = MatchField.custom("tier", FieldKind.CATEGORY, false);
 * }</pre>
 *
 * <p>Immutable.
 *
 * @param name 1 to 64 characters
 * @param kind how values are compared
 * @param termFrequency whether an exact match is weighed by the value's frequency
 */
public record MatchField(String name, FieldKind kind, boolean termFrequency) {
  /** Given name, compared as a name, weighed by frequency. */
  public static final MatchField GIVEN_NAME = new MatchField("given_name", FieldKind.NAME, true);
  /** Surname, compared as a name, weighed by frequency. */
  public static final MatchField SURNAME = new MatchField("surname", FieldKind.NAME, true);
  /** Date of birth. */
  public static final MatchField DATE_OF_BIRTH =
      new MatchField("date_of_birth", FieldKind.DATE, false);
  /** Street and house number as one text ({@code "tullaroop street 6"}). */
  public static final MatchField STREET = new MatchField("street", FieldKind.TEXT, false);
  /** Postcode. */
  public static final MatchField POSTCODE = new MatchField("postcode", FieldKind.CODE, false);
  /**
   * City or suburb, weighed by frequency; alongside {@link #POSTCODE} it weighs only when the
   * postcodes do not agree exactly.
   */
  public static final MatchField CITY = new MatchField("city", FieldKind.TEXT, true);
  /** Phone number, best as digits. */
  public static final MatchField PHONE = new MatchField("phone", FieldKind.CODE, false);
  /** The local part of an e-mail address. */
  public static final MatchField EMAIL_LOCAL =
      new MatchField("email_local", FieldKind.EMAIL_LOCAL, false);

  /** Longest field name, in characters. */
  public static final int MAX_NAME_LENGTH = 64;

  /**
   * Validates.
   *
   * @throws IllegalArgumentException when the name is blank or longer than
   *     {@value #MAX_NAME_LENGTH} characters
   */
  public MatchField {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    if (name.isBlank() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("name must be 1 to " + MAX_NAME_LENGTH
          + " characters, not blank, but had " + name.length());
    }
  }

  /** A field of the host's own. */
  public static MatchField custom(String name, FieldKind kind, boolean termFrequency) {
    return new MatchField(name, kind, termFrequency);
  }

  /** The standard fields, in the order above. */
  public static List<MatchField> standard() {
    return List.of(GIVEN_NAME, SURNAME, DATE_OF_BIRTH, STREET, POSTCODE, CITY, PHONE,
        EMAIL_LOCAL);
  }
}
