package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.DoNotLinkRule;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The in-memory store keeps an identifier whose value is a canonical UUID as its type and bits,
 * links in a form of its own and a component record without rules as its latest link's time and
 * messageId; it makes the {@link Identifier}s, {@link Link}s and records again on each read. Whatever the values (canonical UUIDs, the same UUIDs in upper case, near misses,
 * plain text), nodes, a profile's and a component's nodes, links and anchored events must answer
 * as plain maps would, with every value exactly as written, also after rollbacks to savepoints.
 */
class InMemoryIdentifiersTest {
  private static final WorkspaceId WS = WorkspaceId.DEFAULT;
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final List<Identifier> IDS = new ArrayList<>();

  static {
    for (int i = 0; i < 8; i++) {
      String u = new UUID(i * 0x9E3779B97F4A7C15L, -i * 0x632BE59BD9B4E019L).toString();
      IdentifierType type = i % 2 == 0 ? IdentifierType.ANONYMOUS_ID : IdentifierType.DEVICE_ID;
      IDS.add(new Identifier(type, u));
      if (i % 2 == 0) {
        IDS.add(new Identifier(type, u.toUpperCase(Locale.ROOT))); // kept as written
        IDS.add(new Identifier(type, u.substring(0, 35) + "G")); // a near miss
        IDS.add(new Identifier(IdentifierType.DEVICE_ID, u)); // same value, another type
      }
    }
    IDS.add(Identifier.email("ann@example.com"));
    IDS.add(Identifier.customerId("C-1"));
    IDS.add(Identifier.anonymousId("ffffffff-ffff-ffff-ffff-ffffffffffff"));
    IDS.add(Identifier.anonymousId("00000000-0000-0000-0000-000000000000"));
    IDS.add(Identifier.customerId("x".repeat(300) + "é")); // a length beyond one varint byte
    IDS.add(Identifier.customerId("用户-" + "ü".repeat(70))); // not Latin-1
  }

  private static final List<String> COMPONENTS = List.of(
      new UUID(1, 2).toString(), new UUID(-3, 4).toString(), "c-plain");
  private static final List<ProfileId> PROFILES = List.of(
      ProfileId.of(new UUID(5, 6).toString()), ProfileId.of("p-plain"));
  /** messageIds: UUIDs, an upper-case UUID and plain text. */
  private static final List<String> MESSAGE_IDS = List.of(new UUID(7, 8).toString(),
      new UUID(7, 8).toString().toUpperCase(Locale.ROOT), "m-1", "m-é-2", "m-\uD83D\uDE00",
      "m-\uD800-lone");

  /**
   * 0 put a node, 1 delete a node, 2 add a link, 3 move links, 4 delete links, 5 insert an
   * event, 6 delete events of an anchor, 7 savepoint, 8 roll back to the last savepoint, 9 put a
   * component record, 10 delete one.
   */
  record Op(int kind, int a, int b, int c, int n) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(Arbitraries.integers().between(0, 17)
            .map(k -> k < 4 ? 0 : k < 5 ? 1 : k < 8 ? 2 : k < 9 ? 3 : k < 10 ? 4 : k < 12 ? 5
                : k < 13 ? 6 : k < 14 ? 7 : k < 15 ? 8 : k < 17 ? 9 : 10),
        Arbitraries.integers().between(0, IDS.size() - 1),
        Arbitraries.integers().between(0, IDS.size() - 1),
        Arbitraries.integers().between(0, 1000),
        Arbitraries.integers().between(0, 1_000_000)).as(Op::new).list().ofMaxSize(100);
  }

  /** What the store should hold. */
  record Model(Map<Identifier, IdentityNode> nodes, Map<String, List<Link>> links,
      Map<Identifier, Set<String>> events, Map<String, ComponentRecord> components) {
    Model copy() {
      Map<String, List<Link>> l = new HashMap<>();
      links.forEach((k, v) -> l.put(k, new ArrayList<>(v)));
      Map<Identifier, Set<String>> e = new HashMap<>();
      events.forEach((k, v) -> e.put(k, new TreeSet<>(v)));
      return new Model(new HashMap<>(nodes), l, e, new HashMap<>(components));
    }
  }

  @Property(tries = 300)
  @Label("nodes, groups, links and anchored events answer as plain maps, values exactly as"
      + " written, across rollbacks")
  void asMaps(@ForAll("ops") List<Op> ops) {
    Store store = Store.inMemory();
    store.write(WS, tx -> {
      PrivacyStorage privacy = tx.require(PrivacyStorage.class);
      Model model = new Model(new HashMap<>(), new HashMap<>(), new HashMap<>(),
          new HashMap<>());
      ArrayDeque<Savepoint> points = new ArrayDeque<>();
      ArrayDeque<Model> copies = new ArrayDeque<>();
      int seq = 0;
      for (Op op : ops) {
        Identifier a = IDS.get(op.a());
        Identifier b = IDS.get(op.b());
        String comp = COMPONENTS.get(op.c() % COMPONENTS.size());
        switch (op.kind()) {
          case 0 -> {
            // A fresh, equal copy: the store must not depend on the caller's object.
            Identifier copy = new Identifier(a.type(), new String(a.value().toCharArray()));
            IdentityNode node = new IdentityNode(copy, PROFILES.get(op.n() % PROFILES.size()),
                comp);
            tx.putNode(node);
            model.nodes().put(a, node);
          }
          case 1 -> {
            privacy.deleteNode(a);
            model.nodes().remove(a);
          }
          case 2 -> {
            if (!a.equals(b)) {
              List<Identifier> ids = op.c() % 3 == 0 ? List.of(a, b, IDS.get(op.n() % IDS.size()))
                  : List.of(a, b);
              if (ids.stream().distinct().count() == ids.size()) {
                Instant time = op.n() % 2 == 0 ? T0.plusMillis(op.n() - 500_000L)
                    : T0.plusNanos(op.n() * 1_000_003L - 5_000_000_000L);
                Link link = new Link(new EventKey(time,
                    MESSAGE_IDS.get(op.n() % MESSAGE_IDS.size())), ids);
                tx.addLink(comp, link);
                model.links().computeIfAbsent(comp, k -> new ArrayList<>()).add(link);
              }
            }
          }
          case 3 -> {
            String to = COMPONENTS.get(op.n() % COMPONENTS.size());
            tx.moveLinks(comp, to);
            if (!comp.equals(to)) {
              List<Link> moved = model.links().remove(comp);
              if (moved != null) {
                model.links().computeIfAbsent(to, k -> new ArrayList<>()).addAll(moved);
              }
            }
          }
          case 4 -> {
            privacy.deleteLinks(comp);
            model.links().remove(comp);
          }
          case 5 -> {
            String id = "e-" + seq++;
            Event e = Event.track("Viewed").messageId(id).identifier(a)
                .timestamp(T0.plusSeconds(seq)).build();
            assertThat(tx.insertEvent(new StoredEvent(e, new EventKey(e.eventTime(), id),
                List.of(a), a))).isTrue();
            model.events().computeIfAbsent(a, k -> new TreeSet<>()).add(id);
          }
          case 6 -> {
            Set<String> gone = model.events().remove(a);
            if (gone != null) {
              privacy.deleteEvents(gone);
            }
          }
          case 9 -> {
            Instant time = op.n() % 2 == 0 ? T0.plusMillis(op.n() - 500_000L)
                : T0.plusNanos(op.n() * 1_000_003L - 5_000_000_000L);
            EventKey latest = op.n() % 5 == 0 ? null
                : new EventKey(time, MESSAGE_IDS.get(op.n() % MESSAGE_IDS.size()));
            List<DoNotLinkRule> rules = op.c() % 4 == 0 && !a.equals(b)
                ? List.of(new DoNotLinkRule(a, b, T0)) : List.of();
            ComponentRecord r = new ComponentRecord(comp, latest, rules);
            tx.putComponent(r);
            model.components().put(comp, r);
          }
          case 10 -> {
            tx.deleteComponent(comp);
            model.components().remove(comp);
          }
          case 7 -> {
            points.push(tx.savepoint());
            copies.push(model.copy());
          }
          default -> {
            if (!points.isEmpty()) {
              tx.rollbackTo(points.pop());
              model = copies.pop();
            }
          }
        }
        check(tx, model);
      }
      return null;
    });
  }

  private static void check(WriteTransaction tx, Model model) {
    for (Identifier id : IDS) {
      IdentityNode expected = model.nodes().get(id);
      IdentityNode node = tx.node(id).orElse(null);
      assertThat(node).isEqualTo(expected);
      if (node != null) {
        assertThat(node.identifier().value()).isEqualTo(id.value());
      }
      List<String> events = tx.eventsByAnchors(List.of(id)).stream()
          .map(StoredEvent::messageId).sorted().toList();
      assertThat(events).containsExactlyElementsOf(
          model.events().getOrDefault(id, Set.of()).stream().sorted().toList());
    }
    for (ProfileId p : PROFILES) {
      List<IdentityNode> expected = model.nodes().values().stream()
          .filter(n -> n.profile().equals(p)).toList();
      assertExact(tx.nodesOfProfile(p), expected);
    }
    for (String c : COMPONENTS) {
      List<IdentityNode> expected = model.nodes().values().stream()
          .filter(n -> n.component().equals(c)).toList();
      assertExact(tx.nodesOfComponent(c), expected);
      ComponentRecord record = tx.component(c).orElse(null);
      assertThat(record).isEqualTo(model.components().get(c));
      if (record != null && record.latestLink() != null) {
        assertThat(record.latestLink().messageId())
            .isEqualTo(model.components().get(c).latestLink().messageId());
      }
      List<Link> links = tx.links(c);
      assertThat(links).containsExactlyElementsOf(model.links().getOrDefault(c, List.of()));
      // Link equality compares values exactly; the text of each is checked once more.
      List<Link> want = model.links().getOrDefault(c, List.of());
      for (int i = 0; i < links.size(); i++) {
        assertThat(links.get(i).key().messageId()).isEqualTo(want.get(i).key().messageId());
        assertThat(links.get(i).key().time()).isEqualTo(want.get(i).key().time());
        assertThat(values(links.get(i).identifiers()))
            .isEqualTo(values(want.get(i).identifiers()));
      }
    }
  }

  private static void assertExact(List<IdentityNode> got, List<IdentityNode> expected) {
    assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    Map<String, String> byValue = new LinkedHashMap<>();
    for (IdentityNode n : got) {
      byValue.put(n.identifier().type().id() + ":" + n.identifier().value(), n.component());
    }
    assertThat(byValue.keySet()).isEqualTo(expected.stream()
        .map(n -> n.identifier().type().id() + ":" + n.identifier().value())
        .collect(Collectors.toSet()));
  }

  private static List<String> values(List<Identifier> ids) {
    return ids.stream().map(i -> i.type().id() + ":" + i.value()).toList();
  }
}
