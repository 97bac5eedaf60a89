package io.cdpkit.core.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * The law of auto-links: whatever the batch pass links, unmerging every linked pair restores
 * every record's profile exactly as it was before detection (traits, identifiers, counts), and
 * a second pass links none of them again.
 */
class DedupUnmergeProperties {
  @Property(tries = 6)
  void unmergingEveryLinkRestoresTheOriginals(@ForAll @LongRange(min = 1, max = 1_000_000)
      long seed) {
    List<MatchRecord> records = People.generate(600, 150, seed);
    try (Cdp cdp = Cdp.builder().build()) {
      Workspace ws = cdp.workspace(WorkspaceId.of("law"));
      DuplicatesTest.ingest(ws, records);
      Map<String, String> before = new HashMap<>();
      for (MatchRecord r : records) {
        before.put(r.id(), view(find(ws, r.id())));
      }
      ws.duplicates().configure(DedupSettings.defaults());
      DetectionReport report = ws.duplicates().detect();
      assertThat(report.linked()).isPositive();

      int unmerges = 0;
      for (MatchRecord r : records) {
        List<String> ids = anonymousIds(find(ws, r.id()));
        for (int i = 0; i < ids.size(); i++) {
          for (int j = i + 1; j < ids.size(); j++) {
            if (find(ws, ids.get(i)).id().equals(find(ws, ids.get(j)).id())) {
              ws.profiles().unmerge(Identifier.anonymousId(ids.get(i)),
                  Identifier.anonymousId(ids.get(j)));
              unmerges++;
            }
          }
        }
      }
      assertThat(unmerges).isPositive();
      for (MatchRecord r : records) {
        assertThat(view(find(ws, r.id()))).as(r.id()).isEqualTo(before.get(r.id()));
      }
      DetectionReport again = ws.duplicates().detect();
      assertThat(again.linked()).isZero();
      for (MatchRecord r : records) {
        assertThat(anonymousIds(find(ws, r.id()))).containsExactly(r.id());
      }
    }
  }

  private static Profile find(Workspace ws, String id) {
    return ws.profiles().find(Identifier.anonymousId(id)).orElseThrow();
  }

  private static List<String> anonymousIds(Profile p) {
    return p.identifiers(IdentifierType.ANONYMOUS_ID).stream().map(Identifier::value).sorted()
        .toList();
  }

  /** What a person sees of a profile, without its id (an unmerge may give a new one). */
  private static String view(Profile p) {
    return p.traits() + " " + p.identifiers() + " " + p.eventCounts() + " " + p.firstSeen() + " "
        + p.lastSeen();
  }
}
