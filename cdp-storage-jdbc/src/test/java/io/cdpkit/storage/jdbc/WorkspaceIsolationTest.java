package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.Activation;
import io.cdpkit.activation.Rule;
import io.cdpkit.activation.Template;
import io.cdpkit.activation.Trigger;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.ErasureReport;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.Privacy;
import io.cdpkit.core.Profiles;
import io.cdpkit.core.PurgeReport;
import io.cdpkit.core.RetentionPolicy;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.catalog.Catalog;
import io.cdpkit.core.dedup.DedupSettings;
import io.cdpkit.core.dedup.DetectionReport;
import io.cdpkit.core.dedup.Duplicates;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.Aggregation;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Workspaces are isolated through every public API: a victim workspace is filled with a
 * shopper's whole life (profile, merge, events, segment, deliveries, a dead letter), then every
 * public call of every workspace-bound API is made from another workspace with the victim's
 * identifiers, profile ids, segment ids and outbox keys. Each returns nothing of the victim's,
 * and the victim's state, read before and after, is unchanged. A reflection check fails when a
 * public method is added to one of these APIs without being tried here.
 */
class WorkspaceIsolationTest {
  private static final WorkspaceId VICTIM = WorkspaceId.of("shop-victim");
  private static final WorkspaceId OTHER = WorkspaceId.of("shop-other");
  private static final Instant START = Instant.parse("2026-06-01T10:00:00Z");

  private static final Identifier EMAIL = Identifier.email("ines.duarte@example.pt");
  private static final Identifier COOKIE = Identifier.anonymousId("anon-77aa01");
  private static final Identifier CARD = Identifier.loyaltyCard("2900055566677");
  private static final String CUSTOMER = "C-4242";

  /** The public methods tried from the other workspace, as Class.method. */
  private final Set<String> tried = new TreeSet<>();

  /** Public methods that are not bound to one workspace by design, with the reason. */
  private static final Map<String, String> NOT_WORKSPACE_BOUND = Map.ofEntries(
      Map.entry("Workspace.id", "names the workspace itself"),
      Map.entry("Workspace.profiles", "returns the workspace's own Profiles"),
      Map.entry("Workspace.privacy", "returns the workspace's own Privacy"),
      Map.entry("Segments.workspace", "names the workspace itself"),
      Map.entry("Segments.validate", "checks a definition; reads no data"),
      Map.entry("Segments.runDueOn", "schedules runDue of its own workspace"),
      Map.entry("Activation.workspaceOpened", "extension SPI: core calls it as a workspace opens"));

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "h2", "postgres", "mariadb"})
  @DisplayName("another workspace reads and changes nothing of the victim's through any public"
      + " API")
  void isolated(String kind) throws Exception {
    TestDatabases.Scratch db = kind.equals("postgres") ? TestDatabases.postgres()
        : kind.equals("mariadb") ? TestDatabases.mariadb() : null;
    try {
      Supplier<Store> store = switch (kind) {
        case "memory" -> Store::inMemory;
        case "h2" -> () -> JdbcStore.h2InMemory("isolation-" + UUID.randomUUID());
        default -> () -> JdbcStore.create(db.dataSource());
      };
      run(store.get());
    } finally {
      if (db != null) {
        TestDatabases.drop(db);
      }
    }
  }

  private void run(Store store) {
    MutableClock clock = new MutableClock(START);
    List<Message> sent = new CopyOnWriteArrayList<>();
    Segmentation segmentation = Segmentation.builder().segmentHistory(true).build();
    Activation activation = Activation.builder()
        .channel("mail", new Spy("spy-mail", sent, false), Map.of())
        .channel("fax", new Spy("spy-fax", sent, true), Map.of())
        .rule(Rule.builder("welcome").trigger(Trigger.segmentEntered("club")).channel("mail")
            .purpose("marketing").template(Template.parse("{\"s\":\"hi\"}")).build())
        .rule(Rule.builder("receipt").trigger(Trigger.event("Order Completed")).channel("fax")
            .purpose("marketing").template(Template.parse("{\"s\":\"thanks\"}")).build())
        .build();
    try (store; Cdp cdp = Cdp.builder().store(store).clock(clock).computedTrait(ACME_ORDERS)
        .extension(segmentation)
        .extension(activation).build()) {
      Workspace victim = cdp.workspace(VICTIM);
      Segments victimSegments = segmentation.segments(VICTIM);
      victimSegments.save(SegmentDefinition.builder("club").name("Club")
          .where(Conditions.hasIdentifier("loyalty_card")).build());
      // a definition an earlier version stored that no longer reads (a look-ahead regex)
      store.write(VICTIM, tx -> {
        tx.require(io.cdpkit.core.spi.storage.MetadataStorage.class).putMetadata(
            "segment.legacy", "{\"version\":1,\"id\":\"legacy\",\"name\":\"Legacy\","
            + "\"condition\":{\"type\":\"trait\",\"name\":\"tier\",\"op\":\"regex\","
            + "\"value\":\"^(?=gold)\"}}");
        return null;
      });
      victimSegments.reload(ProgressListener.none());
      assertThat(victimSegments.unreadable()).containsOnlyKeys("legacy");
      victim.ingest(Event.page("Home").messageId("v-1").anonymousId(COOKIE.value())
          .timestamp(START).build());
      victim.ingest(Event.identify().messageId("v-2").userId(CUSTOMER)
          .identifier(EMAIL).identifier(CARD)
          .trait("firstName", "Inês").consent("marketing", "email", true)
          .timestamp(START.plusSeconds(60)).build());
      victim.ingest(Event.track("Signed In").messageId("v-4").userId(CUSTOMER)
          .anonymousId(COOKIE.value()).timestamp(START.plusSeconds(90)).build());
      victim.catalog().put(Product.builder("SKU-1").brand("Acme").stock(2).build());
      victim.duplicates().configure(DedupSettings.builder().linkThreshold(0.9).build());
      victim.ingest(Event.track("Order Completed").messageId("v-3").userId(CUSTOMER)
          .property("order_id", "W-9").property("total", new BigDecimal("12.00"))
          .property("currency", "EUR").property("products", List.of(Map.of("sku", "SKU-1")))
          .timestamp(START.plusSeconds(120)).build());
      activation.dispatch(VICTIM);
      ProfileId victimId = victim.profiles().find(EMAIL).orElseThrow().id();
      ProfileId mergedAway = victim.profiles().ledger(victimId).stream()
          .map(l -> l.other()).filter(o -> o != null && !o.equals(victimId)).findFirst()
          .orElseThrow();
      var dead = activation.deadLetters(VICTIM, null, 10);
      assertThat(dead).as("the story leaves a dead letter").hasSize(1);
      String deadKey = dead.get(0).key();
      String deliveredKey = activation.deliveries(VICTIM, victimId).stream()
          .filter(d -> d.outcome().equals("delivered")).findFirst().orElseThrow().key();
      int sentBefore = sent.size();
      String before = state(cdp, segmentation, activation, victimId, deliveredKey, deadKey);
      assertThat(victim.profiles().find(EMAIL).orElseThrow().computedTrait("acme_orders"))
          .as("the victim's order joined with the victim's catalog").contains(1L);

      // ---- reads from the other workspace
      Workspace other = cdp.workspace(OTHER);
      Profiles p = other.profiles();
      tried("Profiles.get");
      assertThat(p.get(victimId)).isEmpty();
      assertThat(p.get(mergedAway)).isEmpty();
      tried("Profiles.find");
      for (Identifier id : List.of(EMAIL, COOKIE, CARD, Identifier.customerId(CUSTOMER))) {
        assertThat(p.find(id)).isEmpty();
      }
      tried("Profiles.resolve");
      assertThat(p.resolve(victimId)).isEmpty();
      assertThat(p.resolve(mergedAway)).isEmpty();
      tried("Profiles.events");
      assertThat(p.events(victimId)).isEmpty();
      tried("Profiles.ledger");
      assertThat(p.ledger(victimId)).isEmpty();
      tried("Profiles.consentHistory");
      assertThat(p.consentHistory(victimId)).isEmpty();
      tried("Profiles.consentAt");
      assertThat(p.consentAt(victimId, "marketing", "email", Instant.MAX).decision()).isNull();
      tried("Profiles.eventCounts");
      assertThat(p.eventCounts()).isEmpty();
      tried("Profiles.list");
      assertThat(p.list(null, Profiles.MAX_PAGE)).isEmpty();
      assertThat(cdp.workspace(VICTIM).profiles().list(null, Profiles.MAX_PAGE))
          .as("the victim's own workspace lists her").isNotEmpty();
      tried("Profiles.count");
      assertThat(p.count()).isZero();
      assertThat(cdp.workspace(VICTIM).profiles().count())
          .as("the victim's own workspace counts her").isPositive();

      Privacy privacy = other.privacy();
      tried("Privacy.export");
      for (Identifier id : List.of(EMAIL, COOKIE, CARD, Identifier.customerId(CUSTOMER))) {
        assertThat(privacy.export(id)).isEmpty();
      }
      tried("Privacy.audit");
      assertThat(privacy.audit(0, 100)).allMatch(a -> a.profile() == null
          || (!a.profile().equals(victimId) && !a.profile().equals(mergedAway)));

      Segments s = segmentation.segments(OTHER);
      tried("Segments.get");
      assertThat(s.get("club")).isEmpty();
      tried("Segments.list");
      assertThat(s.list()).isEmpty();
      tried("Segments.memberships");
      assertThat(s.memberships(victimId)).isEmpty();
      tried("Segments.isMember");
      assertThat(s.isMember(victimId, "club")).isFalse();
      tried("Segments.members");
      assertThat(s.members("club", null, 10)).isEmpty();
      tried("Segments.unreadable");
      assertThat(s.unreadable()).isEmpty();
      tried("Segments.nextCheck");
      assertThat(s.nextCheck(victimId)).isEmpty();
      tried("Segments.nextDue");
      assertThat(s.nextDue()).isEmpty();
      tried("Segments.size");
      assertThatThrownBy(() -> s.size("club")).isInstanceOf(IllegalArgumentException.class);
      assertThat(segmentation.segments(VICTIM).size("club"))
          .as("the victim's own workspace has her in the club").isPositive();
      tried("Segments.explain");
      assertThatThrownBy(() -> s.explain(victimId, "club"))
          .isInstanceOf(IllegalArgumentException.class);
      tried("Segments.evaluate");
      assertThatThrownBy(() -> s.evaluate(List.of("club"), io.cdpkit.core.ProgressListener.none()))
          .isInstanceOf(IllegalArgumentException.class);
      tried("Segments.history");
      java.time.LocalDate day = java.time.LocalDate.ofInstant(START, java.time.ZoneOffset.UTC);
      assertThat(victimSegments.history("club", day, day).get(0).entries())
          .as("the victim's own history counts the entry").isEqualTo(1);
      assertThat(s.history("club", day, day)).allMatch(d -> d.entries() == 0 && d.exits() == 0);

      tried("Activation.deliveries");
      assertThat(activation.deliveries(OTHER, victimId)).isEmpty();
      tried("Activation.deliveriesJson");
      assertThat(activation.deliveriesJson(OTHER, victimId)).isEqualTo("[]");
      tried("Activation.outbox");
      assertThat(activation.outbox(OTHER, deliveredKey)).isEmpty();
      assertThat(activation.outbox(OTHER, deadKey)).isEmpty();
      tried("Activation.deadLetters");
      assertThat(activation.deadLetters(OTHER, null, 10)).isEmpty();
      tried("Activation.outboxHealth");
      assertThat(activation.outboxHealth(OTHER))
          .isEqualTo(new Activation.OutboxHealth(0, Duration.ZERO));

      // ---- changes from the other workspace
      tried("Profiles.unmerge");
      assertThatThrownBy(() -> p.unmerge(EMAIL, COOKIE))
          .isInstanceOf(IllegalArgumentException.class);
      tried("Profiles.restrict");
      assertThatThrownBy(() -> p.restrict(EMAIL, "objection"))
          .isInstanceOf(IllegalArgumentException.class);
      tried("Profiles.liftRestriction");
      assertThatThrownBy(() -> p.liftRestriction(EMAIL, "objection"))
          .isInstanceOf(IllegalArgumentException.class);
      tried("Profiles.rectify");
      assertThatThrownBy(() -> p.rectify(EMAIL, java.util.Map.of("city", "Breda"), "art16"))
          .isInstanceOf(IllegalArgumentException.class);
      tried("Privacy.erase");
      assertThat(privacy.erase(EMAIL).erasedProfile()).isEmpty();
      tried("Privacy.purge");
      assertThat(privacy.purge(RetentionPolicy.builder().otherwise(Duration.ofSeconds(1))
          .build(), (profiles, events) -> { }).eventsDeleted()).isZero();
      tried("Activation.requeue");
      assertThat(activation.requeue(OTHER, deadKey)).isFalse();
      tried("Activation.dispatch");
      assertThat(activation.dispatch(OTHER)).isZero();
      tried("Segments.delete");
      assertThat(s.delete("club")).isFalse();
      tried("Segments.runDue");
      assertThat(s.runDue()).isZero();
      tried("Segments.reload");
      assertThat(s.reload(io.cdpkit.core.ProgressListener.none())).isEmpty();
      // The same message ids and identifiers: the other workspace's own, new data (received
      // after the times they carry: a consent decision is never dated after its receipt).
      clock.advance(Duration.ofMinutes(5));
      tried("Workspace.ingest");
      IngestResult r = other.ingest(Event.identify().messageId("v-2").userId(CUSTOMER)
          .anonymousId(COOKIE.value()).identifier(EMAIL).identifier(CARD)
          .trait("firstName", "Mallory").consent("marketing", "email", false)
          .timestamp(START.plusSeconds(61)).build());
      assertThat(r.status()).isEqualTo(IngestResult.Status.STORED);
      assertThat(r.profileId()).isNotEqualTo(victimId).isNotEqualTo(mergedAway);
      assertThat(other.ingest(List.of(Event.track("Order Completed").messageId("v-3")
          .userId(CUSTOMER).property("order_id", "W-9").property("total", new BigDecimal("1"))
          .property("currency", "EUR").timestamp(START.plusSeconds(121)).build())).stored())
          .isEqualTo(1);
      tried("Workspace.ingestJson");
      assertThat(other.ingestJson(("{\"type\":\"track\",\"event\":\"Order Completed\","
          + "\"messageId\":\"v-1\",\"userId\":\"" + CUSTOMER + "\",\"timestamp\":\""
          + START.plusSeconds(122) + "\"}").getBytes(StandardCharsets.UTF_8)).stored())
          .isEqualTo(1);
      tried("Segments.save");
      s.save(SegmentDefinition.builder("club").name("Other club")
          .where(Conditions.hasIdentifier("email")).build());
      s.save(SegmentDefinition.builder("club").name("Other club")
          .where(Conditions.hasIdentifier("customer_id")).build(), io.cdpkit.core.ProgressListener.none());
      tried("Segments.saveJson");
      s.saveJson("{\"version\":1,\"id\":\"vip\",\"name\":\"VIP\",\"condition\":"
          + "{\"type\":\"identifier\",\"identifierType\":\"email\"}}");
      activation.dispatch(OTHER);
      assertThat(p.find(EMAIL).orElseThrow().id()).isNotEqualTo(victimId);
      assertThat(p.find(EMAIL).orElseThrow().trait("firstName")).contains("Mallory");
      assertThat(p.events(p.find(EMAIL).orElseThrow().id())).extracting(e -> e.messageId())
          .containsExactlyInAnyOrder("v-2", "v-3", "v-1");
      assertThat(s.delete("vip")).isTrue();
      // And what the other workspace can see of itself holds nothing of the victim's.
      assertThat(p.ledger(p.find(EMAIL).orElseThrow().id()))
          .noneMatch(l -> victimId.equals(l.profile()) || victimId.equals(l.other()));

      // Privacy operations from the other workspace: its own person only. Two days on, a purge
      // that expires every event older than a day would empty the victim's history if it
      // reached that workspace, and the other workspace's erasure of the same e-mail address
      // must leave no tombstone that drops the victim's late events.
      clock.advance(Duration.ofDays(2));
      tryCatalog(other);
      tryDuplicates(other, victimId, mergedAway);
      tried("Workspace.privacy");
      Optional<String> exported = privacy.export(EMAIL);
      assertThat(exported).isPresent();
      assertThat(exported.get()).contains("Mallory").doesNotContain(victimId.value())
          .doesNotContain(mergedAway.value()).doesNotContain("Inês");
      PurgeReport purged = privacy.purge(
          RetentionPolicy.builder().otherwise(Duration.ofDays(1)).build(), (n, e) -> { });
      assertThat(purged.eventsDeleted()).isPositive();
      ErasureReport erased = privacy.erase(EMAIL);
      assertThat(erased.erasedProfile()).isPresent().get().isNotEqualTo(victimId)
          .isNotEqualTo(mergedAway);
      assertThat(privacy.audit(0, 100)).extracting(AuditEntry::operation)
          .contains("export", "purge", "erase");
      assertThat(privacy.audit(0, 100))
          .noneMatch(a -> victimId.equals(a.profile()) || mergedAway.equals(a.profile()));

      assertThat(sent.subList(sentBefore, sent.size()))
          .as("nothing sent for the victim from the other workspace")
          .allMatch(m -> !m.idempotencyKey().equals(deliveredKey)
              && !m.idempotencyKey().equals(deadKey));
      assertThat(state(cdp, segmentation, activation, victimId, deliveredKey, deadKey))
          .isEqualTo(before);
      IngestResult late = victim.ingest(Event.track("Signed In").messageId("v-late")
          .identifier(EMAIL).timestamp(START.minusSeconds(60)).build());
      assertThat(late.status()).as("a late event of the victim, after the other workspace"
          + " erased the same address").isEqualTo(IngestResult.Status.STORED);
    }
  }

  @Test
  @DisplayName("every public method of the workspace-bound APIs is tried, or named as not bound")
  void everyPublicMethodIsTried() throws Exception {
    run(Store.inMemory());
    List<String> missing = new ArrayList<>();
    for (Class<?> c : List.of(Workspace.class, Profiles.class, Privacy.class, Segments.class,
        Activation.class, Catalog.class, Duplicates.class)) {
      for (Method m : c.getDeclaredMethods()) {
        if (!Modifier.isPublic(m.getModifiers()) || Modifier.isStatic(m.getModifiers())) {
          continue;
        }
        String name = c.getSimpleName() + "." + m.getName();
        if (c == Activation.class && !takesWorkspace(m)) {
          continue; // node-wide lifecycle and configuration (attach, start, close, rules, ...)
        }
        if (!tried.contains(name) && !NOT_WORKSPACE_BOUND.containsKey(name)) {
          missing.add(name);
        }
      }
    }
    assertThat(missing).as("public methods not tried from another workspace").isEmpty();
  }

  private static boolean takesWorkspace(Method m) {
    for (Class<?> t : m.getParameterTypes()) {
      if (t == WorkspaceId.class) {
        return true;
      }
    }
    return false;
  }

  /** Orders with a product of the catalog brand Acme: the victim's join must stay its own. */
  private static final ComputedTrait ACME_ORDERS = ComputedTrait.builder("acme_orders",
      Aggregation.COUNT).filter(EventFilter.named("Order Completed").and(PropertyCondition.any(
          "products", PropertyCondition.of("$catalog.brand", Operator.EQ, "Acme")))).build();

  /**
   * Every catalog method from the other workspace: the same sku renamed, removed and imported
   * there changes neither the victim's product nor the victim's catalog-joined traits.
   */
  private void tryCatalog(Workspace other) {
    tried("Workspace.catalog");
    Catalog c = other.catalog();
    tried("Catalog.product");
    assertThat(c.product("SKU-1")).isEmpty();
    tried("Catalog.size");
    assertThat(c.size()).isZero();
    tried("Catalog.list");
    assertThat(c.list(null, 10)).isEmpty();
    tried("Catalog.newest");
    assertThat(c.newest(START.minusSeconds(1), 10)).isEmpty();
    tried("Catalog.put");
    c.put(Product.builder("SKU-1").brand("Other").build());
    tried("Catalog.putAll");
    c.putAll(List.of(Product.builder("SKU-1").brand("Acme").stock(0).build()));
    tried("Catalog.importJsonLines");
    assertThat(c.importJsonLines(new java.io.StringReader("{\"sku\":\"SKU-2\"}")).stored())
        .isEqualTo(1);
    tried("Catalog.apply");
    c.apply(Event.track(Catalog.PRODUCT_REMOVED).messageId("c-1").anonymousId("feed")
        .property("sku", "SKU-1").build());
    tried("Catalog.remove");
    c.remove("SKU-2");
    assertThat(c.size()).isZero();
    assertThat(c.product("SKU-1")).isEmpty();
  }

  /**
   * Every duplicate-detection method from the other workspace: its settings, model and queue
   * are its own, and the victim's profile ids are unknown there (accept, reject and compare
   * refuse them rather than link, split or score the victim).
   */
  private void tryDuplicates(Workspace other, ProfileId victimId, ProfileId mergedAway) {
    tried("Workspace.duplicates");
    Duplicates d = other.duplicates();
    tried("Duplicates.settings");
    assertThat(d.settings().incremental()).as("never configured there").isFalse();
    tried("Duplicates.configure");
    d.configure(DedupSettings.builder().linkThreshold(0.6).reviewThreshold(0.01).build());
    tried("Duplicates.detect");
    DetectionReport r = d.detect();
    assertThat(d.detect(ProgressListener.none()).profiles()).isEqualTo(r.profiles());
    tried("Duplicates.model");
    assertThat(d.model()).isPresent();
    tried("Duplicates.reviewQueue");
    assertThat(d.reviewQueue()).noneMatch(i -> i.involves(victimId) || i.involves(mergedAway));
    ProfileId own = other.profiles().list(null, 1).get(0).id();
    tried("Duplicates.accept");
    assertThatThrownBy(() -> d.accept(victimId, own, "attack"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.accept(victimId, mergedAway, "attack"))
        .isInstanceOf(IllegalArgumentException.class);
    tried("Duplicates.reject");
    assertThatThrownBy(() -> d.reject(victimId, own, "attack"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.reject(victimId, mergedAway, "attack"))
        .isInstanceOf(IllegalArgumentException.class);
    tried("Duplicates.compare");
    assertThatThrownBy(() -> d.compare(victimId, own))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private void tried(String method) {
    tried.add(method);
  }

  /** Everything the victim's workspace shows, as text. */
  private static String state(Cdp cdp, Segmentation segmentation, Activation activation,
      ProfileId id, String deliveredKey, String deadKey) {
    Profiles p = cdp.workspace(VICTIM).profiles();
    Segments s = segmentation.segments(VICTIM);
    StringBuilder b = new StringBuilder();
    b.append(p.get(id)).append('\n');
    b.append(cdp.workspace(VICTIM).catalog().list(null, 100)).append('\n');
    b.append(cdp.workspace(VICTIM).duplicates().settings())
        .append(cdp.workspace(VICTIM).duplicates().model())
        .append(cdp.workspace(VICTIM).duplicates().reviewQueue()).append('\n');
    for (Identifier i : List.of(EMAIL, COOKIE, CARD, Identifier.customerId(CUSTOMER))) {
      b.append(p.find(i).map(x -> x.id())).append('\n');
    }
    b.append(p.events(id)).append('\n').append(p.ledger(id)).append('\n');
    b.append(new TreeSet<>(p.eventCounts().entrySet().stream().map(Object::toString).toList()));
    b.append(s.list()).append(s.memberships(id)).append(s.members("club", null, 10));
    b.append(activation.deliveries(VICTIM, id)).append('\n');
    b.append(activation.outbox(VICTIM, deliveredKey)).append(activation.outbox(VICTIM, deadKey));
    b.append(activation.deadLetters(VICTIM, null, 10));
    b.append(p.consentHistory(id));
    return b.toString();
  }

  /** Records what it is handed; the fax one fails for good. */
  private static final class Spy implements ChannelProvider {
    private final String id;
    private final List<Message> sent;
    private final boolean fail;

    Spy(String id, List<Message> sent, boolean fail) {
      this.id = id;
      this.sent = sent;
      this.fail = fail;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public int spiMajorVersion() {
      return SPI_MAJOR_VERSION;
    }

    @Override
    public String consentChannel() {
      return "email";
    }

    @Override
    public Channel create(ChannelContext context) {
      return new Channel() {
        @Override
        public List<IdentifierType> addresses() {
          return List.of(IdentifierType.EMAIL);
        }

        @Override
        public DeliveryResult deliver(Message message) {
          sent.add(message);
          return fail ? DeliveryResult.permanent("554 rejected") : DeliveryResult.delivered();
        }
      };
    }
  }

}
