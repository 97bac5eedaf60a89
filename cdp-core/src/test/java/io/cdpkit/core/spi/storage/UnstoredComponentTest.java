package io.cdpkit.core.spi.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A component without links and do-not-link rules has no stored record: a new visitor costs a
 * node and a profile, not a component row. What the record would hold must still count once
 * it exists: the first link writes it, a do-not-link rule on such a component is kept and
 * obeyed, and a late event replays the graph as before.
 */
class UnstoredComponentTest {
  private static final Instant T = Instant.parse("2026-05-01T10:00:00Z");
  private final Store store = Store.inMemory();
  private final Cdp cdp = Cdp.builder().store(store)
      .clock(Clock.fixed(T.plusSeconds(86_400), ZoneOffset.UTC)).build();

  private static Event page(String messageId, String anonymousId, int second) {
    return Event.page("Home").messageId(messageId).anonymousId(anonymousId)
        .timestamp(T.plusSeconds(second)).build();
  }

  private static Event login(String messageId, String anonymousId, String userId, int second) {
    return Event.identify().messageId(messageId).anonymousId(anonymousId).userId(userId)
        .timestamp(T.plusSeconds(second)).build();
  }

  private IdentityNode node(Identifier id) {
    return store.read(WorkspaceId.DEFAULT, tx -> tx.node(id)).orElseThrow();
  }

  private Optional<ComponentRecord> component(String id) {
    return store.read(WorkspaceId.DEFAULT, tx -> tx.component(id));
  }

  private List<Link> links(String component) {
    return store.read(WorkspaceId.DEFAULT, tx -> tx.links(component));
  }

  @Test
  @DisplayName("a new visitor gets a node and a profile, and no component record; its first link"
      + " writes the record with that link as its latest")
  void firstLinkWritesTheRecord() {
    Identifier anon = Identifier.anonymousId("a-1");
    cdp.ingest(List.of(page("m-1", "a-1", 1), page("m-2", "a-1", 2)));
    String c = node(anon).component();
    assertThat(component(c)).isEmpty();
    assertThat(links(c)).isEmpty();

    cdp.ingest(List.of(login("m-3", "a-1", "u-1", 3)));
    String now = node(anon).component();
    assertThat(node(Identifier.customerId("u-1")).component()).isEqualTo(now);
    ComponentRecord record = component(now).orElseThrow();
    assertThat(record.latestLink()).isNotNull();
    assertThat(record.latestLink().messageId()).isEqualTo("m-3");
    assertThat(links(now)).hasSize(1);
    assertThat(cdp.profiles().find(anon).map(Profile::id))
        .isEqualTo(cdp.profiles().find(Identifier.customerId("u-1")).map(Profile::id));
  }

  @Test
  @DisplayName("two visitors without records merged by one event: one component holds both nodes"
      + " and the record; the other has neither")
  void twoUnstoredComponentsMerge() {
    cdp.ingest(List.of(page("m-1", "a-1", 1), login("m-2", "a-2", "u-2", 2)));
    cdp.ingest(List.of(page("m-3", "a-3", 3)));
    String c1 = node(Identifier.anonymousId("a-3")).component();
    assertThat(component(c1)).isEmpty();
    // a-3 logs in as u-2: the component of a-3 (no record) meets that of u-2 (a record).
    cdp.ingest(List.of(login("m-4", "a-3", "u-2", 4)));
    String merged = node(Identifier.anonymousId("a-3")).component();
    assertThat(node(Identifier.anonymousId("a-2")).component()).isEqualTo(merged);
    assertThat(component(merged).orElseThrow().latestLink().messageId()).isEqualTo("m-4");
    if (!merged.equals(c1)) {
      assertThat(component(c1)).isEmpty();
      assertThat(links(c1)).isEmpty();
    }
    assertThat(links(merged)).hasSize(2);
  }

  @Test
  @DisplayName("a do-not-link rule between two visitors without records is stored and holds"
      + " against a later event that links them")
  void ruleOnUnstoredComponentHolds() {
    Identifier a = Identifier.anonymousId("a-1");
    Identifier u = Identifier.customerId("u-1");
    cdp.ingest(List.of(page("m-1", "a-1", 1), login("m-2", "a-9", "u-1", 2)));
    assertThat(component(node(a).component())).isEmpty();
    cdp.profiles().unmerge(a, u);
    assertThat(component(node(a).component()).orElseThrow().rules()).hasSize(1);

    cdp.ingest(List.of(login("m-3", "a-1", "u-1", 3)));
    assertThat(cdp.profiles().find(a).orElseThrow().id())
        .isNotEqualTo(cdp.profiles().find(u).orElseThrow().id());
  }

  @Test
  @DisplayName("a late link into a component that began without a record replays to the same"
      + " profiles as the events in time order")
  void lateLinkReplaysAsInOrder() {
    List<Event> inOrder = List.of(page("m-1", "a-1", 1), login("m-2", "a-1", "u-1", 2),
        page("m-3", "a-2", 3), login("m-4", "a-2", "u-1", 4), page("m-5", "a-1", 5));
    Store other = Store.inMemory();
    try (Cdp ordered = Cdp.builder().store(other)
        .clock(Clock.fixed(T.plusSeconds(86_400), ZoneOffset.UTC)).build()) {
      ordered.ingest(inOrder);
      cdp.ingest(List.of(inOrder.get(4), inOrder.get(2), inOrder.get(0)));
      cdp.ingest(List.of(inOrder.get(3)));
      cdp.ingest(List.of(inOrder.get(1)));
      for (String id : List.of("a-1", "a-2")) {
        Identifier anon = Identifier.anonymousId(id);
        assertThat(cdp.profiles().find(anon).orElseThrow().state())
            .isEqualTo(ordered.profiles().find(anon).orElseThrow().state());
        assertThat(cdp.profiles().find(anon).orElseThrow().identifiers())
            .containsExactlyInAnyOrderElementsOf(
                ordered.profiles().find(anon).orElseThrow().identifiers());
      }
    }
  }
}
