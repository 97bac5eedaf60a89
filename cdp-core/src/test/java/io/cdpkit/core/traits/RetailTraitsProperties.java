package io.cdpkit.core.traits;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.testing.TestEvents;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Laws of {@link RetailTraits}: every value equals a recomputation written here straight from the
 * events, in any arrival order; no value changes before the {@code nextChange} it reported, and
 * {@code churn_risk} and {@code rfm_recency} change exactly then; scores are monotone; and
 * {@link RfmThresholds#fromPopulation} picks nearest-rank quintile cut points.
 */
class RetailTraitsProperties {
  static final Instant BASE = Instant.parse("2025-01-01T00:00:00Z");
  /** The pack as a {@code Cdp} with the default order events holds it. */
  static final ComputedTraits PACK = ComputedTraits.of(RetailTraits.all().aggregates().stream()
      .map(t -> t.withOrderEvents(Set.of("Order Completed"))).toList(),
      RetailTraits.all().derived());
  static final RfmThresholds RFM = RfmThresholds.defaults();
  static final BigDecimal K = new BigDecimal("2.0");

  @Provide
  Arbitrary<List<Event>> stories() {
    Arbitrary<Map<String, Object>> product = Combinators.combine(
        Arbitraries.integers().between(0, 5), Arbitraries.of("shoes", "bags", "dresses"))
        .as((p, c) -> Map.of("product_id", "P" + p, "category", c));
    Arbitrary<Event> event = Combinators.combine(
        Arbitraries.integers().between(0, 6),                      // kind
        Arbitraries.integers().between(0, 600 * 24 * 60),          // minutes from BASE
        product.list().ofMaxSize(3),
        Arbitraries.of("web", "app", "pos", "email", "WEB").injectNull(0.2),
        Arbitraries.integers().between(0, 50_000),                 // total in cents
        Arbitraries.of("EUR", " eur", "USD").injectNull(0.2),
        Arbitraries.integers().between(0, 6),                      // viewed product, 6: none
        Arbitraries.integers().between(0, 4))                      // order id, 4: none
        .as(RetailTraitsProperties::event);
    return event.list().ofMinSize(0).ofMaxSize(25).map(TestEvents::withUniqueIds);
  }

  /**
   * Kinds: 0-1 an order (with order id {@code O<order>}, none for 4: the messageId is its id), 2-3
   * a product view, 4 a page, 5 a refund in full and 6 a partial refund of order
   * {@code O<min(order, 3)>}.
   */
  static Event event(int kind, int minutes, List<Map<String, Object>> products,
      String channel, int cents, String currency, int viewed, int order) {
    Instant t = BASE.plus(Duration.ofMinutes(minutes));
    Event.Builder b;
    if (kind <= 1) {
      b = Event.track("Order Completed").property("products", products)
          .property("total", BigDecimal.valueOf(cents, 2)).property("currency", currency);
      if (order < 4) {
        b.property("order_id", "O" + order);
      }
    } else if (kind >= 5) {
      b = Event.track("Order Refunded").property("order_id", "O" + Math.min(order, 3));
      if (kind == 6) {
        b.property("total", BigDecimal.valueOf(cents / 4, 2)).property("currency", currency);
      }
    } else if (kind <= 3) {
      b = Event.track("Product Viewed");
      if (viewed < 6) {
        b.property("product_id", "P" + viewed);
      }
    } else {
      b = Event.page("Home");
    }
    return b.userId("C-1").channel(channel).timestamp(t).messageId("tmp").build();
  }

  /**
   * The state of customer {@code userId} after a {@code Cdp} with the pack took the events in the
   * given order (the order values are read from the profile's orders, which the pipeline books).
   */
  static ProfileState fold(List<Event> events, String userId) {
    try (Cdp cdp = Cdp.builder().computedTraits(RetailTraits.all()).build()) {
      for (Event e : events) {
        cdp.ingest(e);
      }
      return cdp.profiles().find(Identifier.customerId(userId)).map(Profile::state)
          .orElse(ProfileState.EMPTY);
    }
  }

  static Instant now(int minutes) {
    return BASE.plus(Duration.ofMinutes(minutes));
  }

  @Property(tries = 300)
  void valuesEqualARecomputationFromTheEvents(@ForAll("stories") List<Event> events,
      @ForAll @IntRange(min = -10 * 24 * 60, max = 1000 * 24 * 60) int nowMinutes,
      @ForAll Random random) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, random);
    ProfileState state = fold(shuffled, "C-1");
    Instant now = now(nowMinutes);
    Map<String, Object> values = PACK.values(state, now);
    Map<String, Object> expected = oracle(events, now);
    for (Map.Entry<String, Object> e : expected.entrySet()) {
      assertThat(Optional.ofNullable(values.get(e.getKey()))).as(e.getKey())
          .isEqualTo(Optional.ofNullable(e.getValue()));
    }
  }

  /** An order as the oracle books it: its latest completion, net of refunds. */
  record Booked(Instant time, String channel, String currency, long netCents) {}

  /**
   * The orders that count, recomputed here: one per order id (else the messageId), the
   * completion latest by time then messageId, left out when a refund has no amount or the refunds
   * in its currency reach its value; the rest net of those refunds.
   */
  static List<Booked> counted(List<Event> events) {
    Map<String, Event> completion = new HashMap<>();
    Map<String, List<Event>> refunds = new HashMap<>();
    for (Event e : events) {
      if ("Order Completed".equals(e.name())) {
        String id = e.properties().get("order_id") instanceof String s ? s : e.messageId();
        completion.merge(id, e, (a, b) -> {
          int c = a.eventTime().compareTo(b.eventTime());
          c = c != 0 ? c : a.messageId().compareTo(b.messageId());
          return c >= 0 ? a : b;
        });
      } else if ("Order Refunded".equals(e.name())) {
        refunds.computeIfAbsent((String) e.properties().get("order_id"), k -> new ArrayList<>())
            .add(e);
      }
    }
    List<Booked> out = new ArrayList<>();
    for (Map.Entry<String, Event> c : completion.entrySet()) {
      Event o = c.getValue();
      String currency = currency(o);
      long value = cents(o);
      long refunded = 0;
      boolean whole = false;
      for (Event r : refunds.getOrDefault(c.getKey(), List.of())) {
        if (r.properties().get("total") == null) {
          whole = true;
        } else if (currency(r).equals(currency)) {
          refunded += cents(r);
        }
      }
      refunded = Math.min(value, refunded);
      if (!whole && (value <= 0 || refunded < value)) {
        out.add(new Booked(o.eventTime(), o.context().channel(), currency, value - refunded));
      }
    }
    return out;
  }

  static String currency(Event e) {
    return e.properties().get("currency") instanceof String s ? s.strip().toUpperCase(Locale.ROOT)
        : "EUR";
  }

  static long cents(Event e) {
    return ((BigDecimal) e.properties().get("total")).movePointRight(2).longValueExact();
  }

  /** The pack's values recomputed from the events directly (null: absent). */
  static Map<String, Object> oracle(List<Event> events, Instant now) {
    List<Event> orders = new ArrayList<>();
    Map<Object, Instant> firstView = new HashMap<>();
    Map<Object, Instant> firstOrder = new HashMap<>();
    for (Event e : events) {
      if ("Product Viewed".equals(e.name()) && e.properties().get("product_id") != null) {
        firstView.merge(e.properties().get("product_id"), e.eventTime(),
            RetailTraitsProperties::min);
      }
      if ("Order Completed".equals(e.name())) {
        orders.add(e);
        for (Map<?, ?> p : lines(e)) {
          firstOrder.merge(p.get("product_id"), e.eventTime(), RetailTraitsProperties::min);
        }
      }
    }
    long today = RetailTraits.epochDay(now);
    Map<String, Object> out = new TreeMap<>();
    List<Booked> booked = counted(events);
    Instant first = booked.stream().map(Booked::time).min(Instant::compareTo).orElse(null);
    Instant last = booked.stream().map(Booked::time).max(Instant::compareTo).orElse(null);
    long n = booked.size();
    out.put(RetailTraits.FIRST_ORDER_AT, first);
    out.put(RetailTraits.LAST_ORDER_AT, last);
    out.put(RetailTraits.ORDERS_ALL_TIME, n);
    Long days = last == null ? null : Math.max(0, today - RetailTraits.epochDay(last));
    out.put(RetailTraits.DAYS_SINCE_LAST_ORDER, days);
    long in90 = booked.stream().filter(o -> RetailTraits.epochDay(o.time()) > today - 90)
        .count();
    long in365 = booked.stream().filter(o -> RetailTraits.epochDay(o.time()) > today - 365)
        .count();
    out.put(RetailTraits.ORDERS_90D, in90);
    out.put(RetailTraits.ORDERS_365D, in365);
    out.put(RetailTraits.ORDER_CHANNELS, booked.stream().map(Booked::channel)
        .filter(java.util.Objects::nonNull).distinct().sorted().toList());
    long spendCents = booked.stream().filter(o -> o.currency().equals("EUR")
        && RetailTraits.epochDay(o.time()) > today - 365).mapToLong(Booked::netCents).sum();
    BigDecimal spend = BigDecimal.valueOf(spendCents, 2);
    out.put("spend_365d_eur", spend);

    BigDecimal sum = BigDecimal.ZERO;
    int pairs = 0;
    for (Map.Entry<Object, Instant> v : firstView.entrySet()) {
      Instant o = firstOrder.get(v.getKey());
      if (o != null && !v.getValue().isAfter(o)) {
        Duration d = Duration.between(v.getValue(), o);
        sum = sum.add(BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)));
        pairs++;
      }
    }
    out.put(RetailTraits.AVG_DECISION_TIME_HOURS, pairs == 0 ? null
        : sum.divide(BigDecimal.valueOf(3600L * pairs), 2, RoundingMode.HALF_EVEN));

    Map<String, Long> count = new HashMap<>();
    Map<String, Instant> lastSeen = new HashMap<>();
    for (Event o : orders) {
      for (Map<?, ?> p : lines(o)) {
        String c = (String) p.get("category");
        count.merge(c, 1L, Long::sum);
        lastSeen.merge(c, o.eventTime(), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    out.put(RetailTraits.FAVOURITE_CATEGORY, count.keySet().stream().max((a, b) -> {
      int c = Long.compare(count.get(a), count.get(b));
      c = c != 0 ? c : lastSeen.get(a).compareTo(lastSeen.get(b));
      return c != 0 ? c : b.compareTo(a);
    }).orElse(null));

    boolean online = false;
    boolean offline = false;
    for (Booked o : booked) {
      String c = o.channel();
      if (c != null) {
        online |= List.of("web", "app").contains(c.toLowerCase(Locale.ROOT));
        offline |= c.toLowerCase(Locale.ROOT).equals("pos");
      }
    }
    out.put(RetailTraits.PREFERRED_CHANNEL,
        online && offline ? "both" : online ? "online" : offline ? "offline" : null);

    Boolean churn = null;
    if (n >= 2 && last.isAfter(first)) {
      // (now - last) * (n - 1) >= k * (last - first), in exact seconds.
      BigDecimal since = seconds(Duration.between(last, now)).multiply(BigDecimal.valueOf(n - 1));
      churn = since.compareTo(K.multiply(seconds(Duration.between(first, last)))) >= 0;
    }
    out.put(RetailTraits.CHURN_RISK, churn);

    if (last == null) {
      for (String name : List.of(RetailTraits.RFM_RECENCY, RetailTraits.RFM_FREQUENCY,
          RetailTraits.RFM_MONETARY, RetailTraits.RFM_SCORE)) {
        out.put(name, null);
      }
    } else {
      int r = 5 - below(RFM.recencyDays().stream().map(BigDecimal::valueOf).toList(),
          BigDecimal.valueOf(days));
      int f = 1 + below(RFM.frequency().stream().map(BigDecimal::valueOf).toList(),
          BigDecimal.valueOf(in365));
      int m = 1 + below(RFM.monetary(), spend);
      out.put(RetailTraits.RFM_RECENCY, r);
      out.put(RetailTraits.RFM_FREQUENCY, f);
      out.put(RetailTraits.RFM_MONETARY, m);
      out.put(RetailTraits.RFM_SCORE, "" + r + f + m);
    }
    return out;
  }

  static int below(List<BigDecimal> cuts, BigDecimal v) {
    return (int) cuts.stream().filter(c -> c.compareTo(v) < 0).count();
  }

  static BigDecimal seconds(Duration d) {
    return BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9));
  }

  static List<Map<?, ?>> lines(Event order) {
    List<Map<?, ?>> out = new ArrayList<>();
    if (order.properties().get("products") instanceof List<?> l) {
      for (Object p : l) {
        out.add((Map<?, ?>) p);
      }
    }
    return out;
  }

  static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  @Property(tries = 300)
  void noValueChangesBeforeItsNextChange(@ForAll("stories") List<Event> events,
      @ForAll @IntRange(min = -10 * 24 * 60, max = 1000 * 24 * 60) int nowMinutes,
      @ForAll Random random) {
    ProfileState state = fold(events, "C-1");
    Instant now = now(nowMinutes);
    Function<String, Optional<Object>> at = n -> PACK.value(n, state, now);
    List<String> names = new ArrayList<>();
    PACK.aggregates().forEach(t -> names.add(t.name()));
    PACK.derived().forEach(t -> names.add(t.name()));
    for (String name : names) {
      Optional<Object> value = at.apply(name);
      Optional<Instant> next = PACK.nextChange(name, state, now);
      Instant end = next.orElse(now.plus(Duration.ofDays(1200)));
      assertThat(end).as(name).isAfter(now);
      List<Instant> probes = new ArrayList<>(List.of(end.minusNanos(1)));
      long span = Duration.between(now, end).getSeconds();
      for (int i = 0; i < 8; i++) {
        probes.add(now.plusSeconds((long) (random.nextDouble() * span)));
      }
      for (Instant p : probes) {
        assertThat(PACK.value(name, state, p)).as("%s at %s, next change %s", name, p, next)
            .isEqualTo(value);
      }
    }
    // These two change exactly at their next change.
    for (String name : List.of(RetailTraits.CHURN_RISK, RetailTraits.RFM_RECENCY)) {
      Optional<Instant> next = PACK.nextChange(name, state, now);
      if (next.isPresent()) {
        assertThat(PACK.value(name, state, next.get())).as(name).isNotEqualTo(at.apply(name));
      }
    }
    Optional<Object> last = at.apply(RetailTraits.LAST_ORDER_AT);
    if (last.isPresent() && !((Instant) last.get()).isAfter(now)) {
      Instant next = PACK.nextChange(RetailTraits.DAYS_SINCE_LAST_ORDER, state, now)
          .orElseThrow();
      assertThat(PACK.value(RetailTraits.DAYS_SINCE_LAST_ORDER, state, next))
          .contains((Long) at.apply(RetailTraits.DAYS_SINCE_LAST_ORDER).orElseThrow() + 1);
    }
  }

  @Property(tries = 500)
  void scoresAreMonotoneAndInRange(@ForAll @Size(4) List<@IntRange(max = 400) Integer> cuts,
      @ForAll @IntRange(max = 500) int a, @ForAll @IntRange(max = 500) int b) {
    List<Long> sorted = cuts.stream().sorted().map(Integer::longValue).toList();
    RfmThresholds t = new RfmThresholds(sorted, sorted,
        sorted.stream().map(BigDecimal::valueOf).toList(), "EUR");
    int lo = Math.min(a, b);
    int hi = Math.max(a, b);
    assertThat(t.recencyScore(lo)).isBetween(1, 5).isGreaterThanOrEqualTo(t.recencyScore(hi));
    assertThat(t.frequencyScore(lo)).isBetween(1, 5).isLessThanOrEqualTo(t.frequencyScore(hi));
    assertThat(t.monetaryScore(BigDecimal.valueOf(a))).isEqualTo(t.frequencyScore(a));
    assertThat(t.recencyScore(a)).isEqualTo(6 - t.frequencyScore(a));
  }

  @Provide
  Arbitrary<List<List<Event>>> populations() {
    Arbitrary<Event> order = Combinators.combine(
        Arbitraries.integers().between(0, 600),          // days before NOW
        Arbitraries.integers().between(0, 5_000),        // total in cents
        Arbitraries.of("EUR", "USD"))
        .as((d, c, cur) -> Event.track("Order Completed").userId("C").messageId("tmp")
            .timestamp(POPULATION_NOW.minus(Duration.ofDays(d)).minusSeconds(c))
            .property("total", BigDecimal.valueOf(c, 2)).property("currency", cur).build());
    return order.list().ofMaxSize(6).map(TestEvents::withUniqueIds).list()
        .ofMinSize(1).ofMaxSize(40);
  }

  static final Instant POPULATION_NOW = Instant.parse("2026-07-01T12:00:00Z");

  @Property(tries = 200)
  void fromPopulationPicksNearestRankQuintiles(
      @ForAll("populations") List<List<Event>> customers) {
    List<Profile> profiles = new ArrayList<>();
    List<BigDecimal> recency = new ArrayList<>();
    List<BigDecimal> frequency = new ArrayList<>();
    List<BigDecimal> monetary = new ArrayList<>();
    for (int i = 0; i < customers.size(); i++) {
      List<Event> orders = customers.get(i);
      profiles.add(new Profile(ProfileId.of("p" + i), WorkspaceId.DEFAULT, List.of(),
          fold(orders, "C"), 1));
      if (orders.isEmpty()) {
        continue;
      }
      Map<String, Object> o = oracle(orders, POPULATION_NOW);
      recency.add(BigDecimal.valueOf((Long) o.get(RetailTraits.DAYS_SINCE_LAST_ORDER)));
      frequency.add(BigDecimal.valueOf((Long) o.get(RetailTraits.ORDERS_365D)));
      monetary.add((BigDecimal) o.get("spend_365d_eur"));
    }
    if (recency.isEmpty()) {
      return; // refused, as the unit test shows
    }
    RfmThresholds t = RfmThresholds.fromPopulation(profiles, POPULATION_NOW, "EUR");
    checkNearestRank(t.recencyDays().stream().map(BigDecimal::valueOf).toList(), recency);
    checkNearestRank(t.frequency().stream().map(BigDecimal::valueOf).toList(), frequency);
    checkNearestRank(t.monetary(), monetary);
  }

  /** Cut point q is a value of the population with count(< it) < q n / 5 <= count(<= it). */
  static void checkNearestRank(List<BigDecimal> cuts, List<BigDecimal> values) {
    int n = values.size();
    for (int q = 1; q <= 4; q++) {
      BigDecimal c = cuts.get(q - 1);
      long less = values.stream().filter(v -> v.compareTo(c) < 0).count();
      long atMost = values.stream().filter(v -> v.compareTo(c) <= 0).count();
      assertThat(values).anyMatch(v -> v.compareTo(c) == 0);
      assertThat(less * 5).as("values below cut %s of %s", q, values).isLessThan((long) q * n);
      assertThat(atMost * 5).as("values up to cut %s of %s", q, values)
          .isGreaterThanOrEqualTo((long) q * n);
    }
  }
}
