package io.cdpkit.activation;

import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.PropertyPath;
import java.time.Duration;
import java.util.Objects;

/**
 * A reason not to send a rule's message to a person: "do not promote a product they bought in
 * the last 30 days". The message is suppressed when the person has an event the filter accepts,
 * within {@code within} before the send, whose value at {@code path} equals the rendered
 * payload's value at {@code payloadKey}.
 *
 * <p>Immutable.
 */
public final class Suppression {
  private final String name;
  private final EventFilter filter;
  private final Duration within;
  private final PropertyPath path;
  private final String payloadKey;

  private Suppression(String name, EventFilter filter, Duration within, PropertyPath path,
      String payloadKey) {
    this.name = name;
    this.filter = filter;
    this.within = within;
    this.path = path;
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
    return new Suppression(name, filter, within, PropertyPath.parse(path), payloadKey);
  }

  /**
   * The person completed an order containing the promoted product in the last {@code within}:
   * {@code Order Completed} events whose {@code products[].productId} equals the payload's
   * {@code productId}.
   */
  public static Suppression boughtRecently(Duration within) {
    return recentEvent("bought-recently", EventFilter.named("Order Completed"), within,
        "products[].productId", "productId");
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

  public PropertyPath path() {
    return path;
  }

  public String payloadKey() {
    return payloadKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Suppression s && name.equals(s.name) && filter.equals(s.filter)
        && within.equals(s.within) && path.equals(s.path) && payloadKey.equals(s.payloadKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, filter, within, path, payloadKey);
  }

  @Override
  public String toString() {
    return name + ": " + filter + " within " + within + " with " + path + " = payload."
        + payloadKey;
  }
}
