package io.cdpkit.storage.jdbc.process;

import static io.cdpkit.storage.jdbc.StorageCapabilities.claimsOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.metadataOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.outboxOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.privacyOf;
import static io.cdpkit.storage.jdbc.StorageCapabilities.segmentsOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two store instances on one database stand for two application nodes, each with its own cache.
 * Ingests go through either at random; after each, profiles read through both must equal an
 * in-memory reference that ingested the same events: a cache that served an entry written
 * before the other node's merge would show a stale profile here. Memberships, checks and
 * metadata, which the cache also holds or which sit next to what it holds, are written through
 * one and read through the other the same way, and so are outbox entries and delivery lines,
 * which are written without advancing the workspace's version and claimed outside any write.
 * Deletes (erasure) and tombstones are checked one kind at a time: the reader caches what is
 * there, the other store deletes one kind, and the reader must no longer see it.
 */
class TwoStoresCacheTest {
  static final int SHOPPERS = 20;

  @Test
  @DisplayName("two caching stores on one database never serve a profile older than the database's")
  void neverStale() {
    String name = "two-stores-" + UUID.randomUUID();
    List<Event> stream = Shoppers.stream(0x7E57L, SHOPPERS, 1_500);
    List<Identifier> universe = new ArrayList<>(Shoppers.identifiers(SHOPPERS));
    Random random = new Random(0x7E57L);
    try (JdbcStore b = JdbcStore.h2InMemory(name);
        JdbcStore a = JdbcStore.h2InMemory(name);
        Cdp nodeA = Cdp.builder().store(a).build();
        Cdp nodeB = Cdp.builder().store(b).build();
        Cdp reference = Cdp.builder().build()) {
      Cdp[] nodes = {nodeA, nodeB};
      int i = 0;
      int reads = 0;
      while (i < stream.size()) {
        Cdp writer = nodes[random.nextInt(2)];
        int to = Math.min(stream.size(), i + 1 + random.nextInt(4));
        List<Event> step = stream.subList(i, to);
        if (step.size() == 1) {
          writer.ingest(step.get(0));
          reference.ingest(step.get(0));
        } else {
          writer.ingest(step);
          reference.ingest(step);
        }
        i = to;
        // The identifiers this step touched, and a few others, read through both nodes.
        Set<Identifier> touched = new java.util.LinkedHashSet<>();
        for (Event e : step) {
          reference.profiles().find(anyIdentifier(e, universe)).ifPresent(p ->
              touched.addAll(p.identifiers()));
        }
        for (int k = 0; k < 3; k++) {
          touched.add(universe.get(random.nextInt(universe.size())));
        }
        for (Identifier id : touched) {
          for (Cdp node : nodes) {
            assertSame(node, reference, id, i);
            reads++;
          }
        }
      }
      assertThat(reads).isGreaterThan(stream.size());
    }
  }

  @Test
  @DisplayName("memberships, checks and metadata written through one store are read through the"
      + " other, whose cache held the old ones")
  void extensionWritesSeenByTheOtherNode() {
    String name = "two-stores-ext-" + UUID.randomUUID();
    WorkspaceId shop = WorkspaceId.of("shop-amsterdam");
    ProfileId p = ProfileId.of("p-ayse");
    Instant t = Instant.parse("2026-03-01T10:00:00Z");
    // One node writes, the other only reads: a reader that never writes learns of the writes
    // only from the database's version.
    try (JdbcStore writer = JdbcStore.h2InMemory(name);
        JdbcStore reader = JdbcStore.h2InMemory(name)) {
      writer.write(shop, tx -> {
        metadataOf(tx).putMetadata("progress", "0");
        return null;
      });
      for (int step = 1; step <= 4; step++) {
        // The reader caches what it sees now...
        reader.read(shop, tx -> {
          segmentsOf(tx).memberships(p);
          segmentsOf(tx).check(p);
          return null;
        });
        Instant at = t.plusSeconds(step);
        String segment = "segment-" + step;
        String previous = "segment-" + (step - 1);
        String progress = Integer.toString(step);
        writer.write(shop, tx -> {
          segmentsOf(tx).putMembership(new Membership(segment, p, at));
          segmentsOf(tx).deleteMembership(previous, p);
          segmentsOf(tx).putCheck(new ScheduledCheck(p, at));
          metadataOf(tx).putMetadata("progress", progress);
          return null;
        });
        // ...and must not serve it once the other store has written.
        List<Membership> memberships = reader.read(shop, tx -> segmentsOf(tx).memberships(p));
        Optional<ScheduledCheck> check = reader.read(shop, tx -> segmentsOf(tx).check(p));
        String seen = reader.read(shop, tx -> metadataOf(tx).metadata("progress").get("progress"));
        assertThat(memberships).as("step %d", step)
            .containsExactly(new Membership(segment, p, at));
        assertThat(check).as("step %d", step).contains(new ScheduledCheck(p, at));
        assertThat(seen).isEqualTo(progress);
      }
    }
  }

  @Test
  @DisplayName("outbox entries and delivery lines written or claimed through one store are read"
      + " through the other at once, also after it had read the old ones")
  void outboxSeenByTheOtherNode() {
    String name = "two-stores-outbox-" + UUID.randomUUID();
    WorkspaceId shop = WorkspaceId.of("shop-amsterdam");
    ProfileId p = ProfileId.of("p-ayse");
    Instant t = Instant.parse("2026-03-01T10:00:00Z");
    try (JdbcStore a = JdbcStore.h2InMemory(name);
        JdbcStore b = JdbcStore.h2InMemory(name)) {
      OutboxEntry entry = OutboxEntry.pending("k-1", "winback-email", p, "email", t, t, "{}");
      a.write(shop, tx -> outboxOf(tx).insertOutbox(entry));
      b.read(shop, tx -> {
        outboxOf(tx).outbox("k-1");
        tx.profile(p);
        return null;
      });

      List<OutboxEntry> claimed = claimsOf(a).claim(shop, t, "worker-a", t.plusSeconds(60), 10);
      Optional<OutboxEntry> seen = b.read(shop, tx -> outboxOf(tx).outbox("k-1"));
      assertThat(seen).contains(claimed.get(0));
      assertThat(claimsOf(b).claim(shop, t, "worker-b", t.plusSeconds(60), 10)).isEmpty();

      for (int attempt = 1; attempt <= 3; attempt++) {
        JdbcStore writer = attempt % 2 == 0 ? a : b;
        JdbcStore reader = writer == a ? b : a;
        OutboxEntry next = entry.next(OutboxEntry.Status.PENDING, attempt, t, "timeout");
        Delivery line = new Delivery("d-" + attempt, p, t.plusSeconds(attempt),
            "winback-email", "email", "k-1", attempt, "failed", "timeout", "{}");
        reader.read(shop, tx -> outboxOf(tx).deliveries(p));
        writer.write(shop, tx -> {
          outboxOf(tx).updateOutbox(next);
          outboxOf(tx).putDelivery(line);
          return null;
        });
        Optional<OutboxEntry> now = reader.read(shop, tx -> outboxOf(tx).outbox("k-1"));
        List<Delivery> lines = reader.read(shop, tx -> outboxOf(tx).deliveries(p));
        assertThat(now).as("attempt %d", attempt).contains(next);
        assertThat(lines).as("attempt %d", attempt).hasSize(attempt).endsWith(line);
      }
    }
  }

  /** What one round of the delete test writes and reads, with ids of its own. */
  private record Person(ProfileId profile, ProfileId mergedAway, Identifier email,
      Identifier cookie, String component, String messageId, String hash) {
    static Person of(int round) {
      return new Person(ProfileId.of("p-" + round), ProfileId.of("p-merged-" + round),
          Identifier.email("shopper" + round + "@example.com"),
          Identifier.anonymousId("anon-" + round), "c-" + round, "m-" + round, "h-" + round);
    }
  }

  /** Everything the reader sees of a person, read in one transaction through its cache. */
  private record Seen(Optional<IdentityNode> email, Optional<IdentityNode> cookie,
      List<IdentityNode> nodesOfProfile, Optional<ProfileRecord> profile,
      Optional<ProfileId> redirect, List<ProfileId> redirectsTo, Optional<StoredEvent> event,
      List<StoredEvent> byAnchor, List<Link> links, List<LedgerEntry> ledger,
      Map<String, Instant> tombstones) {}

  private static Seen look(JdbcStore store, WorkspaceId ws, Person p) {
    return store.read(ws, tx -> new Seen(tx.node(p.email()), tx.node(p.cookie()),
        tx.nodesOfProfile(p.profile()).stream()
            .sorted(Comparator.comparing(n -> n.identifier().type().id())).toList(),
        tx.profile(p.profile()), tx.redirect(p.mergedAway()),
        tx.redirectsTo(p.profile()), tx.event(p.messageId()),
        tx.eventsByAnchors(List.of(p.email())), tx.links(p.component()),
        tx.ledger(p.profile()), privacyOf(tx).tombstones(List.of(p.hash()))));
  }

  @Test
  @DisplayName("deletes and tombstones written through one store are seen at once through the"
      + " other, whose cache held what was deleted, one kind of delete at a time")
  void deletesSeenByTheOtherNode() {
    String name = "two-stores-delete-" + UUID.randomUUID();
    WorkspaceId shop = WorkspaceId.of("shop-amsterdam");
    Instant t = Instant.parse("2026-03-01T10:00:00Z");
    try (JdbcStore a = JdbcStore.h2InMemory(name);
        JdbcStore b = JdbcStore.h2InMemory(name)) {
      for (int round = 1; round <= 2; round++) {
        JdbcStore writer = round == 1 ? a : b;
        JdbcStore reader = writer == a ? b : a;
        Person p = Person.of(round);
        IdentityNode emailNode = new IdentityNode(p.email(), p.profile(), p.component());
        IdentityNode cookieNode = new IdentityNode(p.cookie(), p.profile(), p.component());
        ProfileRecord profile = new ProfileRecord(p.profile(), ProfileState.EMPTY, Map.of(), 1);
        StoredEvent event = new StoredEvent(Event.track("Product Viewed")
            .messageId(p.messageId()).anonymousId("anon-" + round).timestamp(t).build(),
            new EventKey(t, p.messageId()), List.of(p.email()), p.email());
        Link link = new Link(new EventKey(t, p.messageId()), List.of(p.email(), p.cookie()));
        LedgerEntry merge = new LedgerEntry(LedgerEntry.Kind.MERGED, p.profile(), p.mergedAway(),
            p.email(), p.messageId(), t, t, "shared identifier");
        writer.write(shop, tx -> {
          tx.putNode(emailNode);
          tx.putNode(cookieNode);
          tx.putProfile(profile);
          tx.putRedirect(p.mergedAway(), p.profile());
          tx.insertEvent(event);
          tx.addLink(p.component(), link);
          tx.appendLedger(merge);
          return null;
        });
        Seen before = new Seen(Optional.of(emailNode), Optional.of(cookieNode),
            List.of(cookieNode, emailNode), Optional.of(profile), Optional.of(p.profile()),
            List.of(p.mergedAway()), Optional.of(event), List.of(event), List.of(link),
            List.of(merge), Map.of());
        assertThat(look(reader, shop, p)).as("round %d, before", round).isEqualTo(before);

        // One kind per transaction; after each the reader, which cached the state before it,
        // must see exactly what the writer sees.
        Map<String, Consumer<WriteTransaction>> steps = new LinkedHashMap<>();
        steps.put("deleteNode", tx -> privacyOf(tx).deleteNode(p.email()));
        steps.put("deleteProfile", tx -> tx.deleteProfile(p.profile()));
        steps.put("deleteRedirect", tx -> privacyOf(tx).deleteRedirect(p.mergedAway()));
        steps.put("deleteEvents", tx -> privacyOf(tx).deleteEvents(List.of(p.messageId())));
        steps.put("deleteLinks", tx -> privacyOf(tx).deleteLinks(p.component()));
        steps.put("deleteLedger", tx -> privacyOf(tx).deleteLedger(p.mergedAway()));
        steps.put("putTombstone", tx -> privacyOf(tx).putTombstone(p.hash(), t));
        Seen expected = before;
        for (Map.Entry<String, Consumer<WriteTransaction>> step : steps.entrySet()) {
          look(reader, shop, p);
          writer.write(shop, tx -> {
            step.getValue().accept(tx);
            return null;
          });
          expected = switch (step.getKey()) {
            case "deleteNode" -> new Seen(Optional.empty(), expected.cookie(),
                List.of(cookieNode), expected.profile(), expected.redirect(),
                expected.redirectsTo(), expected.event(), expected.byAnchor(), expected.links(),
                expected.ledger(), expected.tombstones());
            case "deleteProfile" -> new Seen(expected.email(), expected.cookie(),
                expected.nodesOfProfile(), Optional.empty(), expected.redirect(),
                expected.redirectsTo(), expected.event(), expected.byAnchor(), expected.links(),
                expected.ledger(), expected.tombstones());
            case "deleteRedirect" -> new Seen(expected.email(), expected.cookie(),
                expected.nodesOfProfile(), expected.profile(), Optional.empty(), List.of(),
                expected.event(), expected.byAnchor(), expected.links(), expected.ledger(),
                expected.tombstones());
            case "deleteEvents" -> new Seen(expected.email(), expected.cookie(),
                expected.nodesOfProfile(), expected.profile(), expected.redirect(),
                expected.redirectsTo(), Optional.empty(), List.of(), expected.links(),
                expected.ledger(), expected.tombstones());
            case "deleteLinks" -> new Seen(expected.email(), expected.cookie(),
                expected.nodesOfProfile(), expected.profile(), expected.redirect(),
                expected.redirectsTo(), expected.event(), expected.byAnchor(), List.of(),
                expected.ledger(), expected.tombstones());
            case "deleteLedger" -> new Seen(expected.email(), expected.cookie(),
                expected.nodesOfProfile(), expected.profile(), expected.redirect(),
                expected.redirectsTo(), expected.event(), expected.byAnchor(), expected.links(),
                List.of(), expected.tombstones());
            default -> new Seen(expected.email(), expected.cookie(), expected.nodesOfProfile(),
                expected.profile(), expected.redirect(), expected.redirectsTo(),
                expected.event(), expected.byAnchor(), expected.links(), expected.ledger(),
                Map.of(p.hash(), t));
          };
          assertThat(look(reader, shop, p)).as("round %d, other store after %s", round,
              step.getKey()).isEqualTo(expected);
          assertThat(look(writer, shop, p)).as("round %d, same store after %s", round,
              step.getKey()).isEqualTo(expected);
        }
      }
    }
  }

  private static Identifier anyIdentifier(Event e, List<Identifier> universe) {
    if (e.userId() != null) {
      return Identifier.customerId(e.userId());
    }
    if (e.anonymousId() != null) {
      return Identifier.anonymousId(e.anonymousId());
    }
    return e.identifiers().isEmpty() ? universe.get(0)
        : Identifier.loyaltyCard(e.identifiers().get(0).value());
  }

  private static void assertSame(Cdp node, Cdp reference, Identifier id, int after) {
    Optional<Profile> want = reference.profiles().find(id);
    Optional<Profile> got = node.profiles().find(id);
    assertThat(got.isPresent()).as("%s present after %d events", id, after)
        .isEqualTo(want.isPresent());
    if (want.isPresent()) {
      assertThat(Set.copyOf(got.get().identifiers())).as("identifiers of %s after %d events",
          id, after).isEqualTo(Set.copyOf(want.get().identifiers()));
      assertThat(got.get().state()).as("state of %s after %d events", id, after)
          .isEqualTo(want.get().state());
    }
  }
}
