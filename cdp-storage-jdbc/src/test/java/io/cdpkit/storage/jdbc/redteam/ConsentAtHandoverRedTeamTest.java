package io.cdpkit.storage.jdbc.redteam;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.Activation;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.SuppressionReason;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Consent is decided per message at hand-over: six consented people in one dispatch, a channel
 * that blocks on its first send; while the first is being sent, the others withdraw, are
 * restricted, are erased, or have their grant expire (the clock moves past it). None of them
 * may receive a message; the untouched ones must. On every store, with the consents given
 * with the address (address-level) and without it (profile-level), with the channels on their
 * own threads and on the host's executor.
 */
class ConsentAtHandoverRedTeamTest {
  static final Instant T0 = Instant.parse("2026-05-04T09:00:00Z");
  static final AtomicInteger SCENARIOS = new AtomicInteger();
  static final AtomicInteger SENT_WITHOUT_CONSENT = new AtomicInteger();
  /** Per store kind: the longest and the mean check-to-send window of each scenario. */
  static final Map<String, List<Activation.HandoverWindow>> WINDOWS =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  @AfterAll
  static void report() {
    StringBuilder w = new StringBuilder();
    WINDOWS.forEach((kind, ws) -> {
      long longest = ws.stream().mapToLong(x -> x.longest().toNanos()).max().orElse(0);
      long mean = (long) ws.stream().mapToLong(x -> x.mean().toNanos()).average().orElse(0);
      w.append(String.format(" %s: longest %d us, mean %d us;", kind, longest / 1000,
          mean / 1000));
    });
    System.out.println("RED-TEAM consent at hand-over: scenarios " + SCENARIOS.get()
        + ", messages sent without valid consent " + SENT_WITHOUT_CONSENT.get()
        + ", check-to-send window (from the start of the check's reads to the plugin call):"
        + w);
  }

  /** A channel whose first send blocks until released; records every message it is handed. */
  static class BlockingProvider extends MailChannel {
    final CountDownLatch firstEntered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    void handed(Message message) {
      if (firstEntered.getCount() > 0) {
        firstEntered.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  static Stream<Arguments> scenarios() {
    List<Arguments> out = new ArrayList<>();
    RedTeamStores.kinds().forEach(kind -> {
      for (boolean addressLevel : new boolean[] {true, false}) {
        for (boolean hostExecutor : new boolean[] {false, true}) {
          out.add(Arguments.of(kind, addressLevel, hostExecutor));
        }
      }
    });
    return out.stream();
  }

  static String person(int i) {
    return "p" + i;
  }

  static Identifier email(int i) {
    return Identifier.email("p" + i + "@example.com");
  }

  @ParameterizedTest(name = "{0}, address-level {1}, host executor {2}")
  @MethodSource("scenarios")
  @DisplayName("a withdrawal, restriction, erasure or grant expiry during a dispatch stops"
      + " that person's message; the untouched are sent")
  void changesDuringDispatchStopTheirMessages(String kind, boolean addressLevel,
      boolean hostExecutor) throws Exception {
    ExecutorService host = Executors.newFixedThreadPool(2);
    ExecutorService dispatcher = Executors.newSingleThreadExecutor();
    try (RedTeamStores place = RedTeamStores.open(kind)) {
      MutableClock clock = new MutableClock(T0);
      BlockingProvider mail = new BlockingProvider();
      Activation.Builder ab = Activation.builder()
          .channel("mail", mail, Map.of("timeout", "PT60S"))
          .rule(Rule.builder("offer").trigger(Trigger.event("Offer")).channel("mail")
              .purpose("marketing").build());
      if (hostExecutor) {
        ab.executor(host);
      }
      Activation activation = ab.build();
      Store store = place.store();
      try (Cdp cdp = Cdp.builder().store(store).clock(clock).extension(activation).build()) {
        // Six people: p0 is sent first (its entry is due first), p1 withdraws, p2 is
        // restricted, p3 erased, p4's grant expires, p5 is left alone.
        for (int i = 0; i < 6; i++) {
          ConsentChange.Builder grant = ConsentChange.builder("marketing", "email", true);
          if (i == 4) {
            grant.expiresAt(T0.plus(Duration.ofMinutes(30)));
          }
          if (addressLevel) {
            cdp.ingest(Event.identify().messageId("grant-" + i).userId(person(i))
                .identifier(email(i)).consent(grant.build()).build());
          } else {
            cdp.ingest(Event.identify().messageId("id-" + i).userId(person(i))
                .identifier(email(i)).build());
            cdp.ingest(Event.track("Consent Changed").messageId("grant-" + i)
                .userId(person(i)).consent(grant.build()).build());
          }
        }
        for (int i = 0; i < 6; i++) {
          clock.advance(Duration.ofMillis(1)); // due in this order
          cdp.ingest(Event.track("Offer").messageId("offer-" + i).userId(person(i)).build());
        }
        clock.advance(Duration.ofMinutes(1));
        Future<Integer> dispatch = dispatcher.submit(() -> activation.dispatch(WorkspaceId.DEFAULT));
        assertThat(mail.firstEntered.await(30, TimeUnit.SECONDS)).isTrue();

        // While p0 is being sent:
        clock.advance(Duration.ofSeconds(1));
        Event.Builder withdraw = Event.track("Consent Changed").messageId("withdraw-1")
            .userId(person(1)).consent("marketing", "email", false);
        if (addressLevel) {
          withdraw.identifier(email(1));
        }
        cdp.ingest(withdraw.build());
        ProfileId restricted = cdp.profiles().restrict(Identifier.customerId(person(2)),
            "dispute");
        cdp.privacy().erase(Identifier.customerId(person(3)));
        clock.advance(Duration.ofMinutes(30)); // p4's grant has expired
        mail.release.countDown();
        assertThat(dispatch.get(60, TimeUnit.SECONDS)).isEqualTo(6);

        List<String> receivers = new ArrayList<>();
        for (Message m : mail.sent) {
          for (Identifier r : m.recipients()) {
            receivers.add(r.value());
          }
        }
        SCENARIOS.incrementAndGet();
        for (int i = 1; i <= 4; i++) {
          if (receivers.contains(email(i).value())) {
            SENT_WITHOUT_CONSENT.incrementAndGet();
          }
        }
        assertThat(receivers).containsExactlyInAnyOrder(email(0).value(), email(5).value());

        // The history says why, typed.
        assertThat(reason(activation, cdp, person(1))).contains(
            new SuppressionReason.ConsentDenied());
        assertThat(reason(activation, cdp, person(4))).contains(
            new SuppressionReason.ConsentExpired());
        assertThat(activation.deliveries(restricted).stream()
            .map(Activation::suppressionReason).flatMap(Optional::stream).toList())
            .containsExactly(new SuppressionReason.Restricted());
        assertThat(cdp.profiles().find(Identifier.customerId(person(3)))).isEmpty();
        Activation.HandoverWindow w = activation.handoverWindow();
        assertThat(w.messages()).isEqualTo(2);
        WINDOWS.computeIfAbsent(kind, k -> new CopyOnWriteArrayList<>()).add(w);
      } finally {
        mail.release.countDown();
        store.close();
      }
    } finally {
      dispatcher.shutdownNow();
      host.shutdownNow();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("an unmerge during a dispatch moves a message to the address current then; a"
      + " withdrawal for the current address stops it, and never sends to an older one")
  void changesDuringDispatchNarrowTheRecipients(String kind) throws Exception {
    ExecutorService dispatcher = Executors.newSingleThreadExecutor();
    try (RedTeamStores place = RedTeamStores.open(kind)) {
      MutableClock clock = new MutableClock(T0);
      BlockingProvider mail = new BlockingProvider();
      Activation activation = Activation.builder()
          .channel("mail", mail, Map.of("timeout", "PT60S"))
          .rule(Rule.builder("offer").trigger(Trigger.event("Offer")).channel("mail")
              .purpose("marketing").build())
          .build();
      Store store = place.store();
      Identifier q = Identifier.customerId("q");
      Identifier cookie = Identifier.anonymousId("q-cookie");
      Identifier r = Identifier.customerId("r");
      Identifier q1 = Identifier.email("q1@example.com");
      Identifier q2 = Identifier.email("q2@example.com");
      Identifier r1 = Identifier.email("r1@example.com");
      Identifier r2 = Identifier.email("r2@example.com");
      try (Cdp cdp = Cdp.builder().store(store).clock(clock).extension(activation).build()) {
        cdp.ingest(Event.identify().messageId("p0").userId(person(0)).identifier(email(0))
            .consent("marketing", "email", true).build());
        // q grants without an address (profile-level); q2, given as the email trait and so
        // q's current address while the cookie links them, reaches q's profile only through
        // the cookie: after the unmerge q1 is q's current address again.
        cdp.ingest(Event.identify().messageId("q1").identifier(q).identifier(q1).build());
        cdp.ingest(Event.track("Consent Changed").messageId("q-grants").identifier(q)
            .consent("marketing", "email", true).build());
        cdp.ingest(Event.identify().messageId("q2").identifier(cookie)
            .trait("email", q2.value()).build());
        cdp.ingest(Event.page("Home").messageId("q-link").identifier(cookie).identifier(q)
            .build());
        // r moved from r1 to r2 (the email trait), both consented; r2 withdraws mid-dispatch.
        cdp.ingest(Event.identify().messageId("r1").identifier(r).identifier(r1)
            .consent("marketing", "email", true).build());
        cdp.ingest(Event.identify().messageId("r2").identifier(r).trait("email", r2.value())
            .consent("marketing", "email", true).build());
        clock.advance(Duration.ofMillis(1));
        cdp.ingest(Event.track("Offer").messageId("offer-p0").userId(person(0)).build());
        clock.advance(Duration.ofMillis(1));
        cdp.ingest(Event.track("Offer").messageId("offer-q").identifier(q).build());
        clock.advance(Duration.ofMillis(1));
        cdp.ingest(Event.track("Offer").messageId("offer-r").identifier(r).build());
        clock.advance(Duration.ofMinutes(1));
        Future<Integer> dispatch = dispatcher.submit(() -> activation.dispatch(WorkspaceId.DEFAULT));
        assertThat(mail.firstEntered.await(30, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofSeconds(1));
        cdp.profiles().unmerge(q, cookie);
        cdp.ingest(Event.track("Consent Changed").messageId("r2-withdraws").identifier(r2)
            .consent("marketing", "email", false).build());
        mail.release.countDown();
        assertThat(dispatch.get(60, TimeUnit.SECONDS)).isEqualTo(3);

        SCENARIOS.incrementAndGet();
        List<String> all = mail.sent.stream().flatMap(m -> m.recipients().stream())
            .map(Identifier::value).toList();
        if (all.contains(q2.value())) {
          SENT_WITHOUT_CONSENT.incrementAndGet(); // no longer q's address
        }
        if (all.contains(r2.value()) || all.contains(r1.value())) {
          SENT_WITHOUT_CONSENT.incrementAndGet(); // withdrawn, or not current
        }
        assertThat(all).containsExactlyInAnyOrder(email(0).value(), q1.value());
        ProfileId rp = cdp.profiles().find(r).orElseThrow().id();
        var lines = activation.deliveries(rp);
        assertThat(lines).singleElement().satisfies(d -> {
          assertThat(d.outcome()).isEqualTo("suppressed");
          assertThat(Activation.suppressionReason(d))
              .contains(new SuppressionReason.ConsentDenied());
          assertThat(d.detail()).contains("\"stage\":\"handover\"")
              .doesNotContain(r2.value());
        });
      } finally {
        mail.release.countDown();
        store.close();
      }
    } finally {
      dispatcher.shutdownNow();
    }
  }

  /** Per store kind: the window over 100 messages on a warm engine. */
  static final Map<String, Activation.HandoverWindow> MEASURED =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  @AfterAll
  static void reportMeasured() {
    MEASURED.forEach((kind, w) -> System.out.println("RED-TEAM hand-over window, " + kind
        + ": " + w.messages() + " messages, longest " + w.longest().toNanos() / 1000
        + " us, mean " + w.mean().toNanos() / 1000 + " us"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("the window from the check at hand-over to the plugin call, measured on a warm"
      + " engine")
  void measureTheWindow(String kind) {
    try (RedTeamStores place = RedTeamStores.open(kind)) {
      Store store = place.store();
      try {
        int person = 0;
        for (int round = 0; round < 2; round++) {
          MailChannel mail = new MailChannel();
          List<Message> handed = mail.sent;
          Activation activation = Activation.builder().channel("mail", mail, Map.of())
              .rule(Rule.builder("offer").trigger(Trigger.event("Offer")).channel("mail")
                  .purpose("marketing").build())
              .batchSize(20).build();
          int n = round == 0 ? 40 : 100; // the first round warms the engine up
          MutableClock clock = new MutableClock(T0.plus(Duration.ofHours(round)));
          try (Cdp cdp = Cdp.builder().store(store).clock(clock)
              .extension(activation).build()) {
            for (int i = 0; i < n; i++, person++) {
              cdp.ingest(Event.identify().messageId("grant-" + person).userId(person(person))
                  .identifier(email(person)).consent("marketing", "email", true).build());
              cdp.ingest(Event.track("Offer").messageId("offer-" + person)
                  .userId(person(person)).build());
            }
            clock.advance(Duration.ofMinutes(1));
            while (activation.dispatch(WorkspaceId.DEFAULT) > 0) {
              // until nothing is due
            }
            assertThat(handed).hasSize(n);
            if (round == 1) {
              MEASURED.put(kind, activation.handoverWindow());
              assertThat(activation.handoverWindow().messages()).isEqualTo(n);
            }
          }
        }
      } finally {
        store.close();
      }
    }
  }

  private static Optional<SuppressionReason> reason(Activation activation, Cdp cdp,
      String person) {
    ProfileId p = cdp.profiles().find(Identifier.customerId(person)).orElseThrow().id();
    var lines = activation.deliveries(p);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).outcome()).isEqualTo("suppressed");
    return Activation.suppressionReason(lines.get(0));
  }
}
