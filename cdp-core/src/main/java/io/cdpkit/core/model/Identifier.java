package io.cdpkit.core.model;

import io.cdpkit.core.internal.Redaction;
import java.util.Objects;

/**
 * A typed identifier of a person: {@code (type, value)}. Identifiers inside profiles, the
 * identity graph and the ledger are normalised (see {@link io.cdpkit.core.identity.IdentityRules});
 * identifiers on an incoming {@link Event} are as the client sent them.
 *
 * <p>The record itself only checks the length, so that every value a store holds can be read
 * back. The text rule is applied at the door: an {@link Event} refuses identifier values with an
 * unpaired surrogate or a control character, and
 * {@link io.cdpkit.core.identity.IdentityRules#normalize} (which every look-up, export, erasure
 * and unmerge goes through) also refuses invisible characters and brings the value to NFC.
 *
 * <p>{@link #toString()} never shows the value: it prints the type and a short keyed hash
 * ({@code email:#3f9a1c}), stable within one JVM, so identifiers can appear in logs and
 * exception messages.
 *
 * <p>Immutable.
 *
 * @param type the identifier's type
 * @param value the value, 1 to 512 characters
 */
public record Identifier(IdentifierType type, String value) {
  /** Longest accepted value, in characters. */
  public static final int MAX_VALUE_LENGTH = 512;

  public Identifier {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
    if (value.isEmpty() || value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException(
          "identifier value must be 1 to " + MAX_VALUE_LENGTH + " characters");
    }
  }

  public static Identifier of(IdentifierType type, String value) {
    return new Identifier(type, value);
  }

  public static Identifier email(String value) {
    return new Identifier(IdentifierType.EMAIL, value);
  }

  public static Identifier phone(String value) {
    return new Identifier(IdentifierType.PHONE, value);
  }

  public static Identifier customerId(String value) {
    return new Identifier(IdentifierType.CUSTOMER_ID, value);
  }

  public static Identifier loyaltyCard(String value) {
    return new Identifier(IdentifierType.LOYALTY_CARD, value);
  }

  public static Identifier anonymousId(String value) {
    return new Identifier(IdentifierType.ANONYMOUS_ID, value);
  }

  @Override
  public boolean equals(Object o) {
    return this == o
        || o instanceof Identifier i && value.equals(i.value) && type.equals(i.type);
  }

  @Override
  public int hashCode() {
    return 31 * type.hashCode() + value.hashCode();
  }

  /** Type and a short keyed hash of the value; never the value itself. */
  @Override
  public String toString() {
    return type.id() + ":#" + Redaction.shortHash(value);
  }
}
