package io.cdpkit.core.spi.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.ProfileState.ConsentValue;
import io.cdpkit.core.model.ProfileState.Order;
import io.cdpkit.core.model.ProfileState.OrderEntry;
import io.cdpkit.core.model.ProfileState.Refund;
import io.cdpkit.core.model.ProfileState.Tally;
import io.cdpkit.core.model.ProfileState.TraitValue;
import io.cdpkit.core.model.WorkspaceId;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The storage contract: what every {@link Store} must do, written only against the public SPI.
 * A store passes it by subclassing once and returning a fresh, empty store from
 * {@link #createStore()}:
 *
 * <pre>{@code
 * class MyStoreContractTest extends StoreContractTest {
 *   @Override
 *   protected Store createStore() {
 *     return MyStore.openFreshSchema();
 *   }
 * }
 * }</pre>
 *
 * <p>The test-jar of cdp-core does not bring its test dependencies along: a consumer declares
 * JUnit Jupiter and AssertJ itself.
 *
 * <p>Decisions the SPI leaves implicit and this suite pins down: stored values round-trip by
 * {@code equals} (so {@code BigDecimal} scale, {@code Long} vs {@code Integer}, list order and
 * {@code null} map values survive, and instants keep at least microseconds); ties of event time
 * sort by messageId in {@link String#compareTo} order, not a locale collation; an anchor given
 * twice to {@link ReadTransaction#eventsByAnchors} still lists each event once; a ledger entry
 * naming the same profile on both sides is listed once for it. For the extension reads: a page
 * ({@code profilesAfter}, {@code members}, {@code dueChecks}) is short only when nothing follows
 * it, so a short page ends a scan, and any limit from 1 to {@link Integer#MAX_VALUE} is allowed;
 * {@code after} need not name an existing row; ids, segments and metadata keys order by
 * {@link String#compareTo}, and keys compare exactly (case, trailing spaces); a metadata prefix
 * is plain text ({@code %} and {@code _} are no wildcards); the instants of memberships and
 * checks keep their nanoseconds, and instants before 1970 work; deleting what is not there
 * changes nothing; a write transaction's ordered reads include its own writes. For the outbox
 * and the delivery history: keys and ids compare exactly and order by {@link String#compareTo};
 * their instants keep nanoseconds; text at the records' length limits round-trips, characters
 * outside the Basic Multilingual Plane included; a claim orders by due time, then key, and
 * neither waits for a running write transaction nor sees the entries it has not committed.
 */
public abstract class StoreContractTest {

  /** The workspace most tests write to. */
  protected static final WorkspaceId SHOP = WorkspaceId.of("shop-amsterdam");
  /** Another workspace, for isolation. */
  protected static final WorkspaceId OTHER_SHOP = WorkspaceId.of("shop-istanbul");

  private static final Instant T0 = Instant.parse("2026-03-01T10:15:00Z");

  private static final Identifier AYSE_EMAIL = Identifier.email("ayse.yilmaz@example.com");
  private static final Identifier AYSE_CUSTOMER = Identifier.customerId("C-1001");
  private static final Identifier AYSE_CARD = Identifier.loyaltyCard("2900012345678");
  private static final Identifier AYSE_COOKIE = Identifier.anonymousId("anon-7f3e9a");
  private static final Identifier BOB_EMAIL = Identifier.email("bob@example.org");
  private static final Identifier BOB_PHONE = Identifier.phone("+31612345678");
  private static final Identifier MEMBERSHIP =
      Identifier.of(IdentifierType.of("membership_no"), "M-77");

  private static final ProfileId AYSE = ProfileId.of("p-ayse");
  private static final ProfileId BOB = ProfileId.of("p-bob");
  private static final ProfileId CAROL = ProfileId.of("p-carol");

  private Store store;

  /**
   * A new, empty store. Called once per test; the store is closed with {@link #closeStore}
   * afterwards.
   */
  protected abstract Store createStore();

  /** Releases a store made by {@link #createStore()}. The default closes it. */
  protected void closeStore(Store store) {
    store.close();
  }

  @BeforeEach
  void openStore() {
    store = Objects.requireNonNull(createStore(), "createStore() returned null");
  }

  @AfterEach
  void releaseStore() {
    if (store != null) {
      Store s = store;
      store = null;
      closeStore(s);
    }
  }

  /** The store of the running test. */
  protected final Store store() {
    return store;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private void update(Consumer<WriteTransaction> work) {
    update(SHOP, work);
  }

  private void update(WorkspaceId ws, Consumer<WriteTransaction> work) {
    store.write(ws, tx -> {
      work.accept(tx);
      return null;
    });
  }

  private <T> T read(Function<ReadTransaction, T> work) {
    return store.read(SHOP, work);
  }

  private Optional<StoredEvent> readEvent(String messageId) {
    return store.read(SHOP, tx -> tx.event(messageId));
  }

  private List<StoredEvent> readEvents(List<Identifier> anchors) {
    return store.read(SHOP, tx -> tx.eventsByAnchors(anchors));
  }

  private Map<String, Long> readCounts() {
    return store.read(SHOP, ReadTransaction::eventNameCounts);
  }

  private Optional<IdentityNode> readNode(Identifier identifier) {
    return store.read(SHOP, tx -> tx.node(identifier));
  }

  private List<IdentityNode> readNodesOfProfile(ProfileId profile) {
    return store.read(SHOP, tx -> tx.nodesOfProfile(profile));
  }

  private List<IdentityNode> readNodesOfComponent(String component) {
    return store.read(SHOP, tx -> tx.nodesOfComponent(component));
  }

  private Optional<ComponentRecord> readComponent(String id) {
    return store.read(SHOP, tx -> tx.component(id));
  }

  private List<Link> readLinks(String component) {
    return store.read(SHOP, tx -> tx.links(component));
  }

  private Optional<ProfileRecord> readProfile(ProfileId id) {
    return readProfile(SHOP, id);
  }

  private Optional<ProfileRecord> readProfile(WorkspaceId ws, ProfileId id) {
    return store.read(ws, tx -> tx.profile(id));
  }

  private Optional<ProfileId> readRedirect(ProfileId mergedAway) {
    return store.read(SHOP, tx -> tx.redirect(mergedAway));
  }

  private List<LedgerEntry> readLedger(ProfileId profile) {
    return store.read(SHOP, tx -> tx.ledger(profile));
  }

  private List<ProfileRecord> readProfilesAfter(WorkspaceId ws, ProfileId after, int limit) {
    return store.read(ws, tx -> tx.profilesAfter(after, limit));
  }

  private List<ProfileRecord> readScan(int pageSize) {
    return store.read(SHOP, tx -> scan(tx, pageSize));
  }

  private Map<String, String> readMetadata(String prefix) {
    return readMetadata(SHOP, prefix);
  }

  private Map<String, String> readMetadata(WorkspaceId ws, String prefix) {
    return store.read(ws, tx -> tx.metadata(prefix));
  }

  private List<Membership> readMemberships(ProfileId profile) {
    return store.read(SHOP, tx -> tx.memberships(profile));
  }

  private List<Membership> readMembers(String segment, ProfileId after, int limit) {
    return store.read(SHOP, tx -> tx.members(segment, after, limit));
  }

  private Optional<ScheduledCheck> readCheck(ProfileId profile) {
    return store.read(SHOP, tx -> tx.check(profile));
  }

  private List<ScheduledCheck> readDue(Instant upTo, int limit) {
    return store.read(SHOP, tx -> tx.dueChecks(upTo, limit));
  }

  private Optional<OutboxEntry> readOutbox(String key) {
    return store.read(SHOP, tx -> tx.outbox(key));
  }

  private List<OutboxEntry> readOutbox(OutboxEntry.Status status, String afterKey, int limit) {
    return store.read(SHOP, tx -> tx.outbox(status, afterKey, limit));
  }

  private List<Delivery> readDeliveries(ProfileId profile) {
    return store.read(SHOP, tx -> tx.deliveries(profile));
  }

  private boolean insertOutbox(WorkspaceId ws, OutboxEntry entry) {
    Boolean inserted = store.write(ws, tx -> tx.insertOutbox(entry));
    return inserted;
  }

  private List<OutboxEntry> claim(Instant now, String lease, Instant leaseUntil, int limit) {
    return store.claimOutbox(SHOP, now, lease, leaseUntil, limit);
  }

  private static final String TRIGGER = "{\"segment\":\"churn-risk\",\"change\":\"entered\"}";

  /** A pending entry for Ayşe by e-mail, decided at {@link #T0}. */
  private static OutboxEntry pending(String key, Instant dueAt) {
    return OutboxEntry.pending(key, "winback-email", AYSE, "email", T0, dueAt, TRIGGER);
  }

  /** The entry with another status, its claim released, as a worker finishing it writes. */
  private static OutboxEntry finished(OutboxEntry e, OutboxEntry.Status status) {
    return e.next(status, e.attempts() + 1, e.dueAt(), status == OutboxEntry.Status.DEAD
        ? "550 mailbox unavailable" : null);
  }

  private static Delivery delivery(String id, ProfileId profile, Instant at, String outcome) {
    return new Delivery(id, profile, at, "winback-email", "email", "key-" + id, 1, outcome,
        outcome.equals("delivered") ? null : "451 try again later",
        "{\"consent\":\"marketing/email\",\"recipient\":\"email\"}");
  }

  private static List<String> keys(List<OutboxEntry> entries) {
    return entries.stream().map(OutboxEntry::key).toList();
  }

  /**
   * A text of exactly {@code length} characters mixing ASCII, Turkish letters, a dash, quotes
   * and a character outside the Basic Multilingual Plane (two UTF-16 units), never ending in
   * half of one.
   */
  private static String longText(int length) {
    String piece = "{\"note\":\"Ayşe İstanbul’da — çğıöşü 🛍 \\\"quoted\\\"\"} ";
    StringBuilder b = new StringBuilder(length + piece.length());
    while (b.length() < length) {
      b.append(piece);
    }
    b.setLength(length);
    if (Character.isHighSurrogate(b.charAt(length - 1))) {
      b.setCharAt(length - 1, 'x');
    }
    return b.toString();
  }

  /**
   * Every entry of a status, a page of {@code pageSize} at a time until an empty page; checks
   * that every page but the last is full.
   */
  private static List<OutboxEntry> outboxPages(ReadTransaction tx, OutboxEntry.Status status,
      int pageSize) {
    List<OutboxEntry> out = new ArrayList<>();
    String after = null;
    boolean shortPage = false;
    while (true) {
      List<OutboxEntry> page = tx.outbox(status, after, pageSize);
      if (page.isEmpty()) {
        return out;
      }
      assertThat(shortPage).as("a page of %d came after a short page", page.size()).isFalse();
      assertThat(page.size()).isLessThanOrEqualTo(pageSize);
      assertThat(page).allSatisfy(e -> assertThat(e.status()).isEqualTo(status));
      shortPage = page.size() < pageSize;
      out.addAll(page);
      after = page.get(page.size() - 1).key();
    }
  }

  private static Membership membership(String segment, ProfileId profile, Instant since) {
    return new Membership(segment, profile, since);
  }

  private static ScheduledCheck check(ProfileId profile, Instant at) {
    return new ScheduledCheck(profile, at);
  }

  /** Minutes after {@link #T0}, the inverse of {@link #at}. */
  private static long minutes(Instant time) {
    return Duration.between(T0, time).toMinutes();
  }

  /**
   * Every live profile, a page of {@code pageSize} at a time until an empty page; checks that
   * every page but the last is full and that pages follow each other in order.
   */
  private static List<ProfileRecord> scan(ReadTransaction tx, int pageSize) {
    List<ProfileRecord> out = new ArrayList<>();
    ProfileId after = null;
    boolean shortPage = false;
    while (true) {
      List<ProfileRecord> page = tx.profilesAfter(after, pageSize);
      if (page.isEmpty()) {
        return out;
      }
      assertThat(shortPage).as("a page of %d came after a short page", page.size()).isFalse();
      assertThat(page.size()).isLessThanOrEqualTo(pageSize);
      shortPage = page.size() < pageSize;
      out.addAll(page);
      after = page.get(page.size() - 1).id();
    }
  }

  /** Every member of a segment, read as {@link #scan} reads profiles. */
  private static List<Membership> members(ReadTransaction tx, String segment, int pageSize) {
    List<Membership> out = new ArrayList<>();
    ProfileId after = null;
    boolean shortPage = false;
    while (true) {
      List<Membership> page = tx.members(segment, after, pageSize);
      if (page.isEmpty()) {
        return out;
      }
      assertThat(shortPage).as("a page of %d came after a short page", page.size()).isFalse();
      assertThat(page.size()).isLessThanOrEqualTo(pageSize);
      shortPage = page.size() < pageSize;
      out.addAll(page);
      after = page.get(page.size() - 1).profile();
    }
  }

  /**
   * {@code n} distinct profile ids in random order, from an alphabet on which String.compareTo
   * and a language's collation disagree (case, '-', '.', '_', digits).
   */
  private static List<ProfileId> awkwardIds(int n) {
    String alphabet = "-._0129ABXYZabxyz";
    Random random = new Random(0xC0FFEE);
    Set<String> values = new LinkedHashSet<>(List.of("a", "B", "_x", "-x", ".x", "x-1", "x1",
        "x_1", "X1", "x10", "x2"));
    while (values.size() < n) {
      StringBuilder b = new StringBuilder();
      for (int len = 1 + random.nextInt(10); b.length() < len; ) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      values.add(b.toString());
    }
    List<ProfileId> out = new ArrayList<>();
    values.forEach(v -> out.add(ProfileId.of(v)));
    Collections.shuffle(out, random);
    return out.subList(0, n);
  }

  /** A version derived from the id, so that records of different profiles differ. */
  private static long versionOf(ProfileId id) {
    return 1 + (id.value().hashCode() & 0xffff);
  }

  /** Runs {@code work} in a write transaction that then throws; checks the throw propagates. */
  private void updateAndFail(Consumer<WriteTransaction> work) {
    RuntimeException boom = new IllegalStateException("payment service down");
    assertThatThrownBy(() -> store.write(SHOP, tx -> {
      work.accept(tx);
      throw boom;
    })).isSameAs(boom);
  }

  private static Instant at(int minutes) {
    return T0.plusSeconds(60L * minutes);
  }

  private static StoredEvent stored(Event e, Identifier... identifiers) {
    return new StoredEvent(e, e.key(), List.of(identifiers),
        identifiers.length == 0 ? null : identifiers[0]);
  }

  private static StoredEvent viewed(String messageId, Instant time, Identifier... identifiers) {
    return stored(Event.track("Product Viewed")
        .messageId(messageId)
        .anonymousId("anon-7f3e9a")
        .property("sku", "SKU-" + messageId)
        .channel(Channels.WEB)
        .timestamp(time)
        .build(), identifiers);
  }

  private static StoredEvent order(String messageId, Instant time, Identifier... identifiers) {
    return stored(Event.track("Order Completed")
        .messageId(messageId)
        .userId("C-1001")
        .property("order_id", "R-" + messageId)
        .property("total", new BigDecimal("59.90"))
        .property("currency", "EUR")
        .channel(Channels.POS)
        .storeId("amsterdam-01")
        .timestamp(time)
        .build(), identifiers);
  }

  private static StoredEvent identify(String messageId, Instant time, Identifier... identifiers) {
    return stored(Event.identify()
        .messageId(messageId)
        .userId("C-1001")
        .trait("email", "ayse.yilmaz@example.com")
        .trait("first_name", "Ayşe")
        .receivedAt(time)
        .build(), identifiers);
  }

  /** An event using every field, with awkward values. */
  private static StoredEvent richOrder() {
    Map<String, Object> address = new LinkedHashMap<>();
    address.put("street", "İstiklal Caddesi 1");
    address.put("city", "İstanbul");
    address.put("zip", null);
    List<Object> products = new ArrayList<>();
    products.add(Map.of("sku", "SKU-1", "price", new BigDecimal("19.95"), "quantity", 2L));
    products.add(Map.of("sku", "SKU-2", "price", new BigDecimal("20.00"), "quantity", 1L));
    Event e = Event.track("Order Completed")
        .messageId("pos-4711-receipt-88")
        .userId("C-1001")
        .anonymousId("anon-7f3e9a")
        .identifier(IdentifierType.LOYALTY_CARD, "2900012345678")
        .identifier(IdentifierType.EMAIL, "Ayse.Yilmaz@Example.COM")
        .identifier(IdentifierType.of("membership_no"), "M-77")
        .property("order_id", "R-88")
        .property("total", new BigDecimal("59.90"))
        .property("tax", new BigDecimal("0.00"))
        .property("discount", new BigDecimal("-5.5E+1"))
        .property("huge", new BigDecimal("123456789012345678901234567890.000000001"))
        .property("currency", "EUR")
        .property("items", 3L)
        .property("max_long", Long.MAX_VALUE)
        .property("gift", false)
        .property("coupon", null)
        .property("products", products)
        .property("tags", Arrays.asList("sale", null, "spring"))
        .property("shipping", Map.of("method", "pickup", "address", address))
        .property("empty_list", List.of())
        .property("empty_map", Map.of())
        .property("note", "Teşekkürler — \"quoted\" \\ back\nslash 🛍")
        .consent("marketing", "email", true)
        .consent("profiling", "web", false)
        .context(EventContext.builder()
            .channel(Channels.POS)
            .storeId("amsterdam-01")
            .source("pos")
            .locale("tr-TR")
            .ip("203.0.113.7")
            .userAgent("PosClient/2.3 (Linux)")
            .library("cdp-pos", "2.3.1")
            .device(Map.of("id", "till-04", "model", "T650"))
            .campaign(Map.of("name", "spring-sale", "medium", "in-store"))
            .traits(Map.of("email", "ayse.yilmaz@example.com"))
            .other(Map.of("timezone", "Europe/Istanbul", "screen", Map.of("width", 1024L)))
            .build())
        .timestamp(Instant.parse("2026-03-01T10:15:00.120Z"))
        .originalTimestamp(Instant.parse("2026-03-01T10:14:59.870Z"))
        .sentAt(Instant.parse("2026-03-01T10:15:02.250Z"))
        .receivedAt(Instant.parse("2026-03-01T10:15:03.123456Z"))
        .extra("integrations", Map.of("All", true, "Mailchimp", false))
        .extra("version", 2L)
        .build();
    return stored(e, AYSE_CUSTOMER, AYSE_CARD, AYSE_EMAIL, MEMBERSHIP, AYSE_COOKIE);
  }

  private static IdentityNode node(Identifier id, ProfileId profile, String component) {
    return new IdentityNode(id, profile, component);
  }

  private static Link link(String messageId, Instant time, Identifier... identifiers) {
    return new Link(new EventKey(time, messageId), List.of(identifiers));
  }

  private static ComponentRecord component(String id, Link latest, DoNotLinkRule... rules) {
    return new ComponentRecord(id, latest == null ? null : latest.key(), List.of(rules));
  }

  private static ProfileRecord profile(ProfileId id, long version) {
    return new ProfileRecord(id, ProfileState.EMPTY, Map.of(IdentifierType.EMAIL, 1), version);
  }

  /** A profile using every part of the state, with awkward values. */
  private static ProfileRecord richProfile(ProfileId id, long version) {
    Map<String, TraitValue> traits = new LinkedHashMap<>();
    traits.put("first_name", new TraitValue("Ayşe", at(1), 10, "m-identify-1"));
    traits.put("city", new TraitValue("İstanbul", at(2), 5, "m-identify-2"));
    traits.put("vip", new TraitValue(true, at(3), 10, "m-identify-3"));
    traits.put("points", new TraitValue(1250L, at(3), 10, "m-identify-3"));
    traits.put("score", new TraitValue(new BigDecimal("12.50"), at(3), 10, "m-identify-3"));
    traits.put("nickname", new TraitValue(null, at(4), 0, "m-identify-4"));
    traits.put("sizes", new TraitValue(List.of("M", "L"), at(4), 0, "m-identify-4"));
    traits.put("address", new TraitValue(Map.of("city", "Amsterdam", "zip", "1012 AB"),
        at(4), 0, "m-identify-4"));
    Map<ConsentKey, ConsentValue> consents = Map.of(
        new ConsentKey("marketing", "email"), new ConsentValue(true, at(1), "m-identify-1"),
        new ConsentKey("profiling", "web"), new ConsentValue(false, at(2), "m-page-9"));
    Map<String, Tally> channels = Map.of(
        "pos", new Tally(3, 2, at(30)),
        "web", new Tally(17, 1, at(45)));
    Map<String, Tally> stores = Map.of("amsterdam-01", new Tally(3, 2, at(30)));
    Order r88 = new Order("R-88", at(20), "pos-4711-receipt-88", Money.of(5990, "EUR"),
        "pos", "amsterdam-01");
    Order w12 = new Order("W-12", at(40), "web-12", Money.of(-300, "EUR"), "web", null);
    Map<String, OrderEntry> orders = Map.of(
        "R-88", new OrderEntry(r88, Map.of(
            "refund-1", new Refund(at(25), Money.of(1000, "EUR")),
            "refund-2", new Refund(at(26), null))),
        "W-12", new OrderEntry(w12, Map.of()),
        "R-99", new OrderEntry(null, Map.of("refund-3", new Refund(at(27), Money.of(500, "JPY")))));
    Map<String, Long> counts = Map.of("Order Completed", 2L, "identify", 4L, "page", 11L,
        "Product Viewed", 6L);
    ProfileState state = ProfileState.of(traits, consents, at(1), at(45), channels, stores,
        orders, counts);
    return new ProfileRecord(id, state, Map.of(IdentifierType.EMAIL, 2,
        IdentifierType.CUSTOMER_ID, 1, IdentifierType.of("membership_no"), 1), version);
  }

  private static LedgerEntry merged(ProfileId survivor, ProfileId mergedAway, String messageId,
      Instant recordedAt) {
    return new LedgerEntry(LedgerEntry.Kind.MERGED, survivor, mergedAway, AYSE_EMAIL, messageId,
        at(5), recordedAt, "shared identifier");
  }

  private static LedgerEntry conflict(ProfileId profile, ProfileId other, String messageId,
      Instant recordedAt) {
    return new LedgerEntry(LedgerEntry.Kind.CONFLICT, profile, other, AYSE_CUSTOMER, messageId,
        at(6), recordedAt, "limit: customer_id max 1");
  }

  /** Writes one of each kind of record in {@code ws}. */
  private void writeOneOfEach(WorkspaceId ws) {
    Link l = link("m-link", at(1), AYSE_EMAIL, AYSE_CARD);
    update(ws, tx -> {
      tx.insertEvent(order("m-order", at(1), AYSE_EMAIL, AYSE_CARD));
      tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
      tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
      tx.putComponent(component("c-1", l));
      tx.addLink("c-1", l);
      tx.putProfile(richProfile(AYSE, 3));
      tx.putRedirect(BOB, AYSE);
      tx.appendLedger(merged(AYSE, BOB, "m-order", at(2)));
      tx.putMetadata("segment/vip", "{\"min_orders\":3}");
      tx.putMembership(membership("vip", AYSE, at(3)));
      tx.putCheck(check(AYSE, at(60)));
    });
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Events")
  class Events {

    @Test
    @DisplayName("insertEvent stores a new messageId and refuses a repeated one, keeping the first")
    void insertIsIdempotentByMessageId() {
      StoredEvent first = order("pos-4711-receipt-88", at(1), AYSE_CUSTOMER);
      StoredEvent repeat = stored(Event.track("Order Cancelled")
          .messageId("pos-4711-receipt-88")
          .userId("C-2002")
          .timestamp(at(9))
          .build(), BOB_EMAIL);

      boolean firstStored = store.write(SHOP, tx -> tx.insertEvent(first));
      boolean repeatStored = store.write(SHOP, tx -> tx.insertEvent(repeat));

      assertThat(firstStored).isTrue();
      assertThat(repeatStored).isFalse();

      read(tx -> {
        assertThat(tx.event("pos-4711-receipt-88")).contains(first);
        assertThat(tx.eventsByAnchors(List.of(AYSE_CUSTOMER))).containsExactly(first);
        assertThat(tx.eventsByAnchors(List.of(BOB_EMAIL))).isEmpty();
        assertThat(tx.eventNameCounts()).isEqualTo(Map.of("Order Completed", 1L));
        return null;
      });
    }

    @Test
    @DisplayName("events(messageIds) returns by messageId what event(messageId) returns, committed"
        + " and written earlier in the transaction, leaving out unknown ones")
    void batchRead() {
      StoredEvent a = order("e-1", at(1), AYSE_CUSTOMER);
      StoredEvent b = viewed("e-2", at(2), BOB_EMAIL);
      update(tx -> tx.insertEvent(a));
      Map<String, StoredEvent> read = store.write(SHOP, tx -> {
        tx.insertEvent(b);
        return tx.events(List.of("e-2", "nobody", "e-1"));
      });
      assertThat(read).containsOnlyKeys("e-1", "e-2");
      assertThat(read.get("e-1")).isEqualTo(a);
      assertThat(read.get("e-2")).isEqualTo(b);
      Map<String, StoredEvent> committed = store.read(SHOP,
          tx -> tx.events(List.of("e-1", "e-3")));
      assertThat(committed).containsOnlyKeys("e-1");
      Map<String, StoredEvent> elsewhere = store.read(OTHER_SHOP,
          tx -> tx.events(List.of("e-1")));
      assertThat(elsewhere).isEmpty();
    }

    @Test
    @DisplayName("insertEvent refuses a messageId inserted earlier in the same transaction")
    void insertIsIdempotentWithinOneTransaction() {
      StoredEvent first = viewed("m-1", at(1), AYSE_COOKIE);
      StoredEvent second = viewed("m-1", at(2), BOB_EMAIL);

      List<Boolean> results = store.write(SHOP,
          tx -> List.of(tx.insertEvent(first), tx.insertEvent(second)));

      assertThat(results).containsExactly(true, false);
      assertThat(readEvent("m-1")).contains(first);
      assertThat(readEvents(List.of(AYSE_COOKIE, BOB_EMAIL)))
          .containsExactly(first);
    }

    @Test
    @DisplayName("event() returns the stored event exactly as written, every field and value type")
    void eventRoundTripsExactly() {
      StoredEvent rich = richOrder();
      update(tx -> assertThat(tx.insertEvent(rich)).isTrue());

      Optional<StoredEvent> back = readEvent("pos-4711-receipt-88");

      assertThat(back).contains(rich);
      Event e = back.orElseThrow().event();
      assertThat(e.properties().get("total")).isEqualTo(new BigDecimal("59.90"));
      assertThat(e.properties().get("items")).isInstanceOf(Long.class).isEqualTo(3L);
      assertThat(e.properties()).containsEntry("coupon", null);
      assertThat(e.properties().get("tags")).isEqualTo(Arrays.asList("sale", null, "spring"));
      assertThat(e.timestamp()).isEqualTo(Instant.parse("2026-03-01T10:15:00.120Z"));
      assertThat(e.originalTimestamp()).isEqualTo(Instant.parse("2026-03-01T10:14:59.870Z"));
      assertThat(e.sentAt()).isEqualTo(Instant.parse("2026-03-01T10:15:02.250Z"));
      assertThat(e.receivedAt()).isEqualTo(Instant.parse("2026-03-01T10:15:03.123456Z"));
      assertThat(back.orElseThrow().key()).isEqualTo(rich.key());
      assertThat(back.orElseThrow().identifiers())
          .containsExactly(AYSE_CUSTOMER, AYSE_CARD, AYSE_EMAIL, MEMBERSHIP, AYSE_COOKIE);
      assertThat(back.orElseThrow().anchor()).isEqualTo(AYSE_CUSTOMER);
    }

    @Test
    @DisplayName("an event without identifiers round-trips with no anchor")
    void eventWithoutAnchorRoundTrips() {
      StoredEvent lone = stored(Event.page("Home")
          .messageId("web-page-1")
          .anonymousId("blocked-cookie")
          .property("path", "/")
          .receivedAt(at(3))
          .build());
      update(tx -> tx.insertEvent(lone));

      assertThat(readEvent("web-page-1")).contains(lone);
      assertThat(readEvent("web-page-1").orElseThrow().anchor()).isNull();
    }

    @Test
    @DisplayName("event() of an unknown messageId is empty")
    void unknownEventIsEmpty() {
      update(tx -> tx.insertEvent(viewed("m-1", at(1), AYSE_COOKIE)));

      assertThat(readEvent("m-2")).isEmpty();
      assertThat(readEvent("M-1")).isEmpty();
    }

    @Test
    @DisplayName("eventsByAnchors returns the anchors' events sorted by event time, then messageId,"
        + " whatever the insertion order")
    void eventsByAnchorsAreSortedByKey() {
      StoredEvent a1 = identify("m-100", at(1), AYSE_EMAIL);
      StoredEvent a2 = viewed("m-050", at(2), AYSE_COOKIE);
      StoredEvent a3 = order("m-200", at(3), AYSE_EMAIL, AYSE_CARD);
      StoredEvent a4 = order("m-300", at(3), AYSE_COOKIE);
      StoredEvent a5 = viewed("m-001", at(7), AYSE_EMAIL);
      StoredEvent bob = viewed("m-000", at(2), BOB_EMAIL);
      update(tx -> {
        tx.insertEvent(a5);
        tx.insertEvent(bob);
        tx.insertEvent(a3);
      });
      update(tx -> tx.insertEvent(a4));
      update(tx -> {
        tx.insertEvent(a2);
        tx.insertEvent(a1);
      });

      assertThat(readEvents(List.of(AYSE_EMAIL, AYSE_COOKIE)))
          .containsExactly(a1, a2, a3, a4, a5);
      assertThat(readEvents(List.of(AYSE_COOKIE)))
          .containsExactly(a2, a4);
      assertThat(readEvents(List.of(BOB_EMAIL, AYSE_CUSTOMER)))
          .containsExactly(bob);
    }

    @Test
    @DisplayName("ties of event time sort by messageId in String.compareTo order, not by a locale"
        + " collation")
    void tiesSortByBinaryMessageId() {
      StoredEvent lowerA = viewed("evt-a", at(1), AYSE_EMAIL);
      StoredEvent upperB = viewed("evt-B", at(1), AYSE_EMAIL);
      StoredEvent dottedI = viewed("evt-İ", at(1), AYSE_EMAIL);
      StoredEvent upperI = viewed("evt-I", at(1), AYSE_EMAIL);
      update(tx -> {
        tx.insertEvent(dottedI);
        tx.insertEvent(lowerA);
        tx.insertEvent(upperI);
        tx.insertEvent(upperB);
      });

      // 'B' (66) < 'I' (73) < 'a' (97) < 'İ' (304)
      assertThat(readEvents(List.of(AYSE_EMAIL)))
          .containsExactly(upperB, upperI, lowerA, dottedI);
    }

    @Test
    @DisplayName("eventsByAnchors lists only events anchored at the identifiers, not events that"
        + " merely carry them, and never events without an anchor")
    void eventsByAnchorsMatchesTheAnchorOnly() {
      StoredEvent anchoredAtCard = order("m-1", at(1), AYSE_CARD, AYSE_EMAIL);
      StoredEvent anchoredAtEmail = identify("m-2", at(2), AYSE_EMAIL, AYSE_CARD);
      StoredEvent noAnchor = stored(Event.page("Home").messageId("m-3").anonymousId("x")
          .receivedAt(at(3)).build());
      update(tx -> {
        tx.insertEvent(anchoredAtCard);
        tx.insertEvent(anchoredAtEmail);
        tx.insertEvent(noAnchor);
      });

      assertThat(readEvents(List.of(AYSE_EMAIL)))
          .containsExactly(anchoredAtEmail);
      assertThat(readEvents(List.of(AYSE_CARD, AYSE_EMAIL, AYSE_COOKIE)))
          .containsExactly(anchoredAtCard, anchoredAtEmail);
      assertThat(readCounts()).containsEntry("page", 1L);
    }

    @Test
    @DisplayName("eventsByAnchors tells identifier types apart: same value, other type, no match")
    void eventsByAnchorsComparesTypeAndValue() {
      Identifier asCustomer = Identifier.customerId("2900012345678");
      update(tx -> tx.insertEvent(order("m-1", at(1), AYSE_CARD)));

      assertThat(readEvents(List.of(asCustomer))).isEmpty();
      assertThat(readEvents(List.of(AYSE_CARD))).hasSize(1);
    }

    @Test
    @DisplayName("eventsByAnchors of no anchors, or of unknown ones, is empty")
    void eventsByAnchorsOfNothing() {
      update(tx -> tx.insertEvent(order("m-1", at(1), AYSE_CARD)));

      assertThat(readEvents(List.of())).isEmpty();
      assertThat(readEvents(List.of(BOB_PHONE))).isEmpty();
    }

    @Test
    @DisplayName("eventsByAnchors lists an event once even when its anchor is given twice")
    void eventsByAnchorsHasNoDuplicates() {
      StoredEvent e = order("m-1", at(1), AYSE_CARD);
      update(tx -> tx.insertEvent(e));

      assertThat(readEvents(List.of(AYSE_CARD, AYSE_CARD)))
          .containsExactly(e);
    }

    @Test
    @DisplayName("eventNameCounts counts stored events by countedName: track name, else type")
    void eventNameCountsByCountedName() {
      assertThat(readCounts()).isEmpty();

      update(tx -> {
        tx.insertEvent(order("m-1", at(1), AYSE_CARD));
        tx.insertEvent(order("m-2", at(2), AYSE_CARD));
        tx.insertEvent(viewed("m-3", at(3), AYSE_COOKIE));
        tx.insertEvent(identify("m-4", at(4), AYSE_EMAIL));
        tx.insertEvent(stored(Event.page("Home").messageId("m-5").anonymousId("x")
            .receivedAt(at(5)).build()));
        tx.insertEvent(stored(Event.track("identify").messageId("m-6").userId("C-1001")
            .receivedAt(at(6)).build(), AYSE_CUSTOMER));
      });
      update(tx -> tx.insertEvent(order("m-1", at(1), AYSE_CARD)));

      assertThat(readCounts()).isEqualTo(Map.of(
          "Order Completed", 2L, "Product Viewed", 1L, "identify", 2L, "page", 1L));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Identity graph nodes")
  class Nodes {

    @Test
    @DisplayName("putNode creates a node that node() finds; an unknown identifier has none")
    void putNodeCreates() {
      IdentityNode n = node(AYSE_EMAIL, AYSE, "c-1");
      update(tx -> tx.putNode(n));

      assertThat(readNode(AYSE_EMAIL)).contains(n);
      assertThat(readNode(BOB_EMAIL)).isEmpty();
      assertThat(readNode(Identifier.customerId(AYSE_EMAIL.value()))).isEmpty();
    }

    @Test
    @DisplayName("putNode replaces the node of the same identifier")
    void putNodeReplaces() {
      update(tx -> tx.putNode(node(AYSE_EMAIL, AYSE, "c-1")));
      update(tx -> tx.putNode(node(AYSE_EMAIL, BOB, "c-2")));

      assertThat(readNode(AYSE_EMAIL)).contains(node(AYSE_EMAIL, BOB, "c-2"));
      assertThat(readNodesOfProfile(BOB)).containsExactly(node(AYSE_EMAIL, BOB, "c-2"));
      assertThat(readNodesOfComponent("c-2"))
          .containsExactly(node(AYSE_EMAIL, BOB, "c-2"));
    }

    @Test
    @DisplayName("nodesOfProfile and nodesOfComponent list exactly the nodes that belong there")
    void nodesByProfileAndComponent() {
      update(tx -> {
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putNode(node(AYSE_COOKIE, CAROL, "c-1"));
        tx.putNode(node(BOB_EMAIL, BOB, "c-2"));
      });

      read(tx -> {
        assertThat(tx.nodesOfProfile(AYSE)).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(CAROL)).containsExactly(node(AYSE_COOKIE, CAROL, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).containsExactly(node(BOB_EMAIL, BOB, "c-2"));
        assertThat(tx.nodesOfComponent("c-1")).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, AYSE, "c-1"),
            node(AYSE_COOKIE, CAROL, "c-1"));
        assertThat(tx.nodesOfComponent("c-2")).containsExactly(node(BOB_EMAIL, BOB, "c-2"));
        assertThat(tx.nodesOfProfile(ProfileId.of("p-nobody"))).isEmpty();
        assertThat(tx.nodesOfComponent("c-none")).isEmpty();
        return null;
      });
    }

    @Test
    @DisplayName("identifiers with the same value but different types are different nodes")
    void typeIsPartOfTheNodeKey() {
      Identifier cardAsCustomer = Identifier.customerId(AYSE_CARD.value());
      update(tx -> {
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putNode(node(cardAsCustomer, BOB, "c-2"));
      });

      assertThat(readNode(AYSE_CARD)).contains(node(AYSE_CARD, AYSE, "c-1"));
      assertThat(readNode(cardAsCustomer)).contains(node(cardAsCustomer, BOB, "c-2"));
      assertThat(readNodesOfProfile(AYSE)).containsExactly(node(AYSE_CARD, AYSE, "c-1"));
    }

    @Test
    @DisplayName("a node moved to another profile leaves the old profile's list and joins the new")
    void moveToAnotherProfile() {
      update(tx -> {
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
      });
      update(tx -> tx.putNode(node(AYSE_CARD, BOB, "c-1")));

      read(tx -> {
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).containsExactly(node(AYSE_CARD, BOB, "c-1"));
        assertThat(tx.nodesOfComponent("c-1")).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, BOB, "c-1"));
        return null;
      });
    }

    @Test
    @DisplayName("a node moved to another component leaves the old component's list and joins the"
        + " new, and its profile's list shows the new component")
    void moveToAnotherComponent() {
      update(tx -> {
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
      });
      update(tx -> tx.putNode(node(AYSE_CARD, AYSE, "c-2")));

      read(tx -> {
        assertThat(tx.nodesOfComponent("c-1")).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfComponent("c-2")).containsExactly(node(AYSE_CARD, AYSE, "c-2"));
        assertThat(tx.nodesOfProfile(AYSE)).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, AYSE, "c-2"));
        return null;
      });
    }

    @Test
    @DisplayName("moves within one transaction keep the indexes right, back and forth")
    void movesWithinOneTransaction() {
      update(tx -> {
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_EMAIL, BOB, "c-2"));
        tx.putNode(node(AYSE_CARD, BOB, "c-2"));
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).containsExactly(node(AYSE_CARD, BOB, "c-2"));
      });

      read(tx -> {
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).containsExactly(node(AYSE_CARD, BOB, "c-2"));
        assertThat(tx.nodesOfComponent("c-1")).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfComponent("c-2")).containsExactly(node(AYSE_CARD, BOB, "c-2"));
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Components and links")
  class ComponentsAndLinks {

    @Test
    @DisplayName("putComponent stores a record that component() returns exactly, rules in order")
    void componentRoundTrips() {
      Link l = link("m-9", Instant.parse("2026-03-01T10:15:00.123456Z"), AYSE_EMAIL, AYSE_CARD);
      ComponentRecord c = component("c-1", l,
          new DoNotLinkRule(AYSE_EMAIL, BOB_EMAIL, at(10)),
          new DoNotLinkRule(AYSE_CARD, MEMBERSHIP, at(5)));
      ComponentRecord bare = component("c-2", null);
      update(tx -> {
        tx.putComponent(c);
        tx.putComponent(bare);
      });

      assertThat(readComponent("c-1")).contains(c);
      assertThat(readComponent("c-2")).contains(bare);
      assertThat(readComponent("c-2").orElseThrow().latestLink()).isNull();
      assertThat(readComponent("c-3")).isEmpty();
    }

    @Test
    @DisplayName("putComponent replaces the record with the same id")
    void putComponentReplaces() {
      update(tx -> tx.putComponent(component("c-1", link("m-1", at(1), AYSE_EMAIL, AYSE_CARD))));
      ComponentRecord replacement = component("c-1", link("m-2", at(2), AYSE_EMAIL, BOB_EMAIL),
          new DoNotLinkRule(AYSE_EMAIL, BOB_EMAIL, at(3)));
      update(tx -> tx.putComponent(replacement));

      assertThat(readComponent("c-1")).contains(replacement);
    }

    @Test
    @DisplayName("deleteComponent removes the record and leaves the others; deleting an absent one"
        + " changes nothing")
    void deleteComponent() {
      update(tx -> {
        tx.putComponent(component("c-1", null));
        tx.putComponent(component("c-2", null));
      });
      update(tx -> {
        tx.deleteComponent("c-1");
        tx.deleteComponent("c-404");
      });

      assertThat(readComponent("c-1")).isEmpty();
      assertThat(readComponent("c-2")).contains(component("c-2", null));
    }

    @Test
    @DisplayName("addLink adds links that links() returns, identifiers in priority order")
    void addLinkAndLinks() {
      Link l1 = link("m-1", at(1), AYSE_CUSTOMER, AYSE_EMAIL, AYSE_CARD, AYSE_COOKIE);
      Link l2 = link("m-2", Instant.parse("2026-03-01T10:15:00.654321Z"), AYSE_EMAIL, MEMBERSHIP);
      Link l3 = link("m-3", at(3), BOB_EMAIL, BOB_PHONE);
      update(tx -> {
        tx.addLink("c-1", l1);
        tx.addLink("c-2", l3);
      });
      update(tx -> tx.addLink("c-1", l2));

      assertThat(readLinks("c-1")).containsExactlyInAnyOrder(l1, l2);
      assertThat(readLinks("c-2")).containsExactly(l3);
      assertThat(readLinks("c-3")).isEmpty();
      assertThat(readLinks("c-1").stream()
          .filter(l -> l.key().messageId().equals("m-1")).findFirst().orElseThrow().identifiers())
          .containsExactly(AYSE_CUSTOMER, AYSE_EMAIL, AYSE_CARD, AYSE_COOKIE);
    }

    @Test
    @DisplayName("moveLinks moves every link of one component to another, leaving the source empty")
    void moveLinks() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      Link l2 = link("m-2", at(2), AYSE_EMAIL, AYSE_COOKIE);
      Link l3 = link("m-3", at(3), BOB_EMAIL, BOB_PHONE);
      Link other = link("m-4", at(4), MEMBERSHIP, AYSE_CUSTOMER);
      update(tx -> {
        tx.addLink("c-1", l1);
        tx.addLink("c-1", l2);
        tx.addLink("c-2", l3);
        tx.addLink("c-9", other);
      });
      update(tx -> tx.moveLinks("c-1", "c-2"));

      assertThat(readLinks("c-1")).isEmpty();
      assertThat(readLinks("c-2")).containsExactlyInAnyOrder(l1, l2, l3);
      assertThat(readLinks("c-9")).containsExactly(other);
    }

    @Test
    @DisplayName("moveLinks to a component without links moves them all there")
    void moveLinksToEmpty() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      update(tx -> tx.addLink("c-1", l1));
      update(tx -> tx.moveLinks("c-1", "c-new"));

      assertThat(readLinks("c-1")).isEmpty();
      assertThat(readLinks("c-new")).containsExactly(l1);
    }

    @Test
    @DisplayName("moveLinks from a component to itself changes nothing")
    void moveLinksToItself() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      Link l2 = link("m-2", at(2), AYSE_EMAIL, AYSE_COOKIE);
      update(tx -> {
        tx.addLink("c-1", l1);
        tx.addLink("c-1", l2);
      });
      update(tx -> tx.moveLinks("c-1", "c-1"));

      assertThat(readLinks("c-1")).containsExactlyInAnyOrder(l1, l2);
    }

    @Test
    @DisplayName("moveLinks from a component without links changes nothing")
    void moveLinksFromEmpty() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      update(tx -> tx.addLink("c-2", l1));
      update(tx -> tx.moveLinks("c-404", "c-2"));

      assertThat(readLinks("c-2")).containsExactly(l1);
      assertThat(readLinks("c-404")).isEmpty();
    }

    @Test
    @DisplayName("links added to a component after a move land next to the moved ones")
    void addAfterMove() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      Link l2 = link("m-2", at(2), AYSE_EMAIL, AYSE_COOKIE);
      Link l3 = link("m-3", at(3), AYSE_CARD, MEMBERSHIP);
      update(tx -> {
        tx.addLink("c-1", l1);
        tx.addLink("c-2", l2);
        tx.moveLinks("c-1", "c-2");
        tx.addLink("c-2", l3);
        tx.addLink("c-1", l1);
      });

      assertThat(readLinks("c-2")).containsExactlyInAnyOrder(l1, l2, l3);
      assertThat(readLinks("c-1")).containsExactly(l1);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Profiles and redirects")
  class Profiles {

    @Test
    @DisplayName("putProfile stores a record that profile() returns exactly: state, identifier"
        + " counts and version")
    void profileRoundTrips() {
      ProfileRecord rich = richProfile(AYSE, 7);
      ProfileRecord empty = new ProfileRecord(BOB, ProfileState.EMPTY, Map.of(), 1);
      update(tx -> {
        tx.putProfile(rich);
        tx.putProfile(empty);
      });

      ProfileRecord back = readProfile(AYSE).orElseThrow();
      assertThat(back).isEqualTo(rich);
      assertThat(back.state()).isEqualTo(rich.state());
      assertThat(back.state().traits().get("score").value()).isEqualTo(new BigDecimal("12.50"));
      assertThat(back.state().traits().get("points").value()).isInstanceOf(Long.class);
      assertThat(back.state().traits().get("nickname").value()).isNull();
      assertThat(back.state().orders().get("R-88").refunds().get("refund-2").amount()).isNull();
      assertThat(back.state().orders().get("R-99").completion()).isNull();
      assertThat(back.identifierCounts()).isEqualTo(rich.identifierCounts());
      assertThat(back.version()).isEqualTo(7);
      assertThat(readProfile(BOB)).contains(empty);
    }

    @Test
    @DisplayName("profile() of an unknown id is empty")
    void unknownProfile() {
      update(tx -> tx.putProfile(profile(AYSE, 1)));

      assertThat(readProfile(BOB)).isEmpty();
    }

    @Test
    @DisplayName("putProfile replaces the record with the same id")
    void putProfileReplaces() {
      update(tx -> tx.putProfile(profile(AYSE, 1)));
      ProfileRecord next = richProfile(AYSE, 2);
      update(tx -> tx.putProfile(next));

      assertThat(readProfile(AYSE)).contains(next);
    }

    @Test
    @DisplayName("deleteProfile removes one profile and leaves the others")
    void deleteProfile() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.putProfile(profile(BOB, 4));
      });
      update(tx -> {
        tx.deleteProfile(AYSE);
        tx.deleteProfile(CAROL);
      });

      assertThat(readProfile(AYSE)).isEmpty();
      assertThat(readProfile(BOB)).contains(profile(BOB, 4));
    }

    @Test
    @DisplayName("putRedirect records one step that redirect() returns; chains are not followed")
    void redirects() {
      update(tx -> {
        tx.putRedirect(BOB, AYSE);
        tx.putRedirect(CAROL, BOB);
      });

      assertThat(readRedirect(BOB)).contains(AYSE);
      assertThat(readRedirect(CAROL)).contains(BOB);
      assertThat(readRedirect(AYSE)).isEmpty();
    }

    @Test
    @DisplayName("a redirect is independent of profile records: deleting the profile keeps it")
    void redirectOutlivesProfile() {
      update(tx -> {
        tx.putProfile(profile(BOB, 1));
        tx.putProfile(profile(AYSE, 1));
      });
      update(tx -> {
        tx.deleteProfile(BOB);
        tx.putRedirect(BOB, AYSE);
      });

      assertThat(readProfile(BOB)).isEmpty();
      assertThat(readRedirect(BOB)).contains(AYSE);
      assertThat(readProfile(AYSE)).contains(profile(AYSE, 1));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("The merge ledger")
  class Ledger {

    @Test
    @DisplayName("ledger(p) returns the entries naming p on either side, in the order written")
    void ledgerInWriteOrder() {
      // recordedAt deliberately out of order: the ledger keeps write order, not time order.
      LedgerEntry e1 = merged(AYSE, BOB, "m-1", at(30));
      LedgerEntry e2 = conflict(CAROL, AYSE, "m-2", at(10));
      LedgerEntry e3 = merged(CAROL, BOB, "m-3", at(20));
      LedgerEntry e4 = conflict(AYSE, null, "m-4", at(5));
      update(tx -> {
        tx.appendLedger(e1);
        tx.appendLedger(e2);
      });
      update(tx -> tx.appendLedger(e3));
      update(tx -> tx.appendLedger(e4));

      assertThat(readLedger(AYSE)).containsExactly(e1, e2, e4);
      assertThat(readLedger(BOB)).containsExactly(e1, e3);
      assertThat(readLedger(CAROL)).containsExactly(e2, e3);
      assertThat(readLedger(ProfileId.of("p-nobody"))).isEmpty();
    }

    @Test
    @DisplayName("entries round-trip exactly, including an unmerge without identifier or event")
    void ledgerRoundTrips() {
      LedgerEntry unmerged = new LedgerEntry(LedgerEntry.Kind.UNMERGED, AYSE, BOB, null, null,
          null, Instant.parse("2026-03-02T08:00:00.000001Z"), "do-not-link rule by operator");
      LedgerEntry merge = merged(AYSE, BOB, "pos-4711-receipt-88", at(1));
      update(tx -> {
        tx.appendLedger(merge);
        tx.appendLedger(unmerged);
      });

      assertThat(readLedger(AYSE)).containsExactly(merge, unmerged);
      assertThat(readLedger(BOB)).containsExactly(merge, unmerged);
    }

    @Test
    @DisplayName("an entry naming the same profile on both sides is listed once")
    void sameProfileBothSides() {
      LedgerEntry self = conflict(AYSE, AYSE, "m-1", at(1));
      update(tx -> tx.appendLedger(self));

      assertThat(readLedger(AYSE)).containsExactly(self);
    }

    @Test
    @DisplayName("equal entries written twice are both kept")
    void duplicatesKept() {
      LedgerEntry e = merged(AYSE, BOB, "m-1", at(1));
      update(tx -> tx.appendLedger(e));
      update(tx -> tx.appendLedger(e));

      assertThat(readLedger(AYSE)).containsExactly(e, e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Profile scans")
  class ProfileScans {

    @Test
    @DisplayName("profilesAfter pages through every live profile exactly once, in String.compareTo"
        + " order of the id, with full pages until the last, whatever the page size")
    void scanEveryProfileOnce() {
      List<ProfileId> ids = awkwardIds(600);
      for (int from = 0; from < ids.size(); from += 200) {
        List<ProfileId> part = ids.subList(from, from + 200);
        update(tx -> part.forEach(id -> tx.putProfile(profile(id, versionOf(id)))));
      }
      List<ProfileId> deleted = ids.subList(100, 160);
      update(tx -> deleted.forEach(tx::deleteProfile));
      List<ProfileId> live = new ArrayList<>(ids);
      live.removeAll(deleted);
      Collections.sort(live);

      for (int pageSize : new int[] {1, 7, 64, 540, 1000, Integer.MAX_VALUE}) {
        List<ProfileRecord> scanned = read(tx -> scan(tx, pageSize));
        assertThat(scanned).extracting(ProfileRecord::id).as("page size %d", pageSize)
            .containsExactlyElementsOf(live);
        assertThat(scanned).allSatisfy(r ->
            assertThat(r).isEqualTo(profile(r.id(), versionOf(r.id()))));
      }
    }

    @Test
    @DisplayName("profile ids sort byte for byte, not by a language's rules: case, '-', '.' and"
        + " '_' included")
    void stringOrderNotCollation() {
      List<String> sorted = List.of("-x", ".x", "0", "9-", "B", "X1", "Z", "_x", "a", "x-1", "x.1",
          "x1", "x10", "x2", "x_1", "z");
      List<String> shuffled = new ArrayList<>(sorted);
      Collections.shuffle(shuffled, new Random(7));
      update(tx -> shuffled.forEach(v -> tx.putProfile(profile(ProfileId.of(v), 1))));

      assertThat(readScan(3)).extracting(r -> r.id().value())
          .containsExactlyElementsOf(sorted);
      assertThat(readProfilesAfter(SHOP, ProfileId.of("X1"), 3))
          .extracting(r -> r.id().value()).containsExactly("Z", "_x", "a");
    }

    @Test
    @DisplayName("after is exclusive and need not be a live profile's id; past the end is empty")
    void afterIsExclusive() {
      update(tx -> {
        for (String v : List.of("p-a", "p-b", "p-d", "p-e")) {
          tx.putProfile(profile(ProfileId.of(v), 1));
        }
      });

      read(tx -> {
        assertThat(tx.profilesAfter(ProfileId.of("p-b"), 10)).extracting(r -> r.id().value())
            .containsExactly("p-d", "p-e");
        assertThat(tx.profilesAfter(ProfileId.of("p-c"), 1)).extracting(r -> r.id().value())
            .containsExactly("p-d");
        assertThat(tx.profilesAfter(ProfileId.of("p-"), 2)).extracting(r -> r.id().value())
            .containsExactly("p-a", "p-b");
        assertThat(tx.profilesAfter(ProfileId.of("p-e"), 10)).isEmpty();
        assertThat(tx.profilesAfter(ProfileId.of("q"), 10)).isEmpty();
        return null;
      });
    }

    @Test
    @DisplayName("deleted profiles are gone from scans, a profile put again is back, a replaced"
        + " one shows its new record, and merged-away ids are no profiles")
    void deletesAndReplacements() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.putProfile(profile(BOB, 1));
        tx.putProfile(profile(CAROL, 1));
      });
      update(tx -> {
        tx.deleteProfile(BOB);
        tx.putRedirect(BOB, AYSE);
        tx.putProfile(richProfile(CAROL, 2));
      });
      assertThat(readProfilesAfter(SHOP, null, 10))
          .containsExactly(profile(AYSE, 1), richProfile(CAROL, 2));

      update(tx -> tx.putProfile(profile(BOB, 3)));
      assertThat(readProfilesAfter(SHOP, null, 10))
          .containsExactly(profile(AYSE, 1), profile(BOB, 3), richProfile(CAROL, 2));
    }

    @Test
    @DisplayName("a write transaction's scan sees its own puts, replacements and deletes, in"
        + " order, across pages")
    void scanSeesOwnWrites() {
      update(tx -> {
        for (String v : List.of("p-b", "p-d", "p-f", "p-h")) {
          tx.putProfile(profile(ProfileId.of(v), 1));
        }
      });

      update(tx -> {
        tx.putProfile(profile(ProfileId.of("p-a"), 2));
        tx.putProfile(profile(ProfileId.of("p-c"), 2));
        tx.putProfile(profile(ProfileId.of("p-d"), 2));
        tx.deleteProfile(ProfileId.of("p-f"));
        tx.putProfile(profile(ProfileId.of("p-z"), 2));
        tx.putProfile(profile(ProfileId.of("p-x"), 2));
        tx.deleteProfile(ProfileId.of("p-x"));

        List<String> expected = List.of("p-a:2", "p-b:1", "p-c:2", "p-d:2", "p-h:1", "p-z:2");
        for (int pageSize : new int[] {1, 2, 4, 100}) {
          assertThat(scan(tx, pageSize)).extracting(r -> r.id().value() + ":" + r.version())
              .as("page size %d", pageSize).containsExactlyElementsOf(expected);
        }
        assertThat(tx.profilesAfter(ProfileId.of("p-d"), 1)).extracting(r -> r.id().value())
            .containsExactly("p-h");
      });

      assertThat(readScan(2)).extracting(r -> r.id().value() + ":" + r.version())
          .containsExactly("p-a:2", "p-b:1", "p-c:2", "p-d:2", "p-h:1", "p-z:2");
    }

    @Test
    @DisplayName("a scan after deleting more than a thousand profiles in the same transaction"
        + " still finds the first live ones")
    void scanPastManyOwnDeletes() {
      List<ProfileId> ids = new ArrayList<>();
      for (int i = 0; i < 1_200; i++) {
        ids.add(ProfileId.of(String.format(Locale.ROOT, "p-%04d", i)));
      }
      update(tx -> ids.forEach(id -> tx.putProfile(profile(id, 1))));

      update(tx -> {
        ids.subList(0, 1_100).forEach(tx::deleteProfile);
        tx.putProfile(profile(ProfileId.of("p-1150"), 2));
        assertThat(tx.profilesAfter(null, 3)).extracting(r -> r.id().value() + ":" + r.version())
            .containsExactly("p-1100:1", "p-1101:1", "p-1102:1");
        assertThat(tx.profilesAfter(ProfileId.of("p-1149"), 2))
            .extracting(r -> r.id().value() + ":" + r.version())
            .containsExactly("p-1150:2", "p-1151:1");
        assertThat(scan(tx, 30)).hasSize(100);
      });
    }

    @Test
    @DisplayName("a limit below 1 is refused with IllegalArgumentException")
    void limitChecked() {
      update(tx -> tx.putProfile(profile(AYSE, 1)));

      read(tx -> {
        assertThatThrownBy(() -> tx.profilesAfter(null, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.profilesAfter(AYSE, -1))
            .isInstanceOf(IllegalArgumentException.class);
        return null;
      });
      update(tx -> assertThatThrownBy(() -> tx.profilesAfter(null, 0))
          .isInstanceOf(IllegalArgumentException.class));
    }

    @Test
    @DisplayName("a scan sees only its own workspace's profiles")
    void workspaceIsolation() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.putProfile(profile(CAROL, 1));
      });
      update(OTHER_SHOP, tx -> tx.putProfile(profile(BOB, 7)));

      assertThat(readProfilesAfter(SHOP, null, 10))
          .containsExactly(profile(AYSE, 1), profile(CAROL, 1));
      assertThat(readProfilesAfter(OTHER_SHOP, null, 10))
          .containsExactly(profile(BOB, 7));
      assertThat(readProfilesAfter(OTHER_SHOP, AYSE, 10))
          .containsExactly(profile(BOB, 7));
      assertThat(readProfilesAfter(WorkspaceId.of("shop-empty"), null, 10))
          .isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Metadata")
  class Metadata {

    @Test
    @DisplayName("metadata(prefix) returns exactly the entries whose key starts with the prefix,"
        + " sorted by key in String.compareTo order")
    void prefixAndOrder() {
      update(tx -> {
        tx.putMetadata("segment/vip", "{\"min_orders\":3}");
        tx.putMetadata("segment/churn-risk", "{\"days\":90}");
        tx.putMetadata("segment/Vip", "upper case is another key");
        tx.putMetadata("segments", "not under segment/");
        tx.putMetadata("segment/", "the prefix itself");
        tx.putMetadata("schedule/next", "2026-03-02T00:00:00Z");
        tx.putMetadata("seg", "shorter than the prefix");
      });

      assertThat(readMetadata("segment/")).containsExactly(
          entry("segment/", "the prefix itself"),
          entry("segment/Vip", "upper case is another key"),
          entry("segment/churn-risk", "{\"days\":90}"),
          entry("segment/vip", "{\"min_orders\":3}"));
      assertThat(readMetadata("segment")).containsOnlyKeys("segment/", "segment/Vip",
          "segment/churn-risk", "segment/vip", "segments");
      assertThat(readMetadata("").keySet()).containsExactly("schedule/next", "seg", "segment/",
          "segment/Vip", "segment/churn-risk", "segment/vip", "segments");
      assertThat(readMetadata("segment/v")).containsOnlyKeys("segment/vip");
      assertThat(readMetadata("Segment/")).isEmpty();
      assertThat(readMetadata("segment/vip/")).isEmpty();
    }

    @Test
    @DisplayName("a prefix is text, not a pattern: '%', '_', '!' and '\\' match only themselves")
    void prefixIsNotAPattern() {
      update(tx -> {
        tx.putMetadata("a_b/1", "underscore");
        tx.putMetadata("aXb/1", "letter");
        tx.putMetadata("100%/x", "percent");
        tx.putMetadata("100x/y", "no percent");
        tx.putMetadata("a!b/1", "bang");
        tx.putMetadata("a!!b/1", "two bangs");
        tx.putMetadata("c\\d/1", "backslash");
        tx.putMetadata("cd/1", "no backslash");
      });

      assertThat(readMetadata("a_b")).containsOnlyKeys("a_b/1");
      assertThat(readMetadata("100%")).containsOnlyKeys("100%/x");
      assertThat(readMetadata("a!b")).containsOnlyKeys("a!b/1");
      assertThat(readMetadata("a!")).containsOnlyKeys("a!b/1", "a!!b/1");
      assertThat(readMetadata("c\\")).containsOnlyKeys("c\\d/1");
      assertThat(readMetadata("%")).isEmpty();
      assertThat(readMetadata("_")).isEmpty();
    }

    @Test
    @DisplayName("keys are exact: case, trailing spaces and accents make different keys")
    void keysAreExact() {
      update(tx -> {
        tx.putMetadata("k", "plain");
        tx.putMetadata("K", "upper");
        tx.putMetadata("k ", "trailing space");
        tx.putMetadata("ı", "dotless i");
        tx.putMetadata("i", "dotted i");
      });

      assertThat(readMetadata("")).containsExactly(entry("K", "upper"), entry("i", "dotted i"),
          entry("k", "plain"), entry("k ", "trailing space"), entry("ı", "dotless i"));
    }

    @Test
    @DisplayName("putMetadata replaces the value of a key; deleteMetadata removes it, and"
        + " deleting an absent key changes nothing")
    void replaceAndDelete() {
      update(tx -> {
        tx.putMetadata("segment/vip", "v1");
        tx.putMetadata("segment/churn", "c1");
      });
      update(tx -> tx.putMetadata("segment/vip", "v2"));
      assertThat(readMetadata("segment/")).containsExactly(entry("segment/churn", "c1"),
          entry("segment/vip", "v2"));

      update(tx -> {
        tx.deleteMetadata("segment/churn");
        tx.deleteMetadata("segment/never-written");
      });
      assertThat(readMetadata("")).containsExactly(entry("segment/vip", "v2"));

      update(tx -> tx.putMetadata("segment/churn", "c2"));
      assertThat(readMetadata("segment/")).containsExactly(entry("segment/churn", "c2"),
          entry("segment/vip", "v2"));
    }

    @Test
    @DisplayName("keys and values at their limits round-trip: a 200-character key, a value of"
        + " 1 MiB characters, an empty value, any text")
    void limitsRoundTrip() {
      String longKey = "k".repeat(WriteTransaction.MAX_METADATA_KEY_LENGTH - 2) + "🛍";
      String bigValue = "€" + "x".repeat(WriteTransaction.MAX_METADATA_VALUE_LENGTH - 2) + "€";
      String text = "İstanbul — \"quoted\" \\ back\nslash\ttab 🛍 {\"json\": [1, 2]}";
      update(tx -> {
        tx.putMetadata(longKey, "long key");
        tx.putMetadata("big", bigValue);
        tx.putMetadata("empty", "");
        tx.putMetadata("text", text);
        tx.putMetadata("ключ/日本", "unicode key");
      });

      Map<String, String> all = readMetadata("");
      assertThat(all).containsOnlyKeys(longKey, "big", "empty", "text", "ключ/日本");
      assertThat(all.get(longKey)).isEqualTo("long key");
      assertThat(all.get("big")).hasSize(WriteTransaction.MAX_METADATA_VALUE_LENGTH)
          .isEqualTo(bigValue);
      assertThat(all.get("empty")).isEmpty();
      assertThat(all.get("text")).isEqualTo(text);
      assertThat(readMetadata("ключ/")).containsExactly(entry("ключ/日本", "unicode key"));
    }

    @Test
    @DisplayName("an empty key, a key over 200 characters or a value over 1 MiB characters is"
        + " refused with IllegalArgumentException, and the transaction goes on")
    void illegalEntriesRefused() {
      update(tx -> {
        assertThatThrownBy(() -> tx.putMetadata("", "v"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.putMetadata(
            "k".repeat(WriteTransaction.MAX_METADATA_KEY_LENGTH + 1), "v"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.putMetadata("too-big",
            "x".repeat(WriteTransaction.MAX_METADATA_VALUE_LENGTH + 1)))
            .isInstanceOf(IllegalArgumentException.class);
        tx.putMetadata("fine", "kept");
      });

      assertThat(readMetadata("")).containsExactly(entry("fine", "kept"));
    }

    @Test
    @DisplayName("a write transaction reads its own puts and deletes, laid over what is committed")
    void readsOwnWrites() {
      update(tx -> {
        tx.putMetadata("segment/a", "a1");
        tx.putMetadata("segment/b", "b1");
        tx.putMetadata("segment/c", "c1");
      });

      update(tx -> {
        tx.putMetadata("segment/b", "b2");
        tx.deleteMetadata("segment/c");
        tx.putMetadata("segment/0", "new");
        tx.putMetadata("other/x", "elsewhere");
        tx.putMetadata("segment/d", "short-lived");
        tx.deleteMetadata("segment/d");

        assertThat(tx.metadata("segment/")).containsExactly(entry("segment/0", "new"),
            entry("segment/a", "a1"), entry("segment/b", "b2"));
        assertThat(tx.metadata("other/")).containsExactly(entry("other/x", "elsewhere"));
      });
    }

    @Test
    @DisplayName("metadata of one workspace is invisible in another, and the same key is two"
        + " entries")
    void workspaceIsolation() {
      update(tx -> tx.putMetadata("segment/vip", "amsterdam"));
      update(OTHER_SHOP, tx -> {
        tx.putMetadata("segment/vip", "istanbul");
        tx.putMetadata("segment/only-there", "x");
      });
      update(OTHER_SHOP, tx -> tx.deleteMetadata("segment/only-there"));

      assertThat(readMetadata("")).containsExactly(entry("segment/vip", "amsterdam"));
      assertThat(readMetadata(OTHER_SHOP, ""))
          .containsExactly(entry("segment/vip", "istanbul"));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Segment memberships")
  class Memberships {

    @Test
    @DisplayName("putMembership stores memberships that memberships(profile) lists by segment id"
        + " and members(segment) lists by profile id, since kept to the nanosecond")
    void putAndList() {
      Instant precise = Instant.parse("2026-03-01T10:15:00.123456789Z");
      Instant before1970 = Instant.parse("1969-12-31T23:59:59.999999999Z");
      update(tx -> {
        tx.putMembership(membership("vip", AYSE, precise));
        tx.putMembership(membership("churn-risk", AYSE, at(2)));
        tx.putMembership(membership("VIP", AYSE, at(3)));
        tx.putMembership(membership("vip", BOB, before1970));
        tx.putMembership(membership("vip", CAROL, at(5)));
      });

      assertThat(readMemberships(AYSE)).containsExactly(membership("VIP", AYSE, at(3)),
          membership("churn-risk", AYSE, at(2)), membership("vip", AYSE, precise));
      assertThat(readMemberships(BOB)).containsExactly(membership("vip", BOB, before1970));
      assertThat(readMemberships(ProfileId.of("p-nobody"))).isEmpty();
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, precise),
          membership("vip", BOB, before1970), membership("vip", CAROL, at(5)));
      assertThat(readMembers("VIP", null, 10)).containsExactly(membership("VIP", AYSE, at(3)));
      assertThat(readMembers("Vip", null, 10)).isEmpty();
    }

    @Test
    @DisplayName("putMembership replaces the membership of the same segment and profile, also"
        + " for a reader that saw the old one")
    void putReplaces() {
      update(tx -> tx.putMembership(membership("vip", AYSE, at(1))));
      assertThat(readMemberships(AYSE)).containsExactly(membership("vip", AYSE, at(1)));
      update(tx -> tx.putMembership(membership("vip", AYSE, at(9))));

      assertThat(readMemberships(AYSE)).containsExactly(membership("vip", AYSE, at(9)));
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, at(9)));
    }

    @Test
    @DisplayName("deleteMembership removes one membership, keeps the profile's others and the"
        + " segment's other members; deleting an absent one changes nothing")
    void delete() {
      update(tx -> {
        tx.putMembership(membership("vip", AYSE, at(1)));
        tx.putMembership(membership("churn-risk", AYSE, at(1)));
        tx.putMembership(membership("vip", BOB, at(2)));
      });
      assertThat(readMemberships(AYSE)).hasSize(2);
      assertThat(readMemberships(CAROL)).isEmpty();
      update(tx -> {
        tx.deleteMembership("vip", AYSE);
        tx.deleteMembership("vip", CAROL);
        tx.deleteMembership("never", AYSE);
      });

      assertThat(readMemberships(AYSE)).containsExactly(membership("churn-risk", AYSE, at(1)));
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", BOB, at(2)));
      update(tx -> tx.deleteMembership("churn-risk", AYSE));
      assertThat(readMemberships(AYSE)).isEmpty();
      assertThat(readMembers("churn-risk", null, 10)).isEmpty();
    }

    @Test
    @DisplayName("members pages through a segment in String.compareTo order of the profile id,"
        + " each member once, after exclusive, with full pages until the last")
    void membersPaging() {
      List<ProfileId> ids = awkwardIds(300);
      update(tx -> {
        for (int i = 0; i < ids.size(); i++) {
          tx.putMembership(membership("vip", ids.get(i), at(i)));
          if (i % 3 == 0) {
            tx.putMembership(membership("vip-2", ids.get(i), at(i)));
            tx.putMembership(membership("VIP", ids.get(i), at(i)));
          }
        }
      });
      List<ProfileId> expected = new ArrayList<>(ids);
      Collections.sort(expected);

      for (int pageSize : new int[] {1, 7, 300, Integer.MAX_VALUE}) {
        List<Membership> all = read(tx -> members(tx, "vip", pageSize));
        assertThat(all).extracting(Membership::profile).as("page size %d", pageSize)
            .containsExactlyElementsOf(expected);
        assertThat(all).allSatisfy(m -> assertThat(m).isEqualTo(
            membership("vip", m.profile(), at(ids.indexOf(m.profile())))));
      }
      ProfileId middle = expected.get(150);
      assertThat(readMembers("vip", middle, 2)).extracting(Membership::profile)
          .containsExactly(expected.get(151), expected.get(152));
      assertThat(readMembers("vip", expected.get(299), 5)).isEmpty();
    }

    @Test
    @DisplayName("a write transaction's reads see its own puts, replacements and deletes, in"
        + " order, across pages")
    void readsOwnWrites() {
      update(tx -> {
        for (String v : List.of("p-b", "p-d", "p-f", "p-h")) {
          tx.putMembership(membership("vip", ProfileId.of(v), at(1)));
        }
        tx.putMembership(membership("churn", ProfileId.of("p-d"), at(1)));
      });

      update(tx -> {
        tx.putMembership(membership("vip", ProfileId.of("p-a"), at(2)));
        tx.putMembership(membership("vip", ProfileId.of("p-d"), at(2)));
        tx.deleteMembership("vip", ProfileId.of("p-f"));
        tx.putMembership(membership("vip", ProfileId.of("p-z"), at(2)));
        tx.putMembership(membership("other", ProfileId.of("p-c"), at(2)));
        tx.putMembership(membership("vip", ProfileId.of("p-x"), at(2)));
        tx.deleteMembership("vip", ProfileId.of("p-x"));
        tx.putMembership(membership("after", ProfileId.of("p-d"), at(2)));

        List<String> expected = List.of("p-a@2", "p-b@1", "p-d@2", "p-h@1", "p-z@2");
        for (int pageSize : new int[] {1, 2, 100}) {
          assertThat(members(tx, "vip", pageSize)).as("page size %d", pageSize)
              .extracting(m -> m.profile().value() + "@" + minutes(m.since()))
              .containsExactlyElementsOf(expected);
        }
        assertThat(tx.memberships(ProfileId.of("p-d"))).containsExactly(
            membership("after", ProfileId.of("p-d"), at(2)),
            membership("churn", ProfileId.of("p-d"), at(1)),
            membership("vip", ProfileId.of("p-d"), at(2)));
        assertThat(tx.memberships(ProfileId.of("p-f"))).isEmpty();
      });

      assertThat(readMembers("vip", null, 100))
          .extracting(m -> m.profile().value() + "@" + minutes(m.since()))
          .containsExactly("p-a@2", "p-b@1", "p-d@2", "p-h@1", "p-z@2");
      assertThat(readMemberships(ProfileId.of("p-d"))).extracting(Membership::segment)
          .containsExactly("after", "churn", "vip");
    }

    @Test
    @DisplayName("members after leaving more than a thousand members in the same transaction"
        + " still finds the first remaining ones")
    void membersPastManyOwnDeletes() {
      List<ProfileId> ids = new ArrayList<>();
      for (int i = 0; i < 1_200; i++) {
        ids.add(ProfileId.of(String.format(Locale.ROOT, "p-%04d", i)));
      }
      update(tx -> ids.forEach(id -> tx.putMembership(membership("vip", id, at(1)))));

      update(tx -> {
        ids.subList(0, 1_100).forEach(id -> tx.deleteMembership("vip", id));
        assertThat(tx.members("vip", null, 2)).extracting(m -> m.profile().value())
            .containsExactly("p-1100", "p-1101");
        assertThat(members(tx, "vip", 30)).hasSize(100);
      });
    }

    @Test
    @DisplayName("a store keeps memberships only as told: deleting the profile keeps them")
    void independentOfProfiles() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.putMembership(membership("vip", AYSE, at(1)));
      });
      update(tx -> tx.deleteProfile(AYSE));

      assertThat(readMemberships(AYSE)).containsExactly(membership("vip", AYSE, at(1)));
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)));
    }

    @Test
    @DisplayName("a limit below 1 is refused with IllegalArgumentException")
    void limitChecked() {
      update(tx -> tx.putMembership(membership("vip", AYSE, at(1))));

      read(tx -> {
        assertThatThrownBy(() -> tx.members("vip", null, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.members("vip", AYSE, -5))
            .isInstanceOf(IllegalArgumentException.class);
        return null;
      });
    }

    @Test
    @DisplayName("memberships of one workspace are invisible in another, and the same segment"
        + " and profile are two memberships")
    void workspaceIsolation() {
      update(tx -> tx.putMembership(membership("vip", AYSE, at(1))));
      update(OTHER_SHOP, tx -> {
        tx.putMembership(membership("vip", AYSE, at(7)));
        tx.putMembership(membership("vip", BOB, at(7)));
      });
      update(OTHER_SHOP, tx -> tx.deleteMembership("vip", BOB));

      assertThat(readMemberships(AYSE)).containsExactly(membership("vip", AYSE, at(1)));
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)));
      store.read(OTHER_SHOP, tx -> {
        assertThat(tx.memberships(AYSE)).containsExactly(membership("vip", AYSE, at(7)));
        assertThat(tx.members("vip", null, 10)).containsExactly(membership("vip", AYSE, at(7)));
        assertThat(tx.memberships(BOB)).isEmpty();
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Scheduled checks")
  class Checks {

    @Test
    @DisplayName("putCheck stores one check per profile that check() returns to the nanosecond")
    void putAndGet() {
      Instant precise = Instant.parse("2026-03-01T10:15:00.123456789Z");
      Instant before1970 = Instant.parse("1969-12-31T23:59:59.999999999Z");
      update(tx -> {
        tx.putCheck(check(AYSE, precise));
        tx.putCheck(check(BOB, before1970));
      });

      assertThat(readCheck(AYSE)).contains(check(AYSE, precise));
      assertThat(readCheck(BOB)).contains(check(BOB, before1970));
      assertThat(readCheck(CAROL)).isEmpty();
    }

    @Test
    @DisplayName("putCheck replaces the profile's check, also for a reader that saw the old one,"
        + " and the check moves to its new place in the due order")
    void putReplaces() {
      update(tx -> {
        tx.putCheck(check(AYSE, at(1)));
        tx.putCheck(check(BOB, at(2)));
      });
      assertThat(readCheck(AYSE)).contains(check(AYSE, at(1)));
      assertThat(readCheck(CAROL)).isEmpty();
      update(tx -> {
        tx.putCheck(check(AYSE, at(3)));
        tx.putCheck(check(CAROL, at(4)));
      });

      assertThat(readCheck(AYSE)).contains(check(AYSE, at(3)));
      assertThat(readCheck(CAROL)).contains(check(CAROL, at(4)));
      assertThat(readDue(at(10), 10)).containsExactly(check(BOB, at(2)), check(AYSE, at(3)),
          check(CAROL, at(4)));
      assertThat(readDue(at(2), 10)).containsExactly(check(BOB, at(2)));
    }

    @Test
    @DisplayName("dueChecks lists the checks due at or before upTo by time, then profile id in"
        + " String.compareTo order, at most limit")
    void dueOrder() {
      Instant t = at(10);
      List<ScheduledCheck> all = List.of(
          check(ProfileId.of("p-10"), t),
          check(ProfileId.of("m"), at(5)),
          check(ProfileId.of("a"), t.plusNanos(1)),
          check(ProfileId.of("p_1"), t),
          check(ProfileId.of("n"), at(20)),
          check(ProfileId.of("P-2"), t),
          check(ProfileId.of("z"), t.minusNanos(1)),
          check(ProfileId.of("p-1"), t),
          check(ProfileId.of("old"), Instant.parse("1969-12-31T23:59:59.999999999Z")));
      update(tx -> all.forEach(tx::putCheck));

      assertThat(readDue(t, 100)).extracting(c -> c.profile().value())
          .containsExactly("old", "m", "z", "P-2", "p-1", "p-10", "p_1");
      assertThat(readDue(t, 4)).extracting(c -> c.profile().value())
          .containsExactly("old", "m", "z", "P-2");
      assertThat(readDue(t.minusNanos(1), 100)).extracting(c -> c.profile().value())
          .containsExactly("old", "m", "z");
      assertThat(readDue(t.minusNanos(2), 100)).extracting(c -> c.profile().value())
          .containsExactly("old", "m");
      assertThat(readDue(Instant.MAX, 100)).extracting(c -> c.profile().value())
          .containsExactly("old", "m", "z", "P-2", "p-1", "p-10", "p_1", "a", "n");
      assertThat(readDue(Instant.parse("1969-12-31T23:59:59.999999998Z"), 100)).isEmpty();
      assertThat(readDue(Instant.MIN, 100)).isEmpty();
      assertThat(readDue(Instant.MAX, 100)).containsAll(all);
    }

    @Test
    @DisplayName("deleteCheck removes the check from check() and dueChecks; deleting an absent"
        + " one changes nothing")
    void delete() {
      update(tx -> {
        tx.putCheck(check(AYSE, at(1)));
        tx.putCheck(check(BOB, at(2)));
      });
      assertThat(readCheck(AYSE)).contains(check(AYSE, at(1)));
      update(tx -> {
        tx.deleteCheck(AYSE);
        tx.deleteCheck(CAROL);
      });

      assertThat(readCheck(AYSE)).isEmpty();
      assertThat(readCheck(BOB)).contains(check(BOB, at(2)));
      assertThat(readDue(at(10), 10)).containsExactly(check(BOB, at(2)));
    }

    @Test
    @DisplayName("a write transaction's reads see its own puts, moves and deletes, even when"
        + " more than a thousand committed checks moved away")
    void readsOwnWrites() {
      List<ProfileId> ids = new ArrayList<>();
      for (int i = 0; i < 1_100; i++) {
        ids.add(ProfileId.of(String.format(Locale.ROOT, "q-%04d", i)));
      }
      update(tx -> {
        for (int i = 0; i < ids.size(); i++) {
          tx.putCheck(check(ids.get(i), at(1).plusSeconds(i)));
        }
      });

      update(tx -> {
        ids.subList(0, 1_050).forEach(id -> tx.putCheck(check(id, at(1_000))));
        tx.deleteCheck(ProfileId.of("q-1050"));
        tx.putCheck(check(ProfileId.of("a-new"), at(0)));
        tx.putCheck(check(ProfileId.of("b-gone"), at(0)));
        tx.deleteCheck(ProfileId.of("b-gone"));

        assertThat(tx.dueChecks(at(500), 3)).extracting(c -> c.profile().value())
            .containsExactly("a-new", "q-1051", "q-1052");
        assertThat(tx.dueChecks(at(500), 1_000)).hasSize(50);
        List<ScheduledCheck> later = tx.dueChecks(at(1_000), 2_000);
        assertThat(later).hasSize(1_100);
        assertThat(later.get(50)).isEqualTo(check(ProfileId.of("q-0000"), at(1_000)));
        assertThat(tx.check(ProfileId.of("q-0007"))).contains(check(ProfileId.of("q-0007"),
            at(1_000)));
        assertThat(tx.check(ProfileId.of("q-1050"))).isEmpty();
        assertThat(tx.check(ProfileId.of("b-gone"))).isEmpty();
      });

      assertThat(readDue(at(500), 3)).extracting(c -> c.profile().value())
          .containsExactly("a-new", "q-1051", "q-1052");
      assertThat(readCheck(ProfileId.of("q-0007"))).contains(check(ProfileId.of("q-0007"),
          at(1_000)));
    }

    @Test
    @DisplayName("a store keeps checks only as told: deleting the profile keeps its check")
    void independentOfProfiles() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.putCheck(check(AYSE, at(1)));
      });
      update(tx -> tx.deleteProfile(AYSE));

      assertThat(readCheck(AYSE)).contains(check(AYSE, at(1)));
      assertThat(readDue(at(1), 10)).containsExactly(check(AYSE, at(1)));
    }

    @Test
    @DisplayName("a limit below 1 is refused with IllegalArgumentException")
    void limitChecked() {
      update(tx -> tx.putCheck(check(AYSE, at(1))));

      read(tx -> {
        assertThatThrownBy(() -> tx.dueChecks(at(1), 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.dueChecks(Instant.MAX, Integer.MIN_VALUE))
            .isInstanceOf(IllegalArgumentException.class);
        return null;
      });
    }

    @Test
    @DisplayName("checks of one workspace are invisible in another, and the same profile has a"
        + " check in each")
    void workspaceIsolation() {
      update(tx -> tx.putCheck(check(AYSE, at(1))));
      update(OTHER_SHOP, tx -> {
        tx.putCheck(check(AYSE, at(2)));
        tx.putCheck(check(BOB, at(2)));
      });
      update(OTHER_SHOP, tx -> tx.deleteCheck(BOB));

      assertThat(readCheck(AYSE)).contains(check(AYSE, at(1)));
      assertThat(readDue(Instant.MAX, 10)).containsExactly(check(AYSE, at(1)));
      store.read(OTHER_SHOP, tx -> {
        assertThat(tx.check(AYSE)).contains(check(AYSE, at(2)));
        assertThat(tx.check(BOB)).isEmpty();
        assertThat(tx.dueChecks(Instant.MAX, 10)).containsExactly(check(AYSE, at(2)));
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("The outbox")
  class Outbox {

    @Test
    @DisplayName("insertOutbox adds entries that outbox(key) returns exactly, every field and"
        + " status, instants to the nanosecond and before 1970; an unknown key has none")
    void insertAndGet() {
      Instant precise = Instant.parse("2026-03-01T10:15:00.123456789Z");
      Instant before1970 = Instant.parse("1969-12-31T23:59:59.999999999Z");
      OutboxEntry leased = new OutboxEntry("winback/p-ayse/2026-03-01", "winback-email", AYSE,
          "email", before1970, precise, 3, OutboxEntry.Status.PENDING, TRIGGER, "worker-7",
          precise.plusNanos(1), "451 try again later");
      OutboxEntry done = new OutboxEntry("welcome/p-bob", "welcome", BOB, "sms", at(1), at(2),
          1, OutboxEntry.Status.DONE, "{}", null, null, null);
      OutboxEntry dead = finished(pending("winback/p-carol", at(3)), OutboxEntry.Status.DEAD);
      List<Boolean> inserted = store.write(SHOP, tx -> List.of(tx.insertOutbox(leased),
          tx.insertOutbox(done), tx.insertOutbox(dead)));

      assertThat(inserted).containsExactly(true, true, true);
      assertThat(readOutbox(leased.key())).contains(leased);
      assertThat(readOutbox(done.key())).contains(done);
      assertThat(readOutbox(dead.key())).contains(dead);
      assertThat(readOutbox("winback/p-nobody")).isEmpty();
      assertThat(readOutbox("WINBACK/P-AYSE/2026-03-01")).isEmpty();
    }

    @Test
    @DisplayName("addOutbox stores a new key; over a key that exists the whole transaction fails"
        + " and nothing of it is kept")
    void addUnchecked() {
      OutboxEntry first = pending("a-1", at(1));
      update(tx -> tx.addOutbox(first));
      assertThat(readOutbox("a-1")).contains(first);

      OutboxEntry other = pending("a-2", at(2));
      OutboxEntry again = OutboxEntry.pending("a-1", "other-rule", BOB, "sms", at(5), at(6),
          "{}");
      assertThatThrownBy(() -> update(tx -> {
        tx.addOutbox(other);
        tx.addOutbox(again);
      })).isInstanceOf(RuntimeException.class);
      assertThat(readOutbox("a-1")).contains(first);
      assertThat(readOutbox("a-2")).isEmpty();
    }

    @Test
    @DisplayName("outbox(keys) returns by key what outbox(key) returns for each, committed and"
        + " written earlier in the transaction, leaving out unknown keys")
    void batchRead() {
      OutboxEntry a = pending("b-1", at(1));
      OutboxEntry b = finished(pending("b-2", at(2)), OutboxEntry.Status.DONE);
      OutboxEntry c = pending("b-3", at(3));
      update(tx -> {
        tx.insertOutbox(a);
        tx.insertOutbox(b);
      });
      Map<String, OutboxEntry> read = store.write(SHOP, tx -> {
        tx.insertOutbox(c);
        tx.updateOutbox(finished(a, OutboxEntry.Status.DEAD));
        return tx.outbox(List.of("b-3", "b-1", "nobody", "b-2"));
      });
      assertThat(read).containsOnlyKeys("b-1", "b-2", "b-3");
      assertThat(read.get("b-1")).isEqualTo(finished(a, OutboxEntry.Status.DEAD));
      assertThat(read.get("b-2")).isEqualTo(b);
      assertThat(read.get("b-3")).isEqualTo(c);
      Map<String, OutboxEntry> committed = store.read(SHOP,
          tx -> tx.outbox(List.of("b-1", "b-2", "b-3", "b-4")));
      assertThat(committed).containsOnlyKeys("b-1", "b-2", "b-3");
      assertThat(committed.get("b-1").status()).isEqualTo(OutboxEntry.Status.DEAD);
      Map<String, OutboxEntry> elsewhere = store.read(OTHER_SHOP,
          tx -> tx.outbox(List.of("b-1")));
      assertThat(elsewhere).isEmpty();
    }

    @Test
    @DisplayName("insertOutbox refuses a key that is there, whatever its status, also one"
        + " inserted earlier in the same transaction, and keeps the first entry")
    void insertRefusesExistingKey() {
      OutboxEntry first = pending("k-1", at(1));
      OutboxEntry other = OutboxEntry.pending("k-1", "other-rule", BOB, "sms", at(5), at(6),
          "{\"other\":true}");
      List<Boolean> inserted = store.write(SHOP, tx -> List.of(tx.insertOutbox(first),
          tx.insertOutbox(other)));
      assertThat(inserted).containsExactly(true, false);
      assertThat(insertOutbox(SHOP, other)).isFalse();
      assertThat(readOutbox("k-1")).contains(first);

      for (OutboxEntry.Status status : List.of(OutboxEntry.Status.DONE,
          OutboxEntry.Status.DEAD)) {
        OutboxEntry now = finished(first, status);
        update(tx -> tx.updateOutbox(now));
        assertThat(insertOutbox(SHOP, other)).as("over %s", status)
            .isFalse();
        assertThat(readOutbox("k-1")).as("over %s", status).contains(now);
      }
    }

    @Test
    @DisplayName("updateOutbox replaces the entry with the key, also one inserted earlier in the"
        + " same transaction; of an absent key it throws IllegalArgumentException and stores"
        + " nothing")
    void updateReplaces() {
      update(tx -> tx.insertOutbox(pending("k-1", at(1))));
      OutboxEntry retry = pending("k-1", at(1)).next(OutboxEntry.Status.PENDING, 1, at(11),
          "timeout after 10 s");
      update(tx -> tx.updateOutbox(retry));
      assertThat(readOutbox("k-1")).contains(retry);

      OutboxEntry done = finished(pending("k-2", at(2)), OutboxEntry.Status.DONE);
      update(tx -> {
        tx.insertOutbox(pending("k-2", at(2)));
        tx.updateOutbox(done);
        assertThatThrownBy(() -> tx.updateOutbox(pending("k-absent", at(3))))
            .isInstanceOf(IllegalArgumentException.class);
      });
      assertThatThrownBy(() -> update(tx -> tx.updateOutbox(pending("k-absent-2", at(3)))))
          .isInstanceOf(IllegalArgumentException.class);

      assertThat(readOutbox("k-2")).contains(done);
      assertThat(readOutbox("k-absent")).isEmpty();
      assertThat(readOutbox("k-absent-2")).isEmpty();
      assertThat(readOutbox(OutboxEntry.Status.PENDING, null, 10)).containsExactly(retry);
      assertThat(readOutbox(OutboxEntry.Status.DONE, null, 10)).containsExactly(done);
    }

    @Test
    @DisplayName("outbox(status, afterKey, limit) pages through one status's entries in"
        + " String.compareTo order of the key, each once, afterKey exclusive and not"
        + " necessarily a key, full pages until the last")
    void pagesByStatus() {
      List<String> keys = awkwardIds(240).stream().map(ProfileId::value).toList();
      OutboxEntry.Status[] statuses = OutboxEntry.Status.values();
      Map<OutboxEntry.Status, List<String>> expected = new LinkedHashMap<>();
      update(tx -> {
        for (int i = 0; i < keys.size(); i++) {
          OutboxEntry e = pending(keys.get(i), at(i % 7));
          OutboxEntry.Status status = statuses[i % statuses.length];
          tx.insertOutbox(status == OutboxEntry.Status.PENDING ? e : finished(e, status));
          expected.computeIfAbsent(status, s -> new ArrayList<>()).add(keys.get(i));
        }
      });
      expected.values().forEach(Collections::sort);

      for (OutboxEntry.Status status : statuses) {
        List<String> all = expected.get(status);
        for (int pageSize : new int[] {1, 7, 80, Integer.MAX_VALUE}) {
          assertThat(keys(read(tx -> outboxPages(tx, status, pageSize))))
              .as("%s, page size %d", status, pageSize).containsExactlyElementsOf(all);
        }
        assertThat(keys(readOutbox(status, all.get(10), 2)))
            .containsExactly(all.get(11), all.get(12));
        assertThat(readOutbox(status, all.get(all.size() - 1), 5)).isEmpty();
        String between = "x";
        assertThat(keys(readOutbox(status, between, 1000))).containsExactlyElementsOf(
            all.stream().filter(k -> k.compareTo(between) > 0).toList());
      }
      assertThat(readOutbox(OutboxEntry.Status.PENDING, null, 1000))
          .allSatisfy(e -> assertThat(e).isEqualTo(pending(e.key(), e.dueAt())));
    }

    @Test
    @DisplayName("a write transaction's reads see its own inserts and updates over what is"
        + " committed, across pages, an update moving an entry from one status's listing to"
        + " another's")
    void readsOwnWrites() {
      update(tx -> {
        for (String k : List.of("k-b", "k-d", "k-f", "k-h")) {
          tx.insertOutbox(pending(k, at(1)));
        }
        tx.insertOutbox(finished(pending("k-c", at(1)), OutboxEntry.Status.DONE));
      });
      OutboxEntry retried = pending("k-c", at(1)).next(OutboxEntry.Status.PENDING, 2, at(9),
          "retry");

      update(tx -> {
        tx.insertOutbox(pending("k-a", at(2)));
        tx.updateOutbox(finished(pending("k-d", at(1)), OutboxEntry.Status.DONE));
        tx.updateOutbox(retried);
        tx.insertOutbox(pending("k-z", at(2)));
        tx.insertOutbox(pending("k-x", at(2)));
        tx.updateOutbox(finished(pending("k-x", at(2)), OutboxEntry.Status.DEAD));

        for (int pageSize : new int[] {1, 2, 100}) {
          assertThat(keys(outboxPages(tx, OutboxEntry.Status.PENDING, pageSize)))
              .as("page size %d", pageSize)
              .containsExactly("k-a", "k-b", "k-c", "k-f", "k-h", "k-z");
          assertThat(keys(outboxPages(tx, OutboxEntry.Status.DONE, pageSize)))
              .containsExactly("k-d");
          assertThat(keys(outboxPages(tx, OutboxEntry.Status.DEAD, pageSize)))
              .containsExactly("k-x");
        }
        assertThat(keys(tx.outbox(OutboxEntry.Status.PENDING, "k-b", 2)))
            .containsExactly("k-c", "k-f");
        assertThat(tx.outbox("k-c")).contains(retried);
        assertThat(tx.outbox("k-a")).contains(pending("k-a", at(2)));
        assertThat(tx.insertOutbox(pending("k-a", at(5)))).isFalse();
      });

      assertThat(keys(readOutbox(OutboxEntry.Status.PENDING, null, 100)))
          .containsExactly("k-a", "k-b", "k-c", "k-f", "k-h", "k-z");
      assertThat(readOutbox("k-c")).contains(retried);
      assertThat(keys(readOutbox(OutboxEntry.Status.DEAD, null, 100))).containsExactly("k-x");
    }

    @Test
    @DisplayName("a page after finishing more than a thousand pending entries in the same"
        + " transaction still finds the first remaining ones")
    void pagePastManyOwnUpdates() {
      List<OutboxEntry> entries = new ArrayList<>();
      for (int i = 0; i < 1_200; i++) {
        entries.add(pending(String.format(Locale.ROOT, "k-%04d", i), at(1)));
      }
      update(tx -> entries.forEach(tx::insertOutbox));

      update(tx -> {
        entries.subList(0, 1_100).forEach(e ->
            tx.updateOutbox(finished(e, OutboxEntry.Status.DONE)));
        assertThat(keys(tx.outbox(OutboxEntry.Status.PENDING, null, 2)))
            .containsExactly("k-1100", "k-1101");
        assertThat(outboxPages(tx, OutboxEntry.Status.PENDING, 30)).hasSize(100);
        assertThat(outboxPages(tx, OutboxEntry.Status.DONE, 500)).hasSize(1_100);
      });
    }

    @Test
    @DisplayName("a limit below 1 is refused with IllegalArgumentException")
    void limitChecked() {
      update(tx -> tx.insertOutbox(pending("k-1", at(1))));

      read(tx -> {
        assertThatThrownBy(() -> tx.outbox(OutboxEntry.Status.PENDING, null, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.outbox(OutboxEntry.Status.DONE, "k", -1))
            .isInstanceOf(IllegalArgumentException.class);
        return null;
      });
      update(tx -> assertThatThrownBy(() -> tx.outbox(OutboxEntry.Status.PENDING, null, 0))
          .isInstanceOf(IllegalArgumentException.class));
    }

    @Test
    @DisplayName("the longest key, rule, channel, lease, trigger and error round-trip exactly,"
        + " non-ASCII text included")
    void limitsRoundTrip() {
      String key = "k".repeat(OutboxEntry.MAX_KEY_LENGTH - 3) + "-ş1";
      String name = "ç".repeat(OutboxEntry.MAX_NAME_LENGTH);
      String lease = "w".repeat(OutboxEntry.MAX_NAME_LENGTH);
      OutboxEntry big = new OutboxEntry(key, name, AYSE, name, T0, at(1), 0,
          OutboxEntry.Status.PENDING, longText(OutboxEntry.MAX_TEXT_LENGTH), null, null,
          longText(OutboxEntry.MAX_ERROR_LENGTH));
      assertThat(big.trigger()).hasSize(OutboxEntry.MAX_TEXT_LENGTH).contains("🛍");
      update(tx -> tx.insertOutbox(big));

      assertThat(readOutbox(key)).contains(big);
      assertThat(readOutbox(OutboxEntry.Status.PENDING, null, 10)).containsExactly(big);
      OutboxEntry claimed = big.claimed(lease, at(60));
      assertThat(claim(at(1), lease, at(60), 10)).containsExactly(claimed);
      assertThat(readOutbox(key)).contains(claimed);
    }

    @Test
    @DisplayName("a write that throws leaves no outbox write behind: inserted entries are gone"
        + " and can be inserted again, updated ones are as before, and claims find the"
        + " committed ones")
    void rollback() {
      OutboxEntry one = pending("k-1", at(1));
      OutboxEntry two = pending("k-2", at(2));
      update(tx -> {
        tx.insertOutbox(one);
        tx.insertOutbox(two);
      });

      updateAndFail(tx -> {
        tx.insertOutbox(pending("k-new", at(0)));
        tx.updateOutbox(finished(one, OutboxEntry.Status.DONE));
        tx.updateOutbox(two.next(OutboxEntry.Status.PENDING, 1, at(9), "timeout"));
        tx.insertOutbox(pending("k-new-2", at(0)));
        tx.updateOutbox(finished(pending("k-new-2", at(0)), OutboxEntry.Status.DEAD));
      });

      assertThat(readOutbox("k-new")).isEmpty();
      assertThat(readOutbox("k-new-2")).isEmpty();
      assertThat(readOutbox("k-1")).contains(one);
      assertThat(readOutbox("k-2")).contains(two);
      assertThat(readOutbox(OutboxEntry.Status.PENDING, null, 10)).containsExactly(one, two);
      assertThat(readOutbox(OutboxEntry.Status.DONE, null, 10)).isEmpty();
      assertThat(readOutbox(OutboxEntry.Status.DEAD, null, 10)).isEmpty();
      assertThat(keys(claim(at(5), "worker-1", at(60), 10))).containsExactly("k-1", "k-2");
      assertThat(insertOutbox(SHOP, pending("k-new", at(0)))).isTrue();
    }

    @Test
    @DisplayName("rollbackTo undoes the outbox writes after the savepoint, keeps those before,"
        + " and the transaction may insert an undone key again")
    void savepoint() {
      update(tx -> tx.insertOutbox(pending("k-old", at(1))));

      update(tx -> {
        tx.insertOutbox(pending("k-1", at(1)));
        Savepoint sp = tx.savepoint();
        tx.insertOutbox(pending("k-2", at(2)));
        tx.updateOutbox(finished(pending("k-old", at(1)), OutboxEntry.Status.DONE));
        tx.updateOutbox(finished(pending("k-1", at(1)), OutboxEntry.Status.DEAD));
        tx.rollbackTo(sp);

        assertThat(tx.outbox("k-2")).isEmpty();
        assertThat(tx.outbox("k-1")).contains(pending("k-1", at(1)));
        assertThat(keys(tx.outbox(OutboxEntry.Status.PENDING, null, 10)))
            .containsExactly("k-1", "k-old");
        assertThat(tx.outbox(OutboxEntry.Status.DONE, null, 10)).isEmpty();
        assertThat(tx.insertOutbox(pending("k-2", at(3)))).isTrue();
      });

      assertThat(readOutbox("k-2")).contains(pending("k-2", at(3)));
      assertThat(readOutbox(OutboxEntry.Status.PENDING, null, 10)).containsExactly(
          pending("k-1", at(1)), pending("k-2", at(3)), pending("k-old", at(1)));
    }

    @Test
    @DisplayName("the outbox of one workspace is invisible in another, the same key is two"
        + " entries, and claims take only their own workspace's entries")
    void workspaceIsolation() {
      OutboxEntry mine = pending("k-1", at(1));
      OutboxEntry theirs = OutboxEntry.pending("k-1", "welcome", BOB, "sms", at(0), at(0), "{}");
      update(tx -> tx.insertOutbox(mine));
      assertThat(insertOutbox(OTHER_SHOP, theirs)).isTrue();
      update(OTHER_SHOP, tx -> tx.insertOutbox(pending("k-2", at(0))));
      update(OTHER_SHOP, tx -> tx.updateOutbox(finished(pending("k-2", at(0)),
          OutboxEntry.Status.DONE)));
      assertThatThrownBy(() -> update(tx -> tx.updateOutbox(pending("k-2", at(0)))))
          .isInstanceOf(IllegalArgumentException.class);

      assertThat(readOutbox("k-1")).contains(mine);
      assertThat(readOutbox("k-2")).isEmpty();
      assertThat(readOutbox(OutboxEntry.Status.DONE, null, 10)).isEmpty();
      assertThat(claim(at(5), "worker-1", at(60), 10)).containsExactly(
          mine.claimed("worker-1", at(60)));
      store.read(OTHER_SHOP, tx -> {
        assertThat(tx.outbox("k-1")).contains(theirs);
        assertThat(keys(tx.outbox(OutboxEntry.Status.DONE, null, 10))).containsExactly("k-2");
        return null;
      });
      assertThat(store.claimOutbox(OTHER_SHOP, at(5), "worker-2", at(60), 10))
          .containsExactly(theirs.claimed("worker-2", at(60)));
      assertThat(store.claimOutbox(WorkspaceId.of("shop-empty"), at(5), "worker-3", at(60),
          10)).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Claiming outbox entries")
  class Claiming {

    private static final int THREADS = 4;
    private static final long TIMEOUT_SECONDS = 60;

    @Test
    @DisplayName("claimOutbox returns the due pending entries, earliest dueAt first, then key in"
        + " String.compareTo order, each with the lease set and stored so, every other field"
        + " unchanged")
    void claimOrder() {
      OutboxEntry retry = pending("r-retry", at(0)).next(OutboxEntry.Status.PENDING, 2, at(1),
          "timeout");
      List<OutboxEntry> entries = List.of(pending("b", at(2)), pending("a", at(2)),
          pending("B", at(2)), pending("c", at(1)), pending("a-1", at(2).plusNanos(1)),
          pending("z", at(0)), retry, pending("_x", at(2)), pending("late", at(6)));
      update(tx -> entries.forEach(tx::insertOutbox));
      Instant until = Instant.parse("2026-03-01T11:00:00.000000001Z");

      List<OutboxEntry> claimed = claim(at(5), "worker-1", until, 100);

      assertThat(keys(claimed)).containsExactly("z", "c", "r-retry", "B", "_x", "a", "b", "a-1");
      for (OutboxEntry c : claimed) {
        OutboxEntry stored = entries.stream().filter(e -> e.key().equals(c.key())).findFirst()
            .orElseThrow();
        assertThat(c).isEqualTo(stored.claimed("worker-1", until));
        assertThat(readOutbox(c.key())).contains(c);
      }
      assertThat(readOutbox("late")).contains(pending("late", at(6)));
    }

    @Test
    @DisplayName("an entry is claimed once it is due: a dueAt equal to now is due, a"
        + " nanosecond later is not")
    void notDueNotClaimed() {
      Instant due = Instant.parse("2026-03-01T10:20:00.123456789Z");
      update(tx -> {
        tx.insertOutbox(pending("k-due", due));
        tx.insertOutbox(pending("k-later", due.plusNanos(1)));
        tx.insertOutbox(pending("k-much-later", at(600)));
      });

      assertThat(claim(due.minusNanos(1), "worker-1", at(60), 10)).isEmpty();
      assertThat(keys(claim(due, "worker-1", at(60), 10))).containsExactly("k-due");
      assertThat(claim(due, "worker-2", at(60), 10)).isEmpty();
      assertThat(keys(claim(due.plusNanos(1), "worker-2", at(60), 10)))
          .containsExactly("k-later");
      assertThat(readOutbox("k-much-later")).contains(pending("k-much-later", at(600)));
    }

    @Test
    @DisplayName("a claimed entry is not claimed again while its lease runs; once leaseUntil is"
        + " not after now, another claim takes it with its own lease; a released one is"
        + " claimable at once")
    void leaseRuns() {
      update(tx -> {
        tx.insertOutbox(pending("k-1", at(0)));
        tx.insertOutbox(pending("k-2", at(0)));
        tx.insertOutbox(pending("k-3", at(0)));
      });
      Instant until = Instant.parse("2026-03-01T10:30:00.000000001Z");

      assertThat(claim(at(1), "worker-1", until, 1)).containsExactly(
          pending("k-1", at(0)).claimed("worker-1", until));
      assertThat(keys(claim(at(1), "worker-2", at(60), 1))).containsExactly("k-2");
      OutboxEntry third = claim(at(1), "worker-3", at(60), 10).get(0);
      assertThat(third.key()).isEqualTo("k-3");
      assertThat(claim(until.minusNanos(1), "worker-4", at(90), 10)).isEmpty();
      assertThat(claim(until, "worker-4", at(90), 10)).containsExactly(
          pending("k-1", at(0)).claimed("worker-4", at(90)));

      update(tx -> tx.updateOutbox(third.released()));
      assertThat(claim(at(31), "worker-5", at(90), 10)).containsExactly(
          pending("k-3", at(0)).claimed("worker-5", at(90)));
      assertThat(readOutbox("k-1").orElseThrow().lease()).isEqualTo("worker-4");
      assertThat(readOutbox("k-2").orElseThrow().lease()).isEqualTo("worker-2");
      assertThat(readOutbox("k-3").orElseThrow().lease()).isEqualTo("worker-5");
    }

    @Test
    @DisplayName("done and dead entries are never claimed, whatever their due time and lease;"
        + " one put back to pending is claimable again")
    void onlyPendingClaimed() {
      OutboxEntry done = finished(pending("k-done", at(0)), OutboxEntry.Status.DONE);
      OutboxEntry dead = finished(pending("k-dead", at(0)), OutboxEntry.Status.DEAD);
      OutboxEntry doneLeaseRanOut = new OutboxEntry("k-done-leased", "winback-email", AYSE,
          "email", T0, at(0), 1, OutboxEntry.Status.DONE, TRIGGER, "worker-0", at(1), null);
      update(tx -> {
        tx.insertOutbox(done);
        tx.insertOutbox(dead);
        tx.insertOutbox(doneLeaseRanOut);
        tx.insertOutbox(pending("k-pending", at(0)));
      });

      assertThat(keys(claim(at(100), "worker-1", at(200), 10))).containsExactly("k-pending");
      assertThat(claim(at(300), "worker-2", at(400), 10)).containsExactly(
          pending("k-pending", at(0)).claimed("worker-2", at(400)));
      assertThat(readOutbox("k-done")).contains(done);
      assertThat(readOutbox("k-dead")).contains(dead);
      assertThat(readOutbox("k-done-leased")).contains(doneLeaseRanOut);

      OutboxEntry again = done.next(OutboxEntry.Status.PENDING, 1, at(500), null);
      update(tx -> tx.updateOutbox(again));
      assertThat(claim(at(500), "worker-3", at(600), 10)).containsExactly(
          pending("k-pending", at(0)).claimed("worker-3", at(600)),
          again.claimed("worker-3", at(600)));
    }

    @Test
    @DisplayName("claimOutbox takes at most limit entries; claims in turn take the next ones in"
        + " order until none are left")
    void limitRespected() {
      List<OutboxEntry> entries = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        entries.add(pending(String.format(Locale.ROOT, "k-%02d", i), at(i % 5)));
      }
      update(tx -> entries.forEach(tx::insertOutbox));
      List<String> expected = entries.stream()
          .sorted(Comparator.comparing(OutboxEntry::dueAt).thenComparing(OutboxEntry::key))
          .map(OutboxEntry::key).toList();

      List<String> taken = new ArrayList<>();
      for (int limit : new int[] {1, 10, 10}) {
        List<OutboxEntry> batch = claim(at(10), "worker-1", at(60), limit);
        assertThat(batch).as("limit %d", limit).hasSize(limit);
        taken.addAll(keys(batch));
      }
      List<OutboxEntry> rest = claim(at(10), "worker-1", at(60), Integer.MAX_VALUE);
      taken.addAll(keys(rest));

      assertThat(rest).hasSize(4);
      assertThat(taken).containsExactlyElementsOf(expected);
      assertThat(claim(at(10), "worker-1", at(60), 10)).isEmpty();
    }

    @Test
    @DisplayName("claimOutbox refuses a limit below 1, a leaseUntil not after now and a lease"
        + " that is empty or too long with IllegalArgumentException, and claims nothing then")
    void argumentsChecked() {
      update(tx -> tx.insertOutbox(pending("k-1", at(0))));

      assertThatThrownBy(() -> claim(at(1), "worker-1", at(2), 0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "worker-1", at(2), -1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "worker-1", at(2), Integer.MIN_VALUE))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "worker-1", at(1), 10))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "worker-1", at(1).minusNanos(1), 10))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "", at(2), 10))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> claim(at(1), "w".repeat(OutboxEntry.MAX_NAME_LENGTH + 1), at(2),
          10)).isInstanceOf(IllegalArgumentException.class);

      assertThat(readOutbox("k-1")).contains(pending("k-1", at(0)));
      assertThat(claim(at(1), "worker-1", at(1).plusNanos(1), 1)).containsExactly(
          pending("k-1", at(0)).claimed("worker-1", at(1).plusNanos(1)));
    }

    @Test
    @DisplayName("claimOutbox does not wait for a running write transaction of the workspace,"
        + " and does not see the entries it has not committed")
    void claimsDoNotWaitForWriters() throws Exception {
      update(tx -> tx.insertOutbox(pending("k-committed", at(0))));
      CountDownLatch written = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> writer = pool.submit(() -> store.write(SHOP, tx -> {
          tx.putProfile(profile(AYSE, 1));
          tx.insertOutbox(pending("k-uncommitted", at(0)));
          tx.putDelivery(delivery("d-1", AYSE, at(0), "sending"));
          written.countDown();
          try {
            release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
          return null;
        }));
        assertThat(written.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        Future<List<OutboxEntry>> claimer = pool.submit(() ->
            claim(at(1), "worker-1", at(60), 10));

        assertThat(keys(claimer.get(TIMEOUT_SECONDS / 2, TimeUnit.SECONDS)))
            .as("claimed while the writer runs").containsExactly("k-committed");
        release.countDown();
        writer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } finally {
        release.countDown();
        pool.shutdownNow();
      }

      assertThat(keys(claim(at(1), "worker-2", at(60), 10))).containsExactly("k-uncommitted");
      assertThat(readDeliveries(AYSE)).extracting(Delivery::id).containsExactly("d-1");
    }

    @Test
    @DisplayName("four threads claiming a few entries at a time from 200 due ones, in five rounds,"
        + " take every entry exactly once, each batch in order, each entry stored with its"
        + " claimer's lease")
    void concurrentClaimsNeverOverlap() throws Exception {
      int rounds = 5;
      int perRound = 200;
      List<OutboxEntry> entries = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < perRound; i++) {
          // Round r's entries fall due at minute 100 * r, a few at each of ten instants.
          entries.add(pending(String.format(Locale.ROOT, "r%d-k-%03d", r, (i * 37) % perRound),
              at(100 * r + i % 10)));
        }
      }
      update(tx -> entries.forEach(tx::insertOutbox));
      AtomicInteger[] claimed = new AtomicInteger[rounds];
      Arrays.setAll(claimed, r -> new AtomicInteger());
      List<List<OutboxEntry>> batches = Collections.synchronizedList(new ArrayList<>());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
      CyclicBarrier round = new CyclicBarrier(THREADS);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          String lease = "worker-" + t;
          int limit = 1 + t;
          futures.add(pool.submit(() -> {
            for (int r = 0; r < rounds; r++) {
              // All threads start each round together, going for the same first entries.
              round.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
              Instant now = at(100 * r + 20);
              while (claimed[r].get() < perRound && System.nanoTime() < deadline) {
                List<OutboxEntry> batch = claim(now, lease, at(100 * rounds), limit);
                assertThat(batch.size()).isLessThanOrEqualTo(limit);
                batches.add(batch);
                claimed[r].addAndGet(batch.size());
              }
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get(TIMEOUT_SECONDS * 2, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      List<String> all = new ArrayList<>();
      Map<String, String> leaseOf = new LinkedHashMap<>();
      Comparator<OutboxEntry> order =
          Comparator.comparing(OutboxEntry::dueAt).thenComparing(OutboxEntry::key);
      for (List<OutboxEntry> batch : batches) {
        assertThat(batch).isSortedAccordingTo(order);
        all.addAll(keys(batch));
        batch.forEach(e -> leaseOf.put(e.key(), e.lease()));
      }
      assertThat(all).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(keys(entries));
      assertThat(claim(at(100 * rounds - 1), "worker-9", at(100 * rounds), 10)).isEmpty();
      read(tx -> {
        for (OutboxEntry e : outboxPages(tx, OutboxEntry.Status.PENDING, 250)) {
          assertThat(e.lease()).as(e.key()).isEqualTo(leaseOf.get(e.key()));
          assertThat(e.leaseUntil()).isEqualTo(at(100 * rounds));
        }
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Delivery history")
  class Deliveries {

    @Test
    @DisplayName("putDelivery stores lines that deliveries(profile) lists exactly, by time, then"
        + " id in String.compareTo order, instants to the nanosecond and before 1970")
    void putAndList() {
      Instant precise = Instant.parse("2026-03-01T10:15:00.123456789Z");
      Instant before1970 = Instant.parse("1969-12-31T23:59:59.999999999Z");
      Delivery suppressed = new Delivery("d-0", AYSE, before1970, "winback-email", "email",
          "key-0", 0, "suppressed", "no consent for marketing/email", "{}");
      List<Delivery> ayse = List.of(delivery("d-b", AYSE, precise, "delivered"),
          delivery("d-a", AYSE, at(5), "failed"), delivery("d-B", AYSE, at(5), "sending"),
          delivery("d-_", AYSE, at(5), "dead"), suppressed,
          delivery("d-c", AYSE, precise.plusNanos(1), "delivered"));
      update(tx -> {
        ayse.forEach(tx::putDelivery);
        tx.putDelivery(delivery("d-bob", BOB, at(1), "delivered"));
      });

      assertThat(readDeliveries(AYSE)).extracting(Delivery::id)
          .containsExactly("d-0", "d-b", "d-c", "d-B", "d-_", "d-a");
      assertThat(readDeliveries(AYSE)).containsExactlyInAnyOrderElementsOf(ayse);
      assertThat(readDeliveries(BOB)).containsExactly(delivery("d-bob", BOB, at(1),
          "delivered"));
      assertThat(readDeliveries(CAROL)).isEmpty();
    }

    @Test
    @DisplayName("putDelivery with an id that is there replaces the line, also for a reader"
        + " that saw the old one, and moves it to its new time or profile")
    void putReplaces() {
      update(tx -> {
        tx.putDelivery(delivery("d-1", AYSE, at(1), "sending"));
        tx.putDelivery(delivery("d-2", AYSE, at(2), "sending"));
      });
      assertThat(readDeliveries(AYSE)).extracting(Delivery::id).containsExactly("d-1", "d-2");
      update(tx -> {
        tx.putDelivery(delivery("d-1", AYSE, at(3), "delivered"));
        tx.putDelivery(delivery("d-2", BOB, at(2), "failed"));
      });

      assertThat(readDeliveries(AYSE)).containsExactly(delivery("d-1", AYSE, at(3),
          "delivered"));
      assertThat(readDeliveries(BOB)).containsExactly(delivery("d-2", BOB, at(2), "failed"));
    }

    @Test
    @DisplayName("the longest id, names, reason and detail round-trip exactly, non-ASCII text"
        + " included")
    void limitsRoundTrip() {
      String id = "d".repeat(OutboxEntry.MAX_KEY_LENGTH - 2) + "-ü";
      String name = "ğ".repeat(OutboxEntry.MAX_NAME_LENGTH);
      Delivery big = new Delivery(id, AYSE, at(1), name, name,
          "k".repeat(OutboxEntry.MAX_KEY_LENGTH), Integer.MAX_VALUE, name,
          longText(OutboxEntry.MAX_ERROR_LENGTH), longText(OutboxEntry.MAX_TEXT_LENGTH));
      assertThat(big.detail()).hasSize(OutboxEntry.MAX_TEXT_LENGTH).contains("🛍");
      update(tx -> tx.putDelivery(big));

      assertThat(readDeliveries(AYSE)).containsExactly(big);
    }

    @Test
    @DisplayName("a write transaction's reads see its own puts and replacements over what is"
        + " committed, in order")
    void readsOwnWrites() {
      update(tx -> {
        tx.putDelivery(delivery("d-1", AYSE, at(1), "sending"));
        tx.putDelivery(delivery("d-2", AYSE, at(2), "sending"));
        tx.putDelivery(delivery("d-3", AYSE, at(3), "sending"));
      });

      update(tx -> {
        tx.putDelivery(delivery("d-1", AYSE, at(4), "delivered"));
        tx.putDelivery(delivery("d-0", AYSE, at(2), "suppressed"));
        tx.putDelivery(delivery("d-3", BOB, at(3), "sending"));
        tx.putDelivery(delivery("d-9", BOB, at(0), "sending"));

        assertThat(tx.deliveries(AYSE)).containsExactly(delivery("d-0", AYSE, at(2),
            "suppressed"), delivery("d-2", AYSE, at(2), "sending"),
            delivery("d-1", AYSE, at(4), "delivered"));
        assertThat(tx.deliveries(BOB)).extracting(Delivery::id).containsExactly("d-9", "d-3");
      });

      assertThat(readDeliveries(AYSE)).extracting(Delivery::id)
          .containsExactly("d-0", "d-2", "d-1");
      assertThat(readDeliveries(BOB)).extracting(Delivery::id).containsExactly("d-9", "d-3");
    }

    @Test
    @DisplayName("a write that throws leaves no delivery line behind: new ones are gone,"
        + " replaced ones are as before")
    void rollback() {
      update(tx -> tx.putDelivery(delivery("d-1", AYSE, at(1), "sending")));

      updateAndFail(tx -> {
        tx.putDelivery(delivery("d-1", BOB, at(2), "delivered"));
        tx.putDelivery(delivery("d-2", AYSE, at(0), "failed"));
        tx.putDelivery(delivery("d-2", AYSE, at(3), "dead"));
      });

      assertThat(readDeliveries(AYSE)).containsExactly(delivery("d-1", AYSE, at(1),
          "sending"));
      assertThat(readDeliveries(BOB)).isEmpty();
    }

    @Test
    @DisplayName("rollbackTo undoes the delivery lines written after the savepoint and keeps"
        + " those before")
    void savepoint() {
      update(tx -> tx.putDelivery(delivery("d-old", AYSE, at(1), "sending")));

      update(tx -> {
        tx.putDelivery(delivery("d-1", AYSE, at(2), "sending"));
        Savepoint sp = tx.savepoint();
        tx.putDelivery(delivery("d-old", AYSE, at(3), "delivered"));
        tx.putDelivery(delivery("d-1", BOB, at(2), "failed"));
        tx.putDelivery(delivery("d-2", AYSE, at(0), "suppressed"));
        tx.rollbackTo(sp);

        assertThat(tx.deliveries(AYSE)).containsExactly(delivery("d-old", AYSE, at(1),
            "sending"), delivery("d-1", AYSE, at(2), "sending"));
        assertThat(tx.deliveries(BOB)).isEmpty();
        tx.putDelivery(delivery("d-3", AYSE, at(9), "delivered"));
      });

      assertThat(readDeliveries(AYSE)).extracting(Delivery::id)
          .containsExactly("d-old", "d-1", "d-3");
      assertThat(readDeliveries(BOB)).isEmpty();
    }

    @Test
    @DisplayName("the delivery history of one workspace is invisible in another, and the same"
        + " id is two lines")
    void workspaceIsolation() {
      update(tx -> tx.putDelivery(delivery("d-1", AYSE, at(1), "sending")));
      update(OTHER_SHOP, tx -> {
        tx.putDelivery(delivery("d-1", AYSE, at(7), "delivered"));
        tx.putDelivery(delivery("d-2", BOB, at(7), "delivered"));
      });

      assertThat(readDeliveries(AYSE)).containsExactly(delivery("d-1", AYSE, at(1),
          "sending"));
      assertThat(readDeliveries(BOB)).isEmpty();
      store.read(OTHER_SHOP, tx -> {
        assertThat(tx.deliveries(AYSE)).containsExactly(delivery("d-1", AYSE, at(7),
            "delivered"));
        assertThat(tx.deliveries(BOB)).extracting(Delivery::id).containsExactly("d-2");
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Transactions")
  class Transactions {

    @Test
    @DisplayName("a store from createStore() starts empty")
    void startsEmpty() {
      read(tx -> {
        assertThat(tx.event("m-order")).isEmpty();
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL))).isEmpty();
        assertThat(tx.node(AYSE_EMAIL)).isEmpty();
        assertThat(tx.nodesOfProfile(AYSE)).isEmpty();
        assertThat(tx.nodesOfComponent("c-1")).isEmpty();
        assertThat(tx.component("c-1")).isEmpty();
        assertThat(tx.links("c-1")).isEmpty();
        assertThat(tx.profile(AYSE)).isEmpty();
        assertThat(tx.redirect(BOB)).isEmpty();
        assertThat(tx.ledger(AYSE)).isEmpty();
        assertThat(tx.eventNameCounts()).isEmpty();
        assertThat(tx.profilesAfter(null, 10)).isEmpty();
        assertThat(tx.metadata("")).isEmpty();
        assertThat(tx.memberships(AYSE)).isEmpty();
        assertThat(tx.members("vip", null, 10)).isEmpty();
        assertThat(tx.check(AYSE)).isEmpty();
        assertThat(tx.dueChecks(Instant.MAX, 10)).isEmpty();
        assertThat(tx.outbox("k-1")).isEmpty();
        assertThat(tx.outbox(OutboxEntry.Status.PENDING, null, 10)).isEmpty();
        assertThat(tx.deliveries(AYSE)).isEmpty();
        return null;
      });
      assertThat(claim(Instant.MAX.minusNanos(1), "worker-1", Instant.MAX, 10)).isEmpty();
    }

    @Test
    @DisplayName("write() and read() return what their callbacks return")
    void callbacksReturnValues() {
      String written = store.write(SHOP, tx -> {
        tx.putProfile(profile(AYSE, 1));
        return "committed";
      });
      long version = store.read(SHOP, tx -> tx.profile(AYSE).map(ProfileRecord::version)
          .orElse(-1L));
      int answer = store.read(SHOP, tx -> 42);

      assertThat(written).isEqualTo("committed");
      assertThat(version).isEqualTo(1L);
      assertThat(answer).isEqualTo(42);
    }

    @Test
    @DisplayName("read() sees everything committed before, in every kind of record")
    void readSeesCommittedData() {
      writeOneOfEach(SHOP);

      read(tx -> {
        assertThat(tx.event("m-order")).isPresent();
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL))).hasSize(1);
        assertThat(tx.node(AYSE_EMAIL)).isPresent();
        assertThat(tx.nodesOfProfile(AYSE)).hasSize(2);
        assertThat(tx.nodesOfComponent("c-1")).hasSize(2);
        assertThat(tx.component("c-1")).isPresent();
        assertThat(tx.links("c-1")).hasSize(1);
        assertThat(tx.profile(AYSE)).contains(richProfile(AYSE, 3));
        assertThat(tx.redirect(BOB)).contains(AYSE);
        assertThat(tx.ledger(AYSE)).hasSize(1);
        assertThat(tx.eventNameCounts()).isEqualTo(Map.of("Order Completed", 1L));
        assertThat(tx.profilesAfter(null, 10)).containsExactly(richProfile(AYSE, 3));
        assertThat(tx.metadata("segment/")).containsOnlyKeys("segment/vip");
        assertThat(tx.memberships(AYSE)).containsExactly(membership("vip", AYSE, at(3)));
        assertThat(tx.members("vip", null, 10)).containsExactly(membership("vip", AYSE, at(3)));
        assertThat(tx.check(AYSE)).contains(check(AYSE, at(60)));
        assertThat(tx.dueChecks(at(60), 10)).containsExactly(check(AYSE, at(60)));
        return null;
      });
    }

    @Test
    @DisplayName("a write transaction reads its own writes before it commits")
    void readsOwnWrites() {
      StoredEvent e = order("m-order", at(1), AYSE_EMAIL);
      Link l = link("m-order", at(1), AYSE_EMAIL, AYSE_CARD);
      update(tx -> {
        tx.insertEvent(e);
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putComponent(component("c-1", l));
        tx.addLink("c-1", l);
        tx.putProfile(profile(AYSE, 1));
        tx.putRedirect(BOB, AYSE);
        LedgerEntry entry = merged(AYSE, BOB, "m-order", at(2));
        tx.appendLedger(entry);

        assertThat(tx.event("m-order")).contains(e);
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL))).containsExactly(e);
        assertThat(tx.eventNameCounts()).isEqualTo(Map.of("Order Completed", 1L));
        assertThat(tx.node(AYSE_EMAIL)).contains(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfComponent("c-1")).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.component("c-1")).contains(component("c-1", l));
        assertThat(tx.links("c-1")).containsExactly(l);
        assertThat(tx.profile(AYSE)).contains(profile(AYSE, 1));
        assertThat(tx.redirect(BOB)).contains(AYSE);
        assertThat(tx.ledger(BOB)).containsExactly(entry);

        tx.moveLinks("c-1", "c-2");
        tx.deleteComponent("c-1");
        tx.deleteProfile(AYSE);
        assertThat(tx.links("c-1")).isEmpty();
        assertThat(tx.links("c-2")).containsExactly(l);
        assertThat(tx.component("c-1")).isEmpty();
        assertThat(tx.profile(AYSE)).isEmpty();
      });
    }

    @Test
    @DisplayName("an exception thrown by a read callback propagates")
    void readExceptionPropagates() {
      RuntimeException boom = new IllegalArgumentException("bad query");

      assertThatThrownBy(() -> store.read(SHOP, tx -> {
        throw boom;
      })).isSameAs(boom);
      assertThat(readProfile(AYSE)).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Atomicity: a write that throws leaves nothing behind")
  class Atomicity {

    @Test
    @DisplayName("an inserted event is gone, from every index and count, and can be inserted again")
    void event() {
      StoredEvent kept = order("m-1", at(1), AYSE_EMAIL);
      update(tx -> tx.insertEvent(kept));

      updateAndFail(tx -> {
        assertThat(tx.insertEvent(order("m-2", at(2), AYSE_EMAIL))).isTrue();
        assertThat(tx.insertEvent(viewed("m-3", at(3), AYSE_COOKIE))).isTrue();
      });

      read(tx -> {
        assertThat(tx.event("m-2")).isEmpty();
        assertThat(tx.event("m-3")).isEmpty();
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL, AYSE_COOKIE))).containsExactly(kept);
        assertThat(tx.eventNameCounts()).isEqualTo(Map.of("Order Completed", 1L));
        return null;
      });
      boolean insertedAgain =
          store.write(SHOP, tx -> tx.insertEvent(order("m-2", at(2), AYSE_EMAIL)));
      assertThat(insertedAgain).isTrue();
    }

    @Test
    @DisplayName("new and moved nodes are restored, with their profile and component indexes")
    void nodesAndIndexes() {
      update(tx -> tx.putNode(node(AYSE_EMAIL, AYSE, "c-1")));

      updateAndFail(tx -> {
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putNode(node(AYSE_EMAIL, BOB, "c-2"));
        tx.putNode(node(AYSE_CARD, BOB, "c-2"));
        tx.putNode(node(BOB_EMAIL, BOB, "c-2"));
      });

      read(tx -> {
        assertThat(tx.node(AYSE_EMAIL)).contains(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.node(AYSE_CARD)).isEmpty();
        assertThat(tx.node(BOB_EMAIL)).isEmpty();
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).isEmpty();
        assertThat(tx.nodesOfComponent("c-1")).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfComponent("c-2")).isEmpty();
        return null;
      });
    }

    @Test
    @DisplayName("regression: a node added to a profile and moved away with its last old node is"
        + " rolled back without emptying the profile's index")
    void indexRestoredAfterProfileEmptiedAndRefilled() {
      update(tx -> tx.putNode(node(AYSE_EMAIL, AYSE, "c-1")));

      updateAndFail(tx -> {
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putNode(node(AYSE_EMAIL, BOB, "c-2"));
        tx.putNode(node(AYSE_CARD, BOB, "c-2"));
      });

      read(tx -> {
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfComponent("c-1")).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).isEmpty();
        assertThat(tx.nodesOfComponent("c-2")).isEmpty();
        return null;
      });
    }

    @Test
    @DisplayName("new, replaced and deleted components are restored")
    void components() {
      ComponentRecord c1 = component("c-1", link("m-1", at(1), AYSE_EMAIL, AYSE_CARD));
      ComponentRecord c2 = component("c-2", null);
      update(tx -> {
        tx.putComponent(c1);
        tx.putComponent(c2);
      });

      updateAndFail(tx -> {
        tx.putComponent(component("c-1", link("m-5", at(5), AYSE_EMAIL, BOB_EMAIL),
            new DoNotLinkRule(AYSE_EMAIL, BOB_EMAIL, at(5))));
        tx.deleteComponent("c-2");
        tx.putComponent(component("c-3", null));
      });

      assertThat(readComponent("c-1")).contains(c1);
      assertThat(readComponent("c-2")).contains(c2);
      assertThat(readComponent("c-3")).isEmpty();
    }

    @Test
    @DisplayName("added links are gone")
    void links() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      update(tx -> tx.addLink("c-1", l1));

      updateAndFail(tx -> {
        tx.addLink("c-1", link("m-2", at(2), AYSE_EMAIL, AYSE_COOKIE));
        tx.addLink("c-3", link("m-3", at(3), BOB_EMAIL, BOB_PHONE));
      });

      assertThat(readLinks("c-1")).containsExactly(l1);
      assertThat(readLinks("c-3")).isEmpty();
    }

    @Test
    @DisplayName("moved links are back where they were")
    void moveLinks() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      Link l2 = link("m-2", at(2), BOB_EMAIL, BOB_PHONE);
      Link l3 = link("m-3", at(3), MEMBERSHIP, AYSE_CUSTOMER);
      update(tx -> {
        tx.addLink("c-1", l1);
        tx.addLink("c-2", l2);
        tx.addLink("c-3", l3);
      });

      updateAndFail(tx -> {
        tx.moveLinks("c-1", "c-2");
        tx.moveLinks("c-3", "c-4");
        tx.addLink("c-2", link("m-5", at(5), AYSE_EMAIL, BOB_EMAIL));
        tx.moveLinks("c-2", "c-3");
      });

      assertThat(readLinks("c-1")).containsExactly(l1);
      assertThat(readLinks("c-2")).containsExactly(l2);
      assertThat(readLinks("c-3")).containsExactly(l3);
      assertThat(readLinks("c-4")).isEmpty();
    }

    @Test
    @DisplayName("new and replaced profiles are restored")
    void profiles() {
      update(tx -> tx.putProfile(richProfile(AYSE, 1)));

      updateAndFail(tx -> {
        tx.putProfile(profile(AYSE, 2));
        tx.putProfile(profile(BOB, 1));
      });

      assertThat(readProfile(AYSE)).contains(richProfile(AYSE, 1));
      assertThat(readProfile(BOB)).isEmpty();
    }

    @Test
    @DisplayName("deleted profiles and components are back")
    void deletes() {
      update(tx -> {
        tx.putProfile(richProfile(AYSE, 4));
        tx.putComponent(component("c-1", null));
      });

      updateAndFail(tx -> {
        tx.deleteProfile(AYSE);
        tx.deleteComponent("c-1");
        assertThat(tx.profile(AYSE)).isEmpty();
      });

      assertThat(readProfile(AYSE)).contains(richProfile(AYSE, 4));
      assertThat(readComponent("c-1")).contains(component("c-1", null));
    }

    @Test
    @DisplayName("new redirects are gone")
    void redirects() {
      update(tx -> tx.putRedirect(CAROL, AYSE));

      updateAndFail(tx -> tx.putRedirect(BOB, AYSE));

      assertThat(readRedirect(BOB)).isEmpty();
      assertThat(readRedirect(CAROL)).contains(AYSE);
    }

    @Test
    @DisplayName("appended ledger entries are gone from both profiles' ledgers")
    void ledger() {
      LedgerEntry kept = merged(AYSE, CAROL, "m-1", at(1));
      update(tx -> tx.appendLedger(kept));

      updateAndFail(tx -> {
        tx.appendLedger(merged(AYSE, BOB, "m-2", at(2)));
        tx.appendLedger(conflict(BOB, CAROL, "m-3", at(3)));
      });

      assertThat(readLedger(AYSE)).containsExactly(kept);
      assertThat(readLedger(CAROL)).containsExactly(kept);
      assertThat(readLedger(BOB)).isEmpty();
      LedgerEntry next = merged(BOB, AYSE, "m-4", at(4));
      update(tx -> tx.appendLedger(next));
      assertThat(readLedger(AYSE)).containsExactly(kept, next);
    }

    @Test
    @DisplayName("a whole merge (event, nodes, component, links, profiles, redirect, ledger,"
        + " memberships, checks, metadata) is undone together, and the store stays usable")
    void wholeMerge() {
      writeOneOfEach(SHOP);
      Link bobLink = link("m-bob", at(0), BOB_EMAIL, BOB_PHONE);
      update(tx -> {
        tx.putNode(node(BOB_EMAIL, CAROL, "c-2"));
        tx.putNode(node(BOB_PHONE, CAROL, "c-2"));
        tx.putComponent(component("c-2", bobLink));
        tx.addLink("c-2", bobLink);
        tx.putProfile(profile(CAROL, 1));
        tx.putMembership(membership("churn", CAROL, at(1)));
        tx.putCheck(check(CAROL, at(30)));
      });
      Map<String, Object> before = snapshot();

      updateAndFail(tx -> {
        tx.insertEvent(identify("m-merge", at(9), AYSE_EMAIL, BOB_EMAIL));
        tx.addLink("c-1", link("m-merge", at(9), AYSE_EMAIL, BOB_EMAIL));
        tx.moveLinks("c-2", "c-1");
        tx.putNode(node(BOB_EMAIL, AYSE, "c-1"));
        tx.putNode(node(BOB_PHONE, AYSE, "c-1"));
        tx.deleteComponent("c-2");
        tx.putComponent(component("c-1", link("m-merge", at(9), AYSE_EMAIL, BOB_EMAIL)));
        tx.putProfile(profile(AYSE, 4));
        tx.deleteProfile(CAROL);
        tx.putRedirect(CAROL, AYSE);
        tx.appendLedger(merged(AYSE, CAROL, "m-merge", at(10)));
        tx.deleteMembership("churn", CAROL);
        tx.putMembership(membership("churn", AYSE, at(9)));
        tx.deleteCheck(CAROL);
        tx.putCheck(check(AYSE, at(20)));
        tx.putMetadata("segment/vip", "{\"min_orders\":4}");
      });

      assertThat(snapshot()).isEqualTo(before);
      update(tx -> tx.putProfile(profile(AYSE, 4)));
      assertThat(readProfile(AYSE)).contains(profile(AYSE, 4));
    }

    @Test
    @DisplayName("scans list the profiles as before: new ones gone, deleted ones back, in order")
    void profileScans() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.putProfile(profile(BOB, 1));
      });

      updateAndFail(tx -> {
        tx.putProfile(profile(CAROL, 1));
        tx.putProfile(profile(ProfileId.of("a-first"), 1));
        tx.deleteProfile(BOB);
        tx.putProfile(profile(AYSE, 2));
        assertThat(tx.profilesAfter(null, 10)).extracting(r -> r.id().value())
            .containsExactly("a-first", "p-ayse", "p-carol");
      });

      assertThat(readProfilesAfter(SHOP, null, 10))
          .containsExactly(profile(AYSE, 1), profile(BOB, 1));
      update(tx -> tx.putProfile(profile(CAROL, 1)));
      assertThat(readProfilesAfter(SHOP, BOB, 10)).containsExactly(profile(CAROL, 1));
    }

    @Test
    @DisplayName("metadata put, replaced and deleted is restored")
    void metadata() {
      update(tx -> {
        tx.putMetadata("segment/vip", "v1");
        tx.putMetadata("segment/churn", "c1");
      });

      updateAndFail(tx -> {
        tx.putMetadata("segment/vip", "v2");
        tx.deleteMetadata("segment/churn");
        tx.putMetadata("segment/new", "n1");
        tx.deleteMetadata("segment/new");
        tx.putMetadata("segment/new", "n2");
        tx.putMetadata("schedule/x", "x");
      });

      assertThat(readMetadata("")).containsExactly(entry("segment/churn", "c1"),
          entry("segment/vip", "v1"));
    }

    @Test
    @DisplayName("memberships put, replaced and deleted are restored, in both listings")
    void memberships() {
      update(tx -> {
        tx.putMembership(membership("vip", AYSE, at(1)));
        tx.putMembership(membership("vip", BOB, at(1)));
        tx.putMembership(membership("churn", AYSE, at(1)));
      });

      updateAndFail(tx -> {
        tx.putMembership(membership("vip", AYSE, at(2)));
        tx.deleteMembership("vip", BOB);
        tx.putMembership(membership("vip", CAROL, at(2)));
        tx.putMembership(membership("new", AYSE, at(2)));
        tx.deleteMembership("churn", AYSE);
        tx.putMembership(membership("churn", AYSE, at(3)));
        tx.deleteMembership("churn", AYSE);
      });

      assertThat(readMemberships(AYSE)).containsExactly(membership("churn", AYSE, at(1)),
          membership("vip", AYSE, at(1)));
      assertThat(readMemberships(BOB)).containsExactly(membership("vip", BOB, at(1)));
      assertThat(readMemberships(CAROL)).isEmpty();
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)),
          membership("vip", BOB, at(1)));
      assertThat(readMembers("new", null, 10)).isEmpty();
      assertThat(readMembers("churn", null, 10)).containsExactly(
          membership("churn", AYSE, at(1)));
    }

    @Test
    @DisplayName("checks put, moved and deleted are restored, in their place in the due order")
    void checks() {
      update(tx -> {
        tx.putCheck(check(AYSE, at(1)));
        tx.putCheck(check(BOB, at(2)));
      });

      updateAndFail(tx -> {
        tx.putCheck(check(AYSE, at(3)));
        tx.deleteCheck(BOB);
        tx.putCheck(check(CAROL, at(0)));
        tx.deleteCheck(CAROL);
        tx.putCheck(check(CAROL, at(0)));
      });

      assertThat(readCheck(AYSE)).contains(check(AYSE, at(1)));
      assertThat(readCheck(BOB)).contains(check(BOB, at(2)));
      assertThat(readCheck(CAROL)).isEmpty();
      assertThat(readDue(Instant.MAX, 10)).containsExactly(check(AYSE, at(1)),
          check(BOB, at(2)));
    }
  }

  /** Everything the tests of {@link Atomicity} and {@link Savepoints} write, as plain values. */
  private Map<String, Object> snapshot() {
    List<Identifier> ids = List.of(AYSE_EMAIL, AYSE_CARD, AYSE_COOKIE, AYSE_CUSTOMER, MEMBERSHIP,
        BOB_EMAIL, BOB_PHONE);
    List<ProfileId> profiles = List.of(AYSE, BOB, CAROL);
    List<String> components = List.of("c-1", "c-2", "c-3");
    return read(tx -> {
      Map<String, Object> s = new LinkedHashMap<>();
      for (String m : List.of("m-order", "m-merge", "m-1", "m-2", "m-3")) {
        s.put("event " + m, tx.event(m));
      }
      s.put("events", tx.eventsByAnchors(ids));
      s.put("counts", tx.eventNameCounts());
      for (Identifier i : ids) {
        s.put("node " + i.type() + ":" + i.value(), tx.node(i));
      }
      for (ProfileId p : profiles) {
        s.put("nodes of " + p, Set.copyOf(tx.nodesOfProfile(p)));
        s.put("profile " + p, tx.profile(p));
        s.put("redirect " + p, tx.redirect(p));
        s.put("ledger " + p, tx.ledger(p));
      }
      s.put("scan", tx.profilesAfter(null, 100));
      s.put("metadata", Map.copyOf(tx.metadata("")));
      for (ProfileId p : profiles) {
        s.put("memberships of " + p, tx.memberships(p));
        s.put("check of " + p, tx.check(p));
      }
      s.put("members of vip", tx.members("vip", null, 100));
      s.put("due", tx.dueChecks(Instant.MAX, 100));
      for (String c : components) {
        s.put("nodes in " + c, Set.copyOf(tx.nodesOfComponent(c)));
        s.put("component " + c, tx.component(c));
        s.put("links " + c, Set.copyOf(tx.links(c)));
      }
      return s;
    });
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Savepoints")
  class Savepoints {

    @Test
    @DisplayName("rollbackTo undoes exactly the writes after the savepoint, keeps those before, and"
        + " the transaction goes on and commits")
    void rollbackToSavepoint() {
      StoredEvent before = order("m-1", at(1), AYSE_EMAIL);
      StoredEvent after = viewed("m-2", at(2), AYSE_EMAIL);
      StoredEvent later = identify("m-3", at(3), AYSE_EMAIL);
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      Link l2 = link("m-2", at(2), AYSE_EMAIL, BOB_EMAIL);
      LedgerEntry keptEntry = conflict(AYSE, BOB, "m-1", at(1));

      update(tx -> {
        tx.insertEvent(before);
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putComponent(component("c-1", l1));
        tx.addLink("c-1", l1);
        tx.addLink("c-2", l2);
        tx.putProfile(profile(AYSE, 1));
        tx.putProfile(profile(BOB, 1));
        tx.appendLedger(keptEntry);

        Savepoint sp = tx.savepoint();
        tx.insertEvent(after);
        tx.putNode(node(AYSE_CARD, BOB, "c-2"));
        tx.putNode(node(BOB_EMAIL, BOB, "c-2"));
        tx.putComponent(component("c-1", l2));
        tx.putComponent(component("c-2", l2));
        tx.addLink("c-1", link("m-2", at(2), AYSE_CARD, BOB_EMAIL));
        tx.moveLinks("c-2", "c-1");
        tx.putProfile(profile(AYSE, 2));
        tx.deleteProfile(BOB);
        tx.putRedirect(BOB, AYSE);
        tx.appendLedger(merged(AYSE, BOB, "m-2", at(2)));
        tx.rollbackTo(sp);

        assertThat(tx.event("m-2")).isEmpty();
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL))).containsExactly(before);
        assertThat(tx.nodesOfProfile(AYSE)).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, AYSE, "c-1"));
        assertThat(tx.profile(BOB)).contains(profile(BOB, 1));

        assertThat(tx.insertEvent(later)).isTrue();
        assertThat(tx.insertEvent(after)).isTrue();
      });

      read(tx -> {
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL))).containsExactly(before, after, later);
        assertThat(tx.eventNameCounts()).isEqualTo(
            Map.of("Order Completed", 1L, "Product Viewed", 1L, "identify", 1L));
        assertThat(tx.node(AYSE_CARD)).contains(node(AYSE_CARD, AYSE, "c-1"));
        assertThat(tx.node(BOB_EMAIL)).isEmpty();
        assertThat(tx.nodesOfProfile(AYSE)).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).isEmpty();
        assertThat(tx.nodesOfComponent("c-1")).hasSize(2);
        assertThat(tx.nodesOfComponent("c-2")).isEmpty();
        assertThat(tx.component("c-1")).contains(component("c-1", l1));
        assertThat(tx.component("c-2")).isEmpty();
        assertThat(tx.links("c-1")).containsExactly(l1);
        assertThat(tx.links("c-2")).containsExactly(l2);
        assertThat(tx.profile(AYSE)).contains(profile(AYSE, 1));
        assertThat(tx.profile(BOB)).contains(profile(BOB, 1));
        assertThat(tx.redirect(BOB)).isEmpty();
        assertThat(tx.ledger(AYSE)).containsExactly(keptEntry);
        assertThat(tx.ledger(BOB)).containsExactly(keptEntry);
        return null;
      });
    }

    @Test
    @DisplayName("nested savepoints: rolling back to the inner keeps what came between, rolling"
        + " back to the outer undoes both")
    void nestedSavepoints() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        Savepoint outer = tx.savepoint();
        tx.putProfile(profile(AYSE, 2));
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        Savepoint inner = tx.savepoint();
        tx.putProfile(profile(AYSE, 3));
        tx.putNode(node(AYSE_EMAIL, BOB, "c-2"));

        tx.rollbackTo(inner);
        assertThat(tx.profile(AYSE)).contains(profile(AYSE, 2));
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).isEmpty();

        tx.putProfile(profile(BOB, 1));
        tx.rollbackTo(outer);
        assertThat(tx.profile(AYSE)).contains(profile(AYSE, 1));
        assertThat(tx.profile(BOB)).isEmpty();
        assertThat(tx.node(AYSE_EMAIL)).isEmpty();
        tx.putProfile(profile(CAROL, 1));
      });

      assertThat(readProfile(AYSE)).contains(profile(AYSE, 1));
      assertThat(readProfile(BOB)).isEmpty();
      assertThat(readProfile(CAROL)).contains(profile(CAROL, 1));
      assertThat(readNode(AYSE_EMAIL)).isEmpty();
      assertThat(readNodesOfProfile(AYSE)).isEmpty();
    }

    @Test
    @DisplayName("regression: rolling back node moves that emptied and refilled a profile keeps"
        + " the profile's earlier nodes in its index")
    void rollbackKeepsIndexOfEarlierNodes() {
      update(tx -> tx.putNode(node(AYSE_EMAIL, AYSE, "c-1")));

      update(tx -> {
        Savepoint sp = tx.savepoint();
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putNode(node(AYSE_EMAIL, BOB, "c-2"));
        tx.putNode(node(AYSE_CARD, BOB, "c-2"));
        tx.rollbackTo(sp);
      });

      assertThat(readNodesOfProfile(AYSE))
          .containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
      assertThat(readNodesOfComponent("c-1"))
          .containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
      assertThat(readNodesOfProfile(BOB)).isEmpty();
    }

    @Test
    @DisplayName("a savepoint taken first and rolled back to leaves an empty commit")
    void rollbackEverything() {
      update(tx -> {
        Savepoint sp = tx.savepoint();
        tx.insertEvent(order("m-1", at(1), AYSE_EMAIL));
        tx.putProfile(profile(AYSE, 1));
        tx.appendLedger(merged(AYSE, BOB, "m-1", at(1)));
        tx.rollbackTo(sp);
      });

      assertThat(readEvent("m-1")).isEmpty();
      assertThat(readCounts()).isEmpty();
      assertThat(readProfile(AYSE)).isEmpty();
      assertThat(readLedger(BOB)).isEmpty();
    }

    @Test
    @DisplayName("a transaction that throws after a rollbackTo keeps nothing, not even the writes"
        + " before the savepoint")
    void throwAfterRollback() {
      updateAndFail(tx -> {
        tx.putProfile(profile(AYSE, 1));
        Savepoint sp = tx.savepoint();
        tx.putProfile(profile(BOB, 1));
        tx.rollbackTo(sp);
        tx.putProfile(profile(CAROL, 1));
      });

      assertThat(readProfile(AYSE)).isEmpty();
      assertThat(readProfile(BOB)).isEmpty();
      assertThat(readProfile(CAROL)).isEmpty();
    }

    @Test
    @DisplayName("rollbackTo restores the profile scan order: profiles put after the savepoint are"
        + " gone, profiles deleted after it are back")
    void profileScans() {
      update(tx -> tx.putProfile(profile(BOB, 1)));

      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        Savepoint sp = tx.savepoint();
        tx.putProfile(profile(CAROL, 1));
        tx.deleteProfile(BOB);
        tx.deleteProfile(AYSE);
        tx.putProfile(profile(AYSE, 2));
        tx.rollbackTo(sp);

        assertThat(tx.profilesAfter(null, 10)).containsExactly(profile(AYSE, 1),
            profile(BOB, 1));
        tx.putProfile(profile(ProfileId.of("p-dave"), 1));
      });

      assertThat(readProfilesAfter(SHOP, null, 10)).extracting(r -> r.id().value())
          .containsExactly("p-ayse", "p-bob", "p-dave");
    }

    @Test
    @DisplayName("rollbackTo undoes metadata written after the savepoint and keeps what came"
        + " before")
    void metadata() {
      update(tx -> tx.putMetadata("segment/old", "o1"));

      update(tx -> {
        tx.putMetadata("segment/vip", "v1");
        Savepoint sp = tx.savepoint();
        tx.putMetadata("segment/vip", "v2");
        tx.deleteMetadata("segment/old");
        tx.putMetadata("segment/new", "n1");
        tx.rollbackTo(sp);

        assertThat(tx.metadata("segment/")).containsExactly(entry("segment/old", "o1"),
            entry("segment/vip", "v1"));
        tx.putMetadata("segment/later", "l1");
      });

      assertThat(readMetadata("")).containsExactly(entry("segment/later", "l1"),
          entry("segment/old", "o1"), entry("segment/vip", "v1"));
    }

    @Test
    @DisplayName("rollbackTo undoes memberships written after the savepoint, in both listings,"
        + " and keeps what came before")
    void memberships() {
      update(tx -> tx.putMembership(membership("vip", BOB, at(1))));

      update(tx -> {
        tx.putMembership(membership("vip", AYSE, at(1)));
        Savepoint sp = tx.savepoint();
        tx.putMembership(membership("vip", AYSE, at(2)));
        tx.deleteMembership("vip", BOB);
        tx.putMembership(membership("vip", CAROL, at(2)));
        tx.putMembership(membership("churn", AYSE, at(2)));
        tx.deleteMembership("churn", AYSE);
        tx.putMembership(membership("churn", AYSE, at(3)));
        tx.rollbackTo(sp);

        assertThat(tx.memberships(AYSE)).containsExactly(membership("vip", AYSE, at(1)));
        assertThat(tx.members("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)),
            membership("vip", BOB, at(1)));
        tx.putMembership(membership("churn", CAROL, at(4)));
      });

      assertThat(readMemberships(AYSE)).containsExactly(membership("vip", AYSE, at(1)));
      assertThat(readMemberships(BOB)).containsExactly(membership("vip", BOB, at(1)));
      assertThat(readMemberships(CAROL)).containsExactly(membership("churn", CAROL, at(4)));
      assertThat(readMembers("vip", null, 10)).containsExactly(membership("vip", AYSE, at(1)),
          membership("vip", BOB, at(1)));
      assertThat(readMembers("churn", null, 10)).containsExactly(
          membership("churn", CAROL, at(4)));
    }

    @Test
    @DisplayName("rollbackTo undoes checks written after the savepoint, in the due order too,"
        + " and keeps what came before")
    void checks() {
      update(tx -> tx.putCheck(check(BOB, at(5))));

      update(tx -> {
        tx.putCheck(check(AYSE, at(1)));
        Savepoint sp = tx.savepoint();
        tx.putCheck(check(AYSE, at(9)));
        tx.deleteCheck(BOB);
        tx.putCheck(check(CAROL, at(0)));
        tx.rollbackTo(sp);

        assertThat(tx.check(AYSE)).contains(check(AYSE, at(1)));
        assertThat(tx.dueChecks(Instant.MAX, 10)).containsExactly(check(AYSE, at(1)),
            check(BOB, at(5)));
        tx.putCheck(check(BOB, at(3)));
      });

      assertThat(readCheck(CAROL)).isEmpty();
      assertThat(readDue(Instant.MAX, 10)).containsExactly(check(AYSE, at(1)),
          check(BOB, at(3)));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("privacy: deletes, tombstones, audit log")
  class Privacy {

    private List<AuditEntry> readAudit(long afterSeq, int limit) {
      return store.read(SHOP, tx -> tx.audit(afterSeq, limit));
    }

    private Map<String, Instant> readTombstones(List<String> hashes) {
      return store.read(SHOP, tx -> tx.tombstones(hashes));
    }

    private List<OutboxEntry> readOutboxOfProfile(ProfileId profile) {
      return store.read(SHOP, tx -> tx.outboxOfProfile(profile));
    }

    private List<ProfileId> readRedirectsTo(ProfileId to) {
      return store.read(SHOP, tx -> tx.redirectsTo(to));
    }

    @Test
    @DisplayName("deleteEvents removes the events from event() and eventsByAnchors(), leaves the"
        + " others, ignores absent ids, and a deleted id can be inserted again")
    void deleteEvents() {
      StoredEvent a = viewed("m-1", at(1), AYSE_EMAIL);
      StoredEvent b = viewed("m-2", at(2), AYSE_EMAIL);
      StoredEvent c = order("m-3", at(3), AYSE_CARD);
      update(tx -> {
        tx.insertEvent(a);
        tx.insertEvent(b);
        tx.insertEvent(c);
      });
      update(tx -> tx.deleteEvents(List.of("m-1", "m-3", "m-absent")));

      assertThat(readEvent("m-1")).isEmpty();
      assertThat(readEvent("m-3")).isEmpty();
      assertThat(readEvent("m-2")).contains(b);
      assertThat(readEvents(List.of(AYSE_EMAIL, AYSE_CARD))).containsExactly(b);
      boolean again = store.write(SHOP, tx -> tx.insertEvent(a));
      assertThat(again).isTrue();
      assertThat(readEvents(List.of(AYSE_EMAIL))).containsExactlyInAnyOrder(a, b);
    }

    @Test
    @DisplayName("deleteNode removes the node from node(), nodesOfProfile() and"
        + " nodesOfComponent()")
    void deleteNode() {
      update(tx -> {
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
      });
      update(tx -> {
        tx.deleteNode(AYSE_EMAIL);
        tx.deleteNode(BOB_EMAIL);
      });

      assertThat(readNode(AYSE_EMAIL)).isEmpty();
      assertThat(readNodesOfProfile(AYSE)).containsExactly(node(AYSE_CARD, AYSE, "c-1"));
      assertThat(readNodesOfComponent("c-1")).containsExactly(node(AYSE_CARD, AYSE, "c-1"));
    }

    @Test
    @DisplayName("deleteLinks removes every link of one component only; deleteRedirect one"
        + " redirect; redirectsTo lists the ids redirected to a profile in id order")
    void deleteLinksAndRedirects() {
      update(tx -> {
        tx.addLink("c-1", link("m-1", at(1), AYSE_EMAIL, AYSE_CARD));
        tx.addLink("c-1", link("m-2", at(2), AYSE_EMAIL, AYSE_COOKIE));
        tx.addLink("c-2", link("m-3", at(3), BOB_EMAIL, BOB_PHONE));
        tx.putRedirect(CAROL, AYSE);
        tx.putRedirect(BOB, AYSE);
        tx.putRedirect(ProfileId.of("p-dave"), BOB);
      });
      assertThat(readRedirectsTo(AYSE)).containsExactly(BOB, CAROL);

      update(tx -> {
        tx.deleteLinks("c-1");
        tx.deleteRedirect(CAROL);
        tx.deleteRedirect(ProfileId.of("p-nobody"));
      });

      assertThat(readLinks("c-1")).isEmpty();
      assertThat(readLinks("c-2")).hasSize(1);
      assertThat(readRedirect(CAROL)).isEmpty();
      assertThat(readRedirect(BOB)).contains(AYSE);
      assertThat(readRedirectsTo(AYSE)).containsExactly(BOB);
      assertThat(readRedirectsTo(CAROL)).isEmpty();
    }

    @Test
    @DisplayName("deleteLedger removes every entry naming the profile on either side, from every"
        + " profile's ledger, and keeps the rest in write order")
    void deleteLedger() {
      LedgerEntry e1 = merged(AYSE, BOB, "m-1", at(1));
      LedgerEntry e2 = conflict(CAROL, AYSE, "m-2", at(2));
      LedgerEntry e3 = merged(CAROL, BOB, "m-3", at(3));
      LedgerEntry e4 = conflict(CAROL, null, "m-4", at(4));
      update(tx -> {
        tx.appendLedger(e1);
        tx.appendLedger(e2);
        tx.appendLedger(e3);
        tx.appendLedger(e4);
      });
      update(tx -> tx.deleteLedger(AYSE));

      assertThat(readLedger(AYSE)).isEmpty();
      assertThat(readLedger(BOB)).containsExactly(e3);
      assertThat(readLedger(CAROL)).containsExactly(e3, e4);
    }

    @Test
    @DisplayName("outboxOfProfile lists a profile's entries of every status in key order;"
        + " deleteOutbox removes one from every listing and from claims")
    void outboxOfProfileAndDelete() {
      OutboxEntry b = pending("k-b", at(0));
      OutboxEntry a = pending("k-a", at(0));
      OutboxEntry bob = OutboxEntry.pending("k-c", "winback-email", BOB, "email", T0, at(0),
          TRIGGER);
      update(tx -> {
        tx.insertOutbox(b);
        tx.insertOutbox(a);
        tx.insertOutbox(bob);
      });
      update(tx -> tx.updateOutbox(finished(a, OutboxEntry.Status.DONE)));
      assertThat(keys(readOutboxOfProfile(AYSE))).containsExactly("k-a", "k-b");

      update(tx -> {
        tx.deleteOutbox("k-b");
        tx.deleteOutbox("k-absent");
      });

      assertThat(keys(readOutboxOfProfile(AYSE))).containsExactly("k-a");
      assertThat(readOutbox("k-b")).isEmpty();
      assertThat(keys(readOutbox(OutboxEntry.Status.PENDING, null, 10))).containsExactly("k-c");
      assertThat(keys(claim(at(5), "node-1", at(10), 10))).containsExactly("k-c");
    }

    @Test
    @DisplayName("deleteDeliveries removes one profile's history and no one else's")
    void deleteDeliveries() {
      update(tx -> {
        tx.putDelivery(delivery("d-1", AYSE, at(1), "delivered"));
        tx.putDelivery(delivery("d-2", AYSE, at(2), "failed"));
        tx.putDelivery(delivery("d-3", BOB, at(3), "delivered"));
      });
      update(tx -> tx.deleteDeliveries(AYSE));

      assertThat(readDeliveries(AYSE)).isEmpty();
      assertThat(readDeliveries(BOB)).extracting(Delivery::id).containsExactly("d-3");
      // the id is free again
      update(tx -> tx.putDelivery(delivery("d-1", CAROL, at(4), "delivered")));
      assertThat(readDeliveries(CAROL)).extracting(Delivery::id).containsExactly("d-1");
    }

    @Test
    @DisplayName("tombstones keep the latest erasure instant per hash, exactly, and answer only"
        + " for the hashes asked about")
    void tombstones() {
      Instant precise = Instant.parse("2026-03-01T10:15:00.123456Z");
      update(tx -> {
        tx.putTombstone("h-1", at(10));
        tx.putTombstone("h-2", precise);
        tx.putTombstone("h-4", precise);
      });
      update(tx -> {
        tx.putTombstone("h-1", at(5));
        tx.putTombstone("h-2", at(20));
      });

      Map<String, Instant> found = readTombstones(List.of("h-1", "h-2", "h-3", "h-4"));
      assertThat(found)
          .containsExactlyInAnyOrderEntriesOf(Map.of("h-1", at(10), "h-2", at(20), "h-4", precise));
      assertThat(readTombstones(List.of("h-3")).isEmpty()).isTrue();
      assertThat(readTombstones(List.of()).isEmpty()).isTrue();
      Map<String, Instant> other = store.read(OTHER_SHOP, tx -> tx.tombstones(List.of("h-1")));
      assertThat(other).isEmpty();
    }

    @Test
    @DisplayName("the audit log numbers entries in append order, pages by seq, round-trips every"
        + " field exactly, and is per workspace")
    void auditLog() {
      AuditEntry erase = new AuditEntry(0, Instant.parse("2026-03-01T10:15:00.000001Z"), "erase",
          AYSE, "h-ayse", "{\"events\":3}");
      AuditEntry export = new AuditEntry(0, at(2), "export", null, null, "{}");
      long s1 = store.write(SHOP, tx -> tx.appendAudit(erase));
      long s2 = store.write(SHOP, tx -> tx.appendAudit(export));
      long s3 = store.write(SHOP, tx -> tx.appendAudit(export));
      store.write(OTHER_SHOP, tx -> tx.appendAudit(export));

      assertThat(s1).isPositive();
      assertThat(s2).isGreaterThan(s1);
      assertThat(s3).isGreaterThan(s2);
      assertThat(readAudit(0, 10))
          .containsExactly(erase.withSeq(s1), export.withSeq(s2), export.withSeq(s3));
      assertThat(readAudit(s1, 1)).containsExactly(export.withSeq(s2));
      assertThat(readAudit(s3, 10)).isEmpty();
      List<AuditEntry> other = store.read(OTHER_SHOP, tx -> tx.audit(0, 10));
      assertThat(other).hasSize(1);
    }

    @Test
    @DisplayName("a rolled-back transaction leaves no audit entry, tombstone or delete behind")
    void rollback() {
      StoredEvent a = viewed("m-1", at(1), AYSE_EMAIL);
      update(tx -> {
        tx.insertEvent(a);
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putDelivery(delivery("d-1", AYSE, at(1), "delivered"));
        tx.appendLedger(merged(AYSE, BOB, "m-1", at(1)));
        tx.insertOutbox(pending("k-a", at(0)));
      });
      updateAndFail(tx -> {
        tx.appendAudit(new AuditEntry(0, at(3), "erase", AYSE, "h-ayse", "{}"));
        tx.putTombstone("h-ayse", at(3));
        tx.deleteEvents(List.of("m-1"));
        tx.deleteNode(AYSE_EMAIL);
        tx.deleteDeliveries(AYSE);
        tx.deleteLedger(AYSE);
        tx.deleteOutbox("k-a");
      });

      assertThat(readAudit(0, 10)).isEmpty();
      assertThat(readTombstones(List.of("h-ayse")).isEmpty()).isTrue();
      assertThat(readEvent("m-1")).contains(a);
      assertThat(readEvents(List.of(AYSE_EMAIL))).containsExactly(a);
      assertThat(readNode(AYSE_EMAIL)).isPresent();
      assertThat(readDeliveries(AYSE)).hasSize(1);
      assertThat(readLedger(AYSE)).hasSize(1);
      assertThat(readOutbox("k-a")).isPresent();
    }

    @Test
    @DisplayName("bad arguments are refused naming the field")
    void badArguments() {
      assertThatThrownBy(() -> update(tx -> tx.putTombstone("", at(1))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hash");
      assertThatThrownBy(() -> readAudit(0, 0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
      assertThatThrownBy(() -> new AuditEntry(0, at(1), "", null, null, "{}"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operation");
    }
  }

  @Nested
  @DisplayName("Workspaces")
  class Workspaces {

    @Test
    @DisplayName("data written in one workspace is invisible in another, through every read")
    void isolation() {
      writeOneOfEach(SHOP);

      store.read(OTHER_SHOP, tx -> {
        assertThat(tx.event("m-order")).isEmpty();
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL, AYSE_CARD))).isEmpty();
        assertThat(tx.eventNameCounts()).isEmpty();
        assertThat(tx.node(AYSE_EMAIL)).isEmpty();
        assertThat(tx.nodesOfProfile(AYSE)).isEmpty();
        assertThat(tx.nodesOfComponent("c-1")).isEmpty();
        assertThat(tx.component("c-1")).isEmpty();
        assertThat(tx.links("c-1")).isEmpty();
        assertThat(tx.profile(AYSE)).isEmpty();
        assertThat(tx.redirect(BOB)).isEmpty();
        assertThat(tx.ledger(AYSE)).isEmpty();
        assertThat(tx.ledger(BOB)).isEmpty();
        assertThat(tx.profilesAfter(null, 10)).isEmpty();
        assertThat(tx.metadata("")).isEmpty();
        assertThat(tx.memberships(AYSE)).isEmpty();
        assertThat(tx.members("vip", null, 10)).isEmpty();
        assertThat(tx.check(AYSE)).isEmpty();
        assertThat(tx.dueChecks(Instant.MAX, 10)).isEmpty();
        return null;
      });
    }

    @Test
    @DisplayName("the same keys in two workspaces are separate records")
    void sameKeysSeparateRecords() {
      writeOneOfEach(SHOP);
      StoredEvent otherOrder = order("m-order", at(7), BOB_EMAIL);
      Link otherLink = link("m-x", at(7), AYSE_EMAIL, BOB_EMAIL);

      store.write(OTHER_SHOP, tx -> {
        assertThat(tx.insertEvent(otherOrder)).isTrue();
        tx.putNode(node(AYSE_EMAIL, BOB, "c-1"));
        tx.putComponent(component("c-1", null));
        tx.addLink("c-1", otherLink);
        tx.putProfile(profile(AYSE, 1));
        tx.putRedirect(BOB, CAROL);
        tx.appendLedger(conflict(CAROL, AYSE, "m-x", at(7)));
        tx.moveLinks("c-1", "c-9");
        tx.deleteComponent("c-1");
        return null;
      });

      read(tx -> {
        assertThat(tx.event("m-order")).contains(order("m-order", at(1), AYSE_EMAIL, AYSE_CARD));
        assertThat(tx.eventsByAnchors(List.of(BOB_EMAIL))).isEmpty();
        assertThat(tx.eventNameCounts()).isEqualTo(Map.of("Order Completed", 1L));
        assertThat(tx.node(AYSE_EMAIL)).contains(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).isEmpty();
        assertThat(tx.nodesOfComponent("c-1")).hasSize(2);
        assertThat(tx.component("c-1")).isPresent();
        assertThat(tx.links("c-1")).containsExactly(link("m-link", at(1), AYSE_EMAIL, AYSE_CARD));
        assertThat(tx.links("c-9")).isEmpty();
        assertThat(tx.profile(AYSE)).contains(richProfile(AYSE, 3));
        assertThat(tx.redirect(BOB)).contains(AYSE);
        assertThat(tx.ledger(AYSE)).containsExactly(merged(AYSE, BOB, "m-order", at(2)));
        assertThat(tx.ledger(CAROL)).isEmpty();
        return null;
      });
      store.read(OTHER_SHOP, tx -> {
        assertThat(tx.event("m-order")).contains(otherOrder);
        assertThat(tx.links("c-9")).containsExactly(otherLink);
        assertThat(tx.profile(AYSE)).contains(profile(AYSE, 1));
        assertThat(tx.redirect(BOB)).contains(CAROL);
        return null;
      });
    }

    @Test
    @DisplayName("a failed write in one workspace leaves another untouched")
    void failureIsolated() {
      writeOneOfEach(OTHER_SHOP);

      updateAndFail(tx -> tx.putProfile(profile(AYSE, 9)));

      assertThat(readProfile(OTHER_SHOP, AYSE)).contains(richProfile(AYSE, 3));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Concurrency")
  class Concurrency {

    private static final int THREADS = 4;
    private static final int WRITES_PER_THREAD = 500;
    private static final long TIMEOUT_SECONDS = 120;

    @Test
    @DisplayName("concurrent read-modify-write transactions in one workspace lose no update")
    void noLostUpdates() throws Exception {
      update(tx -> tx.putProfile(profile(AYSE, 1)));
      AtomicInteger committed = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < WRITES_PER_THREAD; i++) {
              String messageId = "t" + thread + "-" + i;
              Instant time = at(i);
              store.write(SHOP, tx -> {
                ProfileRecord p = tx.profile(AYSE).orElseThrow();
                // Work between the read and the write, as the pipeline does, widens the window
                // in which an unserialized store would lose an update.
                tx.insertEvent(viewed(messageId, time, AYSE_COOKIE));
                tx.eventsByAnchors(List.of(AYSE_COOKIE));
                tx.putProfile(new ProfileRecord(AYSE, p.state(), p.identifierCounts(),
                    p.version() + 1));
                return null;
              });
              committed.incrementAndGet();
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : futures) {
          f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(committed.get()).isEqualTo(THREADS * WRITES_PER_THREAD);
      assertThat(readProfile(AYSE).orElseThrow().version())
          .isEqualTo(1L + THREADS * WRITES_PER_THREAD);
      assertThat(readCounts())
          .isEqualTo(Map.of("Product Viewed", (long) THREADS * WRITES_PER_THREAD));
    }

    @Test
    @DisplayName("a reader running next to a writer sees each transaction whole or not at all")
    void readersNeverSeeHalfATransaction() throws Exception {
      int writes = 300;
      AtomicBoolean writerDone = new AtomicBoolean();
      AtomicInteger reads = new AtomicInteger();
      List<String> violations = Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> writer = pool.submit(() -> {
          try {
            for (int i = 1; i <= writes; i++) {
              long version = i;
              String messageId = "w-" + i;
              store.write(SHOP, tx -> {
                tx.putProfile(profile(AYSE, version));
                tx.insertEvent(viewed(messageId, at((int) version), AYSE_COOKIE));
                tx.putProfile(profile(BOB, version));
                return null;
              });
            }
          } finally {
            writerDone.set(true);
          }
          return null;
        });
        Future<?> reader = pool.submit(() -> {
          boolean last = false;
          while (!last) {
            last = writerDone.get();
            store.read(SHOP, tx -> {
              long a = tx.profile(AYSE).map(ProfileRecord::version).orElse(0L);
              long events = tx.eventsByAnchors(List.of(AYSE_COOKIE)).size();
              long counted = tx.eventNameCounts().getOrDefault("Product Viewed", 0L);
              long b = tx.profile(BOB).map(ProfileRecord::version).orElse(0L);
              if (a != b || a != events || a != counted) {
                violations.add("ayse=" + a + " events=" + events + " counted=" + counted
                    + " bob=" + b);
              }
              return null;
            });
            reads.incrementAndGet();
          }
          return null;
        });
        writer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        reader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }

      assertThat(violations).isEmpty();
      assertThat(reads.get()).isPositive();
      assertThat(readProfile(BOB)).contains(profile(BOB, writes));
    }

    @Test
    @DisplayName("writes are invisible to other threads until the transaction commits")
    void uncommittedWritesAreInvisible() throws Exception {
      CountDownLatch written = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicBoolean released = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> writer = pool.submit(() -> store.write(SHOP, tx -> {
          tx.putProfile(profile(AYSE, 1));
          tx.insertEvent(order("m-1", at(1), AYSE_EMAIL));
          written.countDown();
          try {
            release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
          return null;
        }));
        assertThat(written.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        // A store may make the reader wait for the writer, or answer from before it.
        Future<Boolean> reader = pool.submit(() -> {
          boolean sawWrite = store.read(SHOP, tx -> tx.profile(AYSE).isPresent()
              || tx.event("m-1").isPresent() || !tx.eventNameCounts().isEmpty());
          return sawWrite && !released.get();
        });
        try {
          assertThat(reader.get(300, TimeUnit.MILLISECONDS)).as("saw uncommitted data").isFalse();
        } catch (TimeoutException blockedByWriter) {
          // allowed: checked again below, once the writer commits
        }
        released.set(true);
        release.countDown();
        writer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(reader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            .as("saw uncommitted data").isFalse();
      } finally {
        release.countDown();
        pool.shutdownNow();
      }

      assertThat(readProfile(AYSE)).contains(profile(AYSE, 1));
    }

    @Test
    @DisplayName("writers in different workspaces do not disturb each other")
    void workspacesInParallel() throws Exception {
      List<WorkspaceId> shops = List.of(SHOP, OTHER_SHOP, WorkspaceId.of("shop-berlin"),
          WorkspaceId.of("shop-izmir"));
      for (WorkspaceId ws : shops) {
        update(ws, tx -> tx.putProfile(profile(AYSE, 1)));
      }
      ExecutorService pool = Executors.newFixedThreadPool(shops.size());
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (WorkspaceId ws : shops) {
          futures.add(pool.submit(() -> {
            for (int i = 0; i < 200; i++) {
              store.write(ws, tx -> {
                ProfileRecord p = tx.profile(AYSE).orElseThrow();
                tx.putProfile(new ProfileRecord(AYSE, p.state(), p.identifierCounts(),
                    p.version() + 1));
                return null;
              });
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      for (WorkspaceId ws : shops) {
        assertThat(readProfile(ws, AYSE).orElseThrow().version())
            .as("version in %s", ws).isEqualTo(201L);
      }
    }

    /** What the extension reads of {@link #SHOP} show, as plain values. */
    private Map<String, Object> extensionState(ReadTransaction tx) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("scan", tx.profilesAfter(null, 100));
      s.put("metadata", Map.copyOf(tx.metadata("")));
      for (ProfileId p : List.of(AYSE, BOB)) {
        s.put("memberships of " + p, tx.memberships(p));
        s.put("check of " + p, tx.check(p));
      }
      s.put("members", tx.members("vip", null, 100));
      s.put("due", tx.dueChecks(Instant.MAX, 100));
      return s;
    }

    @Test
    @DisplayName("scanned profiles, metadata, memberships and checks written by a transaction are"
        + " invisible to other threads until it commits")
    void uncommittedExtensionWritesAreInvisible() throws Exception {
      update(tx -> {
        tx.putProfile(profile(BOB, 1));
        tx.putMetadata("segment/vip", "v1");
        tx.putMembership(membership("vip", BOB, at(1)));
        tx.putCheck(check(BOB, at(1)));
      });
      Map<String, Object> before = read(this::extensionState);
      CountDownLatch written = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> writer = pool.submit(() -> store.write(SHOP, tx -> {
          tx.putProfile(profile(AYSE, 1));
          tx.deleteProfile(BOB);
          tx.putMetadata("segment/vip", "v2");
          tx.putMetadata("segment/churn", "c1");
          tx.putMembership(membership("vip", AYSE, at(2)));
          tx.deleteMembership("vip", BOB);
          tx.putCheck(check(AYSE, at(0)));
          tx.putCheck(check(BOB, at(9)));
          written.countDown();
          try {
            release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
          return null;
        }));
        assertThat(written.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        // A store may make the reader wait for the writer, or answer from before it.
        AtomicBoolean released = new AtomicBoolean();
        Future<Map<String, Object>> reader = pool.submit(() -> {
          Map<String, Object> seen = store.read(SHOP, this::extensionState);
          return released.get() ? before : seen;
        });
        try {
          assertThat(reader.get(300, TimeUnit.MILLISECONDS)).as("state seen while uncommitted")
              .isEqualTo(before);
        } catch (TimeoutException blockedByWriter) {
          // allowed: the reader waits for the commit
        }
        released.set(true);
        release.countDown();
        writer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(reader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(before);
      } finally {
        release.countDown();
        pool.shutdownNow();
      }

      read(tx -> {
        assertThat(tx.profilesAfter(null, 10)).containsExactly(profile(AYSE, 1));
        assertThat(tx.metadata("")).containsExactly(entry("segment/churn", "c1"),
            entry("segment/vip", "v2"));
        assertThat(tx.members("vip", null, 10)).containsExactly(membership("vip", AYSE, at(2)));
        assertThat(tx.memberships(BOB)).isEmpty();
        assertThat(tx.dueChecks(Instant.MAX, 10)).containsExactly(check(AYSE, at(0)),
            check(BOB, at(9)));
        return null;
      });
    }

    @Test
    @DisplayName("a reader running next to a writer sees the profiles, metadata, memberships and"
        + " checks of each transaction whole or not at all")
    void readersNeverSeeHalfAnExtensionWrite() throws Exception {
      int writes = 150;
      AtomicBoolean writerDone = new AtomicBoolean();
      AtomicInteger reads = new AtomicInteger();
      List<String> violations = Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> writer = pool.submit(() -> {
          try {
            for (int i = 1; i <= writes; i++) {
              int step = i;
              ProfileId p = ProfileId.of(String.format(Locale.ROOT, "p-%04d", step));
              store.write(SHOP, tx -> {
                tx.putProfile(profile(p, step));
                tx.putMembership(membership("vip", p, at(step)));
                tx.putCheck(check(p, at(step)));
                tx.putMetadata("progress", Integer.toString(step));
                return null;
              });
            }
          } finally {
            writerDone.set(true);
          }
          return null;
        });
        Future<?> reader = pool.submit(() -> {
          boolean last = false;
          while (!last) {
            last = writerDone.get();
            store.read(SHOP, tx -> {
              int progress = Integer.parseInt(tx.metadata("progress").getOrDefault("progress",
                  "0"));
              int scanned = scan(tx, 64).size();
              int members = members(tx, "vip", 64).size();
              int due = tx.dueChecks(Instant.MAX, 1_000).size();
              ProfileId latest = ProfileId.of(String.format(Locale.ROOT, "p-%04d", progress));
              boolean latestWhole = progress == 0 || (!tx.memberships(latest).isEmpty()
                  && tx.check(latest).isPresent() && tx.profile(latest).isPresent());
              ProfileId next = ProfileId.of(String.format(Locale.ROOT, "p-%04d", progress + 1));
              boolean nextAbsent = tx.memberships(next).isEmpty() && tx.check(next).isEmpty()
                  && tx.profile(next).isEmpty();
              if (scanned != progress || members != progress || due != progress || !latestWhole
                  || !nextAbsent) {
                violations.add("progress=" + progress + " scanned=" + scanned + " members="
                    + members + " due=" + due + " latestWhole=" + latestWhole + " nextAbsent="
                    + nextAbsent);
              }
              return null;
            });
            reads.incrementAndGet();
          }
          return null;
        });
        writer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        reader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }

      assertThat(violations).isEmpty();
      assertThat(reads.get()).isPositive();
      assertThat(readMembers("vip", null, 1_000)).hasSize(writes);
    }

    @Test
    @DisplayName("a reader running next to a writer sees the outbox entries, delivery lines and"
        + " metadata of each transaction whole or not at all")
    void readersNeverSeeHalfAWrite() throws Exception {
      int writes = 120;
      AtomicBoolean writerDone = new AtomicBoolean();
      AtomicInteger reads = new AtomicInteger();
      List<String> violations = Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> writer = pool.submit(() -> {
          try {
            for (int i = 1; i <= writes; i++) {
              int step = i;
              String key = String.format(Locale.ROOT, "k-%04d", step);
              store.write(SHOP, tx -> {
                tx.insertOutbox(pending(key, at(step)));
                tx.putDelivery(delivery(key, AYSE, at(step), "sending"));
                // Every other transaction also writes a record outside the outbox and history.
                if (step % 2 == 0) {
                  tx.putMetadata("progress", Integer.toString(step));
                }
                return null;
              });
            }
          } finally {
            writerDone.set(true);
          }
          return null;
        });
        Future<?> reader = pool.submit(() -> {
          boolean last = false;
          while (!last) {
            last = writerDone.get();
            store.read(SHOP, tx -> {
              int progress = Integer.parseInt(tx.metadata("progress").getOrDefault("progress",
                  "0"));
              int outbox = outboxPages(tx, OutboxEntry.Status.PENDING, 50).size();
              int lines = tx.deliveries(AYSE).size();
              if (outbox != lines || progress != outbox - outbox % 2) {
                violations.add("outbox=" + outbox + " deliveries=" + lines + " progress="
                    + progress);
              }
              return null;
            });
            reads.incrementAndGet();
          }
          return null;
        });
        writer.get(120, TimeUnit.SECONDS);
        reader.get(120, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }

      assertThat(violations).isEmpty();
      assertThat(reads.get()).isPositive();
      assertThat(readDeliveries(AYSE)).hasSize(writes);
    }
  }
}
