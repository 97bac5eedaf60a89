package io.cdpkit.examples.cli;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads an identifier given on the command line as {@code TYPE:VALUE}: {@code email:jane@x.com},
 * {@code user:c17850}. The type is a built-in type's id or a short name for one. Errors never
 * repeat the value. Not instantiable.
 */
final class Identifiers {
  /** The accepted type names. */
  static final Map<String, IdentifierType> TYPES;

  static {
    Map<String, IdentifierType> t = new TreeMap<>();
    for (IdentifierType type : new IdentifierType[] {IdentifierType.CUSTOMER_ID,
        IdentifierType.EMAIL, IdentifierType.PHONE, IdentifierType.LOYALTY_CARD,
        IdentifierType.POS_CUSTOMER, IdentifierType.ANONYMOUS_ID, IdentifierType.DEVICE_ID}) {
      t.put(type.id(), type);
    }
    t.put("user", IdentifierType.CUSTOMER_ID);
    t.put("anon", IdentifierType.ANONYMOUS_ID);
    t.put("card", IdentifierType.LOYALTY_CARD);
    t.put("device", IdentifierType.DEVICE_ID);
    TYPES = Map.copyOf(t);
  }

  private Identifiers() {}

  /**
   * The identifier of {@code TYPE:VALUE}.
   *
   * @throws IllegalArgumentException naming what is wrong (without the value)
   */
  static Identifier parse(String s) {
    int colon = s.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("IDENTIFIER must be TYPE:VALUE, e.g. "
          + "email:jane@example.com or user:c17850; types: " + new TreeMap<>(TYPES).keySet());
    }
    String typeName = s.substring(0, colon).strip();
    IdentifierType type = TYPES.get(typeName);
    if (type == null) {
      throw new IllegalArgumentException("IDENTIFIER type '" + typeName
          + "' is not known; types: " + new TreeMap<>(TYPES).keySet());
    }
    String value = s.substring(colon + 1);
    if (value.isBlank()) {
      throw new IllegalArgumentException("IDENTIFIER has an empty value after " + typeName + ":");
    }
    return Identifier.of(type, value);
  }
}
