package io.cdpkit.core.catalog;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Finds catalog products by sku: what the {@code $catalog} step of a property path joins an
 * event's product objects with.
 *
 * <p>An object of an event names a product by its {@code sku}, {@code product_id} or
 * {@code productId} (the Segment e-commerce spec's keys, and the camel-case some SDKs send): the
 * first of these, in that order, that is a string or a whole number the catalog holds
 * ({@link #named}). So an event that sends both a database id and a sku matches whichever the
 * catalog is keyed by.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface ProductLookup {
  /** A lookup that finds nothing: paths through {@code $catalog} reach no value. */
  ProductLookup NONE = sku -> null;

  /** The keys of an event's object that name a product, in the order they are tried. */
  List<String> PRODUCT_KEYS = List.of("sku", "product_id", "productId");

  /** The product with this sku, or {@code null}. */
  @Nullable Product get(String sku);

  /** The product an event's object names (see the class description), or {@code null}. */
  default @Nullable Product named(Map<?, ?> object) {
    for (String k : PRODUCT_KEYS) {
      String sku = sku(object.get(k));
      if (sku != null) {
        Product p = get(sku);
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  /**
   * A value of an event as the sku it names: a string stripped of surrounding white space, or a
   * whole number in decimal; {@code null} for anything else, or an empty string.
   */
  static @Nullable String sku(@Nullable Object value) {
    String sku = null;
    if (value instanceof String s) {
      sku = s.strip();
    } else if (value instanceof Long || value instanceof Integer) {
      sku = value.toString();
    } else if (value instanceof java.math.BigDecimal d && d.stripTrailingZeros().scale() <= 0) {
      sku = d.toBigInteger().toString();
    }
    return sku == null || sku.isEmpty() ? null : sku;
  }
}
