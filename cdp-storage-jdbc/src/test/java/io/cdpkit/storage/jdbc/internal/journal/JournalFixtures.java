package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.ProfileState.Order;
import io.cdpkit.core.model.ProfileState.OrderEntry;
import io.cdpkit.core.model.ProfileState.Refund;
import io.cdpkit.core.model.ProfileState.TraitValue;
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
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small universe of keys and valid records, a random write drawn from it
 * ({@link #apply}), and a snapshot of everything every read method answers over the universe
 * ({@link #snapshot}), for comparing two stores.
 */
final class JournalFixtures {
  private JournalFixtures() {}

  static final Instant T = Instant.parse("2026-03-01T10:15:30.123456789Z");

  static final List<ProfileId> PROFILES = List.of(ProfileId.of("p-0"), ProfileId.of("p-1"),
      ProfileId.of("P.2"), ProfileId.of("p_3"));
  static final List<Identifier> IDS = List.of(Identifier.email("ayse@example.com"),
      Identifier.customerId("C-1"), Identifier.anonymousId("anon-İı🎉"),
      Identifier.of(IdentifierType.of("membership_no"), "M-77"), Identifier.phone("+31612345678"));
  static final List<String> COMPONENTS = List.of("c-0", "c-1",
      "0b6e1a9e-8f4e-4c3b-9a53-1c2d3e4f5a6b");
  static final List<String> MESSAGES = List.of("m-0", "m-1", "m-2", "m-3", "m-4", "m-5");
  static final List<String> META = List.of("segment/vip", "trait/ltv", "ş/ünicode");
  static final List<String> HASHES = List.of("h-0", "h-1", "h-2");
  static final List<String> SEGMENTS = List.of("vip", "lapsed");
  static final List<String> OUTBOX = List.of("k-0", "k-1", "k-2");
  static final List<String> DELIVERIES = List.of("d-0", "d-1", "d-2");
  /**
   * Metadata values and audit details. (One with an unpaired surrogate is tested on its own:
   * the JDBC store does not keep one.)
   */
  static final List<String> VALUES = List.of("", "{\"v\":1}", "İstanbul 🛍 \"q\"",
      "x".repeat(300));

  static Instant at(int n) {
    return T.plusSeconds(60L * n).plusNanos(n * 7L);
  }

  static StoredEvent event(int m, int anchor, int n) {
    Instant t = at(n);
    Event.Builder b = switch (n % 3) {
      case 0 -> Event.track("Order Completed").property("order_id", "O" + n)
          .property("total", new BigDecimal("19.90")).property("currency", "EUR");
      case 1 -> Event.identify().trait("tier", n % 2 == 0 ? null : "gold")
          .trait("visits", (long) n);
      default -> Event.page("Home");
    };
    Identifier a = IDS.get(anchor % IDS.size());
    Identifier second = IDS.get((anchor + 1) % IDS.size());
    List<Identifier> ids = n % 4 == 0 ? List.of() : n % 4 == 1 ? List.of(a) : List.of(a, second);
    String id = MESSAGES.get(m % MESSAGES.size());
    Event e = b.messageId(id).anonymousId("anon-" + n).timestamp(t).receivedAt(t.plusSeconds(1))
        .build();
    return new StoredEvent(e, new EventKey(t, id), ids, ids.isEmpty() ? null : ids.get(0));
  }

  static ProfileRecord profile(int p, int n) {
    Map<String, TraitValue> traits = new LinkedHashMap<>();
    traits.put("tier", new TraitValue(n % 2 == 0 ? null : "gold", at(n), n % 3, "m-" + n));
    traits.put("score", new TraitValue(new BigDecimal("1.50E+3"), at(n), 0, "m-x"));
    traits.put("nested", new TraitValue(Map.of("city", "İzmir", "n", (long) n), at(n), 1, "m"));
    Map<String, OrderEntry> orders = new LinkedHashMap<>();
    for (int k = 0; k < n % 4; k++) {
      String id = "O" + (n / 4 + k) % 6;
      orders.put(id, order(id, n + k));
    }
    ProfileState s = n % 5 == 0 ? ProfileState.EMPTY : ProfileState.of(traits, Map.of(), at(0),
        at(n), Map.of(), Map.of(), orders, Map.of("Order Completed", (long) n));
    return new ProfileRecord(PROFILES.get(p % PROFILES.size()), s,
        Map.of(IdentifierType.EMAIL, n % 3), 1 + n);
  }

  /** An order entry: a completion, with a refund or without, or a refund alone. */
  static OrderEntry order(String id, int n) {
    Map<String, Refund> refunds = n % 3 == 0 ? Map.of() : Map.of("r-" + n,
        new Refund(at(n + 1), n % 2 == 0 ? null : Money.of(50L + n, "EUR")));
    Order completion = n % 5 == 4 ? null : new Order(id, at(n), "m-" + n,
        Money.of(1_000L + n, "EUR"), n % 2 == 0 ? "web" : null, n % 3 == 1 ? "store-1" : null);
    return new OrderEntry(completion, refunds);
  }

  /**
   * The profile with one more order event joined in, as the engine makes it: the entries the
   * event does not touch are the stored record's own objects.
   */
  static ProfileRecord withOrder(ProfileRecord p, int y, int n) {
    String id = "O" + y % 6;
    ProfileState event = ProfileState.of(Map.of(), Map.of(), at(n), at(n), Map.of(), Map.of(),
        Map.of(id, order(id, n)), Map.of("Order Completed", 1L));
    return new ProfileRecord(p.id(), p.state().join(event), p.identifierCounts(),
        p.version() + 1);
  }

  static ComponentRecord component(int c, int n) {
    String id = COMPONENTS.get(c % COMPONENTS.size());
    return switch (n % 3) {
      case 0 -> new ComponentRecord(id, null, List.of());
      case 1 -> new ComponentRecord(id, new EventKey(at(n), "m-" + n), List.of());
      default -> new ComponentRecord(id, new EventKey(at(n), "m-" + n),
          List.of(new DoNotLinkRule(IDS.get(0), IDS.get(1 + n % 3), at(n))));
    };
  }

  static Link link(int i, int n) {
    return new Link(new EventKey(at(n), "m-" + n), List.of(IDS.get(i % IDS.size()),
        IDS.get((i + 1 + n % 3) % IDS.size())));
  }

  static LedgerEntry ledger(int p, int n) {
    ProfileId a = PROFILES.get(p % PROFILES.size());
    ProfileId b = PROFILES.get((p + 1) % PROFILES.size());
    return switch (n % 3) {
      case 0 -> new LedgerEntry(LedgerEntry.Kind.MERGED, a, b, IDS.get(n % IDS.size()),
          "m-" + n, at(n), at(n + 1), "merge");
      case 1 -> new LedgerEntry(LedgerEntry.Kind.CONFLICT, a, b, IDS.get(1), "m-" + n, at(n),
          at(n), "limit: customer_id max 1");
      default -> new LedgerEntry(LedgerEntry.Kind.UNMERGED, a, null, null, null, null, at(n),
          "unmerge İ");
    };
  }

  static OutboxEntry outbox(int k, int p, int n) {
    OutboxEntry e = OutboxEntry.pending(OUTBOX.get(k % OUTBOX.size()), "winback-email",
        PROFILES.get(p % PROFILES.size()), "email", at(n), at(n + 2), "{\"t\":\"İ\"}");
    return switch (n % 3) {
      case 0 -> e;
      case 1 -> e.claimed("worker-1", at(n + 5));
      default -> e.next(OutboxEntry.Status.values()[n % 3], n, at(n + 9), "timeout 🛍");
    };
  }

  static Delivery delivery(int d, int p, int n) {
    return new Delivery(DELIVERIES.get(d % DELIVERIES.size()), PROFILES.get(p % PROFILES.size()),
        at(n), "winback-email", "email", "k-" + n, n % 3, n % 2 == 0 ? "delivered" : "failed",
        n % 2 == 0 ? null : "bounce", "{}");
  }

  /** A random write: {@code kind} picks the op, {@code x}, {@code y}, {@code n} its arguments. */
  record Action(int kind, int x, int y, int n) {}

  static final int KINDS = 34;
  /** The action kind of {@code deleteEvents}. */
  static final int DELETE_EVENTS_KIND = 17;

  /**
   * Applies one action to {@code tx}; savepoint actions push onto or roll back to the top of
   * {@code savepoints}. Ops that the store refuses by contract (an update of an absent outbox
   * entry) are skipped, not attempted.
   */
  static void apply(Action a, WriteTransaction tx, ArrayDeque<Savepoint> savepoints) {
    int x = a.x();
    int y = a.y();
    int n = a.n();
    ProfileId px = PROFILES.get(x % PROFILES.size());
    ProfileId py = PROFILES.get(y % PROFILES.size());
    String cx = COMPONENTS.get(x % COMPONENTS.size());
    switch (a.kind()) {
      case 0, 1 -> tx.insertEvent(event(x, y, n));
      case 2, 3 -> tx.putNode(new IdentityNode(IDS.get(x % IDS.size()), py,
          COMPONENTS.get(n % COMPONENTS.size())));
      case 4 -> tx.putComponent(component(x, n));
      case 5 -> tx.deleteComponent(cx);
      case 6 -> tx.addLink(cx, link(y, n));
      case 7 -> tx.moveLinks(cx, COMPONENTS.get(y % COMPONENTS.size()));
      case 8, 9 -> tx.putProfile(profile(x, n));
      case 10 -> tx.deleteProfile(px);
      case 11 -> tx.putRedirect(px, py);
      case 12 -> tx.appendLedger(ledger(x, n));
      case 13 -> tx.require(MetadataStorage.class).putMetadata(META.get(x % META.size()),
          VALUES.get(n % VALUES.size()));
      case 14 -> tx.require(MetadataStorage.class).deleteMetadata(META.get(x % META.size()));
      case 15 -> tx.require(PrivacyStorage.class).putTombstone(HASHES.get(x % HASHES.size()),
          at(n));
      case 16 -> tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, at(n),
          n % 2 == 0 ? "erase" : "export", n % 3 == 0 ? null : px,
          n % 2 == 0 ? HASHES.get(y % HASHES.size()) : null, VALUES.get(n % VALUES.size())));
      case 17 -> tx.require(PrivacyStorage.class).deleteEvents(List.of(
          MESSAGES.get(x % MESSAGES.size()), MESSAGES.get(y % MESSAGES.size())));
      case 18 -> tx.require(PrivacyStorage.class).deleteNode(IDS.get(x % IDS.size()));
      case 19 -> tx.require(PrivacyStorage.class).deleteLinks(cx);
      case 20 -> tx.require(PrivacyStorage.class).deleteRedirect(px);
      case 21 -> tx.require(PrivacyStorage.class).deleteLedger(px);
      case 22 -> tx.require(SegmentStorage.class).putMembership(new Membership(
          SEGMENTS.get(y % SEGMENTS.size()), px, at(n)));
      case 23 -> tx.require(SegmentStorage.class).deleteMembership(
          SEGMENTS.get(y % SEGMENTS.size()), px);
      case 24 -> tx.require(SegmentStorage.class).putCheck(new ScheduledCheck(px, at(n)));
      case 25 -> tx.require(SegmentStorage.class).deleteCheck(px);
      case 26 -> {
        OutboxStorage o = tx.require(OutboxStorage.class);
        if (n % 2 == 0) {
          o.insertOutbox(outbox(x, y, n));
        } else if (o.outbox(OUTBOX.get(x % OUTBOX.size())).isEmpty()) {
          o.addOutbox(outbox(x, y, n));
        }
      }
      case 27 -> {
        OutboxStorage o = tx.require(OutboxStorage.class);
        if (o.outbox(OUTBOX.get(x % OUTBOX.size())).isPresent()) {
          o.updateOutbox(outbox(x, y, n + 1));
        }
      }
      case 28 -> tx.require(OutboxStorage.class).deleteOutbox(OUTBOX.get(x % OUTBOX.size()));
      case 29 -> tx.require(OutboxStorage.class).putDelivery(delivery(x, y, n));
      case 30 -> tx.require(OutboxStorage.class).deleteDeliveries(px);
      case 31 -> savepoints.push(tx.savepoint());
      case 33 -> tx.profile(px).ifPresent(p -> tx.putProfile(withOrder(p, y, n)));
      default -> {
        if (!savepoints.isEmpty()) {
          tx.rollbackTo(n % 2 == 0 ? savepoints.peek() : savepoints.pop());
        }
      }
    }
  }

  private static final Comparator<Identifier> BY_ID =
      Comparator.comparing((Identifier i) -> i.type().id()).thenComparing(Identifier::value);

  /**
   * Everything the read methods answer over the universe, as one map of labelled values, with
   * lists the SPI gives in no particular order sorted.
   */
  static Map<String, Object> snapshot(ReadTransaction tx, boolean withCounts) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String m : MESSAGES) {
      out.put("event " + m, tx.event(m));
    }
    out.put("events", tx.events(MESSAGES));
    out.put("eventsByAnchors", tx.eventsByAnchors(IDS));
    for (Identifier i : IDS) {
      out.put("node " + i.value(), tx.node(i));
      out.put("eventsByAnchor " + i.value(), tx.eventsByAnchors(List.of(i)));
    }
    for (String c : COMPONENTS) {
      out.put("component " + c, tx.component(c));
      out.put("nodesOfComponent " + c, sortedNodes(tx.nodesOfComponent(c)));
      List<Link> links = new ArrayList<>(tx.links(c));
      links.sort(Comparator.comparing(Link::key).thenComparing(l -> l.identifiers().toString()
          + l.identifiers().stream().map(Identifier::value).toList()));
      out.put("links " + c, links);
    }
    for (ProfileId p : PROFILES) {
      out.put("profile " + p, tx.profile(p));
      out.put("nodesOfProfile " + p, sortedNodes(tx.nodesOfProfile(p)));
      out.put("redirect " + p, tx.redirect(p));
      out.put("redirectsTo " + p, tx.redirectsTo(p));
      out.put("ledger " + p, tx.ledger(p));
    }
    if (withCounts) {
      out.put("counts", tx.eventNameCounts());
    }
    out.put("profilesAfter", tx.profilesAfter(null, 100));
    out.put("profilesAfter p-0", tx.profilesAfter(PROFILES.get(0), 2));
    MetadataStorage meta = tx.require(MetadataStorage.class);
    out.put("metadata", meta.metadata(""));
    out.put("metadata segment/", meta.metadata("segment/"));
    PrivacyStorage privacy = tx.require(PrivacyStorage.class);
    out.put("tombstones", privacy.tombstones(HASHES));
    out.put("audit", privacy.audit(0, 1000));
    out.put("messageIdsByAnchors",
        privacy.messageIdsByAnchors(IDS).stream().sorted().toList());
    SegmentStorage segments = tx.require(SegmentStorage.class);
    for (ProfileId p : PROFILES) {
      out.put("memberships " + p, segments.memberships(p));
      out.put("check " + p, segments.check(p));
    }
    for (String s : SEGMENTS) {
      out.put("members " + s, segments.members(s, null, 100));
    }
    out.put("dueChecks", segments.dueChecks(at(10_000), 100));
    OutboxStorage outbox = tx.require(OutboxStorage.class);
    out.put("outbox", outbox.outbox(OUTBOX));
    for (OutboxEntry.Status s : OutboxEntry.Status.values()) {
      out.put("outbox " + s, outbox.outbox(s, null, 100));
    }
    for (ProfileId p : PROFILES) {
      out.put("outboxOfProfile " + p, outbox.outboxOfProfile(p));
      out.put("deliveries " + p, outbox.deliveries(p));
    }
    return out;
  }

  private static List<IdentityNode> sortedNodes(List<IdentityNode> nodes) {
    List<IdentityNode> out = new ArrayList<>(nodes);
    out.sort(Comparator.comparing(IdentityNode::identifier, BY_ID));
    return out;
  }
}
