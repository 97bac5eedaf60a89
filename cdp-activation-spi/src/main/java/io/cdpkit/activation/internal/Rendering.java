package io.cdpkit.activation.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.SuppressionReason;
import io.cdpkit.activation.Template;
import io.cdpkit.core.catalog.ProductLookup;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.traits.PropertyPath;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import org.jspecify.annotations.Nullable;

/** Reads the values a template's placeholders name. Stateless. */
final class Rendering {
  private Rendering() {}

  /**
   * Renders a rule's template for a profile and, for event triggers, its event.
   *
   * @throws Template.MissingValueException when a required value is absent
   */
  static Map<String, Object> render(Rule r, Profile p, @Nullable Event event, JsonNode trigger) {
    return render(r, p, event, trigger, ProductLookup.NONE);
  }

  /**
   * As {@link #render(Rule, Profile, Event, JsonNode)}, with {@code event.properties.} paths
   * joining the triggering event's products with the workspace's catalog
   * ({@code {{event.properties.$catalog.name}}}).
   */
  static Map<String, Object> render(Rule r, Profile p, @Nullable Event event, JsonNode trigger,
      ProductLookup catalog) {
    return r.template().render(path -> value(r, p, event, trigger, path, catalog));
  }

  /** The reason for a failed rendering, for the history. */
  static SuppressionReason missing(RuntimeException e) {
    if (e instanceof Template.MissingValueException m) {
      return new SuppressionReason.MissingField(m.path());
    }
    return new SuppressionReason.TemplateFailed(e.getClass().getSimpleName());
  }

  static Optional<Object> value(Rule r, Profile p, @Nullable Event event, JsonNode trigger,
      String path) {
    return value(r, p, event, trigger, path, ProductLookup.NONE);
  }

  static Optional<Object> value(Rule r, Profile p, @Nullable Event event, JsonNode trigger,
      String path, ProductLookup catalog) {
    if (path.equals("profile.id")) {
      return Optional.of(p.id().value());
    }
    if (path.equals("rule")) {
      return Optional.of(r.id());
    }
    if (path.equals("trigger.segment")) {
      return trigger.has("segment") ? Optional.of(trigger.get("segment").asText())
          : Optional.empty();
    }
    if (path.startsWith("profile.")) {
      return profileField(p, path.substring(8));
    }
    if (path.startsWith("identifier.")) {
      String type = path.substring(11);
      for (Identifier i : p.identifiers()) {
        if (i.type().id().equals(type)) {
          return Optional.of(i.value());
        }
      }
      return Optional.empty();
    }
    if (path.startsWith("trait.")) {
      return p.trait(path.substring(6));
    }
    if (path.startsWith("computed.")) {
      return p.computedTrait(path.substring(9)).map(Rendering::plain);
    }
    if (event == null) {
      return Optional.empty();
    }
    switch (path) {
      case "event.name":
        return Optional.ofNullable(event.name());
      case "event.messageId":
        return Optional.of(event.messageId());
      case "event.time":
        return Optional.of(event.eventTime().toString());
      default:
        if (path.startsWith("event.properties.")) {
          List<Object> vs = PropertyPath.parse(path.substring(17))
              .values(event.properties(), catalog);
          return vs.isEmpty() || vs.get(0) == null ? Optional.empty() : Optional.of(vs.get(0));
        }
        return Optional.empty();
    }
  }

  private static Object plain(Object v) {
    if (v instanceof Instant || v instanceof Money) {
      return v instanceof Money m ? m.toBigDecimal().toPlainString() : v.toString();
    }
    return v;
  }

  /** The value of a {@code profile.} field, or empty. */
  static Optional<Object> profileField(Profile p, String field) {
    switch (field) {
      case "orderCount":
        return Optional.of(p.orderCount());
      case "firstSeen":
        return p.firstSeen().map(Instant::toString);
      case "lastSeen":
        return p.lastSeen().map(Instant::toString);
      case "customerSince":
        return p.customerSince().map(Instant::toString);
      case "favouriteStore":
        return p.favouriteStore().map(x -> x);
      case "favouriteChannel":
        return p.favouriteChannel().map(x -> x);
      case "lastOrder.id":
        return p.lastOrder().map(ProfileState.Order::orderId);
      case "lastOrder.time":
        return p.lastOrder().map(o -> o.time().toString());
      case "lastOrder.value":
        return p.lastOrder().map(o -> o.value().toBigDecimal().toPlainString());
      default:
        Matcher m = Template.CURRENCY_FIELD.matcher(field);
        if (!m.matches()) {
          return Optional.empty();
        }
        String cur = m.group(2);
        if (m.group(1).equals("totalSpend")) {
          return p.orderCountByCurrency().containsKey(cur)
              ? Optional.of(p.totalSpend(cur).toBigDecimal().toPlainString()) : Optional.empty();
        }
        return p.averageOrderValue(cur).map(x -> x.toBigDecimal().toPlainString());
    }
  }
}
