package io.cdpkit.storage.jdbc.redteam;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.Activation;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentStatus;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Consent belongs to the contact point it was given for. A shared kiosk cookie: Bob denies
 * e-mail marketing for bob@, Ann grants it for ann@ on the same cookie, and Bob's profile and
 * Ann's merge (via the cookie, via a customer id, via an alias), in every order of arrival and
 * of event time, and are unmerged afterwards: no message ever goes to bob@. And random stories
 * of grants and denials with and without addresses on shared identifiers: the gate's
 * recipients are exactly those an independent model of the rule allows.
 */
class AddressConsentRedTeamTest {
  static final Instant BASE = Instant.parse("2026-06-01T12:00:00Z");
  static final Instant NOW = BASE.plus(Duration.ofDays(1));
  static final AtomicInteger STORIES = new AtomicInteger();
  static final AtomicInteger MESSAGES = new AtomicInteger();
  static final AtomicInteger SENT_WITHOUT_CONSENT = new AtomicInteger();

  @AfterContainer
  static void reportProperties() {
    report();
  }

  @AfterAll
  static void report() {
    System.out.println("RED-TEAM consent per address: stories " + STORIES.get()
        + ", messages checked " + MESSAGES.get() + ", messages sent without valid consent "
        + SENT_WITHOUT_CONSENT.get());
  }

  /** A Cdp with an e-mail rule on {@code Offer} events; each story in a workspace of its own. */
  static final class Harness implements AutoCloseable {
    final Store store;
    final MailChannel spy = new MailChannel();
    final Activation activation;
    final Cdp cdp;
    int offers;

    Harness(Store store) {
      this.store = store;
      this.activation = Activation.builder().channel("mail", spy, Map.of())
          .rule(Rule.builder("offer").trigger(Trigger.event("Offer")).channel("mail")
              .purpose("marketing").build())
          .build();
      this.cdp = Cdp.builder().store(store).clock(new MutableClock(NOW)).extension(activation)
          .build();
    }

    /**
     * Sends an {@code Offer} to the profile of {@code target} and checks the addresses it went
     * to against the model, over the profile's events as stored. Returns them.
     */
    Set<String> offer(WorkspaceId ws, Identifier target) {
      Workspace w = cdp.workspace(ws);
      int before = spy.sent.size();
      w.ingest(Event.track("Offer").messageId("offer-" + offers++).identifier(target)
          .timestamp(NOW).build());
      while (activation.dispatch(ws) > 0) {
        // until nothing is due
      }
      Set<String> got = new TreeSet<>();
      for (Message m : spy.sent.subList(before, spy.sent.size())) {
        m.recipients().forEach(r -> got.add(r.value()));
      }
      Profile p = w.profiles().find(target).orElseThrow();
      Set<String> emails = new TreeSet<>();
      p.identifiers(IdentifierType.EMAIL).forEach(i -> emails.add(i.value()));
      List<Event> events = w.profiles().events(p.id());
      Model.GOVERNING.get().clear();
      Set<String> allowed = Model.allowed(events, emails, NOW);
      // Events of the workspace's other profiles: a decision there for one of her addresses,
      // later than the one that allows it, means the address was taken over.
      List<Event> others = new ArrayList<>();
      for (Profile q : w.profiles().list(null, 1000)) {
        if (!q.id().equals(p.id())) {
          others.addAll(w.profiles().events(q.id()));
        }
      }
      Map<String, Instant> taken = Model.decidedElsewhere(others);
      // Only the current address is written to, and only when its consent allows it and no
      // one else decided for it since.
      Set<String> want = new TreeSet<>();
      Model.current(events, emails).filter(allowed::contains)
          .filter(a -> taken.get(a) == null
              || !taken.get(a).isAfter(Model.GOVERNING.get().get(a)))
          .ifPresent(want::add);
      MESSAGES.incrementAndGet();
      for (String g : got) {
        if (!want.contains(g)) {
          SENT_WITHOUT_CONSENT.incrementAndGet();
        }
      }
      assertThat(got).as("recipients of the offer").isEqualTo(want);
      // The public model says the same per address.
      for (String e : emails) {
        assertThat(p.consentStatus("marketing", "email", Identifier.email(e), NOW).allows())
            .as("consentStatus of one address").isEqualTo(allowed.contains(e));
      }
      return got;
    }

    @Override
    public void close() {
      cdp.close();
      store.close();
    }
  }

  /** The rule, written again from its statement, over raw events. */
  static final class Model {
    record Decision(Instant time, boolean granted, String messageId, Instant expiresAt) {}

    /** Later time; on a tie the denial; then the greater messageId. */
    static final Comparator<Decision> ORDER = Comparator.comparing(Decision::time)
        .thenComparing(d -> !d.granted()).thenComparing(Decision::messageId);

    static Decision later(Decision a, Decision b) {
      return a == null ? b : b == null ? a : ORDER.compare(a, b) >= 0 ? a : b;
    }

    /**
     * The current address: the e-mail of the latest identify (time, then messageId) that gave
     * an {@code email} trait, when that address is still one of the person's; otherwise (none
     * given, or the one given last went to another person in an unmerge) the smallest.
     */
    static Optional<String> current(List<Event> events, Set<String> emails) {
      Event latest = null;
      String given = null;
      for (Event e : events) {
        if (e.type() == io.cdpkit.core.model.EventType.IDENTIFY
            && e.traits().get("email") instanceof String raw
            && (latest == null || e.eventTime().isAfter(latest.eventTime())
                || (e.eventTime().equals(latest.eventTime())
                    && e.messageId().compareTo(latest.messageId()) > 0))) {
          latest = e;
          given = raw.strip().toLowerCase(java.util.Locale.ROOT);
        }
      }
      return given != null && emails.contains(given) ? Optional.of(given)
          : emails.stream().min(String::compareTo);
    }

    static Set<String> allowed(List<Event> events, Set<String> emails, Instant now) {
      Decision profile = null;
      Map<String, Decision> byAddress = new HashMap<>();
      for (Event e : events) {
        List<String> own = new ArrayList<>();
        for (Identifier i : e.identifiers()) {
          if (i.type().equals(IdentifierType.EMAIL)) {
            own.add(i.value());
          }
        }
        // An identify's email trait is one of the event's addresses as well.
        if (e.type() == io.cdpkit.core.model.EventType.IDENTIFY
            && e.traits().get("email") instanceof String raw) {
          String a = raw.strip().toLowerCase(java.util.Locale.ROOT);
          if (!own.contains(a)) {
            own.add(a);
          }
        }
        for (ConsentChange c : e.consents()) {
          if (!c.purpose().equals("marketing") || !c.channel().equals("email")) {
            continue;
          }
          Decision d = new Decision(e.eventTime(), c.granted(), e.messageId(), c.expiresAt());
          if (own.isEmpty()) {
            profile = later(profile, d);
          } else {
            for (String a : own) {
              byAddress.put(a, later(byAddress.get(a), d));
            }
          }
        }
      }
      Set<String> out = new TreeSet<>();
      for (String a : emails) {
        Decision own = byAddress.get(a);
        Decision governs;
        if (own != null && !own.granted()) {
          governs = own;
        } else {
          governs = later(own, profile);
        }
        if (governs != null && governs.granted()
            && (governs.expiresAt() == null || governs.expiresAt().isAfter(now))) {
          out.add(a);
          GOVERNING.get().put(a, governs.time());
        }
      }
      return out;
    }

    /** The time of the decision that allowed each address, as the last {@link #allowed} saw. */
    static final ThreadLocal<Map<String, Instant>> GOVERNING =
        ThreadLocal.withInitial(HashMap::new);

    /**
     * Per address, the latest time another profile's event named it with an e-mail consent
     * decision (that decision is bound to the address in the other profile).
     */
    static Map<String, Instant> decidedElsewhere(List<Event> othersEvents) {
      Map<String, Instant> out = new HashMap<>();
      for (Event e : othersEvents) {
        boolean decides = e.consents().stream().anyMatch(c -> c.channel().equals("email"));
        if (!decides) {
          continue;
        }
        for (String a : addresses(e)) {
          out.merge(a, e.eventTime(), (x, y) -> x.isAfter(y) ? x : y);
        }
      }
      return out;
    }

    static List<String> addresses(Event e) {
      List<String> own = new ArrayList<>();
      for (Identifier i : e.identifiers()) {
        if (i.type().equals(IdentifierType.EMAIL)) {
          own.add(i.value());
        }
      }
      if (e.type() == io.cdpkit.core.model.EventType.IDENTIFY
          && e.traits().get("email") instanceof String raw) {
        String a = raw.strip().toLowerCase(java.util.Locale.ROOT);
        if (!own.contains(a)) {
          own.add(a);
        }
      }
      return own;
    }
  }

  // ------------------------------------------------------------------ the kiosk

  static final Identifier BOB = Identifier.customerId("bob");
  static final Identifier KIOSK = Identifier.anonymousId("kiosk-cookie-7");
  static final Identifier BOB_MAIL = Identifier.email("bob@example.com");
  static final Identifier ANN_MAIL = Identifier.email("ann@example.com");

  /** The three events of a kiosk story, merged one way, with Bob's denial before or after. */
  static List<Event> kiosk(String merge, boolean denyFirst) {
    Instant deny = BASE.plus(Duration.ofMinutes(denyFirst ? 1 : 2));
    Instant grant = BASE.plus(Duration.ofMinutes(denyFirst ? 2 : 1));
    Instant link = BASE.plus(Duration.ofMinutes(3));
    List<Event> out = new ArrayList<>();
    out.add(Event.identify().messageId("bob-denies").identifier(BOB).identifier(BOB_MAIL)
        .consent("marketing", "email", false).timestamp(deny).build());
    switch (merge) {
      case "cookie" -> {
        out.add(Event.identify().messageId("ann-grants").identifier(KIOSK)
            .identifier(ANN_MAIL).consent("marketing", "email", true).timestamp(grant).build());
        out.add(Event.identify().messageId("bob-on-kiosk").identifier(KIOSK).identifier(BOB)
            .timestamp(link).build());
      }
      case "customer-id" -> {
        // Ann grants while Bob's account is logged in on the kiosk.
        out.add(Event.identify().messageId("ann-grants").identifier(BOB).identifier(ANN_MAIL)
            .consent("marketing", "email", true).timestamp(grant).build());
        out.add(Event.page("Home").messageId("bob-on-kiosk").identifier(BOB).timestamp(link)
            .build());
      }
      case "alias" -> {
        out.add(Event.identify().messageId("ann-grants").identifier(KIOSK)
            .identifier(ANN_MAIL).consent("marketing", "email", true).timestamp(grant).build());
        out.add(Event.alias(KIOSK.value()).messageId("bob-on-kiosk").userId(BOB.value())
            .timestamp(link).build());
      }
      default -> throw new IllegalArgumentException(merge);
    }
    return out;
  }

  static final int[][] ORDERS = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1},
      {2, 1, 0}};

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("a shared kiosk cookie: bob@ denied gets nothing, whoever grants on the device,"
      + " in any order, merged any way, and after an unmerge")
  void kioskNeverMailsTheAddressThatSaidNo(String kind) {
    try (RedTeamStores place = RedTeamStores.open(kind)) {
      List<String> stories = new ArrayList<>();
      Harness h = new Harness(place.store());
      try {
        for (String merge : List.of("cookie", "customer-id", "alias")) {
          for (boolean denyFirst : new boolean[] {true, false}) {
            for (int[] order : ORDERS) {
              WorkspaceId ws = WorkspaceId.of("kiosk-" + stories.size());
              stories.add(merge);
              List<Event> events = kiosk(merge, denyFirst);
              for (int i : order) {
                h.cdp.workspace(ws).ingest(events.get(i));
              }
            }
          }
        }
        if (!kind.equals("memory")) {
          // A restart: the consent registers are read back from the stored profiles.
          h.close();
          h = new Harness(place.store());
        }
        for (int story = 0; story < stories.size(); story++) {
          WorkspaceId ws = WorkspaceId.of("kiosk-" + story);
          STORIES.incrementAndGet();
          Set<String> got = h.offer(ws, BOB);
          assertThat(got).doesNotContain(BOB_MAIL.value());
          // Ann's own grant opens her own address, and only it.
          assertThat(got).containsExactly(ANN_MAIL.value());
          if (!stories.get(story).equals("customer-id")) {
            h.cdp.workspace(ws).profiles().unmerge(BOB, KIOSK);
            assertThat(h.offer(ws, BOB)).isEmpty();
            assertThat(h.offer(ws, KIOSK)).containsExactly(ANN_MAIL.value());
          }
        }
      } finally {
        h.close();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("a withdrawal without an address closes every address that has no grant of its"
      + " own after it; another person's later address-less grant on the device reopens only"
      + " the addresses nobody denied")
  void profileLevelDecisionsOnASharedDevice(String kind) {
    try (RedTeamStores place = RedTeamStores.open(kind);
        Harness h = new Harness(place.store())) {
      WorkspaceId ws = WorkspaceId.of("profile-level");
      Workspace w = h.cdp.workspace(ws);
      w.ingest(Event.identify().messageId("bob-id").identifier(BOB).identifier(BOB_MAIL)
          .timestamp(BASE).build());
      // Bob withdraws on his account page: no address in the event.
      w.ingest(Event.track("Consent Changed").messageId("bob-withdraws").identifier(BOB)
          .consent("marketing", "email", false).timestamp(BASE.plusSeconds(60)).build());
      // Ann grants for ann@ earlier, on the kiosk; the kiosk becomes Bob's.
      w.ingest(Event.identify().messageId("ann-grants").identifier(KIOSK).identifier(ANN_MAIL)
          .consent("marketing", "email", true).timestamp(BASE.plusSeconds(30)).build());
      w.ingest(Event.identify().messageId("link").identifier(KIOSK).identifier(BOB)
          .timestamp(BASE.plusSeconds(90)).build());
      STORIES.incrementAndGet();
      assertThat(h.offer(ws, BOB)).isEmpty(); // Bob's later withdrawal closes ann@ too
      // Bob now denies for his address; later someone grants on the kiosk without an address.
      w.ingest(Event.identify().messageId("bob-denies-address").identifier(BOB)
          .identifier(BOB_MAIL).consent("marketing", "email", false)
          .timestamp(BASE.plusSeconds(100)).build());
      w.ingest(Event.track("Consent Changed").messageId("kiosk-grants").identifier(KIOSK)
          .consent("marketing", "email", true).timestamp(BASE.plusSeconds(120)).build());
      STORIES.incrementAndGet();
      assertThat(h.offer(ws, BOB)).containsExactly(ANN_MAIL.value());
      Profile p = w.profiles().find(BOB).orElseThrow();
      assertThat(p.consentStatus("marketing", "email", BOB_MAIL, NOW))
          .isEqualTo(ConsentStatus.DENIED);
      // The profile-level view is the latest decision, whatever its address.
      assertThat(p.consentStatus("marketing", "email", NOW)).isEqualTo(ConsentStatus.GRANTED);
    }
  }

  // ------------------------------------------------------------------ random stories

  static final List<Identifier> POOL = List.of(Identifier.anonymousId("k1"),
      Identifier.anonymousId("k2"), Identifier.email("a@shop.example"),
      Identifier.email("b@shop.example"), Identifier.email("c@shop.example"),
      Identifier.customerId("u1"), Identifier.customerId("u2"));

  /** A random story of events on shared identifiers, some with consent decisions. */
  static List<Event> story(Random r) {
    int n = 1 + r.nextInt(9);
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean identify = r.nextBoolean();
      Event.Builder e = identify ? Event.identify() : Event.track("Consent Changed");
      if (identify && r.nextInt(3) == 0) {
        // A change of address: the latest identify giving one makes it the current one.
        String[] given = {"a@shop.example", " B@Shop.example ", "c@shop.example"};
        e.trait("email", given[r.nextInt(given.length)]);
      }
      Set<Identifier> ids = new java.util.LinkedHashSet<>();
      int k = 1 + r.nextInt(3);
      for (int j = 0; j < k; j++) {
        ids.add(POOL.get(r.nextInt(POOL.size())));
      }
      ids.forEach(e::identifier);
      int kind = r.nextInt(5);
      if (kind < 4) {
        ConsentChange.Builder c = ConsentChange.builder("marketing", "email", kind < 2);
        if (kind == 0 && r.nextInt(3) == 0) {
          c.expiresAt(r.nextBoolean() ? NOW.minusSeconds(1) : NOW.plusSeconds(3600));
        }
        e.consent(c.build());
        if (r.nextInt(6) == 0) {
          // Two decisions in one event: the denial wins the exact tie.
          e.consent("marketing", "email", r.nextBoolean());
        }
      }
      // Few distinct minutes, so that exact ties of time happen.
      e.messageId("s" + r.nextInt(1_000_000) + "-" + i)
          .timestamp(BASE.plus(Duration.ofMinutes(r.nextInt(4))));
      out.add(e.build());
    }
    return out;
  }

  static void tell(Harness h, WorkspaceId ws, long seed) {
    Random r = new Random(seed);
    List<Event> events = story(r);
    Workspace w = h.cdp.workspace(ws);
    events.forEach(w::ingest);
    STORIES.incrementAndGet();
    Set<Identifier> used = new java.util.LinkedHashSet<>();
    events.forEach(e -> used.addAll(e.identifiers()));
    List<Identifier> targets = new ArrayList<>(used);
    h.offer(ws, targets.get(r.nextInt(targets.size())));
    if (r.nextInt(3) == 0 && targets.size() > 1) {
      // Split two identifiers apart, and ask again on both sides.
      Identifier a = targets.get(0);
      Identifier b = targets.get(1);
      Optional<Profile> pa = w.profiles().find(a);
      Optional<Profile> pb = w.profiles().find(b);
      if (pa.isPresent() && pb.isPresent() && pa.get().id().equals(pb.get().id())) {
        w.profiles().unmerge(a, b);
        h.offer(ws, a);
        h.offer(ws, b);
      }
    }
  }

  @Property(tries = 300)
  @Label("the gate's recipients follow the rule on random stories (memory store)")
  void recipientsFollowTheRule(@ForAll long seed) {
    try (Harness h = new Harness(Store.inMemory())) {
      tell(h, WorkspaceId.of("story"), seed);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("the gate's recipients follow the rule on 40 random stories per store")
  void recipientsFollowTheRuleOnEveryStore(String kind) {
    try (RedTeamStores place = RedTeamStores.open(kind);
        Harness h = new Harness(place.store())) {
      Random seeds = new Random(20260601L);
      for (int i = 0; i < 40; i++) {
        tell(h, WorkspaceId.of("story-" + i), seeds.nextLong());
      }
    }
  }
}
