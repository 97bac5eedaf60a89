package io.cdpkit.core.traits;

import java.util.List;

/**
 * A ready set of computed traits over the workspace's product catalog
 * ({@code workspace.catalog()}): which brands and categories a person buys, and how new the
 * products are that they look at and buy, for "promote new products to those who like them".
 * Order lines and viewed products are joined with the catalog by their sku
 * ({@link io.cdpkit.core.catalog.ProductLookup}), so events need carry no more than a sku.
 *
 * <table>
 *   <caption>The traits of the pack</caption>
 *   <tr><th>Name</th><th>Type</th><th>Meaning</th></tr>
 *   <tr><td>{@code brands_bought}</td><td>{@code List}</td>
 *     <td>The catalog brands of the products on the person's orders, sorted.</td></tr>
 *   <tr><td>{@code categories_bought}</td><td>{@code List}</td>
 *     <td>The catalog categories of the products on the person's orders, sorted.</td></tr>
 *   <tr><td>{@code favourite_brand}</td><td>{@code String}</td>
 *     <td>The brand on most order lines (ties: the one bought last, then the smallest).</td></tr>
 *   <tr><td>{@code newest_product_viewed_created_at}</td><td>{@code Instant}</td>
 *     <td>The creation time of the newest product the person viewed ({@code Product Viewed},
 *     whose {@code sku} or {@code product_id} names it): a segment condition "after 30 days
 *     ago" finds who looks at new products, and leaves them as time passes.</td></tr>
 *   <tr><td>{@code newest_product_bought_created_at}</td><td>{@code Instant}</td>
 *     <td>The creation time of the newest product on the person's orders.</td></tr>
 * </table>
 *
 * <p>Orders are the {@code Cdp}'s order events ({@link EventFilter#ORDERS}). Limits: the traits
 * read order <em>lines</em> of order events as stored, so an order sent twice under two
 * messageIds counts its lines twice for {@code favourite_brand}, and a refunded order's products
 * stay in the lists (the profile's order figures, by contrast, count each order once and leave
 * refunds out). A product not in the catalog adds nothing; a change to a product's brand,
 * category or creation time recomputes the workspace's profiles (see
 * {@link io.cdpkit.core.catalog.Catalog}).
 */
public final class CatalogTraits {
  /** {@value}: see the class description. */
  public static final String BRANDS_BOUGHT = "brands_bought";
  /** {@value}: see the class description. */
  public static final String CATEGORIES_BOUGHT = "categories_bought";
  /** {@value}: see the class description. */
  public static final String FAVOURITE_BRAND = "favourite_brand";
  /** {@value}: see the class description. */
  public static final String NEWEST_PRODUCT_VIEWED_CREATED_AT =
      "newest_product_viewed_created_at";
  /** {@value}: see the class description. */
  public static final String NEWEST_PRODUCT_BOUGHT_CREATED_AT =
      "newest_product_bought_created_at";

  /** The event a product view is: {@value}. */
  public static final String PRODUCT_VIEWED = "Product Viewed";

  private CatalogTraits() {}

  /** Every trait of the pack. */
  public static ComputedTraits all() {
    EventFilter orders = EventFilter.ORDERS;
    return ComputedTraits.of(List.of(
        ComputedTrait.builder(BRANDS_BOUGHT, Aggregation.UNIQUE_LIST).filter(orders)
            .property("products[].$catalog.brand").build(),
        ComputedTrait.builder(CATEGORIES_BOUGHT, Aggregation.UNIQUE_LIST).filter(orders)
            .property("products[].$catalog.category").build(),
        ComputedTrait.builder(FAVOURITE_BRAND, Aggregation.MOST_FREQUENT).filter(orders)
            .property("products[].$catalog.brand").build(),
        ComputedTrait.builder(NEWEST_PRODUCT_VIEWED_CREATED_AT, Aggregation.MAX)
            .filter(EventFilter.named(PRODUCT_VIEWED)).property("$catalog.created_at").build(),
        ComputedTrait.builder(NEWEST_PRODUCT_BOUGHT_CREATED_AT, Aggregation.MAX).filter(orders)
            .property("products[].$catalog.created_at").build()), List.of());
  }
}
