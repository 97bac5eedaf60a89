package io.cdpkit.core.catalog;

import io.cdpkit.core.model.Event;
import java.io.Reader;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A workspace's product catalog ({@code workspace.catalog()}): products by sku, loaded one by
 * one, by catalog events ({@link #apply}) or by a bulk import ({@link #importJsonLines}).
 *
 * <p><b>What reads it.</b> A property path's {@code $catalog} step joins an event's product
 * object with its catalog product ({@code products[].$catalog.brand} for an order's lines,
 * {@code $catalog.category} for a {@code Product Viewed}; see {@link ProductLookup} for how an
 * object names its product and {@link Product} for the fields), so computed traits and segment
 * conditions can ask "bought from brand X" of events that carry only a sku. The join is made
 * when a profile's state is computed, never stored in the event: a profile is the same whatever
 * came first, the order or the product, because a change to a catalog field that a declared
 * computed trait reads recomputes the workspace's profiles (as declaring a trait does), and
 * segments follow. A product added or removed recomputes too (when a trait reads the catalog),
 * whatever its fields: it decides which product an object naming several skus is joined with.
 * A change to fields no trait reads (a stock level when no trait reads {@code stock})
 * recomputes nothing. Activation reads the catalog when it sends: see
 * {@code Suppression.boughtSameGroupRecently} and {@code Suppression.unavailable}.
 *
 * <p><b>Trust.</b> Catalog events change the catalog only through {@link #apply}, which the host
 * calls for its own product feed. An event of the same name ingested as a person's event (from
 * the tracking endpoint, say) is an ordinary event and changes no product, so a forged event
 * cannot rename a product or move anyone into a segment. A {@code $catalog} key sent inside an
 * event's properties is never read as catalog data.
 *
 * <p><b>Limits.</b> At most {@value #MAX_PRODUCTS} products per workspace, held in memory on
 * every node that reads them (a product takes a few hundred bytes). A change made on another
 * node is seen within one second; events ingested on this node in that second are joined with
 * the catalog before the change until the next recomputation. Writes from two nodes at the same
 * moment may leave one node's copy missing the other's change until the next write. A change
 * that recomputes takes as long as recomputing the workspace's profiles, and this node's other
 * catalog writes wait for it: change many products in one {@link #putAll} or import rather
 * than one by one.
 *
 * <p>Thread-safe.
 */
public interface Catalog extends ProductLookup {
  /**
   * The catalog event that adds or replaces a product, for {@link #apply}: its properties are
   * read by {@link Product#fromProperties}.
   */
  String PRODUCT_UPDATED = "Catalog Product Updated";

  /** The catalog event that removes a product ({@code properties.sku}), for {@link #apply}. */
  String PRODUCT_REMOVED = "Catalog Product Removed";

  /** Most products in one workspace's catalog. */
  int MAX_PRODUCTS = 200_000;

  /** The product with this sku. */
  Optional<Product> product(String sku);

  /**
   * Adds or replaces a product.
   *
   * @throws IllegalArgumentException when the catalog would hold more than
   *     {@value #MAX_PRODUCTS}
   * @throws io.cdpkit.core.StorageException when the store fails; nothing was changed
   */
  CatalogChange put(Product product);

  /**
   * Adds or replaces products in one transaction (the last of a sku given twice wins), then
   * recomputes once if a trait reads a field that changed.
   *
   * @throws IllegalArgumentException when the catalog would hold more than
   *     {@value #MAX_PRODUCTS}
   * @throws io.cdpkit.core.StorageException when the store fails; nothing was changed
   */
  CatalogChange putAll(Collection<Product> products);

  /** Removes a product; removing one that is not there changes nothing. */
  CatalogChange remove(String sku);

  /**
   * Applies a catalog event: {@value #PRODUCT_UPDATED} puts the product its properties describe,
   * {@value #PRODUCT_REMOVED} removes {@code properties.sku} (else {@code product_id}).
   *
   * @throws io.cdpkit.core.InvalidEventException naming the field and the reason
   *     ({@code /properties/price}), or {@code /event} when it is no catalog event; nothing was
   *     changed
   */
  CatalogChange apply(Event event);

  /**
   * Imports products from JSON lines, one product's properties per line (as
   * {@link Product#fromProperties} reads them). Every good line is stored, a thousand per
   * transaction; every bad line is reported with its number, field and reason and stored not at
   * all; one recomputation follows if a trait reads the catalog. A sku on several lines: the
   * last wins.
   *
   * @throws java.io.UncheckedIOException when reading fails; the lines before were stored
   * @throws IllegalArgumentException when the catalog would hold more than
   *     {@value #MAX_PRODUCTS}; the pages before were stored
   */
  CatalogImport importJsonLines(Reader in);

  /**
   * A page of products by sku: those after {@code afterSku} ({@code null}: from the first), at
   * most {@code limit} (1 to 10,000).
   */
  List<Product> list(@Nullable String afterSku, int limit);

  /**
   * New products: those created at or after {@code since}, newest first (then by sku), at most
   * {@code limit} (1 to 10,000). Products without a creation time are never new.
   */
  List<Product> newest(Instant since, int limit);

  /** Number of products. */
  int size();
}
