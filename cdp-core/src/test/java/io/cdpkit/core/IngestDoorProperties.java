package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.testing.BrokenEvents;
import io.cdpkit.core.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The law of the ingest door, over the Java builder and the JSON codec: in a batch of valid
 * events where one random field of some events is broken with an adversarial value (see
 * {@link BrokenEvents#BREAKS}), every good event is stored, every broken one is rejected or kept
 * with the warning its rule promises, no exception escapes, and afterwards every person stays
 * readable, exportable and erasable.
 */
class IngestDoorProperties {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final AtomicLong INPUTS = new AtomicLong();
  static final AtomicLong BROKEN = new AtomicLong();
  static final AtomicLong GOOD_LOST = new AtomicLong();
  static final AtomicLong ESCAPED = new AtomicLong();

  @Property(tries = 300)
  void everyGoodEventStoredEveryBadOneRejected(@ForAll long seed, @ForAll boolean json) {
    MutableClock clock = new MutableClock(NOW);
    try (Cdp cdp = Cdp.builder().clock(clock).build()) {
      BrokenEvents.Batch batch = BrokenEvents.batch(seed, 12, json, "r", NOW);
      INPUTS.addAndGet(batch.messages().size());
      BROKEN.addAndGet(batch.messages().stream().filter(m -> !m.good()).count());
      BatchResult r;
      try {
        r = json ? cdp.ingestJson(batch.body()) : cdp.ingest(BrokenEvents.buildable(batch));
      } catch (RuntimeException | StackOverflowError ex) {
        ESCAPED.incrementAndGet();
        ex.printStackTrace(System.out);
        GOOD_LOST.addAndGet(batch.messages().stream().filter(BrokenEvents.Message::good).count());
        throw ex;
      }
      List<String> problems = BrokenEvents.check(batch, r);
      GOOD_LOST.addAndGet(problems.stream().filter(p -> p.contains("good event")).count());
      assertThat(problems).isEmpty();
      readExportErase(cdp, batch);
    }
  }

  /** Every person of the batch: events, export and erasure work, and erasure leaves nothing. */
  static void readExportErase(Cdp cdp, BrokenEvents.Batch batch) {
    Set<String> people = new LinkedHashSet<>();
    batch.messages().forEach(m -> people.add(m.person()));
    List<Identifier> stored = new ArrayList<>();
    for (String person : people) {
      Identifier id = Identifier.customerId(person);
      Profile p = cdp.profiles().find(id).orElse(null);
      if (p == null) {
        continue;
      }
      assertThat(cdp.profiles().events(p.id())).isNotEmpty();
      p.totalSpend();
      p.computedTraits();
      assertThat(cdp.privacy().export(id)).isPresent();
      stored.add(id);
    }
    for (Identifier id : stored) {
      cdp.privacy().erase(id);
      assertThat(cdp.profiles().find(id)).isEmpty();
    }
  }

  @AfterContainer
  static void report() {
    System.out.printf("IngestDoorProperties: %d inputs (%d broken), good events lost %d, "
        + "exceptions escaped %d%n", INPUTS.get(), BROKEN.get(), GOOD_LOST.get(), ESCAPED.get());
  }
}
