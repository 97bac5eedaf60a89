package io.cdpkit.storage.jdbc.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.catalog.Catalog;
import io.cdpkit.core.catalog.CatalogChange;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.CatalogTraits;
import io.cdpkit.storage.jdbc.redteam.RedTeamStores;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalog's contract on every store (in memory, H2 file, PostgreSQL, MariaDB): products
 * come back exactly as put, skus are told apart exactly (case, LIKE and quoting characters,
 * unicode, the longest), the catalog survives a restart, workspaces never see each other's
 * products, another node sees a change once its clock has passed the refresh interval and joins
 * its events with it from then on, and what a person's events carry (a {@code $catalog} object,
 * a catalog event's name) changes neither traits nor products.
 */
class CatalogOnEveryStoreTest {
  static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
  static final Instant T1 = Instant.parse("2026-04-01T00:00:00Z");
  static final Instant T2 = Instant.parse("2026-04-20T08:30:00Z");
  static final Duration PAST_REFRESH = Duration.ofMillis(1_001);

  static Cdp cdp(Store store, MutableClock clock) {
    return CatalogLawTest.cdp(store, clock);
  }

  static String text(int n, String unit) {
    StringBuilder b = new StringBuilder();
    while (b.length() < n) {
      b.append(unit);
    }
    return b.substring(0, n);
  }

  /** Products whose values and skus a store could get wrong. */
  static List<Product> tricky() {
    List<Product> out = new ArrayList<>();
    out.add(Product.builder("SH-1")
        .name("Chemise \u00E0 carreaux \u2014 \u7D33\u58EB \uD83E\uDDF5 \u0130stanbul")
        .category("shirts").type("simple").brand("\u00C5cme").group("SH")
        .price(Money.of(1999, "EUR")).stock(Long.MAX_VALUE)
        .createdAt(Instant.parse("2026-02-03T04:05:06.123456789Z"))
        .attribute("colour", "r\u00F6d \uD83D\uDD34").attribute("organic", true)
        .attribute("limited", false).attribute("weight_g", 250)
        .attribute("ratio", new BigDecimal("0.125")).attribute("delta", -12.5)
        .attribute("huge", new BigInteger("123456789012345678901234567890"))
        .attribute("round", new BigDecimal("1E+30")).attribute("tiny", new BigDecimal("1E-30"))
        .attribute("trailing", new BigDecimal("2.50")).attribute("zero", 0)
        .attribute("long_max", Long.MAX_VALUE).attribute("long_min", Long.MIN_VALUE).build());
    // The same sku but for case: a different product.
    out.add(Product.builder("sh-1").brand("lower").build());
    out.add(Product.builder(text(Product.MAX_SKU_LENGTH, "x")).name("longest sku").build());
    out.add(Product.builder(text(Product.MAX_SKU_LENGTH, "\uD83E\uDDF5"))
        .name("longest sku, 64 code points").build());
    out.add(Product.builder("JPY-1").price(Money.of(1500, "JPY")).build());
    out.add(Product.builder("BHD-1").price(Money.of(1005, "BHD")).build());
    out.add(Product.builder("FREE").price(Money.of(0, "EUR")).stock(0).build());
    out.add(Product.builder("DEAR").price(Money.of(Money.MAX_AMOUNT_MINOR_UNITS, "EUR")).build());
    out.add(Product.builder("OLD").createdAt(Instant.parse("1969-07-20T20:17:40Z")).build());
    out.add(Product.builder("EPOCH").createdAt(Instant.EPOCH).build());
    out.add(Product.builder("FAR").createdAt(Instant.parse("9999-12-31T23:59:59.999999999Z"))
        .build());
    Product.Builder full = Product.builder("FULL").name(text(Product.MAX_TEXT_LENGTH, "\u00E9a"));
    for (int i = 0; i < Product.MAX_ATTRIBUTES; i++) {
      full.attribute("a" + i, text(Product.MAX_TEXT_LENGTH, "\uD83E\uDDF5z" + i));
    }
    out.add(full.build());
    out.add(Product.builder("bare").build());
    List<String> skus = List.of("a/b", "50%", "it's", "_x_", "%", "_", "!", "a!b", "back\\slash",
        "\"quoted\"", "semi;colon", "core.catalog.version", "caf\u00E9", "cafe\u0301",
        "\u0130I\u0131i", "1007", "a b");
    for (String sku : skus) {
      out.add(Product.builder(sku).name("sku " + sku).brand("B " + sku)
          .createdAt(T1.plusSeconds(sku.length())).build());
    }
    return out;
  }

  static Map<String, Product> bySku(List<Product> products) {
    Map<String, Product> m = new TreeMap<>();
    products.forEach(p -> m.put(p.sku(), p));
    return m;
  }

  /** Every read of the catalog gives exactly {@code want}. */
  static void assertHolds(Catalog c, Map<String, Product> want) {
    assertThat(c.size()).isEqualTo(want.size());
    assertThat(c.list(null, 10_000)).containsExactlyElementsOf(want.values());
    for (Product p : want.values()) {
      Product got = c.product(p.sku()).orElseThrow(() -> new AssertionError(p.sku()));
      assertThat(got).isEqualTo(p);
      assertThat(got.fields()).isEqualTo(p.fields());
      assertThat(got.toProperties()).isEqualTo(p.toProperties());
    }
    // Pages of three, from each sku on.
    List<Product> paged = new ArrayList<>();
    String after = null;
    while (true) {
      List<Product> page = c.list(after, 3);
      if (page.isEmpty()) {
        break;
      }
      paged.addAll(page);
      after = page.get(page.size() - 1).sku();
    }
    assertThat(paged).containsExactlyElementsOf(want.values());
    Instant since = Instant.parse("2026-01-01T00:00:00Z");
    List<Product> fresh = want.values().stream()
        .filter(p -> p.createdAt().map(t -> !t.isBefore(since)).orElse(false))
        .sorted(Comparator.comparing((Product p) -> p.createdAt().orElseThrow()).reversed()
            .thenComparing(Product::sku))
        .toList();
    assertThat(c.newest(since, 10_000)).containsExactlyElementsOf(fresh);
    assertThat(c.newest(since, 2)).containsExactlyElementsOf(fresh.subList(0, 2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("products come back exactly, skus are told apart exactly, and the catalog"
      + " survives a restart")
  void valuesRoundTripAndSurviveARestart(String kind) {
    WorkspaceId ws = WorkspaceId.of("shop");
    List<Product> products = tricky();
    Map<String, Product> want = bySku(products);
    try (RedTeamStores place = RedTeamStores.open(kind)) {
      Store store = place.store();
      try (Cdp cdp = cdp(store, new MutableClock(NOW))) {
        Catalog c = cdp.workspace(ws).catalog();
        assertThat(c.put(products.get(0))).isEqualTo(new CatalogChange(1, 0));
        assertThat(c.put(products.get(0))).as("put again unchanged")
            .isEqualTo(new CatalogChange(0, 0));
        assertThat(c.putAll(products).changed()).isEqualTo(products.size() - 1);
        assertThat(c.putAll(products).changed()).isZero();
        assertHolds(c, want);
        // Exact prices, not rounded by a column type.
        assertThat(c.product("BHD-1").orElseThrow().fields().get("price"))
            .isEqualTo(new BigDecimal("1.005"));
        assertThat(c.product("JPY-1").orElseThrow().price()).contains(Money.of(1500, "JPY"));
        assertThat(c.product("SH-1").orElseThrow().stock()).contains(Long.MAX_VALUE);
        assertThat(c.product("SH-1").orElseThrow().attributes())
            // numbers are kept in their shortest form: no trailing zeros
            .containsEntry("huge",
                new BigDecimal("123456789012345678901234567890").stripTrailingZeros())
            .containsEntry("round", new BigDecimal("1E+30"))
            .containsEntry("tiny", new BigDecimal("1E-30"))
            .containsEntry("trailing", new BigDecimal("2.5"))
            .containsEntry("delta", new BigDecimal("-12.5"))
            .containsEntry("long_min", Long.MIN_VALUE).containsEntry("organic", true);
        // A sku is trimmed when looked up, as when put.
        assertThat(c.product("  SH-1 ")).contains(want.get("SH-1"));

        // Removing one sku removes exactly it: not the one that differs by case, not one that a
        // LIKE pattern would match.
        for (String sku : List.of("SH-1", "_", "%", "cafe\u0301", "!")) {
          assertThat(c.remove(sku).changed()).as("remove %s", sku).isEqualTo(1);
          want.remove(sku);
        }
        assertThat(c.remove("SH-1").changed()).as("removed twice").isZero();
        assertThat(c.remove("never-there").changed()).isZero();
        assertHolds(c, want);
        assertThat(c.product("sh-1")).isPresent();
        assertThat(c.product("caf\u00E9")).isPresent();
      }
      if (!kind.equals("memory")) {
        store.close();
        store = place.store();
      }
      try (Cdp cdp = cdp(store, new MutableClock(NOW))) {
        assertHolds(cdp.workspace(ws).catalog(), want);
        assertThat(cdp.workspace(WorkspaceId.of("other")).catalog().size()).isZero();
      } finally {
        store.close();
      }
    }
  }

  // ------------------------------------------------------------------ workspaces

  static Product shirt(String sku, String brand, Instant created) {
    return Product.builder(sku).brand(brand).category("shirts").createdAt(created).build();
  }

  static Event order(String messageId, String user, String sku, Instant at) {
    return Event.track("Order Completed").messageId(messageId).userId(user)
        .property("order_id", "O-" + messageId).property("total", new BigDecimal("19.99"))
        .property("currency", "EUR").property("products", List.of(Map.of("sku", sku)))
        .timestamp(at).build();
  }

  static Map<String, Object> traits(Workspace w, String user) {
    return w.profiles().find(Identifier.customerId(user)).map(Profile::computedTraits)
        .orElseThrow(() -> new AssertionError("no profile for " + user));
  }

  /** The catalog traits only, absent ones as absent. */
  static Map<String, Object> catalogTraits(Workspace w, String user) {
    Map<String, Object> all = traits(w, user);
    Map<String, Object> out = new LinkedHashMap<>();
    for (String t : CatalogLawTest.TRAITS) {
      if (all.containsKey(t)) {
        out.put(t, all.get(t));
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("a product in one workspace is invisible in another, to reads and to $catalog"
      + " joins, before and after a restart")
  void workspacesAreIsolated(String kind) {
    WorkspaceId a = WorkspaceId.of("shop");
    WorkspaceId b = WorkspaceId.of("shop-b");
    try (RedTeamStores place = RedTeamStores.open(kind)) {
      Store store = place.store();
      try (Cdp cdp = cdp(store, new MutableClock(NOW))) {
        Workspace wa = cdp.workspace(a);
        Workspace wb = cdp.workspace(b);
        wa.catalog().put(shirt("SH-1", "Acme", T1));
        wa.ingest(order("a1", "u1", "SH-1", T2));
        wb.ingest(order("b1", "u1", "SH-1", T2));
        assertThat(wb.catalog().product("SH-1")).isEmpty();
        assertThat(wb.catalog().size()).isZero();
        assertThat(wb.catalog().list(null, 10)).isEmpty();
        assertThat(wb.catalog().newest(Instant.EPOCH, 10)).isEmpty();
        assertThat(traits(wa, "u1")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Acme"))
            .containsEntry(CatalogLawTest.ACME_ORDERS, 1L)
            .containsEntry(CatalogTraits.NEWEST_PRODUCT_BOUGHT_CREATED_AT, T1);
        assertThat(traits(wb, "u1")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of())
            .containsEntry(CatalogLawTest.ACME_ORDERS, 0L);
        assertThat(traits(wb, "u1").get(CatalogTraits.NEWEST_PRODUCT_BOUGHT_CREATED_AT)).isNull();

        // B's own product of the same sku recomputes B's profile only.
        CatalogChange inB = wb.catalog().put(shirt("SH-1", "Bolt", T2));
        assertThat(inB).isEqualTo(new CatalogChange(1, 1));
        assertThat(wa.catalog().product("SH-1")).contains(shirt("SH-1", "Acme", T1));
        assertThat(traits(wa, "u1")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Acme"));
        assertThat(traits(wb, "u1")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Bolt"))
            .containsEntry(CatalogTraits.FAVOURITE_BRAND, "Bolt");

        // A removes its product: B keeps its own, and B's traits.
        wa.catalog().remove("SH-1");
        assertThat(wb.catalog().product("SH-1")).contains(shirt("SH-1", "Bolt", T2));
        assertThat(traits(wa, "u1")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of());
        assertThat(traits(wb, "u1")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Bolt"));
        wa.catalog().put(shirt("SH-1", "Cora", T1));
      }
      if (!kind.equals("memory")) {
        store.close();
        store = place.store();
      }
      try (Cdp cdp = cdp(store, new MutableClock(NOW))) {
        Workspace wa = cdp.workspace(a);
        Workspace wb = cdp.workspace(b);
        assertThat(wa.catalog().list(null, 10)).containsExactly(shirt("SH-1", "Cora", T1));
        assertThat(wb.catalog().list(null, 10)).containsExactly(shirt("SH-1", "Bolt", T2));
        wa.ingest(order("a2", "u2", "SH-1", T2));
        wb.ingest(order("b2", "u2", "SH-1", T2));
        assertThat(traits(wa, "u2")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Cora"));
        assertThat(traits(wb, "u2")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Bolt"));
        assertThat(cdp.workspace(WorkspaceId.of("shop-c")).catalog().size()).isZero();
      } finally {
        store.close();
      }
    }
  }

  // ------------------------------------------------------------------ two nodes

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("another node sees a catalog change once its clock passed the refresh, and joins"
      + " its events with it from then on")
  void anotherNodeSeesAChangeAfterTheRefresh(String kind) {
    // The H2 file store's journaled layout is one instance per directory: its row layout stands
    // for several nodes on one file.
    String k = kind.equals("h2file") ? "h2rows" : kind;
    WorkspaceId ws = WorkspaceId.of("shop");
    MutableClock clockA = new MutableClock(NOW);
    MutableClock clockB = new MutableClock(NOW);
    List<Event> events = new ArrayList<>();
    try (RedTeamStores place = RedTeamStores.open(k)) {
      Store storeA = place.store();
      Store storeB = kind.equals("memory") ? storeA : place.store();
      try (Cdp a = cdp(storeA, clockA); Cdp b = cdp(storeB, clockB)) {
        Workspace wa = a.workspace(ws);
        Workspace wb = b.workspace(ws);
        // B reads the empty catalog, and takes an order for a product not there yet.
        assertThat(wb.catalog().size()).isZero();
        events.add(order("o1", "u1", "SH-1", T2));
        wb.ingest(events.get(0));
        assertThat(traits(wb, "u1")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of());

        // A puts the product: A sees it at once and recomputes u1 in the store.
        assertThat(wa.catalog().put(shirt("SH-1", "Acme", T1)))
            .isEqualTo(new CatalogChange(1, 1));
        assertThat(wa.catalog().product("SH-1")).contains(shirt("SH-1", "Acme", T1));
        assertThat(traits(wb, "u1")).as("u1 as A recomputed it, read on B")
            .containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Acme"));

        // Past the refresh, B sees the product and joins its new orders with it.
        clockB.advance(PAST_REFRESH);
        assertThat(wb.catalog().product("SH-1")).contains(shirt("SH-1", "Acme", T1));
        assertThat(wb.catalog().size()).isEqualTo(1);
        events.add(order("o2", "u2", "SH-1", T2));
        wb.ingest(events.get(1));
        assertThat(traits(wb, "u2")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Acme"))
            .containsEntry(CatalogLawTest.ACME_ORDERS, 1L);
        assertThat(catalogTraits(wa, "u2")).isEqualTo(catalogTraits(wb, "u2"));

        // The brand changes on A; past the refresh, B's orders join with the new brand.
        assertThat(wa.catalog().put(shirt("SH-1", "Bolt", T1)).profilesRecomputed())
            .isEqualTo(2);
        clockB.advance(PAST_REFRESH);
        assertThat(wb.catalog().product("SH-1")).contains(shirt("SH-1", "Bolt", T1));
        events.add(order("o3", "u1", "SH-1", NOW.minusSeconds(60)));
        wb.ingest(events.get(2));
        assertThat(traits(wb, "u1")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Bolt"))
            .containsEntry(CatalogTraits.FAVOURITE_BRAND, "Bolt")
            .containsEntry(CatalogLawTest.ACME_ORDERS, 0L);

        // B writes; A, past its refresh, sees it and joins with it.
        wb.catalog().put(shirt("TR-1", "Cora", T2));
        clockA.advance(PAST_REFRESH);
        assertThat(wa.catalog().product("TR-1")).contains(shirt("TR-1", "Cora", T2));
        events.add(order("o4", "u3", "TR-1", T2));
        wa.ingest(events.get(3));
        assertThat(traits(wa, "u3")).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Cora"));

        // Both write within one refresh interval: the next write of each reloads what the other
        // wrote, so that neither loses a product.
        wb.catalog().put(shirt("B-1", "Bolt", T1));
        wa.catalog().put(shirt("A-1", "Acme", T1));
        wb.catalog().put(shirt("B-2", "Bolt", T1));
        assertThat(wb.catalog().list(null, 10)).extracting(Product::sku)
            .containsExactly("A-1", "B-1", "B-2", "SH-1", "TR-1");
        clockA.advance(PAST_REFRESH);
        assertThat(wa.catalog().list(null, 10)).extracting(Product::sku)
            .containsExactly("A-1", "B-1", "B-2", "SH-1", "TR-1");

        // A removes SH-1; past the refresh B no longer has it.
        wa.catalog().remove("SH-1");
        clockB.advance(PAST_REFRESH);
        assertThat(wb.catalog().product("SH-1")).isEmpty();
        events.add(order("o5", "u4", "SH-1", T2));
        wb.ingest(events.get(4));

        // Every profile, read on either node, is what a fresh Cdp gives from the final catalog.
        try (Cdp fresh = cdp(Store.inMemory(), new MutableClock(NOW))) {
          Workspace f = fresh.workspace(ws);
          f.catalog().putAll(wa.catalog().list(null, 10));
          events.forEach(f::ingest);
          for (String u : List.of("u1", "u2", "u3", "u4")) {
            assertThat(catalogTraits(wa, u)).as("%s on A", u).isEqualTo(catalogTraits(f, u));
            assertThat(catalogTraits(wb, u)).as("%s on B", u).isEqualTo(catalogTraits(f, u));
          }
          assertThat(catalogTraits(wb, "u1"))
              .containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of());
        }
      } finally {
        storeA.close();
        if (storeB != storeA) {
          storeB.close();
        }
      }
    }
  }

  // ------------------------------------------------------------------ forgeries

  /** A {@code $catalog} object a client might send, claiming brand Acme and a new product. */
  static Map<String, Object> forged() {
    return Map.of("brand", "Acme", "category", "forged", "created_at", "2030-01-01T00:00:00Z",
        "sku", "SH-1");
  }

  /**
   * The events of the forgery test: with {@code forge}, every product object and the
   * properties carry a {@code $catalog} object; without, the same events without it.
   */
  static List<Event> shopping(boolean forge) {
    List<Map<String, Object>> lines = new ArrayList<>();
    for (String sku : List.of("SH-1", "NOPE", "SH-2", "")) {
      Map<String, Object> line = new LinkedHashMap<>();
      if (!sku.isEmpty()) {
        line.put("sku", sku);
      }
      line.put("quantity", 1L);
      if (forge) {
        line.put("$catalog", forged());
      }
      lines.add(line);
    }
    Event.Builder o = Event.track("Order Completed").messageId("o1").userId("u1")
        .property("order_id", "O-1").property("total", new BigDecimal("19.99"))
        .property("currency", "EUR").property("products", lines).timestamp(T2);
    Event.Builder v = Event.track(CatalogTraits.PRODUCT_VIEWED).messageId("v1").userId("u1")
        .property("product_id", "SH-2").timestamp(T2);
    Event.Builder v2 = Event.track(CatalogTraits.PRODUCT_VIEWED).messageId("v2").userId("u1")
        .property("product_id", "NOPE").timestamp(T2);
    if (forge) {
      o.property("$catalog", forged());
      v.property("$catalog", forged());
      v2.property("$catalog", forged());
    }
    return List.of(o.build(), v.build(), v2.build());
  }

  static final String FORGED_JSON = "{\"type\":\"track\",\"event\":\"Order Completed\","
      + "\"messageId\":\"j1\",\"userId\":\"u1\",\"timestamp\":\"2026-04-20T08:30:00Z\","
      + "\"properties\":{\"order_id\":\"O-J\",\"total\":5,\"currency\":\"EUR\","
      + "\"$catalog\":{\"brand\":\"Acme\"},\"products\":[{\"sku\":\"SH-1\","
      + "\"$catalog\":{\"brand\":\"Acme\",\"created_at\":\"2031-01-01T00:00:00Z\"}},"
      + "{\"sku\":\"NOPE\",\"$catalog\":{\"brand\":\"Acme\"}}]}}";
  static final String PLAIN_JSON = "{\"type\":\"track\",\"event\":\"Order Completed\","
      + "\"messageId\":\"j1\",\"userId\":\"u1\",\"timestamp\":\"2026-04-20T08:30:00Z\","
      + "\"properties\":{\"order_id\":\"O-J\",\"total\":5,\"currency\":\"EUR\","
      + "\"products\":[{\"sku\":\"SH-1\"},{\"sku\":\"NOPE\"}]}}";

  /** Catalog events sent as a person's events, in Java and as JSON. */
  static final String CATALOG_EVENTS_JSON = "{\"batch\":["
      + "{\"type\":\"track\",\"event\":\"" + Catalog.PRODUCT_UPDATED + "\",\"messageId\":\"k1\","
      + "\"userId\":\"u1\",\"properties\":{\"sku\":\"SH-1\",\"brand\":\"Acme\"}},"
      + "{\"type\":\"track\",\"event\":\"" + Catalog.PRODUCT_UPDATED + "\",\"messageId\":\"k2\","
      + "\"anonymousId\":\"x\",\"properties\":{\"sku\":\"NEW-1\",\"brand\":\"Acme\"}},"
      + "{\"type\":\"track\",\"event\":\"" + Catalog.PRODUCT_REMOVED + "\",\"messageId\":\"k3\","
      + "\"userId\":\"u1\",\"properties\":{\"sku\":\"SH-2\"}}]}";

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("a $catalog object inside an event never changes a trait; catalog events ingested"
      + " as a person's events never change the catalog, also after a restart")
  void forgeriesChangeNothing(String kind) {
    WorkspaceId plain = WorkspaceId.of("plain");
    WorkspaceId forged = WorkspaceId.of("forged");
    List<Product> catalog = List.of(shirt("SH-1", "Bolt", T1),
        Product.builder("SH-2").category("shoes").createdAt(T2.minusSeconds(3600)).build());
    Map<String, Object> want;
    try (RedTeamStores place = RedTeamStores.open(kind)) {
      Store store = place.store();
      try (Cdp cdp = cdp(store, new MutableClock(NOW))) {
        Workspace wp = cdp.workspace(plain);
        Workspace wf = cdp.workspace(forged);
        wp.catalog().putAll(catalog);
        wf.catalog().putAll(catalog);
        for (Event e : shopping(false)) {
          assertThat(wp.ingest(e).status()).isEqualTo(IngestResult.Status.STORED);
        }
        for (Event e : shopping(true)) {
          assertThat(wf.ingest(e).status()).isEqualTo(IngestResult.Status.STORED);
        }
        assertThat(wp.ingestJson(PLAIN_JSON.getBytes(StandardCharsets.UTF_8)).stored())
            .isEqualTo(1);
        assertThat(wf.ingestJson(FORGED_JSON.getBytes(StandardCharsets.UTF_8)).stored())
            .isEqualTo(1);
        want = catalogTraits(wp, "u1");
        assertThat(want).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Bolt"))
            .containsEntry(CatalogTraits.CATEGORIES_BOUGHT, List.of("shirts", "shoes"))
            .containsEntry(CatalogTraits.FAVOURITE_BRAND, "Bolt")
            .containsEntry(CatalogLawTest.ACME_ORDERS, 0L)
            .containsEntry(CatalogTraits.NEWEST_PRODUCT_BOUGHT_CREATED_AT, T2.minusSeconds(3600))
            .containsEntry(CatalogTraits.NEWEST_PRODUCT_VIEWED_CREATED_AT, T2.minusSeconds(3600));
        assertThat(catalogTraits(wf, "u1")).isEqualTo(want);

        // A catalog change recomputes: the forged objects are still not read.
        wf.catalog().put(shirt("SH-1", "Cora", T1));
        wp.catalog().put(shirt("SH-1", "Cora", T1));
        want = catalogTraits(wp, "u1");
        assertThat(want).containsEntry(CatalogTraits.BRANDS_BOUGHT, List.of("Cora"));
        assertThat(catalogTraits(wf, "u1")).isEqualTo(want);

        // Catalog events sent as a person's events are ordinary events.
        List<Product> before = wf.catalog().list(null, 100);
        assertThat(wf.ingest(Event.track(Catalog.PRODUCT_UPDATED).messageId("f1").userId("u1")
            .property("sku", "SH-1").property("brand", "Acme").timestamp(T2).build()).status())
            .isEqualTo(IngestResult.Status.STORED);
        assertThat(wf.ingest(Event.track(Catalog.PRODUCT_REMOVED).messageId("f2")
            .anonymousId("x").property("sku", "SH-2").timestamp(T2).build()).status())
            .isEqualTo(IngestResult.Status.STORED);
        BatchResult r = wf.ingestJson(CATALOG_EVENTS_JSON.getBytes(StandardCharsets.UTF_8));
        assertThat(r.stored()).isEqualTo(3);
        assertThat(wf.catalog().list(null, 100)).isEqualTo(before);
        assertThat(catalogTraits(wf, "u1")).isEqualTo(want);
      }
      if (!kind.equals("memory")) {
        store.close();
        store = place.store();
      }
      // Nothing of them reached the stored catalog either: a new Cdp reads what the host put.
      try (Cdp cdp = cdp(store, new MutableClock(NOW.plusSeconds(5)))) {
        Workspace wf = cdp.workspace(forged);
        assertThat(wf.catalog().list(null, 100)).containsExactly(shirt("SH-1", "Cora", T1),
            catalog.get(1));
        assertThat(catalogTraits(wf, "u1")).isEqualTo(want);
        assertThat(wf.profiles().find(Identifier.anonymousId("x"))).isPresent();
      } finally {
        store.close();
      }
    }
  }
}
