package io.cdpkit.activation;

import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.PropertyPath;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A reason not to send a rule's message to a person: "do not promote a product they bought in
 * the last 30 days". The message is suppressed when the person has an event the filter accepts,
 * within {@code within} before the send, whose value at one of its paths equals the rendered
 * payload's value at {@code payloadKey}.
 *
 * <p>Immutable.
 */
public final class Suppression {
  private final String name;
  private final EventFilter filter;
  private final Duration within;
  private final List<PropertyPath> paths;
  private final String payloadKey;

  private Suppression(String name, EventFilter filter, Duration within, List<PropertyPath> paths,
      String payloadKey) {
    this.name = name;
    this.filter = filter;
    this.within = within;
    this.paths = List.copyOf(paths);
    this.payloadKey = payloadKey;
  }

  /**
   * Suppresses when a matching event within {@code within} has {@code path} (a property path
   * such as {@code products[].productId}) equal to the payload's {@code payloadKey}.
   *
   * @param name a name for the history ({@code bought-recently})
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
    Objects.requireNonNull(within, "within");
    Objects.requireNonNull(payloadKey, "payloadKey");
    if (name.isBlank() || name.length() > 64) {
      throw new IllegalArgumentException("suppression.name: must be 1 to 64 characters");
    }
    if (within.isNegative() || within.isZero()) {
      throw new IllegalArgumentException("suppression.within: must be positive");
    }
    if (payloadKey.isBlank()) {
      throw new IllegalArgumentException("suppression.payloadKey: must not be blank");
    }
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("suppression.paths: give at least one");
    }
    return new Suppression(name, filter, within,
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
    return recentEvent("bought-recently", EventFilter.named("Order Completed"), within,
        List.of("products[].product_id", "products[].productId"), payloadKey);
  }

  public String name() {
    return name;
  }

  public EventFilter filter() {
    return filter;
  }

  public Duration within() {
    return within;
  }

  /** The first of {@link #paths()}. */
  public PropertyPath path() {
    return paths.get(0);
  }

  /** The event paths compared with the payload; any one matching suppresses. */
  public List<PropertyPath> paths() {
    return paths;
  }

  public String payloadKey() {
    return payloadKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Suppression s && name.equals(s.name) && filter.equals(s.filter)
        && within.equals(s.within) && paths.equals(s.paths) && payloadKey.equals(s.payloadKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, filter, within, paths, payloadKey);
  }

  @Override
  public String toString() {
    return name + ": " + filter + " within " + within + " with " + paths + " = payload."
        + payloadKey;
  }
}
