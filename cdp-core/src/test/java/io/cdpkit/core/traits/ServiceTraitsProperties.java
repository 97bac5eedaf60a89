package io.cdpkit.core.traits;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.testing.TestEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Laws of {@link ServiceTraits}: in any arrival order, every value equals a recomputation
 * written here straight from the contact events, at any instant.
 */
class ServiceTraitsProperties {
  static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
  static final Set<String> CLOSED = Set.of("solved", "closed");

  @Provide
  Arbitrary<List<Event>> stories() {
    Arbitrary<Event> event = Combinators.combine(
        Arbitraries.integers().between(0, 4),                            // contact, 4: none
        // a number is a status that leaves the contact open; U+2003 is Unicode white space
        Arbitraries.<Object>of("new", "open", "Pending", " solved ", "CLOSED", "hold",
            "\u2003Solved\t", "closed!", 3L).injectNull(0.2),
        Arbitraries.integers().between(0, 200 * 24 * 60 / 97).map(m -> m * 97), // minutes
        Arbitraries.of("phone", "chat", "store").injectNull(0.3),
        Arbitraries.of("delivery", "return").injectNull(0.3),
        Arbitraries.of("low", "High", " urgent", "normal").injectNull(0.3),
        Arbitraries.integers().between(0, 5))                            // 5: another event
        .as((c, status, minutes, channel, reason, priority, kind) -> {
          Event.Builder b = kind == 5 ? Event.page("Help")
              : Event.track("Service Contact");
          if (kind != 5) {
            if (c < 4) {
              b.property("contact_id", "ZD-" + c);
            }
            put(b, "status", status);
            put(b, "channel", channel);
            put(b, "reason", reason);
            put(b, "priority", priority);
          }
          // Few distinct instants, so that exact ties happen.
          return b.userId("C-1").messageId("tmp").timestamp(BASE.plus(
              Duration.ofMinutes(minutes % 3 == 0 ? 0 : minutes))).build();
        });
    return event.list().ofMaxSize(20).map(TestEvents::withUniqueIds);
  }

  static void put(Event.Builder b, String key, Object value) {
    if (value != null) {
      b.property(key, value);
    }
  }

  @Property(tries = 300)
  void valuesEqualARecomputationFromTheEvents(@ForAll("stories") List<Event> events,
      @ForAll @IntRange(min = 0, max = 400) int nowDays, @ForAll Random random) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, random);
    Instant now = BASE.plus(Duration.ofDays(nowDays)).plusSeconds(random.nextInt(86_400));
    MutableClock clock = new MutableClock(BASE.plus(Duration.ofDays(400)));
    Map<String, Object> values;
    try (Cdp cdp = Cdp.builder().clock(clock).computedTraits(ServiceTraits.all()).build()) {
      shuffled.forEach(cdp::ingest);
      clock.set(now);
      values = cdp.profiles().find(Identifier.customerId("C-1"))
          .map(Profile::computedTraits).orElse(Map.of());
    }
    Map<String, Object> expected = oracle(events, now);
    if (events.isEmpty()) {
      assertThat(values).isEmpty();
      return;
    }
    for (Map.Entry<String, Object> e : expected.entrySet()) {
      assertThat(values.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  static String status(Event e) {
    Object s = e.properties().get("status");
    return s instanceof String t ? t.strip().toLowerCase(Locale.ROOT) : s == null ? null : "";
  }

  /** The pack's values recomputed from the events (null: absent). */
  static Map<String, Object> oracle(List<Event> events, Instant now) {
    Map<String, Instant> lastOpen = new HashMap<>();
    Map<String, Instant> lastClosed = new HashMap<>();
    Set<String> urgent = new TreeSet<>();
    Instant lastAt = null;
    Event lastChannel = null;
    Event lastReason = null;
    Set<String> in90 = new TreeSet<>();
    long today = Math.floorDiv(now.getEpochSecond(), 86_400L);
    for (Event e : events) {
      if (!"Service Contact".equals(e.name())) {
        continue;
      }
      Instant t = e.eventTime();
      lastAt = lastAt == null || t.isAfter(lastAt) ? t : lastAt;
      if (e.properties().get("channel") != null && later(e, lastChannel)) {
        lastChannel = e;
      }
      if (e.properties().get("reason") != null && later(e, lastReason)) {
        lastReason = e;
      }
      Object id = e.properties().get("contact_id");
      if (id == null) {
        continue;
      }
      String c = (String) id;
      String st = status(e);
      Map<String, Instant> side = st != null && CLOSED.contains(st) ? lastClosed : lastOpen;
      side.merge(c, t, (a, b) -> a.isAfter(b) ? a : b);
      Object p = e.properties().get("priority");
      if (p != null && Set.of("high", "urgent")
          .contains(((String) p).strip().toLowerCase(Locale.ROOT))) {
        urgent.add(c);
      }
      if (Math.floorDiv(t.getEpochSecond(), 86_400L) > today - 90) {
        in90.add(c);
      }
    }
    List<String> open = new ArrayList<>();
    for (Map.Entry<String, Instant> o : new TreeMap<>(lastOpen).entrySet()) {
      Instant closed = lastClosed.get(o.getKey());
      if (closed == null || o.getValue().isAfter(closed)) {
        open.add(o.getKey());
      }
    }
    Map<String, Object> out = new HashMap<>();
    out.put(ServiceTraits.OPEN_CONTACTS, (long) open.size());
    out.put(ServiceTraits.OPEN_CONTACT_IDS, open);
    out.put(ServiceTraits.OPEN_URGENT_CONTACTS, open.stream().filter(urgent::contains).count());
    out.put(ServiceTraits.LAST_CONTACT_AT, lastAt);
    out.put(ServiceTraits.LAST_CONTACT_CHANNEL,
        lastChannel == null ? null : lastChannel.properties().get("channel"));
    out.put(ServiceTraits.LAST_CONTACT_REASON,
        lastReason == null ? null : lastReason.properties().get("reason"));
    out.put(ServiceTraits.CONTACTS_90D, (long) in90.size());
    return out;
  }

  static boolean later(Event e, Event than) {
    if (than == null) {
      return true;
    }
    int c = e.eventTime().compareTo(than.eventTime());
    return c > 0 || (c == 0 && e.messageId().compareTo(than.messageId()) > 0);
  }
}
