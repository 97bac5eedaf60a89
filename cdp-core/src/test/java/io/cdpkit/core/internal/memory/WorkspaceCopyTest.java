package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.DoNotLinkRule;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.spi.storage.memory.WorkspaceCopy;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The law of the in-memory store's {@link WorkspaceCopy} over core's records: after random
 * writes (every write of the SPI and of its metadata and privacy capabilities, deletes, moved
 * links, rollbacks to savepoints), a copy into a fresh store answers every read as the original
 * does over every key the writes used, with the event-name counts of the events copied. The
 * universe is large enough for groups of identifiers beyond {@link IdGroups#SMALL} and for
 * profile ids beyond a {@link SortedKeys} rebuild.
 */
class WorkspaceCopyTest {
  private static final WorkspaceId WS = WorkspaceId.of("shop");
  private static final Instant T = Instant.parse("2026-03-01T10:15:30.123456789Z");
  private static final List<ProfileId> PROFILES = new ArrayList<>();
  private static final List<Identifier> IDS = new ArrayList<>();
  private static final List<String> COMPONENTS = List.of("c-0", "c-1",
      "0b6e1a9e-8f4e-4c3b-9a53-1c2d3e4f5a6b", "0B6E1A9E-8F4E-4C3B-9A53-1C2D3E4F5A6B");
  private static final List<String> MESSAGES = new ArrayList<>();
  private static final List<String> META = List.of("segment/vip", "trait/ltv", "ş/ünicode");
  private static final List<String> HASHES = List.of("h-0", "h-1", "h-2");

  static {
    for (int i = 0; i < 40; i++) {
      PROFILES.add(ProfileId.of("p-" + i));
      MESSAGES.add("m-" + i);
    }
    for (int i = 0; i < 24; i++) {
      IDS.add(i % 2 == 0 ? Identifier.email("u" + i + "@example.com")
          : Identifier.of(IdentifierType.of("membership_no"), "M-" + i));
    }
  }

  private record Action(int kind, int x, int y, int n) {}

  private static final int KINDS = 24;
  private static final int DELETE_EVENTS = 17;

  @Provide
  Arbitrary<List<List<Action>>> transactions() {
    Arbitrary<Integer> any = Arbitraries.integers().between(0, 63);
    Arbitrary<Action> action = Combinators.combine(Arbitraries.integers().between(0, KINDS - 1),
        any, any, Arbitraries.integers().between(0, 40)).as(Action::new);
    return action.list().ofMaxSize(120).list().ofMinSize(1).ofMaxSize(4);
  }

  private static Instant at(int n) {
    return T.plusSeconds(60L * n).plusNanos(n * 7L);
  }

  private static StoredEvent event(int m, int anchor, int n) {
    Event.Builder b = switch (n % 3) {
      case 0 -> Event.track("Order Completed").property("order_id", "O" + n);
      case 1 -> Event.identify().trait("visits", (long) n);
      default -> Event.page("Home");
    };
    List<Identifier> ids = n % 4 == 0 ? List.of() : n % 4 == 1
        ? List.of(IDS.get(anchor % IDS.size()))
        : List.of(IDS.get(anchor % IDS.size()), IDS.get((anchor + 1) % IDS.size()));
    String id = MESSAGES.get(m % MESSAGES.size());
    Event e = b.messageId(id).anonymousId("anon-" + n).timestamp(at(n)).receivedAt(at(n + 1))
        .build();
    return new StoredEvent(e, new EventKey(at(n), id), ids, ids.isEmpty() ? null : ids.get(0));
  }

  private static ComponentRecord component(int c, int n) {
    String id = COMPONENTS.get(c % COMPONENTS.size());
    return switch (n % 3) {
      case 0 -> new ComponentRecord(id, null, List.of());
      case 1 -> new ComponentRecord(id, new EventKey(at(n), "m-" + n), List.of());
      default -> new ComponentRecord(id, null,
          List.of(new DoNotLinkRule(IDS.get(0), IDS.get(1 + n % 3), at(n))));
    };
  }

  private static void apply(Action a, WriteTransaction tx, ArrayDeque<Savepoint> savepoints) {
    int x = a.x();
    int y = a.y();
    int n = a.n();
    // Skewed to a few profiles, so their groups of identifiers grow.
    ProfileId px = PROFILES.get(x % 4 == 0 ? x % PROFILES.size() : x % 3);
    ProfileId py = PROFILES.get(y % 4 == 0 ? y % PROFILES.size() : y % 3);
    String cx = COMPONENTS.get(x % COMPONENTS.size());
    Identifier ix = IDS.get(x % IDS.size());
    switch (a.kind()) {
      case 0, 1 -> tx.insertEvent(event(x, y, n));
      case 2, 3 -> tx.putNode(new IdentityNode(ix, py, COMPONENTS.get(n % COMPONENTS.size())));
      case 4 -> tx.putComponent(component(x, n));
      case 5 -> tx.deleteComponent(cx);
      case 6 -> tx.addLink(cx, new Link(new EventKey(at(n), "m-" + n),
          List.of(IDS.get(y % IDS.size()), IDS.get((y + 1) % IDS.size()))));
      case 7 -> tx.moveLinks(cx, COMPONENTS.get(y % COMPONENTS.size()));
      case 8, 9 -> tx.putProfile(new ProfileRecord(px, ProfileState.EMPTY,
          Map.of(IdentifierType.EMAIL, n % 3), 1 + n));
      case 10 -> tx.deleteProfile(px);
      case 11 -> tx.putRedirect(px, py);
      case 12 -> tx.appendLedger(n % 2 == 0
          ? new LedgerEntry(LedgerEntry.Kind.MERGED, px, py, ix, "m-" + n, at(n), at(n + 1),
              "merge")
          : new LedgerEntry(LedgerEntry.Kind.UNMERGED, px, null, null, null, null, at(n), "u"));
      case 13 -> tx.require(MetadataStorage.class).putMetadata(META.get(x % META.size()),
          "v" + n);
      case 14 -> tx.require(MetadataStorage.class).deleteMetadata(META.get(x % META.size()));
      case 15 -> tx.require(PrivacyStorage.class).putTombstone(HASHES.get(x % HASHES.size()),
          at(n));
      case 16 -> tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, at(n),
          n % 2 == 0 ? "erase" : "export", n % 3 == 0 ? null : px, null, "d" + n));
      case 17 -> tx.require(PrivacyStorage.class).deleteEvents(List.of(
          MESSAGES.get(x % MESSAGES.size()), MESSAGES.get(y % MESSAGES.size())));
      case 18 -> tx.require(PrivacyStorage.class).deleteNode(ix);
      case 19 -> tx.require(PrivacyStorage.class).deleteLinks(cx);
      case 20 -> tx.require(PrivacyStorage.class).deleteRedirect(px);
      case 21 -> tx.require(PrivacyStorage.class).deleteLedger(px);
      case 22 -> savepoints.push(tx.savepoint());
      default -> {
        if (!savepoints.isEmpty()) {
          tx.rollbackTo(n % 2 == 0 ? savepoints.peek() : savepoints.pop());
        }
      }
    }
  }

  private static final Comparator<IdentityNode> BY_ID = Comparator.comparing(
      (IdentityNode i) -> i.identifier().type().id()).thenComparing(i -> i.identifier().value());

  private static List<IdentityNode> sorted(List<IdentityNode> nodes) {
    List<IdentityNode> out = new ArrayList<>(nodes);
    out.sort(BY_ID);
    return out;
  }

  /** Every read over the universe; the counts apart. */
  private static Map<String, Object> snapshot(ReadTransaction tx) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String m : MESSAGES) {
      out.put("event " + m, tx.event(m));
    }
    out.put("eventsByAnchors", tx.eventsByAnchors(IDS));
    for (Identifier i : IDS) {
      out.put("node " + i, tx.node(i));
      // In chain order: the copy inserts in slot order, so each chain comes out the same.
      out.put("messageIdsByAnchor " + i, tx.require(PrivacyStorage.class)
          .messageIdsByAnchors(List.of(i)));
    }
    for (String c : COMPONENTS) {
      out.put("component " + c, tx.component(c));
      out.put("nodesOfComponent " + c, sorted(tx.nodesOfComponent(c)));
      out.put("links " + c, tx.links(c)); // in order: the copy keeps it
    }
    for (ProfileId p : PROFILES) {
      out.put("profile " + p, tx.profile(p));
      out.put("nodesOfProfile " + p, sorted(tx.nodesOfProfile(p)));
      out.put("redirect " + p, tx.redirect(p));
      out.put("redirectsTo " + p, tx.redirectsTo(p));
      out.put("ledger " + p, tx.ledger(p));
    }
    out.put("profilesAfter", tx.profilesAfter(null, 1000));
    out.put("profilesAfter p-1", tx.profilesAfter(PROFILES.get(1), 3));
    out.put("metadata", tx.require(MetadataStorage.class).metadata(""));
    PrivacyStorage privacy = tx.require(PrivacyStorage.class);
    out.put("tombstones", privacy.tombstones(HASHES));
    out.put("audit", privacy.audit(0, 10_000));
    return out;
  }

  private static Map<String, Long> liveCounts(ReadTransaction tx) {
    Map<String, Long> out = new TreeMap<>();
    for (StoredEvent e : tx.events(MESSAGES).values()) {
      out.merge(e.countedName(), 1L, Long::sum);
    }
    return out;
  }

  @Property(tries = 300)
  @Label("a copy into a fresh in-memory store answers every read as the original")
  void copyAnswersAsTheOriginal(@ForAll("transactions") List<List<Action>> transactions) {
    InMemoryStore original = new InMemoryStore();
    for (List<Action> actions : transactions) {
      original.write(WS, tx -> {
        ArrayDeque<Savepoint> savepoints = new ArrayDeque<>();
        for (Action a : actions) {
          apply(a, tx, savepoints);
        }
        return null;
      });
    }
    InMemoryStore copy = new InMemoryStore();
    original.read(WS, src -> copy.write(WS, dst -> {
      src.require(WorkspaceCopy.class).copyTo(dst);
      return null;
    }));
    Map<String, Object> expected = original.read(WS, WorkspaceCopyTest::snapshot);
    Map<String, Object> copied = copy.read(WS, WorkspaceCopyTest::snapshot);
    assertThat(copied).isEqualTo(expected);
    Map<String, Long> live = original.read(WS, WorkspaceCopyTest::liveCounts);
    Map<String, Long> counts = copy.read(WS, ReadTransaction::eventNameCounts);
    assertThat(counts).isEqualTo(live);
    if (transactions.stream().flatMap(List::stream).noneMatch(a -> a.kind() == DELETE_EVENTS)) {
      Map<String, Long> before = original.read(WS, ReadTransaction::eventNameCounts);
      assertThat(counts).isEqualTo(before);
    }
  }
}
