package io.cdpkit.core.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.ErasureReport;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Duplicate detection wired into the engine ({@code workspace.duplicates()}): auto-links through
 * the identity graph, unmerge and do-not-link, the review queue, incremental checks at ingest,
 * erasure and export, and isolation between workspaces.
 */
class DuplicatesTest {
  private static final int PEOPLE = 1_500;
  private static final int DUPLICATED = 300;

  private Cdp cdp;
  private Workspace ws;

  @BeforeEach
  void open() {
    cdp = Cdp.builder().build();
    ws = cdp.workspace(WorkspaceId.of("shop"));
  }

  @AfterEach
  void close() {
    cdp.close();
  }

  /** Ingests records as identify events: anonymousId = record id, values as traits. */
  static void ingest(Workspace ws, List<MatchRecord> records) {
    List<Event> batch = new ArrayList<>();
    for (MatchRecord r : records) {
      batch.add(event(r));
      if (batch.size() == 500) {
        check(ws.ingest(batch));
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      check(ws.ingest(batch));
    }
  }

  static Event event(MatchRecord r) {
    Event.Builder e = Event.identify().messageId("m-" + r.id()).anonymousId(r.id());
    r.values().forEach(e::trait);
    return e.build();
  }

  private static void check(BatchResult result) {
    assertThat(result.results()).allMatch(x -> x.status() == IngestResult.Status.STORED);
  }

  private ProfileId profileOf(String recordId) {
    return ws.profiles().find(Identifier.anonymousId(recordId)).orElseThrow().id();
  }

  /** Pairs of record ids that share a profile. */
  private Set<String> together(List<MatchRecord> records) {
    Map<ProfileId, List<String>> by = new HashMap<>();
    for (MatchRecord r : records) {
      by.computeIfAbsent(profileOf(r.id()), k -> new ArrayList<>()).add(r.id());
    }
    Set<String> pairs = new HashSet<>();
    for (List<String> ids : by.values()) {
      for (int i = 0; i < ids.size(); i++) {
        for (int j = i + 1; j < ids.size(); j++) {
          String a = ids.get(i);
          String b = ids.get(j);
          pairs.add(a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a);
        }
      }
    }
    return pairs;
  }

  @Test
  void detectLinksDuplicatesThroughTheIdentityGraph() {
    List<MatchRecord> records = People.generate(PEOPLE, DUPLICATED, 7);
    ingest(ws, records);
    ws.duplicates().configure(DedupSettings.defaults());
    List<String> phases = new ArrayList<>();
    DetectionReport report = ws.duplicates().detect((phase, done, total) -> {
      if (phases.isEmpty() || !phases.get(phases.size() - 1).equals(phase)) {
        phases.add(phase);
      }
    });

    assertThat(phases).containsSubsequence("read", "compare", "decide");
    assertThat(report.profiles()).isEqualTo(records.size());
    Set<String> linked = together(records);
    long right = linked.stream().filter(p -> {
      String[] ab = p.split("\\|");
      return People.person(ab[0]).equals(People.person(ab[1]));
    }).count();
    assertThat(right).as("true pairs linked").isGreaterThan((long) (DUPLICATED * 0.9));
    assertThat(linked.size() - right).as("false pairs linked").isLessThan(DUPLICATED / 50);
    assertThat(report.linked()).isEqualTo(linked.size());

    // The merge is in the ledger with the cause, and came from an event of CDPKit's own.
    String a = "p0-a";
    String b = "p0-b";
    assertThat(profileOf(a)).isEqualTo(profileOf(b));
    List<LedgerEntry> ledger = ws.profiles().ledger(profileOf(a));
    assertThat(ledger).anyMatch(e -> e.kind() == LedgerEntry.Kind.MERGED
        && e.reason().equals(Duplicates.LEDGER_REASON));
    assertThat(ws.profiles().events(profileOf(a)))
        .anyMatch(e -> Duplicates.LINK_EVENT.equals(e.name())
            && "cdp.dedup".equals(e.context().source()));
    assertThat(ws.duplicates().model()).isPresent();
  }

  @Test
  void unmergeRestoresTheTwoAndDetectionRemembersIt() {
    List<MatchRecord> records = People.generate(PEOPLE, DUPLICATED, 11);
    ingest(ws, records);
    Profile aBefore = ws.profiles().find(Identifier.anonymousId("p0-a")).orElseThrow();
    Profile bBefore = ws.profiles().find(Identifier.anonymousId("p0-b")).orElseThrow();
    ws.duplicates().configure(DedupSettings.defaults());
    ws.duplicates().detect();
    assertThat(profileOf("p0-a")).isEqualTo(profileOf("p0-b"));

    ws.profiles().unmerge(Identifier.anonymousId("p0-a"), Identifier.anonymousId("p0-b"));
    Profile aAfter = ws.profiles().find(Identifier.anonymousId("p0-a")).orElseThrow();
    Profile bAfter = ws.profiles().find(Identifier.anonymousId("p0-b")).orElseThrow();
    assertThat(aAfter.id()).isNotEqualTo(bAfter.id());
    assertThat(aAfter.traits()).isEqualTo(aBefore.traits());
    assertThat(bAfter.traits()).isEqualTo(bBefore.traits());
    assertThat(aAfter.identifiers()).isEqualTo(aBefore.identifiers());
    assertThat(bAfter.identifiers()).isEqualTo(bBefore.identifiers());

    DetectionReport again = ws.duplicates().detect();
    assertThat(profileOf("p0-a")).isNotEqualTo(profileOf("p0-b"));
    assertThat(again.doNotLink()).isPositive();
    assertThat(ws.duplicates().reviewQueue())
        .noneMatch(i -> i.involves(profileOf("p0-a")) && i.involves(profileOf("p0-b")));
  }

  @Test
  void newDuplicateIsLinkedAtIngest() {
    List<MatchRecord> records = People.generate(PEOPLE, DUPLICATED, 13);
    ingest(ws, records);
    ws.duplicates().configure(DedupSettings.defaults());
    ws.duplicates().detect();
    // Person p400 has no duplicate yet; a second registration with a typo in the given name.
    MatchRecord original = records.stream().filter(r -> r.id().equals("p400-a")).findFirst()
        .orElseThrow();
    Map<String, String> v = new HashMap<>(original.values());
    v.put("given_name", v.get("given_name") + "x");
    ws.ingest(event(new MatchRecord("p400-new", v)));
    assertThat(profileOf("p400-new")).isEqualTo(profileOf("p400-a"));

    // A stranger sharing only the city stays alone.
    ws.ingest(event(new MatchRecord("stranger-1", Map.of("given_name", "zzyzx",
        "surname", "qqqqq", "city", v.get("city")))));
    assertThat(profileOf("stranger-1")).isNotEqualTo(profileOf("p400-a"));
  }

  @Test
  void incrementalChecksWaitForAModelAndCanBeTurnedOff() {
    List<MatchRecord> records = People.generate(PEOPLE, 0, 17);
    ingest(ws, records);
    ws.duplicates().configure(DedupSettings.defaults());
    // No model yet: an exact copy stays a profile of its own until a batch pass.
    Map<String, String> v = new HashMap<>(records.get(3).values());
    ws.ingest(event(new MatchRecord("copy-1", v)));
    assertThat(profileOf("copy-1")).isNotEqualTo(profileOf(records.get(3).id()));
    ws.duplicates().detect();
    assertThat(profileOf("copy-1")).isEqualTo(profileOf(records.get(3).id()));

    ws.duplicates().configure(ws.duplicates().settings().toBuilder().incremental(false).build());
    ws.ingest(event(new MatchRecord("copy-2", new HashMap<>(records.get(5).values()))));
    assertThat(profileOf("copy-2")).isNotEqualTo(profileOf(records.get(5).id()));
  }

  @Test
  void reviewQueueAcceptAndReject() {
    List<MatchRecord> records = People.generate(PEOPLE, DUPLICATED, 19);
    ingest(ws, records);
    // Nothing is linked automatically: every candidate from 1% up goes to review.
    ws.duplicates().configure(DedupSettings.builder().linkThreshold(1.0).reviewThreshold(0.01)
        .incremental(false).build());
    DetectionReport report = ws.duplicates().detect();
    List<ReviewItem> queue = ws.duplicates().reviewQueue();
    assertThat(queue).hasSize(report.queued()).hasSizeGreaterThan(DUPLICATED / 2);
    assertThat(queue).isSortedAccordingTo(
        java.util.Comparator.comparingDouble(ReviewItem::probability).reversed()
            .thenComparing(i -> i.first().value()).thenComparing(i -> i.second().value()));
    for (ReviewItem item : queue) {
      assertThat(item.logOdds()).isCloseTo(item.priorWeight() + item.weights().stream()
          .mapToDouble(FieldWeight::weight).sum(),
          org.assertj.core.data.Offset.offset(1e-9));
    }

    ReviewItem yes = queue.get(0);
    ReviewItem no = queue.get(1);
    ws.duplicates().accept(yes.first(), yes.second(), "reviewed");
    assertThat(cdp.workspace(WorkspaceId.of("shop")).profiles().resolve(yes.second()))
        .contains(ws.profiles().resolve(yes.first()).orElseThrow());
    assertThat(ws.profiles().ledger(ws.profiles().resolve(yes.first()).orElseThrow()))
        .anyMatch(e -> e.reason().equals(Duplicates.LEDGER_REASON));

    assertThatThrownBy(() -> ws.duplicates().reject(yes.first(), yes.second(), "reviewed"))
        .as("one profile now: rejecting cannot pick what to split")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("unmerge");
    ws.duplicates().reject(no.first(), no.second(), "reviewed");
    assertThat(ws.duplicates().reviewQueue()).hasSize(queue.size() - 2)
        .noneMatch(i -> i.involves(no.first()) && i.involves(no.second()));
    assertThatThrownBy(() -> ws.duplicates().accept(no.first(), no.second(), "changed-mind"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("do-not-link");

    // A later pass remembers the rejection; the accepted pair is one profile now.
    DetectionReport again = ws.duplicates().detect();
    assertThat(again.doNotLink()).isPositive();
    assertThat(ws.duplicates().reviewQueue())
        .noneMatch(i -> i.involves(no.first()) && i.involves(no.second()));
    assertThat(again.queued()).isEqualTo(queue.size() - 2);

    assertThatThrownBy(() -> ws.duplicates().reject(yes.first(), no.first(), "Has Spaces"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reasonCode");
    assertThatThrownBy(() -> ws.duplicates().accept(new ProfileId("nobody"), yes.first(), "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown");
  }

  @Test
  void twoCustomerIdsAreNeverLinkedButReported() {
    List<Event> events = new ArrayList<>();
    List<MatchRecord> records = People.generate(PEOPLE, DUPLICATED, 23);
    for (MatchRecord r : records) {
      Event.Builder e = Event.identify().messageId("m-" + r.id()).userId("C-" + r.id());
      r.values().forEach(e::trait);
      events.add(e.build());
    }
    check(ws.ingest(events));
    ws.duplicates().configure(DedupSettings.defaults());
    DetectionReport report = ws.duplicates().detect();
    assertThat(report.linked()).isZero();
    assertThat(report.refusedByRules()).isGreaterThan(DUPLICATED / 2);
    assertThat(ws.profiles().find(Identifier.customerId("C-p0-a")).orElseThrow().id())
        .isNotEqualTo(ws.profiles().find(Identifier.customerId("C-p0-b")).orElseThrow().id());
  }

  @Test
  void erasureDeletesReviewItemsAndExportListsThem() {
    List<MatchRecord> records = People.generate(PEOPLE, DUPLICATED, 29);
    ingest(ws, records);
    ws.duplicates().configure(DedupSettings.builder().linkThreshold(1.0).reviewThreshold(0.01)
        .build());
    ws.duplicates().detect();
    ReviewItem item = ws.duplicates().reviewQueue().get(0);
    Profile p = ws.profiles().get(item.first()).orElseThrow();
    Identifier anon = p.identifiers().get(0);

    String export = ws.privacy().export(anon).orElseThrow();
    assertThat(export).contains("\"reviewItems\"").contains(item.second().value());

    long before = ws.duplicates().reviewQueue().stream().filter(i -> i.involves(p.id())).count();
    ErasureReport erased = ws.privacy().erase(anon);
    assertThat(erased.reviewItems()).isEqualTo((int) before).isPositive();
    assertThat(ws.duplicates().reviewQueue()).noneMatch(i -> i.involves(p.id()));

    // Her values are out of the in-memory blocks too: a copy of her record finds no one.
    Map<String, String> v = new HashMap<>();
    p.traits().forEach((k, x) -> v.put(k, x.toString()));
    ws.ingest(event(new MatchRecord("after-erasure", v)));
    ProfileId copy = profileOf("after-erasure");
    assertThat(ws.duplicates().reviewQueue()).noneMatch(i -> i.involves(p.id()));
    assertThat(ws.profiles().get(copy).orElseThrow().identifiers()).hasSize(1);
  }

  @Test
  void workspacesDoNotSeeEachOther() {
    List<MatchRecord> records = People.generate(PEOPLE, DUPLICATED, 31);
    ingest(ws, records);
    Workspace other = cdp.workspace(WorkspaceId.of("other"));
    ws.duplicates().configure(DedupSettings.defaults());
    ws.duplicates().detect();
    assertThat(other.duplicates().model()).isEmpty();
    assertThat(other.duplicates().reviewQueue()).isEmpty();
    // The same person in the other workspace is not linked to anyone there or here.
    other.duplicates().configure(DedupSettings.defaults());
    AtomicInteger seen = new AtomicInteger();
    DetectionReport r = other.duplicates().detect((ph, d, t) -> seen.incrementAndGet());
    assertThat(r.profiles()).isZero();
    other.ingest(event(records.get(0)));
    assertThat(other.profiles().find(Identifier.anonymousId(records.get(0).id())).orElseThrow()
        .identifiers()).hasSize(1);
    ProfileId here = profileOf(records.get(0).id());
    assertThatThrownBy(() -> other.duplicates().compare(here, here))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentIngestsCheckedIncrementally() throws Exception {
    List<MatchRecord> records = People.generate(PEOPLE, DUPLICATED, 37);
    ingest(ws, records);
    ws.duplicates().configure(DedupSettings.defaults());
    ws.duplicates().detect();
    // Four threads register second copies of 200 people without a duplicate, each exact but
    // for one letter of the street, and each copy twice from two threads.
    List<MatchRecord> copies = new ArrayList<>();
    for (int p = DUPLICATED; p < DUPLICATED + 200; p++) {
      String id = "p" + p + "-a";
      MatchRecord original = records.stream().filter(r -> r.id().equals(id)).findFirst()
          .orElseThrow();
      Map<String, String> v = new HashMap<>(original.values());
      v.put("street", v.get("street") + "e");
      copies.add(new MatchRecord("p" + p + "-c", v));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors
        .newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int from = t;
        done.add(pool.submit(() -> {
          for (int i = from % 2; i < copies.size(); i += 2) {
            ws.ingest(event(copies.get(i)));
          }
        }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get(120, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (MatchRecord c : copies) {
      String original = c.id().replace("-c", "-a");
      assertThat(profileOf(c.id())).as(c.id()).isEqualTo(profileOf(original));
    }
  }

  @Test
  void erasureAfterAnUnmergeLeavesNoLinkEventCarryingHerIdentifier() {
    List<MatchRecord> records = People.generate(PEOPLE, DUPLICATED, 41);
    ingest(ws, records);
    ws.duplicates().configure(DedupSettings.defaults());
    ws.duplicates().detect();
    assertThat(profileOf("p0-a")).isEqualTo(profileOf("p0-b"));
    ws.profiles().unmerge(Identifier.anonymousId("p0-a"), Identifier.anonymousId("p0-b"));
    // The link event stays with p0-a (the higher-priority identifier) and names p0-b.
    assertThat(ws.profiles().events(profileOf("p0-a")))
        .anyMatch(e -> e.identifiers().contains(Identifier.anonymousId("p0-b")));

    ws.privacy().erase(Identifier.anonymousId("p0-b"));
    assertThat(ws.profiles().events(profileOf("p0-a")))
        .noneMatch(e -> e.identifiers().contains(Identifier.anonymousId("p0-b")));
    assertThat(ws.privacy().export(Identifier.anonymousId("p0-a")).orElseThrow())
        .doesNotContain("p0-b");
  }

  @Test
  void settingsAreStoredAndChecked() {
    DedupSettings s = DedupSettings.builder().linkThreshold(0.9).reviewThreshold(0.2)
        .field(FieldSource.of(MatchField.custom("tier", FieldKind.CATEGORY, false),
            "loyalty.tier"))
        .blockingRule(BlockingRule.on("surname", "date_of_birth")).maxReviewItems(50).build();
    ws.duplicates().configure(s);
    assertThat(ws.duplicates().settings()).isEqualTo(s);

    assertThatThrownBy(() -> DedupSettings.builder().linkThreshold(0.3).reviewThreshold(0.4)
        .build()).hasMessageContaining("reviewThreshold");
    assertThatThrownBy(() -> DedupSettings.builder().linkThreshold(0))
        .hasMessageContaining("linkThreshold");
    assertThatThrownBy(() -> FieldSource.of(MatchField.SURNAME))
        .hasMessageContaining("traits");
    assertThatThrownBy(() -> FieldSource.of(MatchField.SURNAME, "a..b"))
        .hasMessageContaining("traits[0]");
    assertThatThrownBy(() -> DedupSettings.builder().blockingRule(BlockingRule.on("nope"))
        .build()).hasMessageContaining("nope");
  }
}
