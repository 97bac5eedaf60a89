package io.cdpkit.core.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;


/**
 * One person as CDPKit knows them: the identifiers the identity graph joined into this profile,
 * and the fields derived from the {@link ProfileState} its events folded into.
 *
 * <p>Order fields: {@linkplain #orderCount() order count}, {@linkplain #totalSpend() total spend}
 * and {@linkplain #averageOrderValue(String) average order value} count completed orders not
 * refunded in full, net of partial refunds, and keep currencies apart. POS receipts are orders
 * with channel {@code pos} and a store id. The {@linkplain #favouriteStore() favourite store}
 * and {@linkplain #favouriteChannel() favourite channel} are those with the most orders, counted
 * as {@link #orderCount()} counts them (one per order id, none for an order refunded in full),
 * then the most events, then the latest activity, then the smallest name.
 *
 * <p>Immutable.
 *
 * @param id the profile's id
 * @param workspace the workspace it belongs to
 * @param identifiers its normalised identifiers, sorted by type id, then value
 * @param state the joined contributions of its events
 * @param version increases with every change to the profile; for optimistic checks
 * <p>Consent: {@link #consent(String, String)} and {@link #consents()} judge expiry at
 * {@link #readAt()}, the instant the profile was read by the instance's clock, so an expired
 * grant reads as not granted. {@link #consentStatus(String, String, Instant)} tells the four
 * cases apart at any instant.
 *
 * @param computedTraits the values of the computed traits (see
 *     {@link io.cdpkit.core.traits.ComputedTrait}) when the profile was read, by name, sorted;
 *     traits without a value left out
 * @param readAt when the profile was read, by the instance's clock; {@code null} for a profile
 *     built by hand, for which every grant with an expiry counts as expired
 */
public record Profile(ProfileId id, WorkspaceId workspace, List<Identifier> identifiers,
    ProfileState state, long version, Map<String, Object> computedTraits,
    @Nullable Instant readAt) {
  private static final Comparator<Identifier> BY_TYPE_AND_VALUE =
      Comparator.comparing((Identifier i) -> i.type().id()).thenComparing(Identifier::value);

  public Profile {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(state, "state");
    identifiers = identifiers.isEmpty() ? List.of()
        : identifiers.stream().sorted(BY_TYPE_AND_VALUE).toList();
    computedTraits = computedTraits.isEmpty() ? Map.of()
        : Collections.unmodifiableMap(new TreeMap<>(computedTraits));
  }

  /** A profile without computed trait values or read time. */
  public Profile(ProfileId id, WorkspaceId workspace, List<Identifier> identifiers,
      ProfileState state, long version) {
    this(id, workspace, identifiers, state, version, Map.of(), null);
  }

  /** A profile without read time. */
  public Profile(ProfileId id, WorkspaceId workspace, List<Identifier> identifiers,
      ProfileState state, long version, Map<String, Object> computedTraits) {
    this(id, workspace, identifiers, state, version, computedTraits, null);
  }

  /** One computed trait's value when the profile was read. */
  public Optional<Object> computedTrait(String name) {
    return Optional.ofNullable(computedTraits.get(name));
  }

  /** Identifiers of one type. */
  public List<Identifier> identifiers(IdentifierType type) {
    return identifiers.stream().filter(i -> i.type().equals(type)).toList();
  }

  /** Current trait values (unset traits left out), sorted by name. */
  public Map<String, Object> traits() {
    Map<String, Object> out = new TreeMap<>();
    state.traits().forEach((k, v) -> {
      if (v.value() != null) {
        out.put(k, v.value());
      }
    });
    return Collections.unmodifiableMap(out);
  }

  /**
   * One trait's value, by name ({@code tier}) or by a dotted path into a nested trait
   * ({@code address.city}; see {@link io.cdpkit.core.traits.TraitPath}: a trait whose whole name
   * is the path is read first). A path through a list ({@code addresses[].city}) gives the first
   * value; a name that is not a well-formed path reads only the trait of that exact name.
   */
  public Optional<Object> trait(String name) {
    ProfileState.TraitValue v = state.traits().get(name);
    if (v != null && v.value() != null) {
      return Optional.of(v.value());
    }
    if (!io.cdpkit.core.traits.TraitPath.isPath(name)) {
      return Optional.empty();
    }
    List<Object> all = traitValues(name);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  /**
   * Every value a trait path reaches (see {@link io.cdpkit.core.traits.TraitPath}); empty when
   * none, or when the path is not well-formed.
   */
  public List<Object> traitValues(String path) {
    io.cdpkit.core.traits.TraitPath p;
    try {
      p = io.cdpkit.core.traits.TraitPath.parse(path);
    } catch (IllegalArgumentException e) {
      return List.of();
    }
    return p.values(state);
  }

  /**
   * Whether consent is granted for a purpose on a channel when the profile was read: empty when
   * never recorded, {@code false} when denied or expired at {@link #readAt()} (see the class
   * description).
   */
  public Optional<Boolean> consent(String purpose, String channel) {
    ConsentStatus s = consentStatus(purpose, channel);
    return s == ConsentStatus.NONE ? Optional.empty() : Optional.of(s.allows());
  }

  /**
   * The consent status for a purpose on a channel at {@link #readAt()}: the profile-level view,
   * judged on the latest decision whichever address it was given for. A message to an address
   * is judged by {@link #consentStatus(String, String, Identifier)}.
   */
  public ConsentStatus consentStatus(String purpose, String channel) {
    ProfileState.ConsentValue v = state.consents().get(new ConsentKey(purpose, channel));
    if (v == null) {
      return ConsentStatus.NONE;
    }
    if (readAt == null) {
      return !v.granted() ? ConsentStatus.DENIED
          : v.expiresAt() != null ? ConsentStatus.EXPIRED : ConsentStatus.GRANTED;
    }
    return v.statusAt(readAt);
  }

  /**
   * The consent status for a purpose on a channel at an instant, judged on the latest decision
   * this profile holds (for the decision in force at a past instant, see
   * {@link io.cdpkit.core.Profiles#consentAt}).
   */
  public ConsentStatus consentStatus(String purpose, String channel, Instant at) {
    ProfileState.ConsentValue v = state.consents().get(new ConsentKey(purpose, channel));
    return v == null ? ConsentStatus.NONE : v.statusAt(at);
  }

  /**
   * The consent status of a message for a purpose on a channel to one address, at
   * {@link #readAt()}: judged on the decision that governs that address (see
   * {@link ProfileState#consentFor(ConsentKey, Identifier)}: the address's own denial blocks it
   * whatever profile-level grants say; a grant opens only the address it was given for, or,
   * given without an address, the addresses nobody denied). This is what the activation gate
   * sends on; {@link #consentStatus(String, String)} is the profile-level view (the latest
   * decision, whichever address it was given for).
   */
  public ConsentStatus consentStatus(String purpose, String channel, Identifier address) {
    ProfileState.ConsentValue v = state.consentFor(new ConsentKey(purpose, channel),
        Objects.requireNonNull(address, "address"));
    if (v == null) {
      return ConsentStatus.NONE;
    }
    if (readAt == null) {
      return !v.granted() ? ConsentStatus.DENIED
          : v.expiresAt() != null ? ConsentStatus.EXPIRED : ConsentStatus.GRANTED;
    }
    return v.statusAt(readAt);
  }

  /** As {@link #consentStatus(String, String, Identifier)}, at an instant. */
  public ConsentStatus consentStatus(String purpose, String channel, Identifier address,
      Instant at) {
    ProfileState.ConsentValue v = state.consentFor(new ConsentKey(purpose, channel),
        Objects.requireNonNull(address, "address"));
    return v == null ? ConsentStatus.NONE : v.statusAt(at);
  }

  /**
   * Every recorded consent, sorted: {@code true} when granted at {@link #readAt()},
   * {@code false} when denied or expired.
   */
  public Map<ConsentKey, Boolean> consents() {
    Map<ConsentKey, Boolean> out = new TreeMap<>();
    state.consents().keySet().forEach(k ->
        out.put(k, consentStatus(k.purpose(), k.channel()).allows()));
    return Collections.unmodifiableMap(out);
  }

  /**
   * Whether processing of this person is restricted (GDPR Art. 18): segments treat the profile
   * as a member of none and activation sends nothing to it until the restriction is lifted (see
   * {@link io.cdpkit.core.Profiles#restrict}).
   */
  public boolean restricted() {
    return state.restricted();
  }

  public Optional<Instant> firstSeen() {
    return Optional.ofNullable(state.firstSeen());
  }

  public Optional<Instant> lastSeen() {
    return Optional.ofNullable(state.lastSeen());
  }

  /** Channels the person was seen on, sorted. */
  public Set<String> channelsSeen() {
    return Collections.unmodifiableSet(new TreeSet<>(state.channels().keySet()));
  }

  /** Stores the person was seen in, sorted. */
  public Set<String> storesSeen() {
    return Collections.unmodifiableSet(new TreeSet<>(state.stores().keySet()));
  }

  /** The latest order that counts. */
  public Optional<ProfileState.Order> lastOrder() {
    ProfileState.Order best = null;
    for (ProfileState.Order o : state.countedOrders()) {
      if (best == null || ProfileState.Order.ORDER.compare(o, best) > 0) {
        best = o;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Orders that count. */
  public long orderCount() {
    return state.countedOrders().size();
  }

  /**
   * Total spend in one currency, net of refunds; zero when none. Saturates at
   * {@link Long#MAX_VALUE} minor units instead of overflowing (see {@link Money}).
   */
  public Money totalSpend(String currency) {
    long sum = 0;
    for (ProfileState.OrderEntry e : state.orders().values()) {
      if (e.counts() && e.completion().value().currency().equals(currency)) {
        sum = Money.addSaturated(sum,
            e.completion().value().minorUnits() - e.refundedMinorUnits());
      }
    }
    return Money.of(sum, currency);
  }

  /** Total spend per currency, net of refunds, sorted by currency; saturating as above. */
  public Map<String, Money> totalSpend() {
    Map<String, Money> out = new TreeMap<>();
    for (ProfileState.OrderEntry e : state.orders().values()) {
      if (e.counts()) {
        Money v = e.completion().value();
        Money net = Money.of(v.minorUnits() - e.refundedMinorUnits(), v.currency());
        out.merge(v.currency(), net,
            (a, b) -> Money.of(Money.addSaturated(a.minorUnits(), b.minorUnits()), a.currency()));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** Orders that count, per currency. */
  public Map<String, Long> orderCountByCurrency() {
    Map<String, Long> out = new TreeMap<>();
    for (ProfileState.OrderEntry e : state.orders().values()) {
      if (e.counts()) {
        out.merge(e.completion().value().currency(), 1L, Long::sum);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Average order value in one currency: total spend divided by the orders that count, rounded
   * half-even to the currency's minor unit.
   */
  public Optional<Money> averageOrderValue(String currency) {
    long count = 0;
    for (ProfileState.OrderEntry e : state.orders().values()) {
      if (e.counts() && e.completion().value().currency().equals(currency)) {
        count++;
      }
    }
    if (count == 0) {
      return Optional.empty();
    }
    Money total = totalSpend(currency);
    long avg = BigDecimal.valueOf(total.minorUnits())
        .divide(BigDecimal.valueOf(count), 0, RoundingMode.HALF_EVEN).longValueExact();
    return Optional.of(Money.of(avg, currency));
  }

  /** Time of the first order that counts. */
  public Optional<Instant> customerSince() {
    Instant first = null;
    for (ProfileState.Order o : state.countedOrders()) {
      if (first == null || o.time().isBefore(first)) {
        first = o.time();
      }
    }
    return Optional.ofNullable(first);
  }

  /** Whole years from {@link #customerSince()} to {@code now}, by UTC dates; 0 when no order. */
  public int yearsAsCustomer(Instant now) {
    return customerSince().map(s -> Math.max(0, Period.between(
            LocalDate.ofInstant(s, ZoneOffset.UTC), LocalDate.ofInstant(now, ZoneOffset.UTC))
        .getYears())).orElse(0);
  }

  /** The store with the most orders (see the class description). */
  public Optional<String> favouriteStore() {
    return favourite(state.stores(), ProfileState.Order::storeId);
  }

  /** The channel with the most orders (see the class description). */
  public Optional<String> favouriteChannel() {
    return favourite(state.channels(), ProfileState.Order::channel);
  }

  /**
   * The key with the most orders that count (deduplicated by order id, not refunded in full),
   * then the most events, the latest activity, the smallest name. A resent receipt (a new
   * messageId, the same order id) or a refunded order does not make a favourite.
   */
  private Optional<String> favourite(Map<String, ProfileState.Tally> tallies,
      Function<ProfileState.Order, @Nullable String> key) {
    Map<String, Long> orders = new HashMap<>();
    for (ProfileState.Order o : state.countedOrders()) {
      String k = key.apply(o);
      if (k != null) {
        orders.merge(k, 1L, Long::sum);
      }
    }
    Set<String> keys = new HashSet<>(tallies.keySet());
    keys.addAll(orders.keySet());
    Comparator<String> best = Comparator.<String>comparingLong(k -> orders.getOrDefault(k, 0L))
        .thenComparingLong(k -> tallies.containsKey(k) ? tallies.get(k).events() : 0L)
        .thenComparing(k -> tallies.containsKey(k) ? tallies.get(k).lastAt() : Instant.MIN)
        .thenComparing(Comparator.<String>reverseOrder());
    return keys.stream().max(best);
  }

  /** Events per event name, sorted by name. */
  public Map<String, Long> eventCounts() {
    return Collections.unmodifiableMap(new TreeMap<>(state.eventCounts()));
  }

  /** Fraction digits of a currency, for callers formatting amounts. */
  static int digits(String currency) {
    return Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
  }

  /** Id, version and sizes only: a profile holds personal data. */
  @Override
  public String toString() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Identifier i : identifiers) {
      counts.merge(i.type().id(), 1, Integer::sum);
    }
    return "Profile[id=" + id + ", workspace=" + workspace + ", identifiers=" + counts
        + ", version=" + version + ", " + state + "]";
  }

}
