package io.cdpkit.storage.jdbc.redteam;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The law behind "an export holds only the person's own data", over random shops: shoppers with
 * private identifiers (customer id, e-mail, card) and a few shared devices (cookies), random
 * events carrying random subsets of them (so profiles merge, refuse links on the one customer id
 * a profile may hold, and share devices), and random unmerges. For every live profile, its
 * export contains no value of any identifier another live profile holds, and no other live
 * profile's id; and it contains every value of its own identifiers. In-memory store (the law is
 * in core; the example-based {@link ExportOfOnePersonRedTeamTest} runs on every store).
 */
class ExportOfOnePersonPropertiesTest {
  private static final Instant START = Instant.parse("2026-02-01T12:00:00Z");

  /** One event: the shopper, which of her identifiers it carries, and which shared cookie. */
  record Step(int shopper, int idMask, int cookie, boolean unmerge) {}

  @Provide
  Arbitrary<Step> steps() {
    return Combinators.combine(Arbitraries.integers().between(0, 5),
        Arbitraries.integers().between(0, 7), Arbitraries.integers().between(-1, 2),
        Arbitraries.integers().between(0, 9).map(n -> n == 0))
        .as(Step::new);
  }

  @Property(tries = 60)
  void anExportNamesNoOtherProfile(@ForAll @Size(min = 3, max = 40) List<@net.jqwik.api.From(
      "steps") Step> steps) {
    MutableClock clock = new MutableClock(START);
    try (Cdp cdp = Cdp.builder().store(Store.inMemory()).clock(clock).build()) {
      int n = 0;
      for (Step s : steps) {
        List<Identifier> ids = identifiers(s);
        if (s.unmerge() && ids.size() >= 2) {
          try {
            cdp.profiles().unmerge(ids.get(0), ids.get(1));
          } catch (IllegalArgumentException unknownYet) {
            // Neither was seen yet: nothing to split.
          }
          continue;
        }
        if (ids.isEmpty()) {
          continue;
        }
        Event.Builder e = Event.track("Visited").messageId("m-" + n)
            .timestamp(START.plusSeconds(n++));
        ids.forEach(e::identifier);
        cdp.ingest(e.build());
      }

      // Every live profile, by one of its identifiers; then each one's identifiers.
      Map<String, Profile> live = new LinkedHashMap<>();
      for (int shopper = 0; shopper < 6; shopper++) {
        for (Identifier i : all(shopper)) {
          cdp.profiles().find(i).ifPresent(p -> live.putIfAbsent(p.id().value(), p));
        }
      }
      for (int c = 0; c < 3; c++) {
        cdp.profiles().find(cookie(c)).ifPresent(p -> live.putIfAbsent(p.id().value(), p));
      }
      for (Profile p : live.values()) {
        String export = cdp.privacy().export(p.identifiers().iterator().next()).orElseThrow();
        for (Identifier own : p.identifiers()) {
          assertThat(export).as("own identifier in export").contains(own.value());
        }
        for (Profile q : live.values()) {
          if (q.id().equals(p.id())) {
            continue;
          }
          assertThat(export).as("another profile's id").doesNotContain(q.id().value());
          for (Identifier theirs : q.identifiers()) {
            assertThat(export).as("another profile's %s", theirs.type().id())
                .doesNotContain(theirs.value());
          }
        }
      }
    }
  }

  private static List<Identifier> identifiers(Step s) {
    List<Identifier> out = new ArrayList<>();
    List<Identifier> mine = all(s.shopper());
    for (int b = 0; b < 3; b++) {
      if ((s.idMask() & (1 << b)) != 0) {
        out.add(mine.get(b));
      }
    }
    if (s.cookie() >= 0) {
      out.add(cookie(s.cookie()));
    }
    return out;
  }

  private static Identifier cookie(int c) {
    return Identifier.anonymousId("shared-cookie-" + c + "-q7");
  }

  /** A shopper's private identifiers (values that are no substring of one another). */
  private static List<Identifier> all(int shopper) {
    return List.of(Identifier.customerId("cust-" + shopper + "-x9k"),
        Identifier.email("mail" + shopper + "-zq@shop" + shopper + ".example"),
        Identifier.loyaltyCard("29007" + shopper + "4418" + shopper));
  }
}
