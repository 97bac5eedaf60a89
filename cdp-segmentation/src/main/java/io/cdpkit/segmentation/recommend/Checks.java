package io.cdpkit.segmentation.recommend;

import java.util.Objects;

/** Argument checks shared by the package's types. Not instantiable. */
final class Checks {
  private Checks() {}

  /** A sku: not null, not blank; the message names the field. */
  static String sku(String sku, String field) {
    Objects.requireNonNull(sku, field);
    if (sku.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    return sku;
  }
}
