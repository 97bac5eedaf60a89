package io.cdpkit.core.model;

import java.util.regex.Pattern;

/**
 * The type of an {@link Identifier}: one of the built-in constants or a host-defined type made
 * with {@link #of(String)}. Two types are equal when their ids are equal.
 *
 * <p>Immutable.
 *
 * @param id 1 to 32 characters: a lower-case ASCII letter, then lower-case letters, digits or
 *     {@code _}
 */
public record IdentifierType(String id) {
  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_]{0,31}");

  /** A shop's own customer number, sent as Segment's {@code userId}. */
  public static final IdentifierType CUSTOMER_ID = new IdentifierType("customer_id");
  /** An e-mail address. */
  public static final IdentifierType EMAIL = new IdentifierType("email");
  /** A phone number, stored in E.164. */
  public static final IdentifierType PHONE = new IdentifierType("phone");
  /** A loyalty card number. */
  public static final IdentifierType LOYALTY_CARD = new IdentifierType("loyalty_card");
  /** A customer number from a point-of-sale system. */
  public static final IdentifierType POS_CUSTOMER = new IdentifierType("pos_customer");
  /** A cookie or anonymous id, sent as Segment's {@code anonymousId}. */
  public static final IdentifierType ANONYMOUS_ID = new IdentifierType("anonymous_id");
  /** A device id (advertising id, app instance id). */
  public static final IdentifierType DEVICE_ID = new IdentifierType("device_id");

  public IdentifierType {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "identifier type id must match [a-z][a-z0-9_]{0,31}");
    }
  }

  /** The built-in type with this id, or a host-defined one. */
  public static IdentifierType of(String id) {
    return switch (id) {
      case "customer_id" -> CUSTOMER_ID;
      case "email" -> EMAIL;
      case "phone" -> PHONE;
      case "loyalty_card" -> LOYALTY_CARD;
      case "pos_customer" -> POS_CUSTOMER;
      case "anonymous_id" -> ANONYMOUS_ID;
      case "device_id" -> DEVICE_ID;
      default -> new IdentifierType(id);
    };
  }

  @Override
  public boolean equals(Object o) {
    return this == o || o instanceof IdentifierType t && id.equals(t.id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return id;
  }
}
