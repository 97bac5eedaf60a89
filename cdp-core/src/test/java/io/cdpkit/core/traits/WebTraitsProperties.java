package io.cdpkit.core.traits;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.testing.TestEvents;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Laws of {@link WebTraits}: every value equals a recomputation written here straight from the
 * events, in any arrival order; joining the states of any split of the events (a merge) equals
 * the state of all of them; a late event that bridges two sessions gives what recomputation
 * gives; and the bounded partials ({@link Partial.Timeline}, {@link Partial.Recent}) join to the
 * same result in any order and grouping past their limits.
 */
class WebTraitsProperties {
  static final Instant BASE = Instant.parse("2026-02-01T08:00:00Z");
  static final Duration TIMEOUT = Duration.ofMinutes(30);
  static final ComputedTraits PACK = WebTraits.all();

  @Provide
  Arbitrary<List<Event>> visits() {
    Arbitrary<Event> event = Combinators.combine(
        Arbitraries.integers().between(0, 4),                      // kind
        Arbitraries.integers().between(0, 8 * 60),                 // minutes from BASE
        Arbitraries.integers().between(0, 59),                     // seconds
        Arbitraries.of("web", "app", "pos", "none", "ua"),          // channel; ua: none, with UA
        Arbitraries.of("", "", "", "s-1", "s-2", "77"),             // SDK session id
        Arbitraries.of("/", "/a", "/b", "/c"),                     // page path, search query
        Arbitraries.of("", "", "newsletter", "ads"))               // UTM source
        .as(WebTraitsProperties::event);
    return event.list().ofMinSize(0).ofMaxSize(30).map(TestEvents::withUniqueIds);
  }

  static Event event(int kind, int minutes, int seconds, String channel, String session,
      String path, String utm) {
    Instant t = BASE.plus(Duration.ofMinutes(minutes)).plusSeconds(seconds);
    Event.Builder b = switch (kind) {
      case 0, 1 -> Event.page("P").property("path", path);
      case 2 -> Event.screen(path);
      case 3 -> Event.track("Products Searched").property("query", path);
      default -> Event.track("Product Added");
    };
    EventContext.Builder c = EventContext.builder();
    if (!channel.equals("none") && !channel.equals("ua")) {
      c.channel(channel);
    }
    if (channel.equals("ua")) {
      c.userAgent(WebTraitsTest.SAFARI_IPHONE);
    }
    Map<String, Object> other = new LinkedHashMap<>();
    if (session.equals("77")) {
      other.put("sessionId", 77L);
    } else if (!session.isEmpty()) {
      b.property("session_id", session);
    }
    c.other(other);
    if (!utm.isEmpty()) {
      c.campaign(Map.of("source", utm, "medium", "email"));
    }
    return b.anonymousId("a-1").timestamp(t).messageId("tmp").context(c.build()).build();
  }

  static ProfileState fold(ComputedTraits traits, List<Event> events) {
    ProfileState s = ProfileState.EMPTY;
    for (Event e : events) {
      s = s.join(ProfileState.EMPTY.withComputed(traits.contributions(e, e.eventTime())));
    }
    return s;
  }

  @Property(tries = 400)
  void valuesEqualARecomputationInAnyOrder(@ForAll("visits") List<Event> events,
      @ForAll Random random) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, random);
    Map<String, Object> values = PACK.values(fold(PACK, shuffled), BASE.plus(Duration.ofDays(1)));
    Map<String, Object> expected = oracle(events);
    for (Map.Entry<String, Object> e : expected.entrySet()) {
      assertThat(Optional.ofNullable(values.get(e.getKey()))).as(e.getKey())
          .isEqualTo(Optional.ofNullable(e.getValue()));
    }
  }

  @Property(tries = 300)
  void mergingTheStatesOfAnySplitEqualsRecomputation(@ForAll("visits") List<Event> events,
      @ForAll Random random) {
    List<Event> a = new ArrayList<>();
    List<Event> b = new ArrayList<>();
    for (Event e : events) {
      (random.nextBoolean() ? a : b).add(e);
    }
    ProfileState merged = fold(PACK, b).join(fold(PACK, a));
    assertThat(merged.computed()).isEqualTo(fold(PACK, events).computed());
  }

  @Property(tries = 300)
  void aLateEventThatBridgesTwoSessionsGivesWhatRecomputationGives(
      @ForAll("visits") List<Event> events,
      @ForAll @IntRange(min = 1, max = 59) int gapMinutes) {
    // Two visits 2 * gap apart; the late event lands between them, within the timeout of both
    // exactly when gap < 30.
    Event first = event(0, 0, 0, "web", "", "/", "");
    Event second = event(0, 2 * gapMinutes, 0, "web", "", "/b", "");
    Event late = event(1, gapMinutes, 0, "web", "", "/a", "");
    List<Event> all = TestEvents.withUniqueIds(List.of(first, second, late));
    ProfileState before = fold(PACK, all.subList(0, 2));
    ProfileState after = before.join(fold(PACK, all.subList(2, 3)));
    Map<String, Object> v = PACK.values(after, BASE.plus(Duration.ofDays(1)));
    assertThat(v).isEqualTo(PACK.values(fold(PACK, all), BASE.plus(Duration.ofDays(1))));
    assertThat(PACK.values(before, BASE).get(WebTraits.VISITS))
        .isEqualTo(2 * gapMinutes < 30 ? 1L : 2L);
    assertThat(v.get(WebTraits.VISITS)).isEqualTo(gapMinutes < 30 ? 1L : 3L);
    assertThat(oracle(all).get(WebTraits.VISITS)).isEqualTo(v.get(WebTraits.VISITS));
  }

  @Property(tries = 40)
  void timelinesPastTheirLimitJoinAlikeInAnyGrouping(
      @ForAll @IntRange(min = 0, max = 1_800) int size, @ForAll Random random) {
    List<Partial> parts = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Instant t = BASE.plusSeconds(random.nextInt(3_000));    // repeats: summed counts
      String s = random.nextInt(4) == 0 ? "s" + random.nextInt(3) : "";
      boolean view = random.nextBoolean();
      parts.add(new Partial.Timeline(List.of(new Partial.Hit(t, s, 1, view ? 1 : 0))));
    }
    Partial left = joinLeft(parts);
    Collections.shuffle(parts, random);
    Partial tree = joinTree(parts, 0, parts.size());
    assertThat(tree).isEqualTo(left);
    if (!parts.isEmpty()) {
      Partial.Timeline t = (Partial.Timeline) left;
      assertThat(t.hits().size()).isLessThanOrEqualTo(Partial.Timeline.MAX_HITS);
      // The kept keys are the latest of all, with their full counts.
      Map<List<Object>, long[]> all = new TreeMap<>(Comparator.comparing(
          (List<Object> k) -> (Instant) k.get(0)).thenComparing(k -> (String) k.get(1)));
      for (Partial p : parts) {
        Partial.Hit h = ((Partial.Timeline) p).hits().get(0);
        long[] c = all.computeIfAbsent(List.of(h.time(), h.session()), k -> new long[2]);
        c[0] += h.events();
        c[1] += h.views();
      }
      List<Partial.Hit> expected = new ArrayList<>();
      all.forEach((k, c) -> expected.add(new Partial.Hit((Instant) k.get(0), (String) k.get(1),
          c[0], c[1])));
      assertThat(t.hits()).isEqualTo(expected.subList(
          Math.max(0, expected.size() - Partial.Timeline.MAX_HITS), expected.size()));
    }
  }

  @Property(tries = 100)
  void recentValuesPastTheirLimitJoinAlikeInAnyGrouping(
      @ForAll @IntRange(min = 0, max = 300) int size, @ForAll Random random) {
    List<Partial> parts = new ArrayList<>();
    Map<Object, Instant> latest = new HashMap<>();
    for (int i = 0; i < size; i++) {
      Object v = random.nextBoolean() ? "t" + random.nextInt(120) : (long) random.nextInt(40);
      Instant t = BASE.plusSeconds(random.nextInt(200));
      parts.add(new Partial.Recent(Map.of(v, t)));
      latest.merge(v, t, (x, y) -> x.isAfter(y) ? x : y);
    }
    Partial left = joinLeft(parts);
    Collections.shuffle(parts, random);
    Partial tree = joinTree(parts, 0, parts.size());
    assertThat(tree).isEqualTo(left);
    if (!parts.isEmpty()) {
      assertThat(tree.join(tree)).isEqualTo(tree);                     // idempotent
      List<Map.Entry<Object, Instant>> l = new ArrayList<>(latest.entrySet());
      l.sort(Partial.Recent.NEWEST_FIRST);
      List<Object> expected = new ArrayList<>();
      for (Map.Entry<Object, Instant> e : l.subList(0, Math.min(50, l.size()))) {
        expected.add(e.getKey());
      }
      assertThat(((Partial.Recent) tree).newestFirst()).isEqualTo(expected);
    }
  }

  static Partial joinLeft(List<Partial> parts) {
    Partial acc = parts.isEmpty() ? new Partial.Timeline(List.of()) : parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      acc = acc.join(parts.get(i));
    }
    return acc;
  }

  static Partial joinTree(List<Partial> parts, int from, int to) {
    if (to - from == 0) {
      return new Partial.Timeline(List.of());
    }
    if (to - from == 1) {
      return parts.get(from);
    }
    int mid = (from + to) / 2;
    return joinTree(parts, mid, to).join(joinTree(parts, from, mid));
  }

  /** The pack's values recomputed from the events directly (null: absent). */
  static Map<String, Object> oracle(List<Event> events) {
    Map<String, Object> out = new TreeMap<>();
    // Sessions.
    Map<String, Instant[]> byId = new TreeMap<>();
    Map<String, long[]> byIdViews = new TreeMap<>();
    List<Event> free = new ArrayList<>();
    for (Event e : events) {
      String ch = e.context().channel();
      if (ch == null && e.context().userAgent() != null) {
        ch = "web";
      }
      if (!"web".equals(ch) && !"app".equals(ch)) {
        continue;
      }
      Object sid = e.context().other().get("sessionId");
      if (sid == null) {
        sid = e.properties().get("session_id");
      }
      boolean view = e.type() == EventType.PAGE || e.type() == EventType.SCREEN;
      if (sid != null) {
        String k = sid.toString();
        Instant t = e.eventTime();
        byId.merge(k, new Instant[] {t, t}, (x, y) -> new Instant[] {
            x[0].isBefore(y[0]) ? x[0] : y[0], x[1].isAfter(y[1]) ? x[1] : y[1]});
        byIdViews.computeIfAbsent(k, x -> new long[1])[0] += view ? 1 : 0;
      } else {
        free.add(e);
      }
    }
    List<long[]> sessions = new ArrayList<>();                     // [nanos, views]
    byId.forEach((k, span) -> sessions.add(new long[] {
        Duration.between(span[0], span[1]).toNanos(), byIdViews.get(k)[0]}));
    free.sort(Comparator.comparing(Event::eventTime));
    Instant start = null;
    Instant last = null;
    long views = 0;
    for (Event e : free) {
      boolean view = e.type() == EventType.PAGE || e.type() == EventType.SCREEN;
      if (last != null && Duration.between(last, e.eventTime()).compareTo(TIMEOUT) < 0) {
        last = e.eventTime();
        views += view ? 1 : 0;
      } else {
        if (last != null) {
          sessions.add(new long[] {Duration.between(start, last).toNanos(), views});
        }
        start = e.eventTime();
        last = start;
        views = view ? 1 : 0;
      }
    }
    if (last != null) {
      sessions.add(new long[] {Duration.between(start, last).toNanos(), views});
    }
    out.put(WebTraits.VISITS, (long) sessions.size());
    if (sessions.isEmpty()) {
      out.put(WebTraits.AVG_SESSION_SECONDS, null);
      out.put(WebTraits.PAGES_PER_VISIT, null);
      out.put(WebTraits.BOUNCE_RATE, null);
    } else {
      BigDecimal n = BigDecimal.valueOf(sessions.size());
      long nanos = sessions.stream().mapToLong(s -> s[0]).sum();
      long allViews = sessions.stream().mapToLong(s -> s[1]).sum();
      long bounces = sessions.stream().filter(s -> s[1] == 1).count();
      out.put(WebTraits.AVG_SESSION_SECONDS, BigDecimal.valueOf(nanos, 9)
          .divide(n, 2, RoundingMode.HALF_EVEN));
      out.put(WebTraits.PAGES_PER_VISIT, BigDecimal.valueOf(allViews)
          .divide(n, 2, RoundingMode.HALF_EVEN));
      out.put(WebTraits.BOUNCE_RATE, BigDecimal.valueOf(bounces)
          .divide(n, 4, RoundingMode.HALF_EVEN));
    }

    // Touches: events with a campaign source, earliest and latest by time then messageId.
    Comparator<Event> byKey = Comparator.comparing(Event::eventTime)
        .thenComparing(Event::messageId);
    List<Event> touched = events.stream().filter(e -> e.context().campaign().containsKey("source"))
        .sorted(byKey).toList();
    out.put(WebTraits.FIRST_TOUCH_SOURCE, touched.isEmpty() ? null
        : touched.get(0).context().campaign().get("source"));
    out.put(WebTraits.LAST_TOUCH_SOURCE, touched.isEmpty() ? null
        : touched.get(touched.size() - 1).context().campaign().get("source"));
    out.put(WebTraits.FIRST_TOUCH_MEDIUM, touched.isEmpty() ? null : "email");

    // Search terms: distinct, newest first then smallest.
    Map<String, Instant> searched = new HashMap<>();
    for (Event e : events) {
      if ("Products Searched".equals(e.name())) {
        searched.merge((String) e.properties().get("query"), e.eventTime(),
            (x, y) -> x.isAfter(y) ? x : y);
      }
    }
    out.put(WebTraits.RECENT_SEARCH_TERMS, searched.entrySet().stream()
        .sorted(Map.Entry.<String, Instant>comparingByValue().reversed()
            .thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey).toList());

    // Pages: counts of page paths and screen names; most first, then latest, then smallest.
    Map<String, Long> count = new HashMap<>();
    Map<String, Instant> seen = new HashMap<>();
    for (Event e : events) {
      String p = e.type() == EventType.PAGE ? (String) e.properties().get("path")
          : e.type() == EventType.SCREEN ? e.name() : null;
      if (p != null) {
        count.merge(p, 1L, Long::sum);
        seen.merge(p, e.eventTime(), (x, y) -> x.isAfter(y) ? x : y);
      }
    }
    List<String> pages = count.keySet().stream().sorted((x, y) -> {
      int c = Long.compare(count.get(y), count.get(x));
      c = c != 0 ? c : seen.get(y).compareTo(seen.get(x));
      return c != 0 ? c : x.compareTo(y);
    }).toList();
    out.put(WebTraits.MOST_VIEWED_PAGES, pages.subList(0, Math.min(10, pages.size())));
    out.put(WebTraits.TOP_PAGE, pages.isEmpty() ? null : pages.get(0));
    out.put(WebTraits.DEVICE_TYPE, events.stream().anyMatch(e -> e.context().userAgent() != null)
        ? "mobile" : null);
    return out;
  }
}
