package io.cdpkit.storage.jdbc.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.StorageException;
import io.cdpkit.core.Workspace;
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
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import io.cdpkit.storage.jdbc.Encryption;
import io.cdpkit.storage.jdbc.JdbcStore;
import io.cdpkit.storage.jdbc.PiiCodec;
import io.cdpkit.storage.jdbc.internal.AesGcmCodec;
import java.lang.reflect.InvocationTargetException;
import io.cdpkit.storage.jdbc.WithoutModulesLoader;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TableLoader}: a workspace loaded from the JDBC store's tables into a fresh in-memory
 * store answers every read as the JDBC store does, on every key written, workspace by
 * workspace; another workspace's rows never come along; the optional modules' classes are not
 * loaded without their rows.
 */
class TableLoaderTest {
  private static final WorkspaceId HAARLEM = WorkspaceId.of("shop-haarlem");
  private static final WorkspaceId GENT = WorkspaceId.of("shop-gent");
  private static final Instant T = Instant.parse("2026-05-04T08:30:00Z");
  private static final byte[] DATA_KEY = bytes(7, 32);
  private static final byte[] INDEX_KEY = bytes(11, 32);

  private final List<AutoCloseable> cleanups = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanups.size() - 1; i >= 0; i--) {
      cleanups.get(i).close();
    }
    cleanups.clear();
  }

  private static byte[] bytes(int seed, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed * 31 + i * 7);
    }
    return b;
  }

  /** A store on a fresh named H2 memory database, its codec, and a connection to it. */
  private record Db(JdbcStore store, PiiCodec pii, Connection connection) {}

  private Db db(boolean encrypted) throws SQLException {
    String name = "loader-" + UUID.randomUUID();
    JdbcStore.Builder b = JdbcStore.builder().h2InMemory(name);
    PiiCodec pii = PiiCodec.IDENTITY;
    if (encrypted) {
      b.encryption(Encryption.builder().dataKey("k1", DATA_KEY).currentKey("k1")
          .indexKey(INDEX_KEY).build());
      pii = new AesGcmCodec(Map.of("k1", new SecretKeySpec(DATA_KEY, "AES")), "k1",
          new SecretKeySpec(INDEX_KEY, "HmacSHA256"));
    }
    JdbcStore store = b.build();
    cleanups.add(store);
    Connection c = DriverManager.getConnection("jdbc:h2:mem:" + name, "sa", "");
    cleanups.add(c);
    return new Db(store, pii, c);
  }

  private static Store loaded(Db db, WorkspaceId ws, int pageSize) {
    Store memory = Store.inMemory();
    memory.write(ws, tx -> {
      TableLoader.load(db.connection(), db.pii(), ws, tx, pageSize);
      return null;
    });
    return memory;
  }

  // ------------------------------------------------------------------ what the tests write

  /** Every key a test wrote, over all workspaces, so that reads of one ask for the other's. */
  static final class Keys {
    final Set<String> messageIds = new LinkedHashSet<>();
    final Set<Identifier> identifiers = new LinkedHashSet<>();
    final Set<ProfileId> profiles = new LinkedHashSet<>();
    final Set<String> components = new LinkedHashSet<>();
    final Set<String> segments = new LinkedHashSet<>();
    final Set<String> outboxKeys = new LinkedHashSet<>();
    final Set<String> hashes = new LinkedHashSet<>();

    /** Adds what the store holds that leads to more keys: nodes, ledger, redirects, audit. */
    void discover(Store store, WorkspaceId ws) {
      store.read(ws, tx -> {
        for (int round = 0; round < 3; round++) {
          for (ProfileRecord r : tx.profilesAfter(null, 10_000)) {
            profiles.add(r.id());
          }
          for (Identifier id : List.copyOf(identifiers)) {
            tx.node(id).ifPresent(this::add);
          }
          for (ProfileId p : List.copyOf(profiles)) {
            tx.nodesOfProfile(p).forEach(this::add);
            tx.redirect(p).ifPresent(profiles::add);
            profiles.addAll(tx.redirectsTo(p));
            for (LedgerEntry e : tx.ledger(p)) {
              profiles.add(e.profile());
              if (e.other() != null) {
                profiles.add(e.other());
              }
              if (e.identifier() != null) {
                identifiers.add(e.identifier());
              }
            }
            tx.capability(SegmentStorage.class).ifPresent(s -> s.memberships(p)
                .forEach(m -> segments.add(m.segment())));
            tx.capability(OutboxStorage.class).ifPresent(o -> o.outboxOfProfile(p)
                .forEach(e -> outboxKeys.add(e.key())));
          }
          for (String c : List.copyOf(components)) {
            tx.nodesOfComponent(c).forEach(this::add);
          }
        }
        for (AuditEntry e : tx.require(PrivacyStorage.class).audit(0, 10_000)) {
          if (e.subject() != null) {
            hashes.add(e.subject());
          }
          if (e.profile() != null) {
            profiles.add(e.profile());
          }
        }
        return null;
      });
    }

    private void add(IdentityNode n) {
      identifiers.add(n.identifier());
      profiles.add(n.profile());
      components.add(n.component());
    }
  }

  private static <T> List<T> sorted(List<T> l) {
    List<T> out = new ArrayList<>(l);
    out.sort(Comparator.comparing(Object::toString));
    return out;
  }

  /**
   * What every read method answers for every key, by a label naming the call. Lists the SPI
   * leaves unordered are sorted; the others keep the order the store gave.
   */
  static Map<String, Object> dump(Store store, WorkspaceId ws, Keys k) {
    return store.read(ws, tx -> {
      Map<String, Object> out = new LinkedHashMap<>();
      for (String m : k.messageIds) {
        out.put("event " + m, tx.event(m));
      }
      out.put("events", new TreeMap<>(tx.events(k.messageIds)));
      out.put("eventNameCounts", new TreeMap<>(tx.eventNameCounts()));
      out.put("eventsByAnchors all", tx.eventsByAnchors(k.identifiers));
      PrivacyStorage privacy = tx.require(PrivacyStorage.class);
      out.put("messageIdsByAnchors all", sorted(privacy.messageIdsByAnchors(k.identifiers)));
      for (Identifier id : k.identifiers) {
        out.put("eventsByAnchors " + id, tx.eventsByAnchors(List.of(id)));
        out.put("messageIdsByAnchors " + id,
            sorted(privacy.messageIdsByAnchors(List.of(id))));
        out.put("node " + id, tx.node(id));
      }
      for (ProfileId p : k.profiles) {
        out.put("profile " + p, tx.profile(p));
        out.put("redirect " + p, tx.redirect(p));
        out.put("redirectsTo " + p, tx.redirectsTo(p));
        out.put("ledger " + p, tx.ledger(p));
        out.put("nodesOfProfile " + p, sorted(tx.nodesOfProfile(p)));
      }
      for (String c : k.components) {
        out.put("component " + c, tx.component(c));
        out.put("links " + c, tx.links(c));
        out.put("nodesOfComponent " + c, sorted(tx.nodesOfComponent(c)));
      }
      out.put("profilesAfter", tx.profilesAfter(null, 10_000));
      List<ProfileRecord> paged = new ArrayList<>();
      for (List<ProfileRecord> page = tx.profilesAfter(null, 2); !page.isEmpty();
          page = tx.profilesAfter(page.get(page.size() - 1).id(), 2)) {
        paged.addAll(page);
      }
      out.put("profilesAfter by 2", paged);
      Map<String, String> metadata = new TreeMap<>(tx.require(MetadataStorage.class)
          .metadata(""));
      metadata.remove(TableLoader.STORE_KEY);
      out.put("metadata", metadata);
      out.put("tombstones", new TreeMap<>(privacy.tombstones(k.hashes)));
      out.put("audit", privacy.audit(0, 10_000));
      out.put("audit from 1 by 1", privacy.audit(1, 1));
      tx.capability(SegmentStorage.class).ifPresent(s -> {
        for (ProfileId p : k.profiles) {
          out.put("memberships " + p, s.memberships(p));
          out.put("check " + p, s.check(p));
        }
        for (String seg : k.segments) {
          out.put("members " + seg, s.members(seg, null, 10_000));
        }
        out.put("dueChecks", s.dueChecks(Instant.MAX, 10_000));
      });
      tx.capability(OutboxStorage.class).ifPresent(o -> {
        for (String key : k.outboxKeys) {
          out.put("outbox " + key, o.outbox(key));
        }
        out.put("outbox keys", new TreeMap<>(o.outbox(k.outboxKeys)));
        for (OutboxEntry.Status s : OutboxEntry.Status.values()) {
          out.put("outbox " + s, o.outbox(s, null, 10_000));
        }
        for (ProfileId p : k.profiles) {
          out.put("outboxOfProfile " + p, o.outboxOfProfile(p));
          out.put("deliveries " + p, o.deliveries(p));
        }
      });
      return out;
    });
  }

  // ------------------------------------------------------------------ a story through Cdp and the SPI

  private static final Identifier ANNA_MAIL = Identifier.email("anna.de.vries@example.nl");
  private static final Identifier ANNA_CARD = Identifier.loyaltyCard("2900077788899");
  private static final Identifier ERASED_MAIL = Identifier.email("joost.erased@example.nl");

  /** Writes a bit of everything to {@code ws}; {@code variant} makes the workspaces differ. */
  private static void story(JdbcStore store, Workspace w, WorkspaceId ws, int variant,
      Keys keys) {
    String v = "v" + variant;
    List<Event> events = List.of(
        Event.page("Home").messageId("m-1").anonymousId("anon-1").timestamp(T).build(),
        Event.identify().messageId("m-2").userId("C-1").anonymousId("anon-1")
            .identifier(ANNA_MAIL).trait("firstName", "Anna " + v)
            .consent("marketing", "email", true).timestamp(T.plusSeconds(60)).build(),
        Event.identify().messageId("m-3").anonymousId("anon-2").identifier(ANNA_CARD)
            .timestamp(T.plusSeconds(90)).build(),
        // m-4 merges the card's profile into Anna's
        Event.track("Order Completed").messageId("m-4").userId("C-1").identifier(ANNA_CARD)
            .property("order_id", "O-" + v).timestamp(T.plusSeconds(120)).build(),
        Event.identify().messageId("m-5").userId("C-9").identifier(ERASED_MAIL)
            .trait("lastName", "Erased").timestamp(T.plusSeconds(150)).build(),
        Event.track("Product Viewed").messageId("m-6").anonymousId("anon-3")
            .timestamp(T.plusSeconds(170 + variant)).build());
    for (Event e : events) {
      w.ingest(e);
      keys.messageIds.add(e.messageId());
    }
    keys.identifiers.addAll(List.of(ANNA_MAIL, ANNA_CARD, ERASED_MAIL,
        Identifier.customerId("C-1"), Identifier.customerId("C-9"),
        Identifier.anonymousId("anon-1"), Identifier.anonymousId("anon-2"),
        Identifier.anonymousId("anon-3")));
    w.privacy().erase(ERASED_MAIL);
    w.profiles().restrict(Identifier.customerId("C-1"), "accuracy-contested");

    ProfileId extra = ProfileId.of("p-extra-" + v);
    ProfileId gone = ProfileId.of("p-gone");
    keys.profiles.addAll(List.of(extra, gone));
    Identifier[] ids = {Identifier.email("a@example.com"), Identifier.email("b@example.com"),
        Identifier.email("c@example.com"), Identifier.phone("+31612345678")};
    keys.identifiers.addAll(List.of(ids));
    keys.components.addAll(List.of("comp-a", "comp-b"));
    keys.messageIds.addAll(List.of("spi-1", "spi-2"));
    store.write(ws, tx -> {
      for (int i = 0; i < ids.length; i++) {
        tx.putNode(new IdentityNode(ids[i], extra, i % 2 == 0 ? "comp-a" : "comp-b"));
      }
      tx.putComponent(new ComponentRecord("comp-a", new EventKey(T, "spi-1"),
          List.of(new DoNotLinkRule(ids[0], ids[2], T))));
      tx.putComponent(new ComponentRecord("comp-b", null, List.of()));
      tx.addLink("comp-b", new Link(new EventKey(T, "spi-1"), List.of(ids[1], ids[3])));
      tx.addLink("comp-a", new Link(new EventKey(T.plusSeconds(1), "spi-2"),
          List.of(ids[0], ids[2])));
      tx.addLink("comp-b", new Link(new EventKey(T.plusSeconds(2), "spi-2"),
          List.of(ids[3], ids[1])));
      tx.addLink("comp-a", new Link(new EventKey(T.plusSeconds(3), "spi-1"),
          List.of(ids[2], ids[0])));
      // moved: comp-a's links now follow comp-b's in insertion order only by seq
      tx.moveLinks("comp-b", "comp-a");
      tx.addLink("comp-b", new Link(new EventKey(T.plusSeconds(4), "spi-1"),
          List.of(ids[1], ids[3])));
      tx.putProfile(new ProfileRecord(extra, ProfileState.EMPTY,
          Map.of(IdentifierType.EMAIL, 3, IdentifierType.PHONE, 1), 4 + variant));
      tx.putRedirect(gone, extra);
      tx.appendLedger(new LedgerEntry(LedgerEntry.Kind.MERGED, extra, gone, ids[0], "spi-1",
          T, T.plusSeconds(5), "spi merge"));
      tx.appendLedger(new LedgerEntry(LedgerEntry.Kind.CONFLICT, gone, extra, null, null,
          null, T.plusSeconds(6), "spi conflict " + v));
      tx.insertEvent(new StoredEvent(Event.track("Spi Tracked").messageId("spi-1")
          .anonymousId("anon-spi").timestamp(T).build(), new EventKey(T, "spi-1"),
          List.of(ids[0]), ids[0]));
      tx.insertEvent(new StoredEvent(Event.track("Spi Tracked").messageId("spi-2")
          .anonymousId("anon-spi").timestamp(T.plusSeconds(1)).build(),
          new EventKey(T.plusSeconds(1), "spi-2"), List.of(), null));

      MetadataStorage m = tx.require(MetadataStorage.class);
      m.putMetadata("test/one", "{\"v\":\"" + v + "\"}");
      m.putMetadata("test/two", "x".repeat(3000));
      m.putMetadata(TableLoader.STORE_KEY, "1");
      // A host's own key under the same prefix is data like any other: it must be copied.
      m.putMetadata("cdp.store.host-setting", "kept");
      PrivacyStorage privacy = tx.require(PrivacyStorage.class);
      privacy.putTombstone("hash-" + v, T.plusSeconds(7));
      privacy.appendAudit(new AuditEntry(0, T.plusSeconds(8), "export", extra, "hash-" + v,
          "{\"n\":1}"));
      keys.hashes.add("hash-" + v);

      SegmentStorage seg = tx.require(SegmentStorage.class);
      keys.segments.addAll(List.of("vip", "lapsed"));
      seg.putMembership(new Membership("vip", extra, T.plusNanos(123)));
      seg.putMembership(new Membership("vip", gone, T.plusSeconds(9)));
      seg.putMembership(new Membership("lapsed", extra, T.plusSeconds(10)));
      seg.putCheck(new ScheduledCheck(extra, T.plusSeconds(3600 + variant)));
      seg.putCheck(new ScheduledCheck(gone, T.plusSeconds(60)));

      OutboxStorage o = tx.require(OutboxStorage.class);
      keys.outboxKeys.addAll(List.of("k-1", "k-2", "k-3"));
      o.insertOutbox(OutboxEntry.pending("k-1", "winback", extra, "email", T,
          T.plusSeconds(30), "{\"t\":\"" + v + "\"}"));
      o.insertOutbox(new OutboxEntry("k-2", "winback", extra, "sms", T, T.plusSeconds(40), 2,
          OutboxEntry.Status.PENDING, "{}", "lease-7", T.plusSeconds(50), "timeout " + v));
      o.insertOutbox(new OutboxEntry("k-3", "welcome", gone, "email", T, T, 1,
          OutboxEntry.Status.DEAD, "{}", null, null, "bounced"));
      o.putDelivery(new Delivery("d-1", extra, T.plusSeconds(11), "winback", "email", "k-1",
          1, "delivered", null, "{\"c\":1}"));
      o.putDelivery(new Delivery("d-2", extra, T.plusSeconds(11), "winback", "sms", "k-2", 2,
          "failed", "timeout", "{}"));
      o.putDelivery(new Delivery("d-3", gone, T.plusSeconds(12), "welcome", "email", "k-3", 1,
          "dead", "bounced " + v, "{}"));
      return null;
    });
  }

  @ParameterizedTest(name = "encrypted={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("two workspaces written through Cdp and the SPI, each loaded into a fresh"
      + " in-memory store, answer every read on every key as the JDBC store does, in pages of"
      + " any size")
  void loadsEveryRecordOfEachWorkspace(boolean encrypted) throws Exception {
    Db db = db(encrypted);
    Keys keys = new Keys();
    Segmentation segmentation = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().store(db.store()).extension(segmentation).build()) {
      for (WorkspaceId ws : List.of(HAARLEM, GENT)) {
        segmentation.segments(ws).save(SegmentDefinition.builder("card-holders")
            .name("Card holders").where(Conditions.hasIdentifier("loyalty_card")).build());
      }
      keys.segments.add("card-holders");
      story(db.store(), cdp.workspace(HAARLEM), HAARLEM, 1, keys);
      story(db.store(), cdp.workspace(GENT), GENT, 2, keys);
    }
    keys.discover(db.store(), HAARLEM);
    keys.discover(db.store(), GENT);

    assertThat(TableLoader.workspaces(db.connection())).containsExactly(GENT, HAARLEM);
    for (WorkspaceId ws : List.of(HAARLEM, GENT)) {
      Map<String, Object> expected = dump(db.store(), ws, keys);
      // The story wrote what the comparison must cover.
      assertThat(expected.get("audit")).asList().hasSizeGreaterThanOrEqualTo(2);
      assertThat(expected.get("tombstones")).asInstanceOf(
          org.assertj.core.api.InstanceOfAssertFactories.MAP).hasSizeGreaterThanOrEqualTo(2);
      assertThat(expected.get("members vip")).asList().hasSize(2);
      assertThat(expected.get("links comp-a")).asList().hasSize(4);
      assertThat(expected).containsKey("redirect p-gone");
      for (int pageSize : new int[] {1, 2, 3, TableLoader.PAGE}) {
        Store memory = loaded(db, ws, pageSize);
        assertThat(dump(memory, ws, keys)).as("workspace %s in pages of %d", ws, pageSize)
            .containsExactlyEntriesOf(expected);
        memory.read(ws, tx -> {
          assertThat(tx.require(MetadataStorage.class).metadata("cdp.store."))
              .as("the store's own note is not copied; a host's key under its prefix is")
              .containsExactly(java.util.Map.entry("cdp.store.host-setting", "kept"));
          return null;
        });
        WorkspaceId other = ws.equals(HAARLEM) ? GENT : HAARLEM;
        assertThat(dump(memory, other, keys)).as("nothing of the workspace not loaded")
            .isEqualTo(dump(Store.inMemory(), other, keys));
      }
    }
  }

  @Test
  @DisplayName("the audit log must land at its stored numbers: a target that holds entries is"
      + " refused, naming the table")
  void auditNumbersAreKept() throws Exception {
    Db db = db(false);
    db.store().write(HAARLEM, tx -> tx.require(PrivacyStorage.class)
        .appendAudit(new AuditEntry(0, T, "export", null, null, "{}")));
    Store memory = Store.inMemory();
    assertThatThrownBy(() -> memory.write(HAARLEM, tx -> {
      tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, T, "purge", null, null,
          "{}"));
      TableLoader.load(db.connection(), db.pii(), HAARLEM, tx);
      return null;
    })).isInstanceOf(StorageException.class).hasMessageContaining("cdp_audit");
  }

  @Test
  @DisplayName("rows of a module whose capability the target lacks are an error naming the"
      + " table")
  void moduleRowsWithoutTheCapability() throws Exception {
    Db db = db(false);
    db.store().write(HAARLEM, tx -> {
      tx.require(SegmentStorage.class).putCheck(new ScheduledCheck(ProfileId.of("p-1"), T));
      return null;
    });
    WriteTransaction bare = (WriteTransaction) java.lang.reflect.Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {WriteTransaction.class}, (proxy, m, a) -> {
          return switch (m.getName()) {
            case "capability" -> java.util.Optional.empty();
            case "require" -> {
              Class<?> type = (Class<?>) a[0];
              if (type == MetadataStorage.class || type == PrivacyStorage.class) {
                yield java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {type}, (p2, m2, a2) -> null);
              }
              throw new AssertionError("unexpected require " + type);
            }
            default -> null;
          };
        });
    assertThatThrownBy(() -> TableLoader.load(db.connection(), db.pii(), HAARLEM, bare))
        .isInstanceOf(StorageException.class).hasMessageContaining("cdp_checks")
        .hasMessageContaining("SegmentStorage");
  }

  // ------------------------------------------------------------------ random SPI writes

  private static final JdbcStore SHARED = JdbcStore.h2InMemory("loader-shared");
  private static final String SHARED_URL = "jdbc:h2:mem:loader-shared";
  private static final java.util.concurrent.atomic.AtomicInteger TRIES =
      new java.util.concurrent.atomic.AtomicInteger();

  @AfterContainer
  static void closeShared() {
    SHARED.close();
  }

  private static final Identifier[] IDS = {Identifier.email("a@example.com"),
      Identifier.email("b@example.com"), Identifier.phone("+31600000001"),
      Identifier.customerId("C-7")};
  private static final String[] COMPONENTS = {"c-1", "c-2", "c-3"};
  private static final ProfileId[] PROFILES = {ProfileId.of("p-1"), ProfileId.of("p-2"),
      ProfileId.of("p-3")};
  private static final String[] MESSAGES = {"m-1", "m-2", "m-3", "m-4"};
  private static final String[] SEGMENTS = {"vip", "lapsed"};
  private static final String[] OUTBOX_KEYS = {"k-1", "k-2", "k-3"};
  private static final String[] META_KEYS = {"a/1", "a/2", "b", TableLoader.STORE_KEY,
      "cdp.store.x"};

  /** One random write: a kind and three small numbers that pick its keys and values. */
  record Op(int kind, int a, int b, int c) {
    static final int KINDS = 26;

    void apply(WriteTransaction tx) {
      Instant at = T.plusSeconds(a * 60L + b).plusNanos(c);
      ProfileId p = PROFILES[a % 3];
      ProfileId q = PROFILES[b % 3];
      switch (kind) {
        case 0 -> {
          String m = MESSAGES[a % 4];
          Identifier anchor = c % 3 == 0 ? null : IDS[b % 4];
          tx.insertEvent(new StoredEvent(Event.track(c % 2 == 0 ? "Viewed" : "Bought")
              .messageId(m).anonymousId("anon-" + b).timestamp(at).build(),
              new EventKey(at, m), anchor == null ? List.of() : List.of(anchor), anchor));
        }
        case 1 -> tx.putNode(new IdentityNode(IDS[a % 4], q, COMPONENTS[c % 3]));
        case 2 -> tx.putComponent(new ComponentRecord(COMPONENTS[a % 3],
            b % 2 == 0 ? null : new EventKey(at, MESSAGES[c % 4]),
            c % 3 == 0 ? List.of(new DoNotLinkRule(IDS[0], IDS[1 + b % 3], at)) : List.of()));
        case 3 -> tx.deleteComponent(COMPONENTS[a % 3]);
        case 4, 5 -> tx.addLink(COMPONENTS[a % 3], new Link(new EventKey(at, MESSAGES[b % 4]),
            List.of(IDS[b % 4], IDS[c % 4])));
        case 6 -> {
          if (a % 3 != b % 3) {
            tx.moveLinks(COMPONENTS[a % 3], COMPONENTS[b % 3]);
          }
        }
        case 7 -> tx.putProfile(new ProfileRecord(p, ProfileState.EMPTY,
            Map.of(IdentifierType.EMAIL, b), c));
        case 8 -> tx.deleteProfile(p);
        case 9 -> tx.putRedirect(p, q);
        case 10 -> tx.appendLedger(new LedgerEntry(LedgerEntry.Kind.values()[c % 3], p,
            c % 2 == 0 ? q : null, b % 2 == 0 ? IDS[b % 4] : null, "m-" + b, at, at,
            "r" + c));
        case 11 -> tx.require(MetadataStorage.class).putMetadata(META_KEYS[a % 4], "v" + b);
        case 12 -> tx.require(MetadataStorage.class).deleteMetadata(META_KEYS[a % 4]);
        case 13 -> tx.require(PrivacyStorage.class).putTombstone("h-" + a % 3, at);
        case 14 -> tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, at,
            "erase", b % 2 == 0 ? p : null, c % 2 == 0 ? "h-" + c % 3 : null, "{}"));
        case 15 -> tx.require(PrivacyStorage.class).deleteEvents(List.of(MESSAGES[a % 4],
            MESSAGES[b % 4]));
        case 16 -> tx.require(PrivacyStorage.class).deleteNode(IDS[a % 4]);
        case 17 -> tx.require(PrivacyStorage.class).deleteLinks(COMPONENTS[a % 3]);
        case 18 -> tx.require(PrivacyStorage.class).deleteRedirect(p);
        case 19 -> tx.require(PrivacyStorage.class).deleteLedger(p);
        case 20 -> tx.require(SegmentStorage.class).putMembership(
            new Membership(SEGMENTS[b % 2], p, at));
        case 21 -> {
          if (c % 2 == 0) {
            tx.require(SegmentStorage.class).deleteMembership(SEGMENTS[b % 2], p);
          } else {
            tx.require(SegmentStorage.class).deleteCheck(p);
          }
        }
        case 22 -> tx.require(SegmentStorage.class).putCheck(new ScheduledCheck(p, at));
        case 23 -> {
          OutboxStorage o = tx.require(OutboxStorage.class);
          String key = OUTBOX_KEYS[a % 3];
          OutboxEntry e = new OutboxEntry(key, "rule", p, "email", T, at, b % 3,
              OutboxEntry.Status.values()[c % 3], "{\"b\":" + b + "}", c % 2 == 0 ? "l" : null,
              c % 2 == 0 ? at : null, b % 2 == 0 ? null : "err " + b);
          if (o.outbox(key).isPresent()) {
            o.updateOutbox(e);
          } else {
            o.insertOutbox(e);
          }
        }
        case 24 -> {
          OutboxStorage o = tx.require(OutboxStorage.class);
          if (c % 3 == 0) {
            o.deleteOutbox(OUTBOX_KEYS[a % 3]);
          } else if (c % 3 == 1) {
            o.deleteDeliveries(p);
          } else {
            o.putDelivery(new Delivery("d-" + b % 4, p, at, "rule", "email",
                OUTBOX_KEYS[a % 3], c % 2, "failed", b % 2 == 0 ? null : "why " + b, "{}"));
          }
        }
        default -> tx.require(OutboxStorage.class).putDelivery(new Delivery("d-" + a % 4, q,
            at, "rule", "sms", OUTBOX_KEYS[b % 3], 1, "delivered", null, "{\"c\":" + c + "}"));
      }
    }
  }

  @Provide
  Arbitrary<List<List<Op>>> transactions() {
    Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, Op.KINDS - 1),
        Arbitraries.integers().between(0, 11), Arbitraries.integers().between(0, 11),
        Arbitraries.integers().between(0, 11)).as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(25).list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = 60)
  @Label("for any writes through the SPI, the loaded workspace answers every read as the"
      + " JDBC store does; workspaces written before with the same keys do not leak in")
  void loadedEqualsTables(@ForAll("transactions") List<List<Op>> transactions)
      throws SQLException {
    WorkspaceId ws = WorkspaceId.of("try-" + TRIES.incrementAndGet());
    for (List<Op> ops : transactions) {
      SHARED.write(ws, tx -> {
        ops.forEach(o -> o.apply(tx));
        return null;
      });
    }
    Keys keys = new Keys();
    keys.identifiers.addAll(List.of(IDS));
    keys.components.addAll(List.of(COMPONENTS));
    keys.profiles.addAll(List.of(PROFILES));
    keys.messageIds.addAll(List.of(MESSAGES));
    keys.segments.addAll(List.of(SEGMENTS));
    keys.outboxKeys.addAll(List.of(OUTBOX_KEYS));
    keys.hashes.addAll(List.of("h-0", "h-1", "h-2"));
    try (Connection c = DriverManager.getConnection(SHARED_URL, "sa", "")) {
      Store memory = Store.inMemory();
      memory.write(ws, tx -> {
        TableLoader.load(c, PiiCodec.IDENTITY, ws, tx, 2);
        return null;
      });
      assertThat(dump(memory, ws, keys)).containsExactlyEntriesOf(dump(SHARED, ws, keys));
    }
  }

  // ------------------------------------------------------------------ without the modules

  @Test
  @DisplayName("without cdp-segmentation and cdp-activation-spi on the class path, a workspace"
      + " without their rows loads and no class of theirs is asked for; with their rows the"
      + " load fails naming the table")
  void worksWithoutTheOptionalModules() throws Exception {
    Set<String> asked = ConcurrentHashMap.newKeySet();
    try (URLClassLoader host = WithoutModulesLoader.open(asked, n -> false)) {
      assertThatThrownBy(() -> host.loadClass(SegmentStorage.class.getName()))
          .as("the module is really absent").isInstanceOf(ClassNotFoundException.class);
      asked.clear();
      Class<?> hostSide = host.loadClass(WithoutOptionalModules.class.getName());
      try {
        assertThat(hostSide.getMethod("run", boolean.class).invoke(null, false))
            .isEqualTo("loaded [m-1, m-2]");
        assertThat(asked).as("classes of the optional modules asked for").isEmpty();
        assertThat(hostSide.getMethod("run", boolean.class).invoke(null, true))
            .isEqualTo("StorageException cdp_memberships has rows of the workspace, which need"
                + " cdp-segmentation on the class path");
      } catch (InvocationTargetException e) {
        throw new AssertionError("the load failed without the optional modules", e.getCause());
      }
    }
  }

  /** Runs in a class loader without the optional modules; names none of their classes. */
  public static final class WithoutOptionalModules {
    private WithoutOptionalModules() {}

    /** Not through DriverManager, which offers only drivers of its caller's class loader. */
    private static Connection h2(String name) throws SQLException {
      org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
      ds.setURL("jdbc:h2:mem:" + name);
      return ds.getConnection("sa", "");
    }

    /** Loads a workspace written through Cdp; {@code membership}: with a row of segmentation's. */
    public static String run(boolean membership) throws SQLException {
      WorkspaceId ws = WorkspaceId.DEFAULT;
      Instant t = Instant.parse("2026-05-04T08:30:00Z"); // not the enclosing test's constant
      String name = "loader-no-modules-" + UUID.randomUUID();
      try (JdbcStore store = JdbcStore.h2InMemory(name);
          Cdp cdp = Cdp.builder().store(store).build();
          Connection c = h2(name)) {
        cdp.ingest(List.of(Event.identify().messageId("m-1").userId("C-1").timestamp(t).build(),
            Event.track("Order Completed").messageId("m-2").userId("C-1")
                .timestamp(t.plusSeconds(60)).build()));
        if (membership) {
          try (var s = c.createStatement()) {
            s.execute("INSERT INTO cdp_memberships (workspace, segment, profile_id,"
                + " since_second, since_nano) VALUES ('" + ws.value() + "', 'vip', 'p-1', 0, 0)");
          }
        }
        try {
          return "loaded " + Store.inMemory().write(ws, tx -> {
            TableLoader.load(c, PiiCodec.IDENTITY, ws, tx);
            return tx.events(List.of("m-1", "m-2")).keySet().toString();
          });
        } catch (StorageException e) {
          return "StorageException " + e.getMessage();
        }
      }
    }
  }
}
