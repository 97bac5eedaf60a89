package io.cdpkit.core.traits;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A ready set of computed traits for web and app behaviour: visits (sessions), average session
 * duration, pages per visit, bounce rate, first- and last-touch source, device, recent search
 * terms and most viewed pages, kept up to date as events arrive and readable by segment
 * conditions like any computed trait.
 *
 * <pre>{@code
 * try (Cdp cdp = Cdp.builder().computedTraits(WebTraits.all()).build()) {
 *   cdp.ingest(Event.page("Home").messageId("m-1").anonymousId("a-1")
 *       .context(EventContext.builder().channel("web").userAgent(ua)
 *           .campaign(Map.of("source", "newsletter", "medium", "email")).build())
 *       .build());
 *   Profile p = cdp.profiles().find(Identifier.anonymousId("a-1")).orElseThrow();
 *   p.computedTrait(WebTraits.FIRST_TOUCH_SOURCE);   // Optional[newsletter]
 * }
 * ComputedTraits web = WebTraits.builder().sessionTimeout(Duration.ofMinutes(20)).build();
 * }</pre>
 *
 * <h2>Sessions</h2>
 *
 * <p>Sessions are built from the profile's <em>web events</em>: events (but {@code alias}) whose
 * channel is a web channel (default {@code web}, {@code app}), where an event without a channel
 * that carries a user agent or {@code context.page} counts as {@code web}, and one that carries
 * {@code context.app} or {@code context.os} as {@code app} ({@code $client_channel} in
 * {@link PropertyPath}); server-side events without a channel make no session. Page and screen
 * events among them are <em>views</em>. Sessions are a pure function of the set of web events, so any ingestion
 * order, any split over nodes and any merge give the same sessions:
 *
 * <ul>
 *   <li>Events that carry an SDK session id ({@code context.sessionId}, else
 *       {@code properties.session_id}; see {@link PropertyPath}) form one session per distinct
 *       id, from the earliest to the latest of its events, however far apart they are.
 *   <li>Events without one are ordered by event time; a new session starts at an event whose
 *       time is at least the timeout (default 30 minutes) after the previous event's; a shorter
 *       gap, or the same instant, continues the session. So a late event that lands within the
 *       timeout of two sessions that were apart joins them into one, exactly as a recomputation
 *       would.
 *   <li>The event time is {@link io.cdpkit.core.model.Event#eventTime()}: an event sent without
 *       any time is dated by its receipt, which is stored with it, so the sessions stay a
 *       function of the stored events.
 *   <li>A session's duration is from its first to its last event (0 for one event).
 * </ul>
 *
 * <p>Limit: the state keeps the latest {@value Partial.Timeline#MAX_HITS} distinct (event time,
 * session id) pairs of the profile's web events ({@link Partial.Timeline}); older ones are left
 * out of every session figure, and the oldest session kept may have lost its first events. A
 * visitor past that limit (more than a thousand web events at distinct instants) is described by
 * their recent behaviour.
 *
 * <h2>The traits</h2>
 *
 * <table>
 *   <caption>The traits of the pack</caption>
 *   <tr><th>Name</th><th>Type</th><th>Meaning</th></tr>
 *   <tr><td>{@code visits}</td><td>{@code Long}</td><td>Sessions; 0 without web events.</td></tr>
 *   <tr><td>{@code avg_session_seconds}</td><td>{@code BigDecimal}</td>
 *     <td>Mean session duration in seconds, 2 decimals (half-even); absent without sessions.</td></tr>
 *   <tr><td>{@code pages_per_visit}</td><td>{@code BigDecimal}</td>
 *     <td>Views divided by sessions, 2 decimals; absent without sessions.</td></tr>
 *   <tr><td>{@code bounce_rate}</td><td>{@code BigDecimal}</td>
 *     <td>Sessions with exactly one view divided by all sessions, 0 to 1 with 4 decimals
 *     (sessions without views count in the divisor only); absent without sessions.</td></tr>
 *   <tr><td>{@code first_touch_source}, {@code _medium}, {@code _campaign}</td>
 *     <td>{@code String}</td><td>The touch ({@code $touch_source}, ... in {@link PropertyPath})
 *     of the earliest event that has one: the UTM source, medium and campaign (from
 *     {@code context.campaign}, else the page URL's query), or the referrer's host with medium
 *     {@code referral} when it is another site; events without one (direct visits, links within
 *     the site) are passed over. Ties: event time, then messageId. Any event but {@code alias}
 *     counts, whatever its channel.</td></tr>
 *   <tr><td>{@code last_touch_source}, {@code _medium}, {@code _campaign}</td>
 *     <td>{@code String}</td><td>The same for the latest event with a touch.</td></tr>
 *   <tr><td>{@code device_type}, {@code os}, {@code browser}</td><td>{@code String}</td>
 *     <td>Of the latest event with a user agent ({@code context.userAgent}), or for app events
 *     without one {@code context.os.name} (device type {@code mobile}, or {@code tablet} when
 *     {@code context.device} names an iPad or tablet; browser {@code App}). The device type is
 *     {@code desktop}, {@code mobile}, {@code tablet}, {@code bot} or {@code other}; OS and
 *     browser are ua-parser families ({@code Mac OS X}, {@code iOS}; {@code Chrome},
 *     {@code Mobile Safari}). With {@code com.github.ua-parser:uap-java} on the class path (an
 *     optional dependency of cdp-core) it reads them; without it a small built-in classifier
 *     knows the common families by the same names and says {@code Other} for the rest. Keep
 *     the same choice on every node. User agents are read up to their first 512 characters.
 *     </td></tr>
 *   <tr><td>{@code device_types}</td><td>{@code List}</td>
 *     <td>Every device type seen, sorted.</td></tr>
 *   <tr><td>{@code recent_search_terms}</td><td>{@code List}</td>
 *     <td>The distinct {@code query} values of {@code Products Searched} events, newest first
 *     (then the smaller), as sent (case matters), each cut to
 *     {@value Partial.Recent#MAX_VALUE_LENGTH} characters; at most
 *     {@value Partial.Recent#MAX_VALUES}: older ones are forgotten.</td></tr>
 *   <tr><td>{@code top_page}</td><td>{@code String}</td>
 *     <td>The page path ({@code $page_path}: a page event's path without query, or a screen
 *     event's name) viewed most often; ties to the one viewed last, then the smallest.</td></tr>
 *   <tr><td>{@code most_viewed_pages}</td><td>{@code List}</td>
 *     <td>Up to {@value #MAX_MOST_VIEWED_PAGES} page paths by views, most first, with the ties of
 *     {@code top_page}.</td></tr>
 * </table>
 *
 * <p>Size: besides the timeline, {@code top_page} keeps one entry per distinct page path viewed
 * (paths are cut to 200 characters); the rest are a few values per profile. Behind
 * {@code visits} and the other session traits lies the aggregation {@value #TIMELINE}
 * ({@link Aggregation#TIMELINE}), hidden from a profile's values.
 *
 * <p>Stateless. The traits it makes are immutable and thread-safe.
 */
public final class WebTraits {
  /** {@value}: see the class description. */
  public static final String VISITS = "visits";
  /** {@value}: see the class description. */
  public static final String AVG_SESSION_SECONDS = "avg_session_seconds";
  /** {@value}: see the class description. */
  public static final String PAGES_PER_VISIT = "pages_per_visit";
  /** {@value}: see the class description. */
  public static final String BOUNCE_RATE = "bounce_rate";
  /** {@value}: see the class description. */
  public static final String FIRST_TOUCH_SOURCE = "first_touch_source";
  /** {@value}: see the class description. */
  public static final String FIRST_TOUCH_MEDIUM = "first_touch_medium";
  /** {@value}: see the class description. */
  public static final String FIRST_TOUCH_CAMPAIGN = "first_touch_campaign";
  /** {@value}: see the class description. */
  public static final String LAST_TOUCH_SOURCE = "last_touch_source";
  /** {@value}: see the class description. */
  public static final String LAST_TOUCH_MEDIUM = "last_touch_medium";
  /** {@value}: see the class description. */
  public static final String LAST_TOUCH_CAMPAIGN = "last_touch_campaign";
  /** {@value}: see the class description. */
  public static final String DEVICE_TYPE = "device_type";
  /** {@value}: see the class description. */
  public static final String OS = "os";
  /** {@value}: see the class description. */
  public static final String BROWSER = "browser";
  /** {@value}: see the class description. */
  public static final String DEVICE_TYPES = "device_types";
  /** {@value}: see the class description. */
  public static final String RECENT_SEARCH_TERMS = "recent_search_terms";
  /** {@value}: see the class description. */
  public static final String TOP_PAGE = "top_page";
  /** {@value}: see the class description. */
  public static final String MOST_VIEWED_PAGES = "most_viewed_pages";
  /** {@value}: the hidden aggregation behind the session traits. */
  public static final String TIMELINE = "_web_timeline";

  /** Default inactivity timeout: 30 minutes. */
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(30);
  /** Shortest timeout. */
  public static final Duration MIN_SESSION_TIMEOUT = Duration.ofSeconds(1);
  /** Longest timeout. */
  public static final Duration MAX_SESSION_TIMEOUT = Duration.ofDays(1);
  /** Default web channels: {@code web}, {@code app}. */
  public static final Set<String> DEFAULT_WEB_CHANNELS = Set.of("web", "app");
  /** Default search event: {@value}. */
  public static final String DEFAULT_SEARCH_EVENT = "Products Searched";
  /** Default search property: {@value}. */
  public static final String DEFAULT_SEARCH_PROPERTY = "query";
  /** Most pages in {@code most_viewed_pages}: {@value}. */
  public static final int MAX_MOST_VIEWED_PAGES = 10;

  private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

  private WebTraits() {}

  /** Every trait of the pack with the defaults. */
  public static ComputedTraits all() {
    return builder().build();
  }

  /** A builder for the pack with other settings. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * One session: its first and last event time, its events and views.
   *
   * @param start the first event's time
   * @param end the last event's time
   * @param events events in it
   * @param views page and screen events in it
   */
  record Session(Instant start, Instant end, long events, long views) {}

  /**
   * The sessions of a timeline (see the class description), those with an SDK session id
   * first, by id, then the others by time.
   */
  static List<Session> sessions(Partial.Timeline timeline, Duration timeout) {
    Map<String, Session> byId = new java.util.TreeMap<>();
    List<Session> out = new ArrayList<>();
    Session cur = null;
    for (Partial.Hit h : timeline.hits()) {
      if (!h.session().isEmpty()) {
        byId.merge(h.session(), new Session(h.time(), h.time(), h.events(), h.views()),
            (a, b) -> new Session(a.start().isBefore(b.start()) ? a.start() : b.start(),
                a.end().isAfter(b.end()) ? a.end() : b.end(), a.events() + b.events(),
                a.views() + b.views()));
        continue;
      }
      if (cur != null && Duration.between(cur.end(), h.time()).compareTo(timeout) < 0) {
        cur = new Session(cur.start(), h.time(), cur.events() + h.events(),
            cur.views() + h.views());
      } else {
        if (cur != null) {
          out.add(cur);
        }
        cur = new Session(h.time(), h.time(), h.events(), h.views());
      }
    }
    if (cur != null) {
      out.add(cur);
    }
    List<Session> all = new ArrayList<>(byId.values());
    all.addAll(out);
    return all;
  }

  /**
   * Configures the pack. Each setting may be made once; a second call, or a value that cannot
   * be used, fails at once and says why. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable Duration timeout;
    private @Nullable Set<String> webChannels;
    private @Nullable Set<String> searchEvents;
    private @Nullable String searchProperty;

    private Builder() {}

    /**
     * The inactivity that ends a session of events without an SDK session id; default 30
     * minutes.
     *
     * @throws IllegalArgumentException when shorter than a second or longer than a day
     * @throws IllegalStateException when already set
     */
    public Builder sessionTimeout(Duration timeout) {
      if (this.timeout != null) {
        throw new IllegalStateException("session timeout was already set to " + this.timeout);
      }
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(MIN_SESSION_TIMEOUT) < 0
          || timeout.compareTo(MAX_SESSION_TIMEOUT) > 0) {
        throw new IllegalArgumentException("session timeout must be from " + MIN_SESSION_TIMEOUT
            + " to " + MAX_SESSION_TIMEOUT + ", was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * The channels whose events make sessions; default {@code web}, {@code app}. Channels are
     * stored lower-case; these are lower-cased to match.
     *
     * @throws IllegalArgumentException when there are none or one is blank
     * @throws IllegalStateException when already set
     */
    public Builder webChannels(String... channels) {
      if (webChannels != null) {
        throw new IllegalStateException("web channels were already set to " + webChannels);
      }
      webChannels = names("web channels", channels, true);
      return this;
    }

    /**
     * The events that are searches; default {@value WebTraits#DEFAULT_SEARCH_EVENT}.
     *
     * @throws IllegalArgumentException when there are none or one is blank
     * @throws IllegalStateException when already set
     */
    public Builder searchEvents(String... names) {
      if (searchEvents != null) {
        throw new IllegalStateException("search events were already set to " + searchEvents);
      }
      searchEvents = names("search events", names, false);
      return this;
    }

    /**
     * The property path of a search's terms; default
     * {@value WebTraits#DEFAULT_SEARCH_PROPERTY}.
     *
     * @throws IllegalArgumentException when the path is not valid ({@link PropertyPath#parse})
     * @throws IllegalStateException when already set
     */
    public Builder searchProperty(String path) {
      if (searchProperty != null) {
        throw new IllegalStateException("search property was already set to " + searchProperty);
      }
      PropertyPath.parse(path);
      searchProperty = path;
      return this;
    }

    /** The pack. */
    public ComputedTraits build() {
      Duration t = timeout != null ? timeout : DEFAULT_SESSION_TIMEOUT;
      Set<String> channels = webChannels != null ? webChannels : DEFAULT_WEB_CHANNELS;
      Set<String> search = searchEvents != null ? searchEvents : Set.of(DEFAULT_SEARCH_EVENT);
      String query = searchProperty != null ? searchProperty : DEFAULT_SEARCH_PROPERTY;

      EventFilter web = EventFilter.ANY.and(PropertyCondition.of("$client_channel", Operator.IN,
          List.copyOf(new java.util.TreeSet<>(channels))));
      EventFilter views = EventFilter.named("page", "screen");
      List<ComputedTrait> aggregates = new ArrayList<>(List.of(
          ComputedTrait.builder(TIMELINE, Aggregation.TIMELINE).filter(web)
              .property("$session_id").build(),
          ComputedTrait.builder(DEVICE_TYPE, Aggregation.LAST).property("$device_type").build(),
          ComputedTrait.builder(OS, Aggregation.LAST).property("$os").build(),
          ComputedTrait.builder(BROWSER, Aggregation.LAST).property("$browser").build(),
          ComputedTrait.builder(DEVICE_TYPES, Aggregation.UNIQUE_LIST).property("$device_type")
              .build(),
          ComputedTrait.builder(RECENT_SEARCH_TERMS, Aggregation.RECENT)
              .filter(new EventFilter(search, List.of())).property(query).build(),
          ComputedTrait.builder(TOP_PAGE, Aggregation.MOST_FREQUENT).filter(views)
              .property("$page_path").build()));
      for (String k : List.of("source", "medium", "campaign")) {
        aggregates.add(ComputedTrait.builder("first_touch_" + k, Aggregation.FIRST)
            .property("$touch_" + k).build());
        aggregates.add(ComputedTrait.builder("last_touch_" + k, Aggregation.LAST)
            .property("$touch_" + k).build());
      }
      List<DerivedTrait> derived = List.of(
          new SessionTrait(VISITS, t),
          new SessionTrait(AVG_SESSION_SECONDS, t),
          new SessionTrait(PAGES_PER_VISIT, t),
          new SessionTrait(BOUNCE_RATE, t),
          new MostViewedPages());
      return ComputedTraits.of(aggregates, derived);
    }

    private static Set<String> names(String what, String[] names, boolean lower) {
      if (names.length == 0) {
        throw new IllegalArgumentException(what + " must name at least one");
      }
      Set<String> out = new LinkedHashSet<>();
      for (String n : names) {
        if (n == null || n.isBlank()) {
          throw new IllegalArgumentException(what + " must not be blank");
        }
        out.add(lower ? n.strip().toLowerCase(Locale.ROOT) : n);
      }
      return Set.copyOf(out);
    }
  }

  /** One of the session figures, from the timeline. */
  private static final class SessionTrait implements DerivedTrait {
    private final String name;
    private final Duration timeout;

    SessionTrait(String name, Duration timeout) {
      this.name = name;
      this.timeout = timeout;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Set<String> inputs() {
      return Set.of(TIMELINE);
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      AggregateState s = ctx.state().computed().get(TIMELINE);
      List<Session> sessions = s != null && s.total() instanceof Partial.Timeline t
          ? sessions(t, timeout) : List.of();
      if (name.equals(VISITS)) {
        return Optional.of((long) sessions.size());
      }
      if (sessions.isEmpty()) {
        return Optional.empty();
      }
      BigDecimal n = BigDecimal.valueOf(sessions.size());
      switch (name) {
        case AVG_SESSION_SECONDS: {
          BigInteger nanos = BigInteger.ZERO;
          for (Session x : sessions) {
            Duration d = Duration.between(x.start(), x.end());
            nanos = nanos.add(BigInteger.valueOf(d.getSeconds()).multiply(NANOS_PER_SECOND)
                .add(BigInteger.valueOf(d.getNano())));
          }
          return Optional.of(new BigDecimal(nanos).divide(
              new BigDecimal(NANOS_PER_SECOND).multiply(n), 2, RoundingMode.HALF_EVEN));
        }
        case PAGES_PER_VISIT: {
          long views = 0;
          for (Session x : sessions) {
            views += x.views();
          }
          return Optional.of(BigDecimal.valueOf(views).divide(n, 2, RoundingMode.HALF_EVEN));
        }
        default: {
          long bounces = sessions.stream().filter(x -> x.views() == 1).count();
          return Optional.of(BigDecimal.valueOf(bounces).divide(n, 4, RoundingMode.HALF_EVEN));
        }
      }
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

  /** {@code most_viewed_pages}, from the tally of {@code top_page}. */
  private static final class MostViewedPages implements DerivedTrait {
    @Override
    public String name() {
      return MOST_VIEWED_PAGES;
    }

    @Override
    public Set<String> inputs() {
      return Set.of(TOP_PAGE);
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      AggregateState s = ctx.state().computed().get(TOP_PAGE);
      Map<Object, Partial.Seen> m = s != null && s.total() instanceof Partial.Tally t
          ? t.values() : Map.of();
      List<Map.Entry<Object, Partial.Seen>> l = new ArrayList<>(m.entrySet());
      l.sort((a, b) -> {
        int c = Long.compare(b.getValue().count(), a.getValue().count());
        c = c != 0 ? c : b.getValue().last().compareTo(a.getValue().last());
        return c != 0 ? c : Values.ORDER.compare(a.getKey(), b.getKey());
      });
      List<Object> out = new ArrayList<>();
      for (Map.Entry<Object, Partial.Seen> e : l.subList(0, Math.min(MAX_MOST_VIEWED_PAGES,
          l.size()))) {
        out.add(e.getKey());
      }
      return Optional.of(List.copyOf(out));
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      return Optional.empty();
    }

    @Override
    public String toString() {
      return "DerivedTrait[" + MOST_VIEWED_PAGES + "]";
    }
  }
}
