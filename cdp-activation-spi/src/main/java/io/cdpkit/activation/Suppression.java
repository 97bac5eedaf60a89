package io.cdpkit.activation;

import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.PropertyPath;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A reason not to send a rule's message to a person, judged when the message is sent against the
 * rendered payload. The factories:
 *
 * <ul>
 *   <li>{@link #recentEvent(String, EventFilter, Duration, String, String) recentEvent}: the
 *       person has an event the filter accepts, within {@code within} before the send, whose
 *       value at one of its paths equals the payload's value at {@code payloadKey}. Filters and
 *       paths are read with the workspace's product catalog, so {@code products[].$catalog.group}
 *       compared with a payload's {@code group} works, and {@link EventFilter#ORDERS} stands for
 *       the {@code Cdp}'s order events;
 *   <li>{@link #boughtRecently(Duration)}: "do not promote a product they bought in the last 30
 *       days": an {@code Order Completed} with the payload's {@code productId} as a line's
 *       {@code product_id} or {@code productId};
 *   <li>{@link #boughtSameGroupRecently(Duration, String)}: the same, for the promoted product's
 *       whole catalog group (the shirt in any size), over the {@code Cdp}'s order events;
 *   <li>{@link #unavailable(String)}: the catalog says the promoted product is out of stock.
 * </ul>
 *
 * <p>The catalog is read when the message is sent (a product back in stock by then is sent), and
 * only from the workspace's catalog: a {@code $catalog} key inside an event's properties is never
 * read, so an event cannot forge a group or a stock level to suppress or unlock a message.
 *
 * <p>A matching suppression stops the message with
 * {@link SuppressionReason.SuppressionMatched} naming it ({@code suppression:unavailable}).
 *
 * <p>Immutable.
 */
public final class Suppression {
  /** The name {@link #boughtRecently(Duration)} records: {@value}. */
  public static final String BOUGHT_RECENTLY = "bought-recently";
  /** The name {@link #boughtSameGroupRecently(Duration, String)} records: {@value}. */
  public static final String BOUGHT_SAME_GROUP_RECENTLY = "bought-same-group-recently";
  /** The name {@link #unavailable(String)} records: {@value}. */
  public static final String UNAVAILABLE = "unavailable";

  /** What a suppression compares. */
  public enum Kind {
    /** Values of recent events compared with the payload ({@link #recentEvent}). */
    RECENT_EVENT,
    /** Order lines compared with the promoted product's catalog group. */
    BOUGHT_SAME_GROUP,
    /** The promoted product's stock in the catalog; reads no events. */
    UNAVAILABLE
  }

  private final Kind kind;
  private final String name;
  private final EventFilter filter;
  private final Duration within;
  private final List<PropertyPath> paths;
  private final String payloadKey;

  private Suppression(Kind kind, String name, EventFilter filter, Duration within,
      List<PropertyPath> paths, String payloadKey) {
    this.kind = kind;
    this.name = name;
    this.filter = filter;
    this.within = within;
    this.paths = List.copyOf(paths);
    this.payloadKey = payloadKey;
  }

  /**
   * Suppresses when a matching event within {@code within} has {@code path} (a property path
   * such as {@code products[].productId}) equal to the payload's {@code payloadKey} (compared as
   * text). The filter's conditions and the path join the event with the workspace's catalog
   * when they read {@code $catalog}: {@code products[].$catalog.group} equal to the payload's
   * {@code group} suppresses the promotion of a product group the person ordered from.
   * {@link EventFilter#ORDERS} stands for the {@code Cdp}'s order events.
   *
   * @param name a name for the history ({@code bought-recently})
   * @throws IllegalArgumentException when the name is not 1 to 64 characters, {@code within} is
   *     not positive, {@code payloadKey} is blank or the path does not parse
   */
  public static Suppression recentEvent(String name, EventFilter filter, Duration within,
      String path, String payloadKey) {
    return recentEvent(name, filter, within, List.of(path), payloadKey);
  }

  /**
   * As {@link #recentEvent(String, EventFilter, Duration, String, String)}, suppressing when the
   * value at any of {@code paths} equals the payload's: for events that name a field in more
   * than one way ({@code products[].product_id}, {@code products[].productId}).
   *
   * @throws IllegalArgumentException when {@code paths} is empty or a path does not parse
   */
  public static Suppression recentEvent(String name, EventFilter filter, Duration within,
      List<String> paths, String payloadKey) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(filter, "filter");
    if (name.isBlank() || name.length() > 64) {
      throw new IllegalArgumentException("suppression.name: must be 1 to 64 characters");
    }
    checkWithin(within);
    checkPayloadKey(payloadKey);
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("suppression.paths: give at least one");
    }
    return new Suppression(Kind.RECENT_EVENT, name, filter, within,
        paths.stream().map(PropertyPath::parse).toList(), payloadKey);
  }

  /**
   * The person completed an order containing the promoted product in the last {@code within}:
   * {@code Order Completed} events with a product whose {@code product_id} (the Segment
   * e-commerce spec's key) or {@code productId} equals the payload's {@code productId}.
   */
  public static Suppression boughtRecently(Duration within) {
    return boughtRecently(within, "productId");
  }

  /**
   * As {@link #boughtRecently(Duration)}, comparing with the payload's {@code payloadKey} (a
   * template that renders {@code product_id}, say).
   */
  public static Suppression boughtRecently(Duration within, String payloadKey) {
    return recentEvent(BOUGHT_RECENTLY, EventFilter.named("Order Completed"), within,
        List.of("products[].product_id", "products[].productId"), payloadKey);
  }

  /**
   * The person ordered the promoted product, or another variant of it, in the last
   * {@code within}: "do not promote the shirt in M to someone who bought it in L last week".
   * Named {@value #BOUGHT_SAME_GROUP_RECENTLY} in the history.
   *
   * <p>The promoted product is the catalog product whose sku is the payload's
   * {@code payloadKey} (a string, or a whole number; surrounding white space is ignored). The
   * message is suppressed when one of the person's order events ({@link EventFilter#ORDERS}:
   * the events {@code Cdp.Builder.orderEvent} names, {@code Order Completed} by default) within
   * {@code within} before the send has a line ({@code products[]}) that
   * <ul>
   *   <li>names the promoted sku by its {@code sku}, {@code product_id} or {@code productId}, or
   *   <li>names a catalog product ({@link io.cdpkit.core.catalog.ProductLookup}) in the promoted
   *       product's {@code group}.
   * </ul>
   * Without a catalog entry for the promoted product (or one without a group) only the first
   * applies: the sku itself. Lines are joined with the workspace's catalog as it is at the send;
   * a {@code $catalog} key inside an order line is ignored. A payload without the key, or with a
   * value that is not a string or whole number, suppresses nothing.
   *
   * <p>Refunds: an order counts here whether or not it was refunded since. A refund event names
   * an amount, not lines, so it cannot tell which product went back; suppressing errs on the
   * side of not sending. Use {@link #recentEvent} with the host's own return events to do
   * otherwise.
   *
   * @param payloadKey the payload key holding the promoted sku ({@code sku}, say)
   * @throws IllegalArgumentException when {@code within} is not positive or {@code payloadKey}
   *     is blank
   */
  public static Suppression boughtSameGroupRecently(Duration within, String payloadKey) {
    checkWithin(within);
    checkPayloadKey(payloadKey);
    return new Suppression(Kind.BOUGHT_SAME_GROUP, BOUGHT_SAME_GROUP_RECENTLY, EventFilter.ORDERS,
        within, List.of(PropertyPath.parse("products[]")), payloadKey);
  }

  /**
   * The promoted product is out of stock: the workspace's catalog holds the product whose sku is
   * the payload's {@code payloadKey} with stock 0 ({@code available} false). Named
   * {@value #UNAVAILABLE} in the history. Judged when the message is sent, so a message decided
   * while the product was out of stock is sent if it is back in stock by then.
   *
   * <p>A product missing from the catalog is not suppressed (nor one without a known stock): the
   * catalog may not hold every product a host promotes. So a payload value that names no catalog
   * product, a misspelt sku or one with an invisible character, is sent. A payload without the
   * key, or with a value that is not a string or whole number, suppresses nothing either.
   *
   * @param payloadKey the payload key holding the promoted sku ({@code sku}, say)
   * @throws IllegalArgumentException when {@code payloadKey} is blank
   */
  public static Suppression unavailable(String payloadKey) {
    checkPayloadKey(payloadKey);
    return new Suppression(Kind.UNAVAILABLE, UNAVAILABLE, EventFilter.ANY, Duration.ZERO,
        List.of(), payloadKey);
  }

  private static void checkWithin(Duration within) {
    Objects.requireNonNull(within, "within");
    if (within.isNegative() || within.isZero()) {
      throw new IllegalArgumentException("suppression.within: must be positive");
    }
  }

  private static void checkPayloadKey(String payloadKey) {
    Objects.requireNonNull(payloadKey, "payloadKey");
    if (payloadKey.isBlank()) {
      throw new IllegalArgumentException("suppression.payloadKey: must not be blank");
    }
  }

  /** What it compares. */
  public Kind kind() {
    return kind;
  }

  public String name() {
    return name;
  }

  /**
   * The events it reads, as given ({@link EventFilter#ORDERS} is resolved to the {@code Cdp}'s
   * order events when the message is judged); {@link EventFilter#ANY}, unread, for
   * {@link Kind#UNAVAILABLE}.
   */
  public EventFilter filter() {
    return filter;
  }

  /** How far back it reads events; zero for {@link Kind#UNAVAILABLE}, which reads none. */
  public Duration within() {
    return within;
  }

  /**
   * The first of {@link #paths()}.
   *
   * @throws IllegalStateException for {@link Kind#UNAVAILABLE}, which has no path
   */
  public PropertyPath path() {
    if (paths.isEmpty()) {
      throw new IllegalStateException("suppression " + name + " reads no event path");
    }
    return paths.get(0);
  }

  /**
   * The event paths compared with the payload, any one matching suppressing; for
   * {@link Kind#BOUGHT_SAME_GROUP} the order lines ({@code products[]}); empty for
   * {@link Kind#UNAVAILABLE}.
   */
  public List<PropertyPath> paths() {
    return paths;
  }

  public String payloadKey() {
    return payloadKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Suppression s && kind == s.kind && name.equals(s.name)
        && filter.equals(s.filter)
        && within.equals(s.within) && paths.equals(s.paths) && payloadKey.equals(s.payloadKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, name, filter, within, paths, payloadKey);
  }

  @Override
  public String toString() {
    if (kind == Kind.UNAVAILABLE) {
      return name + ": catalog product payload." + payloadKey + " out of stock";
    }
    if (kind == Kind.BOUGHT_SAME_GROUP) {
      return name + ": " + filter + " within " + within + " with a line in the catalog group of"
          + " payload." + payloadKey;
    }
    return name + ": " + filter + " within " + within + " with " + paths + " = payload."
        + payloadKey;
  }
}
