package io.cdpkit.segmentation.recommend;

import io.cdpkit.core.catalog.ProductLookup;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What one customer bought and viewed, and when: the input of training
 * ({@link ItemSimilarity#train}) and of a query ({@link Recommender#recommend}).
 *
 * <p>Order does not matter: purchases and views are taken as sets of timed facts. A history
 * holds no customer identifier; the recommender does not need one.
 *
 * <p>Immutable.
 *
 * @param purchases the customer's orders
 * @param views the customer's product views
 */
public record CustomerHistory(List<Purchase> purchases, List<View> views) {
  /** The name of the event a completed order is sent as (Segment's e-commerce spec). */
  public static final String ORDER_COMPLETED = "Order Completed";
  /** The name of the event a product view is sent as (Segment's e-commerce spec). */
  public static final String PRODUCT_VIEWED = "Product Viewed";

  /** A history without purchases or views. */
  public static final CustomerHistory EMPTY = new CustomerHistory(List.of(), List.of());

  /** Copies the lists; they must hold no {@code null}. */
  public CustomerHistory {
    purchases = List.copyOf(purchases);
    views = List.copyOf(views);
  }

  /**
   * The history in a profile's events: each {@value #ORDER_COMPLETED} track event is a purchase
   * of the skus of its {@code products} (each product named by its {@code sku},
   * {@code product_id} or {@code productId}, as {@link ProductLookup#PRODUCT_KEYS}), at the
   * event's time; each {@value #PRODUCT_VIEWED} track event is a view of the product its
   * properties name the same way. Other events, and products that name no sku, are skipped.
   * Refunds are not subtracted: a refunded order still says what the customer wanted.
   *
   * @param events the events of one profile, in any order
   */
  public static CustomerHistory fromEvents(Collection<Event> events) {
    List<Purchase> purchases = new ArrayList<>();
    List<View> views = new ArrayList<>();
    for (Event e : events) {
      if (e.type() != EventType.TRACK || e.name() == null) {
        continue;
      }
      if (ORDER_COMPLETED.equals(e.name())) {
        Set<String> skus = new LinkedHashSet<>();
        if (e.properties().get("products") instanceof List<?> products) {
          for (Object p : products) {
            if (p instanceof Map<?, ?> product) {
              String sku = sku(product);
              if (sku != null) {
                skus.add(sku);
              }
            }
          }
        }
        if (!skus.isEmpty()) {
          purchases.add(new Purchase(e.eventTime(), skus));
        }
      } else if (PRODUCT_VIEWED.equals(e.name())) {
        String sku = sku(e.properties());
        if (sku != null) {
          views.add(new View(e.eventTime(), sku));
        }
      }
    }
    return new CustomerHistory(purchases, views);
  }

  private static @Nullable String sku(Map<?, ?> object) {
    for (String key : ProductLookup.PRODUCT_KEYS) {
      String sku = ProductLookup.sku(object.get(key));
      if (sku != null) {
        return sku;
      }
    }
    return null;
  }

  /**
   * One order: the distinct skus bought at one instant.
   *
   * <p>Immutable.
   *
   * @param at when the order was placed
   * @param skus the items in it (quantities do not matter)
   */
  public record Purchase(Instant at, Set<String> skus) {
    /**
     * Checks and copies the values.
     *
     * @throws IllegalArgumentException when a sku is blank (naming the field {@code skus})
     */
    public Purchase {
      Objects.requireNonNull(at, "at");
      for (String sku : skus) {
        Checks.sku(sku, "skus");
      }
      skus = Set.copyOf(skus);
    }

    /** An order of these skus. */
    public static Purchase of(Instant at, String... skus) {
      return new Purchase(at, Set.copyOf(java.util.Arrays.asList(skus)));
    }
  }

  /**
   * One product view.
   *
   * <p>Immutable.
   *
   * @param at when the product was viewed
   * @param sku the item viewed
   */
  public record View(Instant at, String sku) {
    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException when the sku is blank (naming the field {@code sku})
     */
    public View {
      Objects.requireNonNull(at, "at");
      Checks.sku(sku, "sku");
    }
  }
}
