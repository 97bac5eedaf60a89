package io.cdpkit.storage.jdbc.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.dedup.DedupSettings;
import io.cdpkit.core.dedup.DetectionReport;
import io.cdpkit.core.dedup.Duplicates;
import io.cdpkit.core.dedup.ReviewItem;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.storage.jdbc.redteam.RedTeamStores;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Duplicate detection on every store (in memory, H2 file, PostgreSQL, MariaDB): settings, the
 * learned model, review items and decisions persist across a restart; auto-links and their
 * unmerge are kept; after a restart, incremental checks resume from the stored model; and a
 * second workspace on the same store sees none of it.
 */
class DuplicatesOnEveryStoreTest {
  private static final String[] SYLLABLES = {"ka", "lo", "mi", "ren", "to", "sa", "vin", "el",
      "dor", "na", "bri", "gel", "ha", "jo", "ste", "mar", "li", "an", "ro", "ben", "di", "ca"};
  static final int PEOPLE = 600;
  static final int DUPLICATED = 150;

  /** Person records: traits by record id; ids {@code p<n>-a}, duplicates {@code p<n>-b}. */
  static Map<String, Map<String, String>> people(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (int p = 0; p < PEOPLE; p++) {
      Map<String, String> v = new LinkedHashMap<>();
      v.put("first_name", word(r, 2));
      v.put("last_name", word(r, 3));
      v.put("birthday", String.format("%04d-%02d-%02d", 1930 + r.nextInt(75),
          1 + r.nextInt(12), 1 + r.nextInt(28)));
      v.put("postcode", Integer.toString(1000 + r.nextInt(9000)));
      v.put("street", word(r, 3) + " street " + (1 + r.nextInt(200)));
      v.put("city", word(r, 2) + "ville");
      out.put("p" + p + "-a", v);
      if (p < DUPLICATED) {
        Map<String, String> d = new LinkedHashMap<>(v);
        String name = r.nextBoolean() ? "first_name" : "last_name";
        String s = d.get(name);
        int at = r.nextInt(s.length());
        d.put(name, s.substring(0, at) + (char) ('a' + r.nextInt(26)) + s.substring(at + 1));
        out.put("p" + p + "-b", d);
      }
    }
    return out;
  }

  private static String word(SplittableRandom r, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(SYLLABLES[r.nextInt(SYLLABLES.length)]);
    }
    return b.toString();
  }

  static Event event(String id, Map<String, String> traits) {
    Event.Builder e = Event.identify().messageId("m-" + id).anonymousId(id);
    traits.forEach(e::trait);
    return e.build();
  }

  static void ingest(Workspace ws, Map<String, Map<String, String>> people) {
    List<Event> events = new ArrayList<>();
    people.forEach((id, v) -> events.add(event(id, v)));
    for (int i = 0; i < events.size(); i += 200) {
      BatchResult r = ws.ingest(events.subList(i, Math.min(events.size(), i + 200)));
      assertThat(r.results()).allMatch(x -> x.status() == IngestResult.Status.STORED);
    }
  }

  static ProfileId profile(Workspace ws, String id) {
    return ws.profiles().find(Identifier.anonymousId(id)).orElseThrow().id();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("settings, model, review items and decisions persist; links unmerge; checks"
      + " resume after a restart")
  void persistsAcrossARestart(String kind) {
    WorkspaceId shop = WorkspaceId.of("shop");
    WorkspaceId review = WorkspaceId.of("review");
    Map<String, Map<String, String>> people = people(3);
    DedupSettings queueAll = DedupSettings.builder().linkThreshold(1.0).reviewThreshold(0.01)
        .incremental(false).build();
    List<ReviewItem> queued;
    ReviewItem accepted;
    ReviewItem rejected;
    try (RedTeamStores place = RedTeamStores.open(kind)) {
      Store store = place.store();
      try (Cdp cdp = Cdp.builder().store(store).build()) {
        Workspace ws = cdp.workspace(shop);
        ingest(ws, people);
        ws.duplicates().configure(DedupSettings.defaults());
        DetectionReport report = ws.duplicates().detect();
        assertThat(report.linked()).isGreaterThan(DUPLICATED * 9 / 10);
        assertThat(profile(ws, "p0-a")).isEqualTo(profile(ws, "p0-b"));
        assertThat(profile(ws, "p1-a")).isEqualTo(profile(ws, "p1-b"));
        ws.profiles().unmerge(Identifier.anonymousId("p1-a"), Identifier.anonymousId("p1-b"));

        Workspace rw = cdp.workspace(review);
        ingest(rw, people);
        rw.duplicates().configure(queueAll);
        rw.duplicates().detect();
        queued = rw.duplicates().reviewQueue();
        assertThat(queued).hasSizeGreaterThan(DUPLICATED / 2);
        accepted = queued.get(0);
        rejected = queued.get(1);
        rw.duplicates().accept(accepted.first(), accepted.second(), "reviewed");
        rw.duplicates().reject(rejected.first(), rejected.second(), "reviewed");
      }
      if (!kind.equals("memory")) {
        store.close();
        store = place.store();
      }
      if (kind.equals("memory")) {
        return; // a new in-memory store is empty: nothing to read back
      }
      try (Cdp cdp = Cdp.builder().store(store).build()) {
        Workspace ws = cdp.workspace(shop);
        assertThat(ws.duplicates().settings()).isEqualTo(DedupSettings.defaults());
        assertThat(ws.duplicates().model()).isPresent();
        assertThat(profile(ws, "p0-a")).isEqualTo(profile(ws, "p0-b"));
        assertThat(profile(ws, "p1-a")).isNotEqualTo(profile(ws, "p1-b"));
        assertThat(ws.profiles().ledger(profile(ws, "p0-a")))
            .anyMatch(e -> e.kind() == LedgerEntry.Kind.MERGED
                && e.reason().equals(Duplicates.LEDGER_REASON));

        // Incremental checks resume from the stored model: a new duplicate links at ingest.
        Map<String, String> copy = new LinkedHashMap<>(people.get("p300-a"));
        copy.put("street", copy.get("street") + "a");
        ws.ingest(event("p300-new", copy));
        assertThat(profile(ws, "p300-new")).isEqualTo(profile(ws, "p300-a"));

        Workspace rw = cdp.workspace(review);
        assertThat(rw.duplicates().settings()).isEqualTo(queueAll);
        List<ReviewItem> now = rw.duplicates().reviewQueue();
        assertThat(now).hasSize(queued.size() - 2);
        assertThat(now).noneMatch(i -> i.involves(rejected.first())
            && i.involves(rejected.second()));
        assertThat(rw.profiles().resolve(accepted.first()))
            .isEqualTo(rw.profiles().resolve(accepted.second()));
        // The rejection is a do-not-link rule: a new pass does not queue the pair again.
        DetectionReport again = rw.duplicates().detect();
        assertThat(again.doNotLink()).isPositive();
        assertThat(rw.duplicates().reviewQueue()).noneMatch(i -> i.involves(rejected.first())
            && i.involves(rejected.second()));

        Workspace other = cdp.workspace(WorkspaceId.of("other"));
        assertThat(other.duplicates().model()).isEmpty();
        assertThat(other.duplicates().reviewQueue()).isEmpty();
      } finally {
        store.close();
      }
    }
  }
}
