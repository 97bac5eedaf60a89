package io.cdpkit.storage.jdbc.redteam;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.spi.storage.Store;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacks the nesting limit: values nested deeper than the limit, built in Java or sent as JSON,
 * must be refused per event naming the field (never a {@link StackOverflowError}, never stored
 * to make {@code export} fail for ever), and the deepest accepted event must stay readable,
 * exportable and erasable on every store.
 */
class NestingDepthRedTeamTest {
  static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  /** A value of {@code levels} nested containers, alternating maps and lists. */
  static Object nested(int levels) {
    Object v = "leaf";
    for (int i = 0; i < levels; i++) {
      if (i % 2 == 0) {
        Map<String, Object> m = new HashMap<>();
        m.put("k", v);
        v = m;
      } else {
        List<Object> l = new ArrayList<>();
        l.add(v);
        v = l;
      }
    }
    return v;
  }

  static Event probe(String id, Object deep) {
    return Event.track("Probe").messageId(id).userId("deep-person").property("p", deep)
        .identifier(Identifier.email("deep@example.com")).timestamp(T).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("too deep is refused per event naming the field, at any depth and without a stack"
      + " overflow; the deepest accepted event is stored, exported and erased")
  void depth(String kind) {
    try (RedTeamStores place = RedTeamStores.open(kind);
        Store store = place.store();
        Cdp cdp = Cdp.builder().store(store).build()) {
      List<Event> batch = new ArrayList<>();
      List<Boolean> good = new ArrayList<>();
      // properties is level 2: 30 more containers reach level 32, the default limit
      batch.add(probe("ok-30", nested(30)));
      good.add(true);
      int refusedAtBuild = 0;
      for (int levels : new int[] {31, 62, 63, 1_200, 10_000, 200_000}) {
        try {
          batch.add(probe("deep-" + levels, nested(levels)));
          good.add(false);
        } catch (InvalidEventException e) {
          // beyond the ceiling every event keeps (64 levels): refused by the builder already
          assertThat(e.reason()).isEqualTo("nests deeper than 64 levels");
          assertThat(e.pointer()).startsWith("/properties/p/");
          refusedAtBuild++;
        }
        batch.add(Event.track("Probe").messageId("good-" + levels).userId("deep-person")
            .timestamp(T).build());
        good.add(true);
      }
      assertThat(refusedAtBuild).isEqualTo(4);
      Map<String, Object> self = new HashMap<>();
      self.put("self", self);
      try {
        probe("cycle", self);
        throw new AssertionError("a map containing itself was accepted");
      } catch (InvalidEventException e) {
        assertThat(e.pointer()).startsWith("/properties/p/self/self");
      }

      BatchResult r = cdp.ingest(batch);
      for (int i = 0; i < batch.size(); i++) {
        IngestResult res = r.results().get(i);
        if (good.get(i)) {
          assertThat(res.status()).as(batch.get(i).messageId())
              .isEqualTo(IngestResult.Status.STORED);
        } else {
          assertThat(res.status()).isEqualTo(IngestResult.Status.REJECTED);
          assertThat(res.error().reason()).isEqualTo("nests deeper than 32 levels");
          assertThat(res.error().pointer()).startsWith("/properties/p/");
        }
      }
      // JSON: 31 containers under properties/p refused per message; a body nested beyond the
      // parser's guard refused as a whole, not with a stack overflow
      String deepJson = "{\"type\":\"track\",\"event\":\"Probe\",\"messageId\":\"j-deep\","
          + "\"userId\":\"deep-person\",\"properties\":{\"p\":" + "[".repeat(31) + "1"
          + "]".repeat(31) + "}}";
      String okJson = "{\"type\":\"track\",\"event\":\"Probe\",\"messageId\":\"j-ok\","
          + "\"userId\":\"deep-person\"}";
      BatchResult jr = cdp.ingestJson(("{\"batch\":[" + deepJson + "," + okJson + "]}")
          .getBytes(StandardCharsets.UTF_8));
      assertThat(jr.results()).extracting(IngestResult::status).containsExactly(
          IngestResult.Status.REJECTED, IngestResult.Status.STORED);
      try {
        cdp.ingestJson(("{\"batch\":[{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000)
            + "}]}").getBytes(StandardCharsets.UTF_8));
      } catch (InvalidEventException e) {
        assertThat(e.getMessage()).doesNotContain("[[");
      }

      // the deepest accepted event is readable, exportable and erasable
      Identifier who = Identifier.email("deep@example.com");
      assertThat(cdp.profiles().events(cdp.profiles().find(who).orElseThrow().id()))
          .extracting(Event::messageId).contains("ok-30");
      assertThat(cdp.privacy().export(who).orElseThrow()).contains("leaf");
      assertThat(cdp.privacy().erase(who).events()).isGreaterThanOrEqualTo(1);
      assertThat(cdp.profiles().find(who)).isEmpty();
    }
  }
}
