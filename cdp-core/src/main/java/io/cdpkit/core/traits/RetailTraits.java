package io.cdpkit.core.traits;

import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.ProfileState;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A ready set of computed traits for retail: recency, order counts, decision time, favourite
 * category, preferred channel, churn risk and RFM scores, kept up to date as events arrive.
 *
 * <pre>{@code
 * try (Cdp cdp = Cdp.builder().computedTraits(RetailTraits.all()).build()) {
 *   cdp.ingest(Event.track("Order Completed").messageId("m-1").userId("C-1001")
 *       .property("order_id", "W-5001").property("total", new BigDecimal("89.90"))
 *       .property("currency", "EUR").channel("web").build());
 *   Profile p = cdp.profiles().find(Identifier.customerId("C-1001")).orElseThrow();
 *   p.computedTrait(RetailTraits.PREFERRED_CHANNEL);   // Optional[online]
 * }
 *
 * // Configured: a stricter churn factor, thresholds from last night's batch; orders are what
 * // the Cdp books as orders, here also POS receipts.
 * ComputedTraits retail = RetailTraits.builder()
 *     .churnFactor(1.5)
 *     .rfmThresholds(RfmThresholds.fromPopulation(customers, clock.instant(), "EUR"))
 *     .build();
 * Cdp.builder().orderEvent("Order Completed").orderEvent("Receipt Issued")
 *     .computedTraits(retail).build();
 * }</pre>
 *
 * <h2>The traits</h2>
 *
 * <p>An <em>order</em> here is an order that counts, exactly as
 * {@link io.cdpkit.core.model.Profile#orderCount()} counts them: the events the {@code Cdp} books
 * as orders ({@code Cdp.Builder.orderEvent}, default {@code Order Completed}; there is one order
 * configuration, and the pack follows it through {@link EventFilter#ORDERS}), one per order id
 * (a receipt sent twice under two messageIds is one order), left out once refunded in full by
 * the {@code Cdp}'s refund events; spend is net of partial refunds. The traits over products
 * ({@code favourite_category}, {@code ordered_products}, and so {@code avg_decision_time_hours})
 * count the product lines of the order events instead: a receipt sent twice counts its lines
 * twice there, and refunds take none away (keeping each order's lines would cost a profile's
 * state one entry per line). A <em>product view</em> is a product view event (default
 * {@code Product Viewed}), after Segment's e-commerce spec. Days are UTC dates, as in
 * {@link Window}.
 *
 * <table>
 *   <caption>The traits of the pack</caption>
 *   <tr><th>Name</th><th>Type</th><th>Meaning</th><th>Changes with time alone</th></tr>
 *   <tr><td>{@code days_since_last_order}</td><td>{@code Long}</td>
 *     <td>UTC days from the date of the latest order to today's date (0 for an order dated
 *     after today); absent without orders.</td>
 *     <td>At every UTC midnight while there is an order.</td></tr>
 *   <tr><td>{@code orders_90d}, {@code orders_365d}</td><td>{@code Long}</td>
 *     <td>Orders in the last 90 and 365 days ({@link Window#lastDays}); 0 without.</td>
 *     <td>At the UTC midnight when the oldest day with an order leaves the window.</td></tr>
 *   <tr><td>{@code avg_decision_time_hours}</td><td>{@code BigDecimal}</td>
 *     <td>Over the products both viewed and ordered, the mean of the time from the first view of
 *     the product to the first order holding it, in hours with 2 decimals (half-even); products
 *     first ordered before they were first viewed are left out; absent when no product is
 *     left. Products are matched by {@code product_id} of the view and
 *     {@code products[].product_id} of the order.</td>
 *     <td>Never.</td></tr>
 *   <tr><td>{@code favourite_category}</td><td>{@code String}</td>
 *     <td>The {@code products[].category} of orders seen most often, each product line of an
 *     order counting once whatever its quantity; on a tie the category ordered most recently,
 *     then the smallest; absent without categorised orders. Product views do not count.</td>
 *     <td>Never.</td></tr>
 *   <tr><td>{@code preferred_channel}</td><td>{@code String}</td>
 *     <td>{@code online} when every order on a known channel was on an online channel
 *     (default {@code web}, {@code app}), {@code offline} when every one was on an offline
 *     channel (default {@code pos}), {@code both} when orders were on both kinds; orders
 *     without a channel or on another channel are left out, and without any left it is
 *     absent. Channels compare ignoring case.</td>
 *     <td>Never.</td></tr>
 *   <tr><td>{@code churn_risk}</td><td>{@code Boolean}</td>
 *     <td>With {@code n} orders, the first at {@code first} and the latest at {@code last}:
 *     {@code true} from the instant {@code last + k × (last − first) / (n − 1)} on, that is
 *     once the time since the latest order reaches {@code k} (default 2.0) times the
 *     customer's own mean gap between orders; else {@code false}. Absent with fewer than 2
 *     orders, or when they all share one instant (no gap to measure).</td>
 *     <td>Once, at the instant it turns {@code true}.</td></tr>
 *   <tr><td>{@code rfm_recency}</td><td>{@code Integer}</td>
 *     <td>1 to 5 from {@code days_since_last_order} and the recency cut points of the
 *     {@link RfmThresholds} (fewer days score higher); absent without orders.</td>
 *     <td>At the UTC midnight when the days pass a cut point.</td></tr>
 *   <tr><td>{@code rfm_frequency}</td><td>{@code Integer}</td>
 *     <td>1 to 5 from {@code orders_365d} and the frequency cut points (more orders score
 *     higher); absent without orders.</td>
 *     <td>As {@code orders_365d}.</td></tr>
 *   <tr><td>{@code rfm_monetary}</td><td>{@code Integer}</td>
 *     <td>1 to 5 from {@code spend_365d_<currency>} and the monetary cut points (more spend
 *     scores higher); absent without orders.</td>
 *     <td>As {@code spend_365d_<currency>}.</td></tr>
 *   <tr><td>{@code rfm_score}</td><td>{@code String}</td>
 *     <td>The three scores as digits, recency first: {@code "543"}; absent without orders.</td>
 *     <td>When one of the three does.</td></tr>
 * </table>
 *
 * <p>Scores against cut points {@code c1 ≤ c2 ≤ c3 ≤ c4}: a value equal to a cut point falls in
 * the lower quintile, the one that cut point closes. Frequency and monetary score 1 up to
 * {@code c1}, 2 above {@code c1} up to {@code c2}, ..., 5 above {@code c4}; recency scores 5 up
 * to {@code c1} days, ..., 1 above {@code c4}. Quintiles need the whole population, which one
 * profile's trait cannot see: the host computes thresholds in a batch
 * ({@link RfmThresholds#fromPopulation}), nightly say, and rebuilds the pack with them;
 * {@link RfmThresholds#defaults()} holds until then.
 *
 * <h2>The values behind them</h2>
 *
 * <p>The pack declares these as well; their values appear among a profile's computed traits too.
 * The order values are read from the profile's orders; the product lists are aggregations of
 * events:
 *
 * <table>
 *   <caption>The aggregations of the pack</caption>
 *   <tr><th>Name</th><th>Type</th><th>Definition</th></tr>
 *   <tr><td>{@code first_order_at}, {@code last_order_at}</td><td>{@code Instant}</td>
 *     <td>Time of the first and of the latest order.</td></tr>
 *   <tr><td>{@code orders_all_time}</td><td>{@code Long}</td>
 *     <td>Orders.</td></tr>
 *   <tr><td>{@code viewed_products}</td><td>{@code List}</td>
 *     <td>{@code UNIQUE_LIST} of {@code product_id} over product views.</td></tr>
 *   <tr><td>{@code ordered_products}</td><td>{@code List}</td>
 *     <td>{@code UNIQUE_LIST} of {@code products[].product_id} over orders.</td></tr>
 *   <tr><td>{@code order_channels}</td><td>{@code List}</td>
 *     <td>The distinct channels of orders, sorted.</td></tr>
 *   <tr><td>{@code spend_365d_<currency>}, such as {@code spend_365d_eur}</td>
 *     <td>{@code BigDecimal}</td>
 *     <td>What the orders of the last 365 days booked in the currency of the
 *     {@link RfmThresholds} came to, net of refunds, in major units with the currency's
 *     decimals ({@code 0.00} without). The amount and currency are those the {@code Cdp} books
 *     for the order (see {@code Profile.totalSpend}).</td></tr>
 * </table>
 *
 * <p>Size: {@code viewed_products}, {@code ordered_products} and {@code favourite_category} keep
 * one entry per distinct product or category per profile, with its count and first and last
 * times; the order values keep nothing of their own and are computed from the profile's orders
 * when read.
 *
 * <p>Stateless. The traits it makes are immutable and thread-safe.
 */
public final class RetailTraits {
  /** {@value}: see the class description. */
  public static final String DAYS_SINCE_LAST_ORDER = "days_since_last_order";
  /** {@value}: see the class description. */
  public static final String ORDERS_90D = "orders_90d";
  /** {@value}: see the class description. */
  public static final String ORDERS_365D = "orders_365d";
  /** {@value}: see the class description. */
  public static final String AVG_DECISION_TIME_HOURS = "avg_decision_time_hours";
  /** {@value}: see the class description. */
  public static final String FAVOURITE_CATEGORY = "favourite_category";
  /** {@value}: see the class description. */
  public static final String PREFERRED_CHANNEL = "preferred_channel";
  /** {@value}: see the class description. */
  public static final String CHURN_RISK = "churn_risk";
  /** {@value}: see the class description. */
  public static final String RFM_RECENCY = "rfm_recency";
  /** {@value}: see the class description. */
  public static final String RFM_FREQUENCY = "rfm_frequency";
  /** {@value}: see the class description. */
  public static final String RFM_MONETARY = "rfm_monetary";
  /** {@value}: see the class description. */
  public static final String RFM_SCORE = "rfm_score";
  /** {@value}: an aggregation of the pack, see the class description. */
  public static final String FIRST_ORDER_AT = "first_order_at";
  /** {@value}: an aggregation of the pack, see the class description. */
  public static final String LAST_ORDER_AT = "last_order_at";
  /** {@value}: an aggregation of the pack, see the class description. */
  public static final String ORDERS_ALL_TIME = "orders_all_time";
  /** {@value}: an aggregation of the pack, see the class description. */
  public static final String VIEWED_PRODUCTS = "viewed_products";
  /** {@value}: an aggregation of the pack, see the class description. */
  public static final String ORDERED_PRODUCTS = "ordered_products";
  /** {@value}: an aggregation of the pack, see the class description. */
  public static final String ORDER_CHANNELS = "order_channels";

  /** Default order event: {@value}. */
  public static final String DEFAULT_ORDER_EVENT = "Order Completed";
  /** Default product view event: {@value}. */
  public static final String DEFAULT_PRODUCT_VIEW_EVENT = "Product Viewed";
  /** Default churn factor {@code k}: {@value}. */
  public static final double DEFAULT_CHURN_FACTOR = 2.0;
  /** Largest churn factor. */
  public static final double MAX_CHURN_FACTOR = 1000.0;
  /** Default online channels: {@code web}, {@code app}. */
  public static final Set<String> DEFAULT_ONLINE_CHANNELS = Set.of("web", "app");
  /** Default offline channels: {@code pos}. */
  public static final Set<String> DEFAULT_OFFLINE_CHANNELS = Set.of("pos");

  static final String ONLINE = "online";
  static final String OFFLINE = "offline";
  static final String BOTH = "both";
  static final int YEAR_DAYS = 365;
  private static final BigDecimal NANOS_PER_HOUR = BigDecimal.valueOf(3_600_000_000_000L);
  private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

  private RetailTraits() {}

  /** Every trait of the pack with the defaults (see the class description). */
  public static ComputedTraits all() {
    return builder().build();
  }

  /** A builder for the pack with other settings. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The name of the monetary aggregation for a currency: {@code spend_365d_} and the code in
   * lower case ({@code spend_365d_eur}).
   *
   * @throws IllegalArgumentException when the code is not an ISO 4217 currency
   */
  public static String spendTraitName(String currency) {
    return "spend_365d_" + RfmThresholds.currencyCode(currency).toLowerCase(Locale.ROOT);
  }

  /** UTC days from the date of {@code then} to the date of {@code now}; negative when later. */
  static long daysBetween(Instant then, Instant now) {
    return epochDay(now) - epochDay(then);
  }

  static long epochDay(Instant t) {
    return Math.floorDiv(t.getEpochSecond(), 86_400L);
  }

  static Instant midnight(long epochDay) {
    return LocalDate.ofEpochDay(epochDay).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** Orders that count dated on or after the UTC date {@code fromDay}. */
  static long ordersSince(ProfileState state, long fromDay) {
    long n = 0;
    for (ProfileState.Order o : state.countedOrders()) {
      if (epochDay(o.time()) >= fromDay) {
        n++;
      }
    }
    return n;
  }

  /**
   * What the orders that count, dated on or after the UTC date {@code fromDay} in
   * {@code currency}, came to net of refunds, in major units with the currency's decimals.
   */
  static BigDecimal spendSince(ProfileState state, long fromDay, String currency) {
    long sum = 0;
    for (ProfileState.OrderEntry e : state.orders().values()) {
      if (e.counts() && epochDay(e.completion().time()) >= fromDay
          && e.completion().value().currency().equals(currency)) {
        sum = Money.addSaturated(sum,
            e.completion().value().minorUnits() - e.refundedMinorUnits());
      }
    }
    return Money.of(sum, currency).toBigDecimal();
  }

  /** The time of the latest order that counts; {@code null} without. */
  static @Nullable Instant lastOrder(ProfileState state) {
    Instant last = null;
    for (ProfileState.Order o : state.countedOrders()) {
      last = last == null || o.time().isAfter(last) ? o.time() : last;
    }
    return last;
  }

  /**
   * When a value over the orders of the last {@code days} UTC days next changes by time alone:
   * the UTC midnight at which the oldest day with an order in the window leaves it.
   */
  static Optional<Instant> windowChange(ProfileState state, int days, Instant now,
      @Nullable String currency) {
    long from = epochDay(now) - days + 1;
    long oldest = Long.MAX_VALUE;
    for (ProfileState.Order o : state.countedOrders()) {
      long d = epochDay(o.time());
      if (d >= from && d < oldest
          && (currency == null || o.value().currency().equals(currency))) {
        oldest = d;
      }
    }
    return oldest == Long.MAX_VALUE ? Optional.empty() : Optional.of(midnight(oldest + days));
  }

  /**
   * Configures the pack. Each setting may be made once; a second call, or a value that cannot
   * be used, fails at once and says why. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable Set<String> productViewEvents;
    private @Nullable BigDecimal churnFactor;
    private @Nullable Set<String> onlineChannels;
    private @Nullable Set<String> offlineChannels;
    private @Nullable RfmThresholds thresholds;

    private Builder() {}

    /**
     * The events that are product views; default
     * {@value RetailTraits#DEFAULT_PRODUCT_VIEW_EVENT}.
     *
     * @throws IllegalArgumentException when there are none or one is blank
     * @throws IllegalStateException when already set
     */
    public Builder productViewEvents(String... names) {
      if (productViewEvents != null) {
        throw new IllegalStateException("product view events were already set to "
            + productViewEvents);
      }
      productViewEvents = names("product view events", names);
      return this;
    }

    /**
     * The factor {@code k} of {@code churn_risk}; default
     * {@value RetailTraits#DEFAULT_CHURN_FACTOR}.
     *
     * @param k more than 0, at most {@value RetailTraits#MAX_CHURN_FACTOR}
     * @throws IllegalArgumentException when {@code k} is out of range
     * @throws IllegalStateException when already set
     */
    public Builder churnFactor(double k) {
      if (churnFactor != null) {
        throw new IllegalStateException("churn factor was already set to " + churnFactor);
      }
      if (!(k > 0 && k <= MAX_CHURN_FACTOR)) {
        throw new IllegalArgumentException("churn factor must be more than 0 and at most "
            + MAX_CHURN_FACTOR + ", was " + k);
      }
      churnFactor = BigDecimal.valueOf(k);
      return this;
    }

    /**
     * The channels that count as online for {@code preferred_channel}; default {@code web},
     * {@code app}. Compared ignoring case.
     *
     * @throws IllegalArgumentException when there are none or one is blank
     * @throws IllegalStateException when already set
     */
    public Builder onlineChannels(String... channels) {
      if (onlineChannels != null) {
        throw new IllegalStateException("online channels were already set to "
            + onlineChannels);
      }
      onlineChannels = channels("online channels", channels);
      return this;
    }

    /**
     * The channels that count as offline for {@code preferred_channel}; default {@code pos}.
     * Compared ignoring case.
     *
     * @throws IllegalArgumentException when there are none or one is blank
     * @throws IllegalStateException when already set
     */
    public Builder offlineChannels(String... channels) {
      if (offlineChannels != null) {
        throw new IllegalStateException("offline channels were already set to "
            + offlineChannels);
      }
      offlineChannels = channels("offline channels", channels);
      return this;
    }

    /**
     * The cut points of the RFM scores, and the currency of the monetary one; default
     * {@link RfmThresholds#defaults()}.
     *
     * @throws IllegalStateException when already set
     */
    public Builder rfmThresholds(RfmThresholds thresholds) {
      if (this.thresholds != null) {
        throw new IllegalStateException("RFM thresholds were already set to " + this.thresholds);
      }
      this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
      return this;
    }

    /**
     * The pack.
     *
     * @throws IllegalArgumentException when a channel is both online and offline
     */
    public ComputedTraits build() {
      Set<String> views = productViewEvents != null ? productViewEvents
          : Set.of(DEFAULT_PRODUCT_VIEW_EVENT);
      Set<String> online = onlineChannels != null ? onlineChannels : DEFAULT_ONLINE_CHANNELS;
      Set<String> offline = offlineChannels != null ? offlineChannels : DEFAULT_OFFLINE_CHANNELS;
      RfmThresholds rfm = thresholds != null ? thresholds : RfmThresholds.defaults();
      BigDecimal k = churnFactor != null ? churnFactor : BigDecimal.valueOf(DEFAULT_CHURN_FACTOR);
      for (String c : new TreeSet<>(online)) {
        if (offline.contains(c)) {
          throw new IllegalArgumentException("channel " + c + " is both online and offline");
        }
      }

      EventFilter orderFilter = EventFilter.ORDERS;
      EventFilter viewFilter = new EventFilter(views, List.of());
      String spend = spendTraitName(rfm.currency());

      List<ComputedTrait> aggregates = List.of(
          ComputedTrait.builder(VIEWED_PRODUCTS, Aggregation.UNIQUE_LIST).filter(viewFilter)
              .property("product_id").build(),
          ComputedTrait.builder(ORDERED_PRODUCTS, Aggregation.UNIQUE_LIST).filter(orderFilter)
              .property("products[].product_id").build(),
          ComputedTrait.builder(FAVOURITE_CATEGORY, Aggregation.MOST_FREQUENT)
              .filter(orderFilter).property("products[].category").build());
      List<DerivedTrait> derived = List.of(
          new OrderTime(FIRST_ORDER_AT, false),
          new OrderTime(LAST_ORDER_AT, true),
          new OrderCount(ORDERS_ALL_TIME, 0),
          new OrderCount(ORDERS_90D, 90),
          new OrderCount(ORDERS_365D, YEAR_DAYS),
          new OrderChannels(),
          new Spend(spend, rfm.currency()),
          new DaysSinceLastOrder(),
          new AvgDecisionTime(),
          new PreferredChannel(lower(online), lower(offline)),
          new ChurnRisk(k),
          new RfmRecency(rfm),
          new RfmFrequency(rfm),
          new RfmMonetary(rfm, spend),
          new RfmScore());
      return ComputedTraits.of(aggregates, derived);
    }

    private static Set<String> names(String what, String[] names) {
      if (names.length == 0) {
        throw new IllegalArgumentException(what + " must name at least one event");
      }
      Set<String> out = new LinkedHashSet<>();
      for (String n : names) {
        if (n == null || n.isBlank()) {
          throw new IllegalArgumentException(what + " must not be blank");
        }
        out.add(n);
      }
      return Set.copyOf(out);
    }

    private static Set<String> channels(String what, String[] channels) {
      if (channels.length == 0) {
        throw new IllegalArgumentException(what + " must name at least one channel");
      }
      Set<String> out = new LinkedHashSet<>();
      for (String c : channels) {
        if (c == null || c.isBlank()) {
          throw new IllegalArgumentException(what + " must not be blank");
        }
        out.add(c.strip().toLowerCase(Locale.ROOT));
      }
      return Set.copyOf(out);
    }

    private static Set<String> lower(Set<String> channels) {
      Set<String> out = new LinkedHashSet<>();
      for (String c : channels) {
        out.add(c.toLowerCase(Locale.ROOT));
      }
      return Set.copyOf(out);
    }
  }

  /** A derived trait of the pack: a name, the traits it reads, and its own nextChange. */
  private abstract static class Derived implements DerivedTrait {
    private final String name;
    private final Set<String> inputs;

    Derived(String name, String... inputs) {
      this.name = name;
      this.inputs = Set.copyOf(Arrays.asList(inputs));
    }

    @Override
    public final String name() {
      return name;
    }

    @Override
    public final Set<String> inputs() {
      return inputs;
    }

    @Override
    public String toString() {
      return "DerivedTrait[" + name + "]";
    }
  }

  private static Optional<Instant> instant(TraitContext ctx, String trait) {
    return ctx.value(trait).map(v -> (Instant) v);
  }

  /** {@code first_order_at} and {@code last_order_at}: over the orders that count. */
  private static final class OrderTime extends Derived {
    private final boolean last;

    OrderTime(String name, boolean last) {
      super(name);
      this.last = last;
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      Instant best = null;
      for (ProfileState.Order o : ctx.state().countedOrders()) {
        if (best == null || (last ? o.time().isAfter(best) : o.time().isBefore(best))) {
          best = o.time();
        }
      }
      return Optional.ofNullable(best);
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      return Optional.empty();
    }
  }

  /** {@code orders_all_time} (days 0), {@code orders_90d}, {@code orders_365d}. */
  private static final class OrderCount extends Derived {
    private final int days;

    OrderCount(String name, int days) {
      super(name);
      this.days = days;
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      long from = days == 0 ? Long.MIN_VALUE : epochDay(ctx.now()) - days + 1;
      return Optional.of(ordersSince(ctx.state(), from));
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      return days == 0 ? Optional.empty() : windowChange(ctx.state(), days, ctx.now(), null);
    }
  }

  /** {@code spend_365d_<currency>}. */
  private static final class Spend extends Derived {
    private final String currency;

    Spend(String name, String currency) {
      super(name);
      this.currency = currency;
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      return Optional.of(spendSince(ctx.state(), epochDay(ctx.now()) - YEAR_DAYS + 1, currency));
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      return windowChange(ctx.state(), YEAR_DAYS, ctx.now(), currency);
    }
  }

  /** {@code order_channels}. */
  private static final class OrderChannels extends Derived {
    OrderChannels() {
      super(ORDER_CHANNELS);
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      Set<String> channels = new TreeSet<>();
      for (ProfileState.Order o : ctx.state().countedOrders()) {
        if (o.channel() != null) {
          channels.add(o.channel());
        }
      }
      return Optional.of(List.copyOf(channels));
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      return Optional.empty();
    }
  }

  /** {@code days_since_last_order}. */
  private static final class DaysSinceLastOrder extends Derived {
    DaysSinceLastOrder() {
      super(DAYS_SINCE_LAST_ORDER, LAST_ORDER_AT);
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      return instant(ctx, LAST_ORDER_AT)
          .map(last -> (Object) Math.max(0, daysBetween(last, ctx.now())));
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      return instant(ctx, LAST_ORDER_AT).map(last -> midnight(epochDay(ctx.now()) + 1));
    }
  }

  /** {@code avg_decision_time_hours}. */
  private static final class AvgDecisionTime extends Derived {
    AvgDecisionTime() {
      super(AVG_DECISION_TIME_HOURS, VIEWED_PRODUCTS, ORDERED_PRODUCTS);
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      Map<Object, Partial.Seen> viewed = tally(ctx, VIEWED_PRODUCTS);
      Map<Object, Partial.Seen> ordered = tally(ctx, ORDERED_PRODUCTS);
      BigDecimal sum = BigDecimal.ZERO;
      long n = 0;
      boolean fewerViewed = viewed.size() <= ordered.size();
      for (Map.Entry<Object, Partial.Seen> e : (fewerViewed ? viewed : ordered).entrySet()) {
        Partial.Seen other = (fewerViewed ? ordered : viewed).get(e.getKey());
        if (other == null) {
          continue;
        }
        Instant firstView = (fewerViewed ? e.getValue() : other).first();
        Instant firstOrder = (fewerViewed ? other : e.getValue()).first();
        if (!firstView.isAfter(firstOrder)) {
          sum = sum.add(new BigDecimal(nanos(Duration.between(firstView, firstOrder))));
          n++;
        }
      }
      if (n == 0) {
        return Optional.empty();
      }
      return Optional.of(sum.divide(NANOS_PER_HOUR.multiply(BigDecimal.valueOf(n)), 2,
          RoundingMode.HALF_EVEN));
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      return Optional.empty();
    }

    private static Map<Object, Partial.Seen> tally(TraitContext ctx, String trait) {
      AggregateState s = ctx.state().computed().get(trait);
      return s != null && s.total() instanceof Partial.Tally t ? t.values() : Map.of();
    }
  }

  /** {@code preferred_channel}. */
  private static final class PreferredChannel extends Derived {
    private final Set<String> online;
    private final Set<String> offline;

    PreferredChannel(Set<String> online, Set<String> offline) {
      super(PREFERRED_CHANNEL, ORDER_CHANNELS);
      this.online = online;
      this.offline = offline;
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      boolean on = false;
      boolean off = false;
      List<?> channels = ctx.value(ORDER_CHANNELS).map(v -> (List<?>) v).orElse(List.of());
      for (Object c : channels) {
        if (c instanceof String s) {
          String l = s.toLowerCase(Locale.ROOT);
          on |= online.contains(l);
          off |= offline.contains(l);
        }
      }
      return on && off ? Optional.of(BOTH) : on ? Optional.of(ONLINE)
          : off ? Optional.of(OFFLINE) : Optional.empty();
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      return Optional.empty();
    }
  }

  /** {@code churn_risk}. */
  private static final class ChurnRisk extends Derived {
    private final BigDecimal k;

    ChurnRisk(BigDecimal k) {
      super(CHURN_RISK, FIRST_ORDER_AT, LAST_ORDER_AT, ORDERS_ALL_TIME);
      this.k = k;
    }

    /** The instant it turns true, empty when it has no value, MAX when beyond the time line. */
    private Optional<Instant> turnsTrue(TraitContext ctx) {
      long n = ctx.value(ORDERS_ALL_TIME).map(v -> (Long) v).orElse(0L);
      Optional<Instant> first = instant(ctx, FIRST_ORDER_AT);
      Optional<Instant> last = instant(ctx, LAST_ORDER_AT);
      if (n < 2 || first.isEmpty() || last.isEmpty() || !last.get().isAfter(first.get())) {
        return Optional.empty();
      }
      // Smallest whole nanoseconds d with d * (n - 1) >= k * (last - first).
      BigInteger span = nanos(Duration.between(first.get(), last.get()));
      BigInteger wait = k.multiply(new BigDecimal(span))
          .divide(BigDecimal.valueOf(n - 1), 0, RoundingMode.CEILING).toBigIntegerExact();
      BigInteger[] sn = wait.divideAndRemainder(NANOS_PER_SECOND);
      try {
        return Optional.of(last.get().plusSeconds(sn[0].longValueExact())
            .plusNanos(sn[1].longValue()));
      } catch (ArithmeticException | DateTimeException ex) {
        return Optional.of(Instant.MAX);
      }
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      return turnsTrue(ctx).map(t -> (Object) !ctx.now().isBefore(t));
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      return turnsTrue(ctx).filter(t -> ctx.now().isBefore(t) && !t.equals(Instant.MAX));
    }
  }

  /** {@code rfm_recency}. */
  private static final class RfmRecency extends Derived {
    private final RfmThresholds rfm;

    RfmRecency(RfmThresholds rfm) {
      super(RFM_RECENCY, LAST_ORDER_AT);
      this.rfm = rfm;
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      return instant(ctx, LAST_ORDER_AT)
          .map(last -> (Object) rfm.recencyScore(Math.max(0, daysBetween(last, ctx.now()))));
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      Optional<Instant> last = instant(ctx, LAST_ORDER_AT);
      if (last.isEmpty()) {
        return Optional.empty();
      }
      long days = Math.max(0, daysBetween(last.get(), ctx.now()));
      for (long cut : rfm.recencyDays()) {
        if (cut >= days) {
          // The score drops the day the days first exceed this cut point.
          return Optional.of(midnight(epochDay(last.get()) + cut + 1));
        }
      }
      return Optional.empty();
    }
  }

  /** {@code rfm_frequency}. */
  private static final class RfmFrequency extends Derived {
    private final RfmThresholds rfm;

    RfmFrequency(RfmThresholds rfm) {
      super(RFM_FREQUENCY, LAST_ORDER_AT, ORDERS_365D);
      this.rfm = rfm;
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      if (ctx.value(LAST_ORDER_AT).isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(rfm.frequencyScore((Long) ctx.value(ORDERS_365D).orElse(0L)));
    }
  }

  /** {@code rfm_monetary}. */
  private static final class RfmMonetary extends Derived {
    private final RfmThresholds rfm;
    private final String spend;

    RfmMonetary(RfmThresholds rfm, String spend) {
      super(RFM_MONETARY, LAST_ORDER_AT, spend);
      this.rfm = rfm;
      this.spend = spend;
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      if (ctx.value(LAST_ORDER_AT).isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(rfm.monetaryScore(
          (BigDecimal) ctx.value(spend).orElse(BigDecimal.ZERO)));
    }
  }

  /** {@code rfm_score}. */
  private static final class RfmScore extends Derived {
    RfmScore() {
      super(RFM_SCORE, RFM_RECENCY, RFM_FREQUENCY, RFM_MONETARY);
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      List<Object> scores = new ArrayList<>(3);
      for (String n : List.of(RFM_RECENCY, RFM_FREQUENCY, RFM_MONETARY)) {
        Optional<Object> v = ctx.value(n);
        if (v.isEmpty()) {
          return Optional.empty();
        }
        scores.add(v.get());
      }
      return Optional.of("" + scores.get(0) + scores.get(1) + scores.get(2));
    }
  }

  private static BigInteger nanos(Duration d) {
    return BigInteger.valueOf(d.getSeconds()).multiply(NANOS_PER_SECOND)
        .add(BigInteger.valueOf(d.getNano()));
  }
}
