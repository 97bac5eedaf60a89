package io.cdpkit.segmentation.definition;

import java.util.Optional;

/**
 * The built-in fields of a profile a {@link ProfileCondition} compares. Times are instants;
 * money fields are amounts in one currency, compared in the currency's major units
 * ({@code 1000} is EUR 1,000.00) and need that currency in the condition.
 *
 * <p>Immutable.
 */
public enum ProfileField {
  /** The time of the profile's first event. */
  FIRST_SEEN("firstSeen", false),
  /** The time of the profile's latest event. */
  LAST_SEEN("lastSeen", false),
  /** How many orders the profile completed. */
  ORDER_COUNT("orderCount", false),
  /** The sum of the profile's orders in one currency. */
  TOTAL_SPEND("totalSpend", true),
  /** The average order value in one currency. */
  AVERAGE_ORDER_VALUE("averageOrderValue", true),
  /** The time of the latest order. */
  LAST_ORDER_AT("lastOrderAt", false),
  /** The time of the first order. */
  CUSTOMER_SINCE("customerSince", false),
  /** The store the profile buys in most often. */
  FAVOURITE_STORE("favouriteStore", false),
  /** The channel the profile buys through most often. */
  FAVOURITE_CHANNEL("favouriteChannel", false),
  /** Every channel the profile was seen on (a list). */
  CHANNELS_SEEN("channelsSeen", false),
  /** Every store the profile was seen in (a list). */
  STORES_SEEN("storesSeen", false);

  private final String jsonName;
  private final boolean money;

  ProfileField(String jsonName, boolean money) {
    this.jsonName = jsonName;
    this.money = money;
  }

  /** The field as written in JSON: {@code totalSpend}, {@code customerSince}, ... */
  public String jsonName() {
    return jsonName;
  }

  /** Whether the field is an amount of money, so a condition on it names a currency. */
  public boolean isMoney() {
    return money;
  }

  /** The field written as {@code name} in JSON. */
  public static Optional<ProfileField> byJsonName(String name) {
    for (ProfileField f : values()) {
      if (f.jsonName.equals(name)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
