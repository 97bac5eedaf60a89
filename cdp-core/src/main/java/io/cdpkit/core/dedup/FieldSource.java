package io.cdpkit.core.dedup;

import io.cdpkit.core.traits.TraitPath;
import java.util.List;
import java.util.Objects;

/**
 * Where a profile's value of one {@link MatchField} comes from: the first of these traits (names
 * or dotted paths, see {@link TraitPath}) that holds a value. A value that is not text is read
 * as its {@code toString()} (a date as {@code 1984-03-07}). For a field of kind
 * {@link FieldKind#EMAIL_LOCAL}, an address is cut to its local part (before the last {@code @}).
 *
 * <pre>{@code
 * FieldSource tier = new FieldSource(MatchField.custom("tier", FieldKind.CATEGORY, false),
 *     List.of("loyalty.tier"));
 * }</pre>
 *
 * <p>Immutable.
 *
 * @param field the field filled
 * @param traits 1 to {@value #MAX_TRAITS} trait names or paths, tried in order
 */
public record FieldSource(MatchField field, List<String> traits) {
  /** Most traits one field reads from. */
  public static final int MAX_TRAITS = 8;

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException when there are no traits, more than {@value #MAX_TRAITS},
   *     or one is not a well-formed trait path (the message says which and why)
   */
  public FieldSource {
    Objects.requireNonNull(field, "field");
    traits = List.copyOf(traits);
    if (traits.isEmpty() || traits.size() > MAX_TRAITS) {
      throw new IllegalArgumentException("traits of field " + field.name() + " must be 1 to "
          + MAX_TRAITS + " but were " + traits.size());
    }
    for (int i = 0; i < traits.size(); i++) {
      try {
        TraitPath.parse(traits.get(i));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("traits[" + i + "] of field " + field.name() + ": "
            + e.getMessage(), e);
      }
    }
  }

  /** A field read from these traits. */
  public static FieldSource of(MatchField field, String... traits) {
    return new FieldSource(field, List.of(traits));
  }

  /**
   * The standard fields ({@link MatchField#standard()}) read from the trait names hosts commonly
   * use, the field's own name first:
   *
   * <table>
   *   <caption>Default sources</caption>
   *   <tr><th>field</th><th>traits</th></tr>
   *   <tr><td>given_name</td><td>given_name, first_name, firstName</td></tr>
   *   <tr><td>surname</td><td>surname, last_name, lastName</td></tr>
   *   <tr><td>date_of_birth</td><td>date_of_birth, birthday</td></tr>
   *   <tr><td>street</td><td>street, address.street</td></tr>
   *   <tr><td>postcode</td><td>postcode, postal_code, address.postal_code,
   *       address.postalCode</td></tr>
   *   <tr><td>city</td><td>city, address.city</td></tr>
   *   <tr><td>phone</td><td>phone</td></tr>
   *   <tr><td>email_local</td><td>email_local, email</td></tr>
   * </table>
   */
  public static List<FieldSource> standard() {
    return List.of(
        of(MatchField.GIVEN_NAME, "given_name", "first_name", "firstName"),
        of(MatchField.SURNAME, "surname", "last_name", "lastName"),
        of(MatchField.DATE_OF_BIRTH, "date_of_birth", "birthday"),
        of(MatchField.STREET, "street", "address.street"),
        of(MatchField.POSTCODE, "postcode", "postal_code", "address.postal_code",
            "address.postalCode"),
        of(MatchField.CITY, "city", "address.city"),
        of(MatchField.PHONE, "phone"),
        of(MatchField.EMAIL_LOCAL, "email_local", "email"));
  }
}
