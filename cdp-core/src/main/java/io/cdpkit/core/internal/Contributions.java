package io.cdpkit.core.internal;

import io.cdpkit.core.IngestWarning;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.AddressConsentKey;
import io.cdpkit.core.model.ConsentAddresses;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.traits.ComputedTraits;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What one event contributes to its profile's state. A pure function of the event and the
 * configuration, so a profile's state can always be recomputed from its events.
 *
 * <ul>
 *   <li>Every event but {@code alias} counts under its name and moves first/last seen, and its
 *       {@code context.channel} and {@code context.storeId} tallies. An {@code alias} only links
 *       identifiers.
 *   <li>{@code identify} traits are trait registers, and so are the values the
 *       {@link io.cdpkit.core.traits.TraitMapping} maps (track properties, {@code context.traits};
 *       an identify's own traits win over them within the event); consents are consent
 *       registers: bound to the event's own normalised identifiers of the consent channel's
 *       address type ({@link ConsentAddresses}) when it has any, profile-level otherwise.
 *   <li>CDPKit's own events (restriction, rectification: see {@link OwnEvents}) contribute only
 *       their register values.
 *   <li>An order event (default {@code Order Completed}) completes order
 *       {@code properties.order_id} (else the messageId) for {@code properties.total}, else
 *       {@code properties.revenue}, else zero, in {@code properties.currency} or the default
 *       currency. A refund event (default {@code Order Refunded}) needs {@code order_id} and
 *       refunds {@code total} / {@code revenue}, or the whole order when neither is given.
 *       Amounts are numbers from 0 to {@link Money#MAX_AMOUNT_MINOR_UNITS} minor units of their
 *       currency (see {@link Money#fractionDigits}); at the door, an amount with more decimals
 *       than the minor unit is rounded half-even to it and the event stores the rounded amount
 *       ({@link #roundAmount}). Other numbers ({@code price}, {@code value}, ...) are never
 *       turned into money and are kept as sent.
 *   <li>Every computed trait whose filter the event passes gets its contribution.
 * </ul>
 */
final class Contributions {
  private final PipelineConfig config;

  Contributions(PipelineConfig config) {
    this.config = config;
  }

  /**
   * The event's contribution.
   *
   * @param ws the workspace (whose trait mapping applies)
   * @param ids the event's normalised identifiers (consent decisions are bound to those of
   *     their channel's address type)
   * @param catalog the workspace's products, which computed traits' {@code $catalog} paths
   *     join the event with
   * @throws InvalidEventException when an order or refund amount or currency is unusable
   */
  ProfileState of(WorkspaceId ws, Event e, Instant time, List<Identifier> ids,
      ComputedTraits traits, io.cdpkit.core.catalog.ProductLookup catalog) {
    if (e.type() == EventType.ALIAS) {
      return ProfileState.EMPTY;
    }
    ProfileState own = OwnEvents.contribution(e, time);
    if (own != null) {
      return own;
    }
    String name = StoredEvent.countedName(e);
    boolean order = e.type() == EventType.TRACK && config.orderEvents().contains(name);
    boolean refund = e.type() == EventType.TRACK && config.refundEvents().contains(name);
    long orders = order ? 1 : 0;

    Map<String, ProfileState.Tally> channels = Map.of();
    String channel = e.context().channel();
    if (channel != null) {
      channels = Map.of(channel, new ProfileState.Tally(1, orders, time));
    }
    Map<String, ProfileState.Tally> stores = Map.of();
    String store = e.context().storeId();
    if (store != null) {
      stores = Map.of(store, new ProfileState.Tally(1, orders, time));
    }

    Map<String, ProfileState.TraitValue> traitValues = Map.of();
    Map<String, Object> mapped = config.traitMapping(ws).traits(e);
    boolean identify = e.type() == EventType.IDENTIFY && !e.traits().isEmpty();
    if (identify || !mapped.isEmpty()) {
      int prio = config.sourcePriority(e.context().source());
      HashMap<String, ProfileState.TraitValue> t = new HashMap<>();
      // Mapped values first: an identify's own traits win within the event.
      mapped.forEach((k, v) ->
          t.put(k, new ProfileState.TraitValue(v, time, prio, e.messageId())));
      if (identify) {
        e.traits().forEach((k, v) ->
            t.put(k, new ProfileState.TraitValue(v, time, prio, e.messageId())));
      }
      traitValues = t;
    }

    Map<ConsentKey, ProfileState.ConsentValue> consents = Map.of();
    Map<AddressConsentKey, ProfileState.ConsentValue> addressConsents = Map.of();
    if (!e.consents().isEmpty()) {
      HashMap<ConsentKey, ProfileState.ConsentValue> c = new HashMap<>();
      HashMap<AddressConsentKey, ProfileState.ConsentValue> a = new HashMap<>();
      for (ConsentChange ch : e.consents()) {
        // Within one event the decisions share a time: the register's join decides (denied
        // wins, as for any exact tie).
        ProfileState.ConsentValue v = ProfileState.ConsentValue.of(ch, time, e.messageId());
        IdentifierType type = ConsentAddresses.addressType(ch.channel()).orElse(null);
        boolean bound = false;
        if (type != null) {
          for (Identifier i : ids) {
            if (i.type().equals(type)) {
              a.merge(AddressConsentKey.of(ch.key(), i), v, ProfileState.ConsentValue::latest);
              bound = true;
            }
          }
        }
        if (!bound) {
          c.merge(ch.key(), v, ProfileState.ConsentValue::latest);
        }
      }
      consents = c;
      addressConsents = a;
    }

    Map<String, ProfileState.OrderEntry> orderMap = Map.of();
    if (order) {
      String orderId = orderId(e, false);
      Money value = amount(e);
      if (value == null) {
        value = Money.of(0, currency(e));
      }
      ProfileState.Order o = new ProfileState.Order(orderId, time, e.messageId(), value,
          channel, store);
      orderMap = Map.of(orderId, new ProfileState.OrderEntry(o, Map.of()));
    } else if (refund) {
      String orderId = orderId(e, true);
      ProfileState.Refund r = new ProfileState.Refund(time, amount(e));
      orderMap = Map.of(orderId, new ProfileState.OrderEntry(null, Map.of(e.messageId(), r)));
    }

    ProfileState state = ProfileState.of(traitValues, consents, time, time, channels, stores,
        orderMap, Map.of(name, 1L), traits.contributions(e, time, catalog));
    return addressConsents.isEmpty() ? state : state.withAddressConsents(addressConsents);
  }

  /**
   * The event with its order or refund amount rounded half-even to its currency's minor unit,
   * when it has more decimals than that, and an {@link IngestWarning.Kind#AMOUNT_ROUNDED} warning
   * added; the event itself otherwise. Only the amount field the contribution reads
   * ({@code total}, else {@code revenue}) of an order or refund event is touched.
   *
   * @throws InvalidEventException when the currency is unusable
   */
  Event roundAmount(Event e, List<IngestWarning> warnings) {
    if (e.type() != EventType.TRACK) {
      return e;
    }
    String name = StoredEvent.countedName(e);
    if (!config.orderEvents().contains(name) && !config.refundEvents().contains(name)) {
      return e;
    }
    String field = amountField(e);
    if (field != null && e.properties().get(field) instanceof String text
        && DECIMAL_TEXT.matcher(text).matches()) {
      // Segment's e-commerce spec allows amounts as strings; read them as the number they write.
      LinkedHashMap<String, @Nullable Object> props = new LinkedHashMap<>(e.properties());
      props.put(field, new BigDecimal(text.strip()));
      warnings.add(new IngestWarning("/properties/" + Text.escape(field),
          IngestWarning.Kind.NUMBER_FROM_TEXT));
      e = e.withProperties(props);
    }
    if (field == null || !(e.properties().get(field) instanceof BigDecimal d)) {
      return e;
    }
    int digits = Money.fractionDigits(currency(e));
    if (d.scale() <= digits || tooLarge(d)) {
      return e; // exact already, or rejected by amount()
    }
    BigDecimal rounded;
    if ((long) d.precision() - d.scale() < -(digits + 1L)) {
      rounded = BigDecimal.ZERO.setScale(digits); // below half a minor unit, without big powers
    } else {
      rounded = d.setScale(digits, RoundingMode.HALF_EVEN);
    }
    if (rounded.compareTo(d) == 0) {
      return e; // only trailing zeros (29.8500)
    }
    LinkedHashMap<String, @Nullable Object> props = new LinkedHashMap<>(e.properties());
    props.put(field, rounded);
    warnings.add(new IngestWarning("/properties/" + Text.escape(field),
        IngestWarning.Kind.AMOUNT_ROUNDED));
    return e.withProperties(props);
  }

  /**
   * An amount written as text that is read as a number: optional sign, up to 30 digits, an
   * optional fraction of up to 30 digits, surrounding spaces allowed; no exponent, no grouping.
   */
  private static final java.util.regex.Pattern DECIMAL_TEXT =
      java.util.regex.Pattern.compile("\\s*[+-]?[0-9]{1,30}(\\.[0-9]{1,30})?\\s*");

  private static @Nullable String amountField(Event e) {
    return e.properties().containsKey("total") ? "total"
        : e.properties().containsKey("revenue") ? "revenue" : null;
  }

  /** Whether an amount is beyond {@link Money#MAX_AMOUNT_MINOR_UNITS} in every currency. */
  private static boolean tooLarge(BigDecimal d) {
    // compareTo looks at the exponents first, so 1e2147483647 costs nothing
    return d.abs().compareTo(MAX_MAJOR) > 0;
  }

  /** A bound above the largest amount in major units of any currency. */
  private static final BigDecimal MAX_MAJOR = BigDecimal.valueOf(Money.MAX_AMOUNT_MINOR_UNITS);

  private static String orderId(Event e, boolean required) {
    Object id = e.properties().get("order_id");
    if (id instanceof String s && !s.isBlank()) {
      return s;
    }
    if (id instanceof Long || id instanceof BigDecimal) {
      return id.toString();
    }
    if (id != null) {
      throw new InvalidEventException("/properties/order_id", "must be a string or a number");
    }
    if (required) {
      throw new InvalidEventException("/properties/order_id", "is required for a refund");
    }
    return e.messageId();
  }

  private String currency(Event e) {
    Object c = e.properties().get("currency");
    if (c == null) {
      return config.defaultCurrency();
    }
    if (!(c instanceof String s)) {
      throw new InvalidEventException("/properties/currency", "must be a string");
    }
    String code = s.strip().toUpperCase(Locale.ROOT);
    try {
      Currency.getInstance(code);
    } catch (IllegalArgumentException ex) {
      throw new InvalidEventException("/properties/currency", "is not an ISO 4217 currency code");
    }
    return code;
  }

  private @Nullable Money amount(Event e) {
    String field = amountField(e);
    if (field == null || e.properties().get(field) == null) {
      return null;
    }
    Object v = e.properties().get(field);
    BigDecimal d;
    if (v instanceof Long l) {
      d = BigDecimal.valueOf(l);
    } else if (v instanceof BigDecimal b) {
      d = b;
    } else {
      throw new InvalidEventException("/properties/" + field, "must be a number");
    }
    String currency = currency(e);
    int digits = Money.fractionDigits(currency);
    String pointer = "/properties/" + Text.escape(field);
    if (d.signum() < 0) {
      throw new InvalidEventException(pointer, "must not be negative");
    }
    if (tooLarge(d)) {
      throw new InvalidEventException(pointer, tooLargeReason(currency));
    }
    BigDecimal minor = d.movePointRight(digits);
    long units;
    try {
      units = minor.longValueExact();
    } catch (ArithmeticException ex) {
      throw new InvalidEventException(pointer,
          minor.stripTrailingZeros().scale() > 0
              ? "has more decimals than " + currency + " allows" : tooLargeReason(currency));
    }
    if (units > Money.MAX_AMOUNT_MINOR_UNITS) {
      throw new InvalidEventException(pointer, tooLargeReason(currency));
    }
    return Money.of(units, currency);
  }

  private static String tooLargeReason(String currency) {
    return "is larger than " + Money.MAX_AMOUNT_MINOR_UNITS + " minor units of " + currency;
  }
}
