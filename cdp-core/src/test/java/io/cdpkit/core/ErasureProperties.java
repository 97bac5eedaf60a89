package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoreScan;
import io.cdpkit.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Erasing one person: everyone else's profile stays exactly as it was (and equals a
 * recomputation from their events alone), no personal value of the erased person is left
 * anywhere the SPI reaches, and a replay of the person's events is dropped.
 */
class ErasureProperties {
  static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * Person {@code p}'s events from action codes: who (p), what (kind), which anonymous id (k),
   * and when (minutes after BASE). Every value is the person's own, and ends in {@code ~} so
   * that no value is a part of another.
   */
  static List<Event> story(List<Integer> actions, int people) {
    List<Event> out = new ArrayList<>();
    int n = 0;
    for (int code : actions) {
      int p = code % people;
      int kind = (code / 7) % 5;
      int k = (code / 41) % 3;
      Instant at = BASE.plus(Duration.ofMinutes(code % 9973));
      String user = "user-" + p;
      String anon = "anon-" + p + "-" + k;
      String id = "m" + (n++);
      Event e;
      switch (kind) {
        case 0:
          e = Event.identify().messageId(id).userId(user).trait("email", "p" + p + "@example.test")
              .trait("nickname", "nick-" + p + "-" + (code % 11) + "~").timestamp(at).build();
          break;
        case 1:
          e = Event.track("Product Viewed").messageId(id).anonymousId(anon)
              .property("sku", "sku-" + p + "-" + code + "~").timestamp(at).build();
          break;
        case 2:
          e = Event.track("Signed In").messageId(id).userId(user).anonymousId(anon)
              .timestamp(at).build();
          break;
        case 3:
          e = Event.track("Newsletter").messageId(id).userId(user)
              .consent("marketing", "email", code % 2 == 0).timestamp(at).build();
          break;
        default:
          e = Event.track("Order Completed").messageId(id).userId(user)
              .property("orderId", "order-" + p + "-" + code + "~")
              .property("note", "note-" + p + "-" + code + "~").timestamp(at).build();
          break;
      }
      out.add(e);
    }
    return out;
  }

  static Cdp cdp(Store store, MutableClock clock) {
    return Cdp.builder().store(store).clock(clock).build();
  }

  static Map<ProfileId, Profile> all(Cdp cdp, Store store) {
    List<ProfileRecord> records = store.read(WorkspaceId.DEFAULT, tx -> tx.profilesAfter(null,
        10_000));
    Map<ProfileId, Profile> out = new LinkedHashMap<>();
    for (ProfileRecord r : records) {
      out.put(r.id(), cdp.profiles().get(r.id()).orElseThrow());
    }
    return out;
  }

  /** Every text value an event holds that belongs to a person. */
  static Set<String> personalValues(List<Event> events) {
    Set<String> out = new LinkedHashSet<>();
    for (Event e : events) {
      if (e.userId() != null) {
        out.add(e.userId());
      }
      if (e.anonymousId() != null) {
        out.add(e.anonymousId());
      }
      e.traits().values().forEach(v -> out.add(String.valueOf(v)));
      e.properties().values().forEach(v -> out.add(String.valueOf(v)));
    }
    return out;
  }

  @Property(tries = 200)
  void erasingOnePersonLeavesEveryoneElseAndNoTrace(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 1_000_000) Integer> actions,
      @ForAll @IntRange(min = 2, max = 4) int people,
      @ForAll @IntRange(min = 0, max = 3) int target,
      @ForAll boolean unmergeFirst) {
    int t = target % people;
    List<Event> events = story(actions, people);
    MutableClock clock = new MutableClock(BASE.plus(Duration.ofDays(30)));
    Store store = Store.inMemory();
    try (Cdp cdp = cdp(store, clock)) {
      cdp.ingest(events);
      Identifier user = Identifier.customerId("user-" + t);
      if (cdp.profiles().find(user).isEmpty()) {
        user = Identifier.anonymousId("anon-" + t + "-0");
        if (cdp.profiles().find(user).isEmpty()) {
          return; // the person left no identifier to name them by
        }
      }
      if (unmergeFirst) {
        Profile p = cdp.profiles().find(user).orElseThrow();
        for (Identifier i : p.identifiers()) {
          if (!i.equals(user) && i.type().id().equals("anonymous_id")) {
            cdp.profiles().unmerge(user, i);
            break;
          }
        }
      }
      Profile erased = cdp.profiles().find(user).orElseThrow();
      List<Event> erasedEvents = cdp.profiles().events(erased.id());
      Set<String> pii = personalValues(erasedEvents);
      erased.identifiers().forEach(i -> pii.add(i.value()));
      Set<ProfileId> erasedIds = new HashSet<>();
      erasedIds.add(erased.id());
      store.read(WorkspaceId.DEFAULT, tx -> erasedIds.addAll(tx.redirectsTo(erased.id())));
      Map<ProfileId, Profile> before = all(cdp, store);
      before.keySet().removeAll(erasedIds);
      // An identifier another profile holds (split off by the unmerge) is that profile's.
      before.values().forEach(p -> p.identifiers().forEach(i -> pii.remove(i.value())));
      StoreScan.Probes probes = new StoreScan.Probes(erased.identifiers(),
          erasedEvents.stream().map(Event::messageId).toList(), erasedIds);
      String dumpBefore = StoreScan.dump(store, WorkspaceId.DEFAULT, probes);
      for (String v : pii) {
        assertThat(dumpBefore).as("the scan sees %s before", v).contains(v);
      }

      clock.advance(Duration.ofDays(1));
      ErasureReport report = cdp.privacy().erase(user);

      assertThat(report.profile()).isEqualTo(erased.id());
      assertThat(report.events()).isEqualTo(erasedEvents.size());
      assertThat(cdp.profiles().find(user)).isEmpty();
      Map<ProfileId, Profile> after = all(cdp, store);
      assertThat(after).isEqualTo(before);
      String dumpAfter = StoreScan.dump(store, WorkspaceId.DEFAULT, probes);
      for (String v : pii) {
        assertThat(dumpAfter).as("the scan finds %s after the erasure", v).doesNotContain(v);
      }

      // Everyone else equals a recomputation from the events left.
      Set<String> gone = new HashSet<>();
      erasedEvents.forEach(e -> gone.add(e.messageId()));
      List<Event> rest = events.stream().filter(e -> !gone.contains(e.messageId())).toList();
      try (Cdp fresh = cdp(Store.inMemory(), clock)) {
        fresh.ingest(rest);
        for (Profile p : after.values()) {
          java.util.Optional<Profile> fq = fresh.profiles().find(p.identifiers().get(0));
          if (fq.isEmpty()) {
            // Its only events were the erased person's (an identifier split off by an unmerge).
            assertThat(p.traits()).isEmpty();
            assertThat(p.eventCounts()).isEmpty();
            continue;
          }
          Profile q = fq.get();
          assertThat(new HashSet<>(q.identifiers())).isEqualTo(new HashSet<>(p.identifiers()));
          assertThat(q.traits()).isEqualTo(p.traits());
          assertThat(q.consents()).isEqualTo(p.consents());
          assertThat(q.eventCounts()).isEqualTo(p.eventCounts());
        }
      }

      // A replay of the erased events is dropped.
      BatchResult replay = cdp.ingest(erasedEvents);
      assertThat(replay.erased()).isEqualTo(erasedEvents.size());
      assertThat(all(cdp, store)).isEqualTo(before);
    }
  }
}
