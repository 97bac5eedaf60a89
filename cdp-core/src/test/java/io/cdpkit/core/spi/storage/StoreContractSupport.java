package io.cdpkit.core.spi.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.cdpkit.core.traits.AggregateState;
import io.cdpkit.core.traits.Partial;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.jspecify.annotations.Nullable;

/**
 * What the storage contract suites ({@link StoreContractTest},
 * {@link MetadataStorageContractTest}, {@link PrivacyStorageContractTest}, and those of the
 * modules that own a capability) share: the store of each test, made by {@link #createStore()}
 * and closed afterwards, the workspaces, records to write and ways to read them. A store runs a
 * suite by subclassing it; see {@link StoreContractTest}.
 */
public abstract class StoreContractSupport {

  /** The workspace most tests write to. */
  protected static final WorkspaceId SHOP = WorkspaceId.of("shop-amsterdam");
  /** Another workspace, for isolation. */
  protected static final WorkspaceId OTHER_SHOP = WorkspaceId.of("shop-istanbul");

  protected static final Instant T0 = Instant.parse("2026-03-01T10:15:00Z");

  protected static final Identifier AYSE_EMAIL = Identifier.email("ayse.yilmaz@example.com");
  protected static final Identifier AYSE_CUSTOMER = Identifier.customerId("C-1001");
  protected static final Identifier AYSE_CARD = Identifier.loyaltyCard("2900012345678");
  protected static final Identifier AYSE_COOKIE = Identifier.anonymousId("anon-7f3e9a");
  protected static final Identifier BOB_EMAIL = Identifier.email("bob@example.org");
  protected static final Identifier BOB_PHONE = Identifier.phone("+31612345678");
  protected static final Identifier MEMBERSHIP =
      Identifier.of(IdentifierType.of("membership_no"), "M-77");

  protected static final ProfileId AYSE = ProfileId.of("p-ayse");
  protected static final ProfileId BOB = ProfileId.of("p-bob");
  protected static final ProfileId CAROL = ProfileId.of("p-carol");

  /** How long the concurrency helpers wait for another thread before they fail. */
  protected static final long WAIT_SECONDS = 120;

  protected Store store;

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
  protected void openStore() {
    store = Objects.requireNonNull(createStore(), "createStore() returned null");
  }

  @AfterEach
  protected void releaseStore() {
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

  protected void update(Consumer<WriteTransaction> work) {
    update(SHOP, work);
  }

  protected void update(WorkspaceId ws, Consumer<WriteTransaction> work) {
    store.write(ws, tx -> {
      work.accept(tx);
      return null;
    });
  }

  protected <T> T read(Function<ReadTransaction, T> work) {
    return store.read(SHOP, work);
  }

  protected Optional<StoredEvent> readEvent(String messageId) {
    return store.read(SHOP, tx -> tx.event(messageId));
  }

  protected List<StoredEvent> readEvents(List<Identifier> anchors) {
    return store.read(SHOP, tx -> tx.eventsByAnchors(anchors));
  }

  protected Map<String, Long> readCounts() {
    return store.read(SHOP, ReadTransaction::eventNameCounts);
  }

  protected Optional<IdentityNode> readNode(Identifier identifier) {
    return store.read(SHOP, tx -> tx.node(identifier));
  }

  protected List<IdentityNode> readNodesOfProfile(ProfileId profile) {
    return store.read(SHOP, tx -> tx.nodesOfProfile(profile));
  }

  protected List<IdentityNode> readNodesOfComponent(String component) {
    return store.read(SHOP, tx -> tx.nodesOfComponent(component));
  }

  protected Optional<ComponentRecord> readComponent(String id) {
    return store.read(SHOP, tx -> tx.component(id));
  }

  protected List<Link> readLinks(String component) {
    return store.read(SHOP, tx -> tx.links(component));
  }

  protected Optional<ProfileRecord> readProfile(ProfileId id) {
    return readProfile(SHOP, id);
  }

  protected Optional<ProfileRecord> readProfile(WorkspaceId ws, ProfileId id) {
    return store.read(ws, tx -> tx.profile(id));
  }

  protected Optional<ProfileId> readRedirect(ProfileId mergedAway) {
    return store.read(SHOP, tx -> tx.redirect(mergedAway));
  }

  protected List<LedgerEntry> readLedger(ProfileId profile) {
    return store.read(SHOP, tx -> tx.ledger(profile));
  }

  protected List<ProfileRecord> readProfilesAfter(WorkspaceId ws, ProfileId after, int limit) {
    return store.read(ws, tx -> tx.profilesAfter(after, limit));
  }

  protected List<ProfileRecord> readScan(int pageSize) {
    return store.read(SHOP, tx -> scan(tx, pageSize));
  }

  /**
   * A text of exactly {@code length} characters mixing ASCII, Turkish letters, a dash, quotes
   * and a character outside the Basic Multilingual Plane (two UTF-16 units), never ending in
   * half of one.
   */
  protected static String longText(int length) {
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

  /** Minutes after {@link #T0}, the inverse of {@link #at}. */
  protected static long minutes(Instant time) {
    return Duration.between(T0, time).toMinutes();
  }

  /**
   * Every live profile, a page of {@code pageSize} at a time until an empty page; checks that
   * every page but the last is full and that pages follow each other in order.
   */
  protected static List<ProfileRecord> scan(ReadTransaction tx, int pageSize) {
    return pages(tx::profilesAfter, ProfileRecord::id, pageSize);
  }

  /**
   * Every item of a paged listing, a page of {@code pageSize} at a time from the start (a
   * {@code null} cursor) until an empty page; checks that no page is longer than
   * {@code pageSize} and that no page follows a short one.
   *
   * @param page the page after a cursor, of at most a limit
   * @param cursorOf the cursor the last item of a page leaves for the next page
   */
  protected static <T, C> List<T> pages(BiFunction<@Nullable C, Integer, List<T>> page,
      Function<T, C> cursorOf, int pageSize) {
    List<T> out = new ArrayList<>();
    C after = null;
    boolean shortPage = false;
    while (true) {
      List<T> next = page.apply(after, pageSize);
      if (next.isEmpty()) {
        return out;
      }
      assertThat(shortPage).as("a page of %d came after a short page", next.size()).isFalse();
      assertThat(next.size()).isLessThanOrEqualTo(pageSize);
      shortPage = next.size() < pageSize;
      out.addAll(next);
      after = cursorOf.apply(next.get(next.size() - 1));
    }
  }

  /**
   * {@code n} distinct profile ids in random order, from an alphabet on which String.compareTo
   * and a language's collation disagree (case, '-', '.', '_', digits).
   */
  protected static List<ProfileId> awkwardIds(int n) {
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
  protected static long versionOf(ProfileId id) {
    return 1 + (id.value().hashCode() & 0xffff);
  }

  /** Runs {@code work} in a write transaction that then throws; checks the throw propagates. */
  protected void updateAndFail(Consumer<WriteTransaction> work) {
    RuntimeException boom = new IllegalStateException("payment service down");
    assertThatThrownBy(() -> store.write(SHOP, tx -> {
      work.accept(tx);
      throw boom;
    })).isSameAs(boom);
  }

  // ---------------------------------------------------------------------------------------------
  // Concurrency

  /**
   * Starts on {@code pool} a write transaction of {@code ws} that runs {@code work} and then
   * holds its writes, uncommitted, until {@code release} is counted down (or
   * {@link #WAIT_SECONDS} pass); it then commits or, if {@code fail}, throws
   * {@link IllegalStateException}. Returns once {@code work} has run (checking that it does
   * within {@link #WAIT_SECONDS}), with the writer's future.
   */
  protected Future<?> startHeldWrite(ExecutorService pool, WorkspaceId ws,
      Consumer<WriteTransaction> work, CountDownLatch release, boolean fail)
      throws InterruptedException {
    CountDownLatch written = new CountDownLatch(1);
    Future<?> writer = pool.submit(() -> store.write(ws, tx -> {
      work.accept(tx);
      written.countDown();
      try {
        release.await(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (fail) {
        throw new IllegalStateException("payment service down");
      }
      return null;
    }));
    assertThat(written.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("writes done").isTrue();
    return writer;
  }

  /**
   * Checks that what {@code work} writes in a write transaction of {@link #SHOP} is invisible to
   * other threads until it commits: while the writer holds its writes, a reader on another
   * thread gets the same {@code view} of {@code SHOP} as one read before the writer started. A
   * store may instead make the reader wait for the commit. Then lets the writer commit.
   */
  protected <T> void assertUncommittedWritesInvisible(Consumer<WriteTransaction> work,
      Function<ReadTransaction, T> view) throws Exception {
    T before = store.read(SHOP, view);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> writer = startHeldWrite(pool, SHOP, work, release, false);
      // A store may make the reader wait for the writer, or answer from before it.
      AtomicBoolean released = new AtomicBoolean();
      Future<T> reader = pool.submit(() -> {
        T seen = store.read(SHOP, view);
        return released.get() ? before : seen;
      });
      try {
        assertThat(reader.get(300, TimeUnit.MILLISECONDS)).as("seen while uncommitted")
            .isEqualTo(before);
      } catch (TimeoutException blockedByWriter) {
        // allowed: the reader waits for the commit
      }
      released.set(true);
      release.countDown();
      writer.get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(reader.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("seen while uncommitted")
          .isEqualTo(before);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  /**
   * Runs {@code writes} write transactions of {@link #SHOP} one after another on one thread
   * ({@code write} gets each transaction and its number, from 1) while another thread reads
   * {@code SHOP} again and again until the writer is done. {@code check} says what a read saw
   * of a transaction only in part, or returns {@code null}. Checks that no read saw a part and
   * that at least one read ran.
   */
  protected void assertReadersSeeWholeTransactions(int writes,
      ObjIntConsumer<WriteTransaction> write,
      Function<ReadTransaction, @Nullable String> check) throws Exception {
    AtomicBoolean writerDone = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    List<String> violations = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> writer = pool.submit(() -> {
        try {
          for (int i = 1; i <= writes; i++) {
            int step = i;
            store.write(SHOP, tx -> {
              write.accept(tx, step);
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
          String violation = store.read(SHOP, check);
          if (violation != null) {
            violations.add(violation);
          }
          reads.incrementAndGet();
        }
        return null;
      });
      writer.get(WAIT_SECONDS, TimeUnit.SECONDS);
      reader.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    assertThat(violations).isEmpty();
    assertThat(reads.get()).isPositive();
  }

  protected static Instant at(int minutes) {
    return T0.plusSeconds(60L * minutes);
  }

  protected static StoredEvent stored(Event e, Identifier... identifiers) {
    return new StoredEvent(e, e.key(), List.of(identifiers),
        identifiers.length == 0 ? null : identifiers[0]);
  }

  protected static StoredEvent viewed(String messageId, Instant time, Identifier... identifiers) {
    return stored(Event.track("Product Viewed")
        .messageId(messageId)
        .anonymousId("anon-7f3e9a")
        .property("sku", "SKU-" + messageId)
        .channel(Channels.WEB)
        .timestamp(time)
        .build(), identifiers);
  }

  protected static StoredEvent order(String messageId, Instant time, Identifier... identifiers) {
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

  protected static StoredEvent identify(String messageId, Instant time, Identifier... identifiers) {
    return stored(Event.identify()
        .messageId(messageId)
        .userId("C-1001")
        .trait("email", "ayse.yilmaz@example.com")
        .trait("first_name", "Ayşe")
        .receivedAt(time)
        .build(), identifiers);
  }

  /** An event using every field, with awkward values. */
  protected static StoredEvent richOrder() {
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

  protected static IdentityNode node(Identifier id, ProfileId profile, String component) {
    return new IdentityNode(id, profile, component);
  }

  protected static Link link(String messageId, Instant time, Identifier... identifiers) {
    return new Link(new EventKey(time, messageId), List.of(identifiers));
  }

  protected static ComponentRecord component(String id, Link latest, DoNotLinkRule... rules) {
    return new ComponentRecord(id, latest == null ? null : latest.key(), List.of(rules));
  }

  protected static ProfileRecord profile(ProfileId id, long version) {
    return new ProfileRecord(id, ProfileState.EMPTY, Map.of(IdentifierType.EMAIL, 1), version);
  }

  /** States of the web traits' partials (timeline, recent values), all-time and by day. */
  private static Map<String, io.cdpkit.core.traits.AggregateState> webComputed() {
    io.cdpkit.core.traits.Partial.Timeline timeline = new io.cdpkit.core.traits.Partial.Timeline(
        List.of(new io.cdpkit.core.traits.Partial.Hit(at(40), "", 2, 1),
            new io.cdpkit.core.traits.Partial.Hit(at(40), "sess-İ🎉", 1, 1),
            new io.cdpkit.core.traits.Partial.Hit(at(41).plusNanos(1), "1709373600123", 5, 0)));
    Map<Object, Instant> recent = new LinkedHashMap<>();
    recent.put("red dress", at(42));
    recent.put("İstanbul 🎉", at(43));
    recent.put(7L, at(42));
    return Map.of(
        "_web_timeline", io.cdpkit.core.traits.AggregateState.total(timeline),
        "recent_search_terms", io.cdpkit.core.traits.AggregateState.total(
            new io.cdpkit.core.traits.Partial.Recent(recent)),
        "visits_by_day", io.cdpkit.core.traits.AggregateState.days(new long[] {20_000, 20_001},
            new io.cdpkit.core.traits.Partial[] {timeline,
                new io.cdpkit.core.traits.Partial.Timeline(List.of())}));
  }

  /** A profile using every part of the state, with awkward values. */
  protected static ProfileRecord richProfile(ProfileId id, long version) {
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
    Map<String, AggregateState> computed = new HashMap<>(webComputed());
    computed.putAll(loyaltyComputed());
    ProfileState state = ProfileState.of(traits, consents, at(1), at(45), channels, stores,
        orders, counts, computed);
    return new ProfileRecord(id, state, Map.of(IdentifierType.EMAIL, 2,
        IdentifierType.CUSTOMER_ID, 1, IdentifierType.of("membership_no"), 1), version);
  }

  /**
   * Computed-trait states holding loyalty ledgers: all-time and by day, every entry kind, with
   * and without expiry, negative adjustments, the largest points, entries sharing an instant.
   */
  protected static Map<String, AggregateState> loyaltyComputed() {
    Partial.Ledger ledger = new Partial.Ledger(List.of(
        new Partial.LedgerEntry(at(1), "pos-1", "default", Partial.LedgerKind.EARNED, 1_200,
            at(1).plus(Duration.ofDays(365))),
        new Partial.LedgerEntry(at(1), "pos-2", "club", Partial.LedgerKind.EARNED,
            1_000_000_000_000L, null),
        new Partial.LedgerEntry(at(2), "web-1", "default", Partial.LedgerKind.REDEEMED, 450,
            null),
        new Partial.LedgerEntry(at(3), "crm-1", "default", Partial.LedgerKind.ADJUSTED, -30,
            null),
        new Partial.LedgerEntry(at(4), "crm-2", "default", Partial.LedgerKind.EXPIRED, 0,
            null)));
    Partial.Ledger day = Partial.Ledger.of(new Partial.LedgerEntry(at(5), "app-1", "default",
        Partial.LedgerKind.ADJUSTED, 25, at(6)));
    return Map.of("loyalty_ledger", AggregateState.total(ledger),
        "loyalty_by_day", AggregateState.days(new long[] {20_000, 20_001},
            new Partial[] {ledger, day}));
  }

  protected static LedgerEntry merged(ProfileId survivor, ProfileId mergedAway, String messageId,
      Instant recordedAt) {
    return new LedgerEntry(LedgerEntry.Kind.MERGED, survivor, mergedAway, AYSE_EMAIL, messageId,
        at(5), recordedAt, "shared identifier");
  }

  protected static LedgerEntry conflict(ProfileId profile, ProfileId other, String messageId,
      Instant recordedAt) {
    return new LedgerEntry(LedgerEntry.Kind.CONFLICT, profile, other, AYSE_CUSTOMER, messageId,
        at(6), recordedAt, "limit: customer_id max 1");
  }

  /** Writes one of each kind of record in {@code ws}. */
  protected void writeOneOfEach(WorkspaceId ws) {
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
    });
  }
}
