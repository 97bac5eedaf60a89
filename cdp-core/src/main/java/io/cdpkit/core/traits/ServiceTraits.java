package io.cdpkit.core.traits;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A ready set of computed traits for customer service: the person's open contacts (tickets,
 * calls, chats, visits to the service desk), their last contact, and how many contacts they had
 * lately, kept up to date as contact events arrive, whichever channel they came from.
 *
 * <pre>{@code
 * try (Cdp cdp = Cdp.builder().computedTraits(ServiceTraits.all()).build()) {
 *   cdp.ingest(Event.track("Service Contact").messageId("zd-81-1").userId("C-1001")
 *       .property("contact_id", "ZD-81").property("status", "open")
 *       .property("channel", "phone").property("reason", "delivery")
 *       .property("priority", "high").build());
 *   Profile p = cdp.profiles().find(Identifier.customerId("C-1001")).orElseThrow();
 *   p.computedTrait(ServiceTraits.OPEN_CONTACTS);   // Optional[1]
 * }
 * }</pre>
 *
 * <h2>Contact events</h2>
 *
 * <p>A <em>contact event</em> (default {@value #DEFAULT_CONTACT_EVENT}; a helpdesk sends one
 * whenever a contact is opened or changes) is a {@code track} with these properties:
 *
 * <table>
 *   <caption>Properties of a contact event</caption>
 *   <tr><th>Property</th><th>Meaning</th></tr>
 *   <tr><td>{@code contact_id}</td><td>The contact (ticket) id, a string. Without it the event
 *     counts for the last contact but opens or closes nothing.</td></tr>
 *   <tr><td>{@code status}</td><td>The contact's status after this event: {@code solved} or
 *     {@code closed} (any case) close it; any other value ({@code new}, {@code open},
 *     {@code pending}, {@code hold}, ..., also a number) and a missing status leave it
 *     open. Case and white space around the word do not count.</td></tr>
 *   <tr><td>{@code channel}</td><td>Where the person reached out: {@code phone}, {@code email},
 *     {@code chat}, {@code store}, ... (free text).</td></tr>
 *   <tr><td>{@code reason}</td><td>Why: {@code delivery}, {@code return}, {@code complaint},
 *     ... (free text).</td></tr>
 *   <tr><td>{@code priority}</td><td>{@code low}, {@code normal}, {@code high} or
 *     {@code urgent} (any case).</td></tr>
 * </table>
 *
 * <h2>The traits</h2>
 *
 * <table>
 *   <caption>The traits of the pack</caption>
 *   <tr><th>Name</th><th>Type</th><th>Meaning</th></tr>
 *   <tr><td>{@code open_contacts}</td><td>{@code Long}</td>
 *     <td>Contacts whose latest event leaves them open: a contact is open when its latest event
 *     with an open status (or none) is later than its latest event with a closed status; on
 *     an exact tie of time it is closed. 0 without.</td></tr>
 *   <tr><td>{@code open_contact_ids}</td><td>{@code List}</td>
 *     <td>The ids of the open contacts, sorted (as {@code UNIQUE_LIST} sorts).</td></tr>
 *   <tr><td>{@code open_urgent_contacts}</td><td>{@code Long}</td>
 *     <td>Open contacts that an event marked {@code high} or {@code urgent} at some point.</td>
 *   </tr>
 *   <tr><td>{@code last_contact_at}</td><td>{@code Instant}</td>
 *     <td>The time of the latest contact event; absent without.</td></tr>
 *   <tr><td>{@code last_contact_channel}, {@code last_contact_reason}</td>
 *     <td>{@code String}</td>
 *     <td>The {@code channel} and {@code reason} of the latest contact event that has one
 *     (event time, then messageId); absent without.</td></tr>
 *   <tr><td>{@code contacts_90d}</td><td>{@code Long}</td>
 *     <td>Distinct contact ids with an event in the last 90 UTC days ({@link Window}).</td></tr>
 * </table>
 *
 * <p>None of them depends on the order events arrive in: each is a function of the set of
 * contact events, joined from per-event contributions like every {@link ComputedTrait}, so
 * merges, unmerges and late events give what recomputation gives. Only {@code contacts_90d}
 * changes with time alone (when a day leaves the window). The pack also declares the three
 * tallies behind the open contacts ({@code service_contact_seen}, {@code service_closed_seen},
 * {@code service_urgent_seen}: per contact id, when it last had a contact event, one with a
 * closed status, one marking it urgent), which appear among a profile's computed traits too. A
 * contact is open when its latest contact event is later than its latest closing one: the
 * latest event with an open status (or none) is then that latest event.
 *
 * <p>Use the traits in segments ({@code computed open_contacts > 0}: "do not promote to people
 * waiting for an answer") and trigger on the events themselves, for a survey after a contact
 * is solved: {@code Trigger.event(EventFilter.named("Service Contact")
 * .and(PropertyCondition.of("status", Operator.IN, "solved", "closed")))}.
 *
 * <p>Size: the tallies keep one entry per contact id per profile (with a count and first and
 * last times); {@code contacts_90d} one entry per UTC day with contacts.
 *
 * <p>Stateless. The traits it makes are immutable and thread-safe.
 */
public final class ServiceTraits {
  /** {@value}: see the class description. */
  public static final String OPEN_CONTACTS = "open_contacts";
  /** {@value}: see the class description. */
  public static final String OPEN_CONTACT_IDS = "open_contact_ids";
  /** {@value}: see the class description. */
  public static final String OPEN_URGENT_CONTACTS = "open_urgent_contacts";
  /** {@value}: see the class description. */
  public static final String LAST_CONTACT_AT = "last_contact_at";
  /** {@value}: see the class description. */
  public static final String LAST_CONTACT_CHANNEL = "last_contact_channel";
  /** {@value}: see the class description. */
  public static final String LAST_CONTACT_REASON = "last_contact_reason";
  /** {@value}: see the class description. */
  public static final String CONTACTS_90D = "contacts_90d";
  /** {@value}: a tally of the pack, see the class description. */
  public static final String CONTACT_SEEN = "service_contact_seen";
  /** {@value}: a tally of the pack, see the class description. */
  public static final String CLOSED_SEEN = "service_closed_seen";
  /** {@value}: a tally of the pack, see the class description. */
  public static final String URGENT_SEEN = "service_urgent_seen";

  /** Default contact event: {@value}. */
  public static final String DEFAULT_CONTACT_EVENT = "Service Contact";

  // Statuses compare ignoring case and surrounding white space (see Regex for the syntax).
  private static final String SPACE = "[\\t-\\r\\x1C-\\x1F\\p{Z}]*";
  private static final String CLOSED = "^" + SPACE + "(?i:solved|closed)" + SPACE + "$";
  private static final String URGENT = "^" + SPACE + "(?i:high|urgent)" + SPACE + "$";

  private ServiceTraits() {}

  /** Every trait of the pack over the default contact event. */
  public static ComputedTraits all() {
    return of(DEFAULT_CONTACT_EVENT);
  }

  /**
   * Every trait of the pack over these contact events.
   *
   * @throws IllegalArgumentException when none is named or one is blank
   */
  public static ComputedTraits of(String... contactEvents) {
    if (contactEvents.length == 0) {
      throw new IllegalArgumentException("contact events must name at least one event");
    }
    Set<String> names = new LinkedHashSet<>();
    for (String n : contactEvents) {
      if (n == null || n.isBlank()) {
        throw new IllegalArgumentException("contact events must not be blank");
      }
      names.add(n);
    }
    EventFilter contacts = new EventFilter(names, List.of());
    List<ComputedTrait> aggregates = List.of(
        ComputedTrait.builder(CONTACT_SEEN, Aggregation.UNIQUE_LIST).filter(contacts)
            .property("contact_id").build(),
        ComputedTrait.builder(CLOSED_SEEN, Aggregation.UNIQUE_LIST).filter(contacts.and(
            PropertyCondition.of("status", Operator.REGEX, CLOSED)))
            .property("contact_id").build(),
        ComputedTrait.builder(URGENT_SEEN, Aggregation.UNIQUE_LIST).filter(contacts.and(
            PropertyCondition.of("priority", Operator.REGEX, URGENT)))
            .property("contact_id").build(),
        ComputedTrait.builder(LAST_CONTACT_AT, Aggregation.LAST).filter(contacts).build(),
        ComputedTrait.builder(LAST_CONTACT_CHANNEL, Aggregation.LAST).filter(contacts)
            .property("channel").build(),
        ComputedTrait.builder(LAST_CONTACT_REASON, Aggregation.LAST).filter(contacts)
            .property("reason").build(),
        ComputedTrait.builder(CONTACTS_90D, Aggregation.DISTINCT_COUNT).filter(contacts)
            .property("contact_id").window(Window.lastDays(90)).build());
    List<DerivedTrait> derived = List.of(
        new Open(OPEN_CONTACT_IDS, false, false),
        new Open(OPEN_CONTACTS, true, false),
        new Open(OPEN_URGENT_CONTACTS, true, true));
    return ComputedTraits.of(aggregates, derived);
  }

  /** The open contact ids (see the class description), sorted by {@link Values#ORDER}. */
  static List<Object> openContacts(TraitContext ctx) {
    Map<Object, Partial.Seen> closed = tally(ctx, CLOSED_SEEN);
    Set<Object> out = new TreeSet<>(Values.ORDER);
    for (Map.Entry<Object, Partial.Seen> e : tally(ctx, CONTACT_SEEN).entrySet()) {
      // the latest event is later than the latest closing one, so it does not close
      Partial.Seen c = closed.get(e.getKey());
      if (c == null || e.getValue().last().isAfter(c.last())) {
        out.add(e.getKey());
      }
    }
    return List.copyOf(out);
  }

  private static Map<Object, Partial.Seen> tally(TraitContext ctx, String trait) {
    AggregateState s = ctx.state().computed().get(trait);
    return s != null && s.total() instanceof Partial.Tally t ? t.values() : Map.of();
  }

  /** {@code open_contact_ids}, {@code open_contacts} and {@code open_urgent_contacts}. */
  private static final class Open implements DerivedTrait {
    private final String name;
    private final boolean count;
    private final boolean urgentOnly;

    Open(String name, boolean count, boolean urgentOnly) {
      this.name = name;
      this.count = count;
      this.urgentOnly = urgentOnly;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Set<String> inputs() {
      List<String> in = new ArrayList<>(Arrays.asList(CONTACT_SEEN, CLOSED_SEEN));
      if (urgentOnly) {
        in.add(URGENT_SEEN);
      }
      return Set.copyOf(in);
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      List<Object> open = openContacts(ctx);
      if (urgentOnly) {
        Map<Object, Partial.Seen> urgent = tally(ctx, URGENT_SEEN);
        open = open.stream().filter(urgent::containsKey).toList();
      }
      return Optional.of(count ? (Object) (long) open.size() : open);
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      return Optional.empty();
    }

    @Override
    public String toString() {
      return "DerivedTrait[" + name + "]";
    }
  }
}
