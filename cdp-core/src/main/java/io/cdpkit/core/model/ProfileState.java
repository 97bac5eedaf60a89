package io.cdpkit.core.model;

import io.cdpkit.core.internal.ArrayMap;
import io.cdpkit.core.traits.AggregateState;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything a profile knows apart from its identifiers, kept as a join-semilattice of event
 * contributions: {@link #join(ProfileState)} is commutative and associative, and the registers
 * (traits, consents, orders, first and last seen) are idempotent. Counters (events per name, per
 * channel, per store) add up; CDPKit joins them only over disjoint sets of events, which messageId
 * deduplication guarantees. So the same events, folded in any order or grouping, give the same
 * state, and merging two profiles is joining their states.
 *
 * <ul>
 *   <li>A trait is a last-writer-wins register ordered by event time, then the source's priority,
 *       then messageId. A trait set to {@code null} is unset.
 *   <li>A consent per (purpose, channel) is a last-writer-wins register by event time; on an exact
 *       tie of time, denied wins. A decision whose event named an address of the consent
 *       channel's kind ({@link ConsentAddresses}) is kept in a register per (purpose, channel,
 *       address) ({@link #addressConsents()}); one without such an address in a profile-level
 *       register ({@link #profileConsents()}). {@link #consents()} is the latest decision of
 *       either kind, and {@link #consentFor(ConsentKey, Identifier)} the one that governs a
 *       message to an address.
 *   <li>The restriction of processing is a last-writer-wins register by event time; on an exact
 *       tie, restricted wins.
 *   <li>Orders are kept per order id, so a receipt sent twice under different messageIds counts
 *       once; refunds are kept per refund event.
 * </ul>
 *
 * <p>Immutable. {@link Profile} gives the readable fields derived from it.
 */
public final class ProfileState {
  /** The state of a profile without events. */
  public static final ProfileState EMPTY = new ProfileState(ArrayMap.of(), ArrayMap.of(),
      ArrayMap.of(), ArrayMap.of(), null, null, ArrayMap.of(), ArrayMap.of(), ArrayMap.of(),
      ArrayMap.of(), ArrayMap.of(), null);

  /**
   * A trait value and the write that set it.
   *
   * @param value the value ({@code null}: unset)
   * @param time the writing event's time
   * @param sourcePriority the writing source's priority
   * @param messageId the writing event
   */
  public record TraitValue(@Nullable Object value, Instant time, int sourcePriority,
      String messageId) {
    static final Comparator<TraitValue> ORDER = Comparator.comparing(TraitValue::time)
        .thenComparingInt(TraitValue::sourcePriority).thenComparing(TraitValue::messageId);

    public TraitValue {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(messageId, "messageId");
    }
  }

  /**
   * A consent decision, its evidence and the event that made it.
   *
   * @param granted whether consent was given
   * @param time the deciding event's time
   * @param messageId the deciding event
   * @param basis the lawful basis the decision rests on
   * @param expiresAt when a grant stops being valid ({@code null}: never)
   * @param source where the decision was taken
   * @param policyVersion the policy version the person saw
   * @param proof where the evidence is kept
   */
  public record ConsentValue(boolean granted, Instant time, String messageId, LawfulBasis basis,
      @Nullable Instant expiresAt, @Nullable String source, @Nullable String policyVersion,
      @Nullable ConsentProof proof) {
    /**
     * Later time wins; on an equal time denied wins; then the greater messageId; then (two
     * decisions of one event) the evidence, so that the order is total and joins commute.
     */
    static final Comparator<ConsentValue> ORDER = Comparator.comparing(ConsentValue::time)
        .thenComparing(v -> !v.granted()).thenComparing(ConsentValue::messageId)
        .thenComparing(ConsentValue::basis)
        .thenComparing(ConsentValue::expiresAt, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(ConsentValue::source, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(ConsentValue::policyVersion,
            Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(ConsentValue::proof, Comparator.nullsFirst(Comparator.naturalOrder()));

    public ConsentValue {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(messageId, "messageId");
      basis = basis == null ? LawfulBasis.CONSENT : basis;
    }

    /** A decision without evidence (basis consent, no expiry). */
    public ConsentValue(boolean granted, Instant time, String messageId) {
      this(granted, time, messageId, LawfulBasis.CONSENT, null, null, null, null);
    }

    /** The register value an event's decision gives. */
    public static ConsentValue of(ConsentChange c, Instant time, String messageId) {
      return new ConsentValue(c.granted(), time, messageId, c.basis(), c.expiresAt(), c.source(),
          c.policyVersion(), c.proof());
    }

    /** The later of two decisions by {@link #ORDER} (the register's join). */
    public static ConsentValue latest(ConsentValue a, ConsentValue b) {
      return ORDER.compare(a, b) >= 0 ? a : b;
    }

    /**
     * What this decision means at an instant: {@link ConsentStatus#DENIED} when not granted,
     * {@link ConsentStatus#EXPIRED} when granted with an expiry at or before {@code at}, else
     * {@link ConsentStatus#GRANTED}.
     */
    public ConsentStatus statusAt(Instant at) {
      if (!granted) {
        return ConsentStatus.DENIED;
      }
      return expiresAt != null && !expiresAt.isAfter(at) ? ConsentStatus.EXPIRED
          : ConsentStatus.GRANTED;
    }
  }

  /**
   * The restriction of processing (GDPR Art. 18) register: the latest restrict or lift. Later
   * time wins; on an equal time the restriction wins; then the greater messageId.
   *
   * @param restricted whether processing is restricted
   * @param time the deciding event's time
   * @param messageId the deciding event
   * @param reasonCode the reason code given with the call
   */
  public record Restriction(boolean restricted, Instant time, String messageId,
      String reasonCode) {
    static final Comparator<Restriction> ORDER = Comparator.comparing(Restriction::time)
        .thenComparing(Restriction::restricted).thenComparing(Restriction::messageId)
        .thenComparing(Restriction::reasonCode);

    public Restriction {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(reasonCode, "reasonCode");
    }

    static @Nullable Restriction join(@Nullable Restriction a, @Nullable Restriction b) {
      return a == null ? b : b == null ? a : ORDER.compare(a, b) >= 0 ? a : b;
    }
  }

  /**
   * Activity on one channel or in one store.
   *
   * @param events events seen
   * @param orders orders completed
   * @param lastAt time of the latest event
   */
  public record Tally(long events, long orders, Instant lastAt) {
    public Tally {
      Objects.requireNonNull(lastAt, "lastAt");
    }

    Tally plus(Tally o) {
      return new Tally(events + o.events, orders + o.orders,
          lastAt.isAfter(o.lastAt) ? lastAt : o.lastAt);
    }
  }

  /**
   * A completed order.
   *
   * @param orderId the order's id ({@code properties.order_id}, else the messageId)
   * @param time when it was completed
   * @param messageId the event that reported it
   * @param value the order's total
   * @param channel where it was placed
   * @param storeId the store, for POS receipts
   */
  public record Order(String orderId, Instant time, String messageId, Money value,
      @Nullable String channel, @Nullable String storeId) {
    static final Comparator<Order> ORDER =
        Comparator.comparing(Order::time).thenComparing(Order::messageId);

    public Order {
      Objects.requireNonNull(orderId, "orderId");
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * A refund of (part of) an order, after Segment's {@code Order Refunded}.
   *
   * @param time when it was refunded
   * @param amount the refunded amount; {@code null} refunds the whole order
   */
  public record Refund(Instant time, @Nullable Money amount) {
    public Refund {
      Objects.requireNonNull(time, "time");
    }
  }

  /**
   * What is known of one order id: its completion (if seen yet) and its refunds by messageId.
   *
   * @param completion the completed order, or {@code null} when only refunds were seen so far
   * @param refunds refunds keyed by the refunding event's messageId
   */
  public record OrderEntry(@Nullable Order completion, Map<String, Refund> refunds) {
    public OrderEntry {
      refunds = ArrayMap.copyOf(refunds);
    }

    OrderEntry join(OrderEntry o) {
      Order c = completion == null ? o.completion
          : o.completion == null ? completion
          : Order.ORDER.compare(completion, o.completion) >= 0 ? completion : o.completion;
      return new OrderEntry(c, ((ArrayMap<String, Refund>) refunds).union(
          (ArrayMap<String, Refund>) o.refunds, (a, b) -> a));
    }

    /** Minor units refunded, capped at the order's value; refunds in another currency ignored. */
    public long refundedMinorUnits() {
      if (completion == null || refunds.isEmpty()) {
        return 0;
      }
      long total = completion.value().minorUnits();
      long sum = 0;
      for (Refund r : refunds.values()) {
        if (r.amount() == null) {
          return total;
        }
        if (r.amount().currency().equals(completion.value().currency())) {
          sum = Money.addSaturated(sum, r.amount().minorUnits());
        }
      }
      return Math.min(total, sum);
    }

    /**
     * Whether the order counts: it was completed and not refunded in full (a refund without an
     * amount, or refunds adding up to its value).
     */
    public boolean counts() {
      if (completion == null) {
        return false;
      }
      if (refunds.isEmpty()) {
        return true;
      }
      for (Refund r : refunds.values()) {
        if (r.amount() == null) {
          return false;
        }
      }
      long value = completion.value().minorUnits();
      return value <= 0 || refundedMinorUnits() < value;
    }
  }

  private final ArrayMap<String, TraitValue> traits;
  private final @Nullable Instant firstSeen;
  private final @Nullable Instant lastSeen;
  private final ArrayMap<String, Tally> channels;
  private final ArrayMap<String, Tally> stores;
  private final ArrayMap<String, Long> eventCounts;
  /** Consents, orders, computed traits and the restriction; {@link Rare#NONE} without any. */
  private final Rare rare;

  /**
   * The parts most profiles leave empty (a visitor who browsed has no consent, order or
   * restriction), kept out of the state itself: such a state shares {@link #NONE} and takes 24
   * bytes less (the in-memory store keeps a state per profile); one with any of them takes one
   * object more.
   */
  private static final class Rare {
    static final Rare NONE = new Rare(ArrayMap.of(), ArrayMap.of(), ArrayMap.of(), ArrayMap.of(),
        ArrayMap.of(), null);

    /** The latest decision per key of either level: derived from the two maps below. */
    final ArrayMap<ConsentKey, ConsentValue> consents;
    final ArrayMap<ConsentKey, ConsentValue> profileConsents;
    final ArrayMap<AddressConsentKey, ConsentValue> addressConsents;
    final ArrayMap<String, OrderEntry> orders;
    final ArrayMap<String, AggregateState> computed;
    final @Nullable Restriction restriction;
    /** Derived from {@code orders} on first use; racy but idempotent (an immutable list). */
    @Nullable List<Order> countedOrders;

    private Rare(ArrayMap<ConsentKey, ConsentValue> consents,
        ArrayMap<ConsentKey, ConsentValue> profileConsents,
        ArrayMap<AddressConsentKey, ConsentValue> addressConsents,
        ArrayMap<String, OrderEntry> orders, ArrayMap<String, AggregateState> computed,
        @Nullable Restriction restriction) {
      this.consents = consents;
      this.profileConsents = profileConsents;
      this.addressConsents = addressConsents;
      this.orders = orders;
      this.computed = computed;
      this.restriction = restriction;
    }

    static Rare of(ArrayMap<ConsentKey, ConsentValue> consents,
        ArrayMap<ConsentKey, ConsentValue> profileConsents,
        ArrayMap<AddressConsentKey, ConsentValue> addressConsents,
        ArrayMap<String, OrderEntry> orders, ArrayMap<String, AggregateState> computed,
        @Nullable Restriction restriction) {
      // consents is derived from the two registers: empty when they are
      if (profileConsents.isEmpty() && addressConsents.isEmpty() && orders.isEmpty()
          && computed.isEmpty() && restriction == null) {
        return NONE;
      }
      return new Rare(consents, profileConsents, addressConsents, orders, computed, restriction);
    }

    /** The join of the two states' parts (see {@link ProfileState#join}). */
    Rare join(Rare o) {
      if (o == NONE) {
        return this;
      }
      if (this == NONE) {
        return o;
      }
      return new Rare(consents.union(o.consents, ConsentValue::latest),
          profileConsents.union(o.profileConsents, ConsentValue::latest),
          addressConsents.union(o.addressConsents, ConsentValue::latest),
          orders.union(o.orders, OrderEntry::join),
          computed.union(o.computed, AggregateState::join),
          Restriction.join(restriction, o.restriction));
    }
  }

  private ProfileState(ArrayMap<String, TraitValue> traits, @Nullable Instant firstSeen,
      @Nullable Instant lastSeen, ArrayMap<String, Tally> channels, ArrayMap<String, Tally> stores,
      ArrayMap<String, Long> eventCounts, Rare rare) {
    this.traits = traits;
    this.firstSeen = firstSeen;
    this.lastSeen = lastSeen;
    this.channels = channels;
    this.stores = stores;
    this.eventCounts = eventCounts;
    this.rare = rare;
  }

  private ProfileState(ArrayMap<String, TraitValue> traits,
      ArrayMap<ConsentKey, ConsentValue> consents,
      ArrayMap<ConsentKey, ConsentValue> profileConsents,
      ArrayMap<AddressConsentKey, ConsentValue> addressConsents, @Nullable Instant firstSeen,
      @Nullable Instant lastSeen, ArrayMap<String, Tally> channels,
      ArrayMap<String, Tally> stores, ArrayMap<String, OrderEntry> orders,
      ArrayMap<String, Long> eventCounts, ArrayMap<String, AggregateState> computed,
      @Nullable Restriction restriction) {
    this(traits, firstSeen, lastSeen, channels, stores, eventCounts,
        Rare.of(consents, profileConsents, addressConsents, orders, computed, restriction));
  }

  /**
   * A state from its parts (stores that persist states rebuild them with this).
   *
   * @param traits trait registers by trait name
   * @param consents profile-level consent registers by (purpose, channel) (address-level ones:
   *     {@link #withAddressConsents})
   * @param firstSeen time of the earliest event
   * @param lastSeen time of the latest event
   * @param channels activity per channel
   * @param stores activity per store
   * @param orders orders by order id
   * @param eventCounts events per event name ({@code track} name, or {@code identify},
   *     {@code page}, ... for the other types)
   */
  public static ProfileState of(Map<String, TraitValue> traits,
      Map<ConsentKey, ConsentValue> consents, @Nullable Instant firstSeen,
      @Nullable Instant lastSeen, Map<String, Tally> channels, Map<String, Tally> stores,
      Map<String, OrderEntry> orders, Map<String, Long> eventCounts) {
    return of(traits, consents, firstSeen, lastSeen, channels, stores, orders, eventCounts,
        Map.of());
  }

  /**
   * A state from its parts, with the states of computed traits by trait name (see
   * {@link io.cdpkit.core.traits.ComputedTrait}).
   */
  public static ProfileState of(Map<String, TraitValue> traits,
      Map<ConsentKey, ConsentValue> consents, @Nullable Instant firstSeen,
      @Nullable Instant lastSeen, Map<String, Tally> channels, Map<String, Tally> stores,
      Map<String, OrderEntry> orders, Map<String, Long> eventCounts,
      Map<String, AggregateState> computed) {
    if ((firstSeen == null) != (lastSeen == null)) {
      throw new IllegalArgumentException("firstSeen and lastSeen must both be set or both absent");
    }
    ArrayMap<ConsentKey, ConsentValue> c = ArrayMap.copyOf(consents);
    return new ProfileState(ArrayMap.copyOf(traits), c, c, ArrayMap.of(), firstSeen,
        lastSeen, ArrayMap.copyOf(channels), ArrayMap.copyOf(stores), ArrayMap.copyOf(orders),
        ArrayMap.copyOf(eventCounts), ArrayMap.copyOf(computed), null);
  }

  /**
   * This state with the address-level consent registers replaced (see
   * {@link #addressConsents()}); {@link #consents()} follows.
   */
  public ProfileState withAddressConsents(Map<AddressConsentKey, ConsentValue> addressConsents) {
    ArrayMap<AddressConsentKey, ConsentValue> a = ArrayMap.copyOf(addressConsents);
    ArrayMap<ConsentKey, ConsentValue> all = rare.profileConsents;
    if (!a.isEmpty()) {
      java.util.HashMap<ConsentKey, ConsentValue> m =
          new java.util.HashMap<>(rare.profileConsents);
      a.forEach((k, v) -> m.merge(k.key(), v, ConsentValue::latest));
      all = ArrayMap.copyOf(m);
    }
    return new ProfileState(traits, all, rare.profileConsents, a, firstSeen, lastSeen, channels,
        stores, rare.orders, eventCounts, rare.computed, rare.restriction);
  }

  /** This state with the computed-trait states replaced. */
  public ProfileState withComputed(Map<String, AggregateState> computed) {
    Rare r = rare;
    return new ProfileState(traits, r.consents, r.profileConsents, r.addressConsents, firstSeen,
        lastSeen, channels, stores, r.orders, eventCounts, ArrayMap.copyOf(computed),
        r.restriction);
  }

  /**
   * This state with the orders replaced (by order id): for a store that keeps a profile's orders
   * apart from the rest of it and puts them back when it reads the profile.
   */
  public ProfileState withOrders(Map<String, OrderEntry> orders) {
    Rare r = rare;
    return new ProfileState(traits, r.consents, r.profileConsents, r.addressConsents, firstSeen,
        lastSeen, channels, stores, ArrayMap.copyOf(orders), eventCounts, r.computed,
        r.restriction);
  }

  /** This state with the restriction register replaced ({@code null}: never restricted). */
  public ProfileState withRestriction(@Nullable Restriction restriction) {
    Rare r = rare;
    return new ProfileState(traits, r.consents, r.profileConsents, r.addressConsents, firstSeen,
        lastSeen, channels, stores, r.orders, eventCounts, r.computed, restriction);
  }

  /** The least upper bound of two states (see the class description). */
  public ProfileState join(ProfileState o) {
    if (o == EMPTY) {
      return this;
    }
    if (this == EMPTY) {
      return o;
    }
    return new ProfileState(
        traits.union(o.traits, (a, b) -> TraitValue.ORDER.compare(a, b) >= 0 ? a : b),
        min(firstSeen, o.firstSeen),
        max(lastSeen, o.lastSeen),
        channels.union(o.channels, Tally::plus),
        stores.union(o.stores, Tally::plus),
        eventCounts.union(o.eventCounts, Long::sum),
        rare.join(o.rare));
  }

  private static @Nullable Instant min(@Nullable Instant a, @Nullable Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  private static @Nullable Instant max(@Nullable Instant a, @Nullable Instant b) {
    return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
  }

  public Map<String, TraitValue> traits() {
    return traits;
  }

  /**
   * The latest consent decision per (purpose, channel), whichever address it was given for or
   * none: the profile-level view ("what did this profile last say about e-mail marketing").
   * The activation gate does not send on it alone; see {@link #consentFor}.
   */
  public Map<ConsentKey, ConsentValue> consents() {
    return rare.consents;
  }

  /** The profile-level registers: decisions whose event named no address of their kind. */
  public Map<ConsentKey, ConsentValue> profileConsents() {
    return rare.profileConsents;
  }

  /**
   * The address-level registers: decisions bound to the addresses of their kind the deciding
   * event named (see {@link ConsentAddresses}), per (purpose, channel, address).
   */
  public Map<AddressConsentKey, ConsentValue> addressConsents() {
    return rare.addressConsents;
  }

  /**
   * The decision that governs a message for {@code key} to {@code address}:
   * <ol>
   *   <li>The address has a register of its own, and it is a denial: that denial, whatever
   *       profile-level decisions say. A withdrawal given for an address is never overtaken by
   *       a grant given for another address or without one (a shared device, a merge).
   *   <li>The address has a register of its own, a grant: the later of it and the
   *       profile-level register (a later profile-level denial closes the address; a later
   *       profile-level grant may renew it).
   *   <li>The address has no register: the profile-level register (absent: none).
   * </ol>
   * So a grant opens only the address it was given for, or, when it named none, the addresses
   * nobody denied. Whether the result allows a message at an instant is
   * {@link ConsentValue#statusAt}.
   *
   * @return the governing decision, or {@code null} when none applies
   */
  public @Nullable ConsentValue consentFor(ConsentKey key, Identifier address) {
    ArrayMap<AddressConsentKey, ConsentValue> addressConsents = rare.addressConsents;
    ConsentValue a = addressConsents.isEmpty() ? null
        : addressConsents.get(AddressConsentKey.of(key, address));
    ConsentValue p = rare.profileConsents.get(key);
    if (a == null) {
      return p;
    }
    if (!a.granted() || p == null) {
      return a;
    }
    return ConsentValue.latest(a, p);
  }

  public @Nullable Instant firstSeen() {
    return firstSeen;
  }

  public @Nullable Instant lastSeen() {
    return lastSeen;
  }

  public Map<String, Tally> channels() {
    return channels;
  }

  public Map<String, Tally> stores() {
    return stores;
  }

  public Map<String, OrderEntry> orders() {
    return rare.orders;
  }

  /**
   * The completed orders that count ({@link OrderEntry#counts()}: one per order id, none
   * refunded in full), in no particular order: what {@code Profile.orderCount()}, the retail
   * pack and the favourites count. Computed once per state.
   */
  public List<Order> countedOrders() {
    Rare r = rare;
    List<Order> c = r.countedOrders;
    if (c == null) {
      List<Order> out = new java.util.ArrayList<>(r.orders.size());
      for (OrderEntry e : r.orders.values()) {
        if (e.counts()) {
          out.add(e.completion());
        }
      }
      c = List.copyOf(out);
      r.countedOrders = c;
    }
    return c;
  }

  public Map<String, Long> eventCounts() {
    return eventCounts;
  }

  /** The restriction register; {@code null} when processing was never restricted. */
  public @Nullable Restriction restriction() {
    return rare.restriction;
  }

  /** Whether processing is restricted (the latest restriction was not lifted). */
  public boolean restricted() {
    Restriction r = rare.restriction;
    return r != null && r.restricted();
  }

  /** States of computed traits by trait name; a trait no event contributed to is absent. */
  public Map<String, AggregateState> computed() {
    return rare.computed;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProfileState s && traits.equals(s.traits)
        && rare.profileConsents.equals(s.rare.profileConsents)
        && rare.addressConsents.equals(s.rare.addressConsents)
        && Objects.equals(firstSeen, s.firstSeen) && Objects.equals(lastSeen, s.lastSeen)
        && channels.equals(s.channels) && stores.equals(s.stores)
        && rare.orders.equals(s.rare.orders) && eventCounts.equals(s.eventCounts)
        && rare.computed.equals(s.rare.computed)
        && Objects.equals(rare.restriction, s.rare.restriction);
  }

  @Override
  public int hashCode() {
    Rare r = rare;
    return Objects.hash(traits, r.profileConsents, r.addressConsents, firstSeen, lastSeen,
        channels, stores, r.orders, eventCounts, r.computed, r.restriction);
  }

  /** Sizes only: a state holds personal data. */
  @Override
  public String toString() {
    Rare r = rare;
    return "ProfileState[traits=" + traits.size() + ", consents=" + r.consents.size()
        + (r.addressConsents.isEmpty() ? "" : ", addressConsents=" + r.addressConsents.size())
        + ", orders=" + r.orders.size() + ", events=" + eventCounts.values().stream()
            .mapToLong(Long::longValue).sum() + ", computed=" + r.computed.size()
        + (restricted() ? ", restricted" : "") + "]";
  }
}
