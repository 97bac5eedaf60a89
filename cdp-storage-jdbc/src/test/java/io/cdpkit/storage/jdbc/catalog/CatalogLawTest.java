package io.cdpkit.storage.jdbc.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.catalog.Catalog;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.Aggregation;
import io.cdpkit.core.traits.CatalogTraits;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.storage.jdbc.redteam.RedTeamStores;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalog law: a profile's catalog traits depend on the final catalog and the person's
 * events only. Random stories interleave catalog changes (put, put of several, catalog events
 * applied by the host, removals; random brand, category, creation time and fields no trait
 * reads) with orders whose lines name products by {@code sku}, {@code product_id} or
 * {@code productId} and with product views, at event times unrelated to the order of arrival.
 * For every person, the traits of {@link CatalogTraits#all()} and a count of orders with a line
 * of brand Acme equal those of a fresh {@code Cdp} that was given the final catalog first and
 * the events afterwards (in reverse order), and those of a model written here from the traits'
 * descriptions.
 */
class CatalogLawTest {
  static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
  static final String ACME_ORDERS = "acme_orders";
  static final ComputedTrait ACME = ComputedTrait.builder(ACME_ORDERS, Aggregation.COUNT)
      .filter(EventFilter.ORDERS.and(
          PropertyCondition.of("products[].$catalog.brand", Operator.EQ, "Acme")))
      .build();
  static final List<String> TRAITS = List.of(CatalogTraits.BRANDS_BOUGHT,
      CatalogTraits.CATEGORIES_BOUGHT, CatalogTraits.FAVOURITE_BRAND,
      CatalogTraits.NEWEST_PRODUCT_VIEWED_CREATED_AT,
      CatalogTraits.NEWEST_PRODUCT_BOUGHT_CREATED_AT, ACME_ORDERS);

  /** Skus that differ only by case, that hold LIKE and quoting characters, a number, unicode. */
  static final List<String> SKUS = List.of("SH-1", "sh-1", "a/b%_'c", "1007",
      "\u00DCn\u00EF-\u2713", "ghost");
  static final List<String> BRANDS = List.of("Acme", "Bolt", "Cora");
  static final List<String> CATEGORIES = List.of("shirts", "shoes");
  static final List<String> USERS = List.of("u1", "u2", "u3", "u4");
  static final List<String> KEYS = List.of("sku", "product_id", "productId");

  /** A Cdp with the catalog traits and the Acme count. */
  static Cdp cdp(Store store, Clock clock) {
    return Cdp.builder().store(store).clock(clock).computedTraits(CatalogTraits.all())
        .computedTrait(ACME).build();
  }

  // ------------------------------------------------------------------ stories

  /** One step: a catalog change, or a person's event; then the clock moves on. */
  sealed interface Step permits Put, Remove, Ingest {
    long advanceMillis();
  }

  /** Puts products: one by one (0), in one putAll (1), or as catalog events (2). */
  record Put(List<Product> products, int how, long advanceMillis) implements Step {}

  /** Removes a sku: directly, or by a catalog event. */
  record Remove(String sku, boolean byEvent, long advanceMillis) implements Step {}

  record Ingest(Event event, long advanceMillis) implements Step {}

  static <T> T pick(Random r, List<T> l) {
    return l.get(r.nextInt(l.size()));
  }

  static Product product(Random r, String sku) {
    Product.Builder b = Product.builder(sku);
    // One in three has no field a trait reads: its presence alone still decides joins.
    boolean read = r.nextInt(3) != 0;
    if (read && r.nextInt(8) != 0) {
      b.brand(pick(r, BRANDS));
    }
    if (read && r.nextInt(6) != 0) {
      b.category(pick(r, CATEGORIES));
    }
    if (read && r.nextInt(5) != 0) {
      // Few distinct days, so that maxima tie.
      b.createdAt(NOW.minus(Duration.ofDays(1 + r.nextInt(4))));
    }
    if (r.nextBoolean()) {
      b.stock(r.nextInt(3)); // a field no trait reads
    }
    if (r.nextBoolean()) {
      b.name("Product " + r.nextInt(3));
    }
    return b.build();
  }

  /** How an order line or a view names a product: one or two of the keys, some padded. */
  static Map<String, Object> naming(Random r) {
    Map<String, Object> m = new LinkedHashMap<>();
    String sku = pick(r, SKUS);
    Object value = sku.equals("1007") && r.nextBoolean() ? (Object) 1007L : sku;
    switch (r.nextInt(8)) {
      case 0, 1, 2 -> m.put(KEYS.get(r.nextInt(3)), value);
      case 3 -> {
        // An unknown sku first: the next key names the product.
        m.put("sku", "nope-" + r.nextInt(3));
        m.put(r.nextBoolean() ? "product_id" : "productId", value);
      }
      case 4 -> m.put(KEYS.get(r.nextInt(3)), " " + sku + " ");
      default -> {
        // Two names, both possibly in the catalog: the first key in order that is wins.
        int first = r.nextInt(3);
        int second = (first + 1 + r.nextInt(2)) % 3;
        m.put(KEYS.get(second), value);
        m.put(KEYS.get(first), pick(r, SKUS));
      }
    }
    return m;
  }

  static List<Step> story(Random r) {
    int n = 4 + r.nextInt(37);
    List<Step> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long advance = r.nextInt(3) == 0 ? r.nextInt(1_500) : 0;
      int kind = r.nextInt(20);
      if (kind < 5) {
        int k = 1 + r.nextInt(kind == 0 ? 3 : 1);
        List<Product> ps = new ArrayList<>();
        for (int j = 0; j < k; j++) {
          ps.add(product(r, pick(r, SKUS.subList(0, SKUS.size() - 1))));
        }
        out.add(new Put(ps, k > 1 ? 1 : r.nextInt(3) == 0 ? 2 : 0, advance));
      } else if (kind < 7) {
        out.add(new Remove(pick(r, SKUS), r.nextBoolean(), advance));
      } else {
        String user = pick(r, USERS);
        // Event times unrelated to arrival, few distinct minutes: ties happen.
        Instant t = NOW.minus(Duration.ofMinutes(r.nextInt(20)));
        Event e;
        if (kind < 15) {
          List<Map<String, Object>> lines = new ArrayList<>();
          int k = 1 + r.nextInt(3);
          for (int j = 0; j < k; j++) {
            Map<String, Object> line = naming(r);
            line.put("quantity", 1L + r.nextInt(3));
            lines.add(line);
          }
          e = Event.track("Order Completed").messageId("o-" + i).userId(user)
              .property("order_id", "O-" + i).property("total", new BigDecimal("10.50"))
              .property("currency", "EUR").property("products", lines).timestamp(t).build();
        } else {
          e = Event.track(CatalogTraits.PRODUCT_VIEWED).messageId("v-" + i).userId(user)
              .properties(naming(r)).timestamp(t).build();
        }
        out.add(new Ingest(e, advance));
      }
    }
    return out;
  }

  /** Tells a story to a workspace; returns the catalog as the test kept it. */
  static TreeMap<String, Product> tell(Workspace w, MutableClock clock, List<Step> steps) {
    TreeMap<String, Product> catalog = new TreeMap<>();
    int c = 0;
    for (Step s : steps) {
      if (s instanceof Put p) {
        switch (p.how()) {
          case 1 -> w.catalog().putAll(p.products());
          case 2 -> {
            for (Product x : p.products()) {
              w.catalog().apply(Event.track(Catalog.PRODUCT_UPDATED).messageId("c-" + c++)
                  .anonymousId("feed").properties(x.toProperties()).build());
            }
          }
          default -> p.products().forEach(w.catalog()::put);
        }
        p.products().forEach(x -> catalog.put(x.sku(), x));
      } else if (s instanceof Remove rm) {
        if (rm.byEvent()) {
          w.catalog().apply(Event.track(Catalog.PRODUCT_REMOVED).messageId("c-" + c++)
              .anonymousId("feed").property("sku", rm.sku()).build());
        } else {
          w.catalog().remove(rm.sku());
        }
        catalog.remove(rm.sku());
      } else {
        assertThat(w.ingest(((Ingest) s).event()).status())
            .isEqualTo(IngestResult.Status.STORED);
      }
      clock.advance(Duration.ofMillis(s.advanceMillis()));
    }
    return catalog;
  }

  // ------------------------------------------------------------------ the model

  /** The product an object names, read again from {@code ProductLookup}'s description. */
  static Optional<Product> named(Map<String, ?> object, Map<String, Product> catalog) {
    for (String k : KEYS) {
      Object v = object.get(k);
      String sku = v instanceof String s ? s.strip() : v instanceof Long l ? l.toString() : null;
      if (sku != null && catalog.containsKey(sku)) {
        return Optional.of(catalog.get(sku));
      }
    }
    return Optional.empty();
  }

  /** A person's catalog traits from the traits' descriptions, over the final catalog. */
  static Map<String, Object> model(List<Event> events, Map<String, Product> catalog) {
    TreeSet<String> brands = new TreeSet<>();
    TreeSet<String> categories = new TreeSet<>();
    Map<String, Long> lines = new HashMap<>();
    Map<String, Instant> lastBought = new HashMap<>();
    Instant newestViewed = null;
    Instant newestBought = null;
    long acme = 0;
    for (Event e : events) {
      if (CatalogTraits.PRODUCT_VIEWED.equals(e.name())) {
        Optional<Instant> created = named(e.properties(), catalog).flatMap(Product::createdAt);
        if (created.isPresent() && (newestViewed == null || created.get().isAfter(newestViewed))) {
          newestViewed = created.get();
        }
        continue;
      }
      boolean hasAcme = false;
      for (Object o : (List<?>) e.properties().get("products")) {
        @SuppressWarnings("unchecked")
        Optional<Product> p = named((Map<String, ?>) o, catalog);
        if (p.isEmpty()) {
          continue;
        }
        p.get().category().ifPresent(categories::add);
        Optional<Instant> created = p.get().createdAt();
        if (created.isPresent() && (newestBought == null || created.get().isAfter(newestBought))) {
          newestBought = created.get();
        }
        Optional<String> brand = p.get().brand();
        if (brand.isPresent()) {
          brands.add(brand.get());
          lines.merge(brand.get(), 1L, Long::sum);
          lastBought.merge(brand.get(), e.eventTime(), (a, b) -> a.isAfter(b) ? a : b);
          hasAcme |= brand.get().equals("Acme");
        }
      }
      if (hasAcme) {
        acme++;
      }
    }
    String favourite = null;
    for (String b : brands) {
      // brands ascend: on a full tie the first (smallest) stays
      if (favourite == null || lines.get(b) > lines.get(favourite)
          || (lines.get(b).equals(lines.get(favourite))
              && lastBought.get(b).isAfter(lastBought.get(favourite)))) {
        favourite = b;
      }
    }
    Map<String, Object> out = new HashMap<>();
    out.put(CatalogTraits.BRANDS_BOUGHT, List.copyOf(brands));
    out.put(CatalogTraits.CATEGORIES_BOUGHT, List.copyOf(categories));
    out.put(CatalogTraits.FAVOURITE_BRAND, favourite);
    out.put(CatalogTraits.NEWEST_PRODUCT_VIEWED_CREATED_AT, newestViewed);
    out.put(CatalogTraits.NEWEST_PRODUCT_BOUGHT_CREATED_AT, newestBought);
    out.put(ACME_ORDERS, acme);
    return out;
  }

  // ------------------------------------------------------------------ the check

  /**
   * Tells the story in {@code ws} of {@code cdp}, the final catalog then the events (reversed)
   * in {@code fresh}'s {@code refWs}, and compares every person's traits with each other and
   * with the model.
   */
  static void check(Cdp cdp, MutableClock clock, WorkspaceId ws, Cdp fresh, WorkspaceId refWs,
      List<Step> steps) {
    Workspace w = cdp.workspace(ws);
    TreeMap<String, Product> catalog = tell(w, clock, steps);
    assertThat(w.catalog().list(null, 10_000)).as("the catalog after the story")
        .containsExactlyElementsOf(catalog.values());

    Workspace ref = fresh.workspace(refWs);
    if (!catalog.isEmpty()) {
      ref.catalog().putAll(catalog.values());
    }
    List<Event> events = new ArrayList<>();
    steps.forEach(s -> {
      if (s instanceof Ingest in) {
        events.add(in.event());
      }
    });
    for (int i = events.size() - 1; i >= 0; i--) {
      ref.ingest(events.get(i));
    }

    for (String user : USERS) {
      List<Event> own = events.stream().filter(e -> user.equals(e.userId())).toList();
      Optional<Profile> p = w.profiles().find(Identifier.customerId(user));
      Optional<Profile> q = ref.profiles().find(Identifier.customerId(user));
      assertThat(p.isPresent()).as("%s has a profile", user).isEqualTo(!own.isEmpty());
      assertThat(q.isPresent()).as("%s has a profile in the fresh Cdp", user)
          .isEqualTo(!own.isEmpty());
      if (own.isEmpty()) {
        continue;
      }
      Map<String, Object> got = p.get().computedTraits();
      Map<String, Object> want = q.get().computedTraits();
      Map<String, Object> model = model(own, catalog);
      for (String t : TRAITS) {
        assertThat(got.containsKey(t)).as("%s of %s is there as in the fresh Cdp", t, user)
            .isEqualTo(want.containsKey(t));
        assertThat(got.get(t)).as("%s of %s against the fresh Cdp; catalog %s; events %s", t,
            user, catalog.values(), own).isEqualTo(want.get(t));
        assertThat(got.get(t)).as("%s of %s against the model; catalog %s; events %s", t, user,
            catalog.values(), own).isEqualTo(model.get(t));
      }
    }
  }

  /**
   * A story of products that come and go without a field a trait reads, while objects name them
   * first and a branded product second: the presence alone decides the join.
   */
  static List<Step> presenceStory() {
    Instant t = NOW.minus(Duration.ofMinutes(5));
    Product acme = Product.builder("SH-1").brand("Acme").category("shirts")
        .createdAt(NOW.minus(Duration.ofDays(2))).build();
    Product bare = Product.builder("sh-1").stock(3).build();
    return List.of(new Put(List.of(acme), 0, 0),
        new Ingest(Event.track("Order Completed").messageId("p-o1").userId("u1")
            .property("order_id", "P-1").property("products",
                List.of(Map.of("sku", "sh-1", "product_id", "SH-1"))).timestamp(t).build(), 0),
        new Put(List.of(bare), 0, 0),
        new Ingest(Event.track(CatalogTraits.PRODUCT_VIEWED).messageId("p-v1").userId("u2")
            .property("sku", "1007").property("productId", "SH-1").timestamp(t).build(), 0),
        new Put(List.of(Product.builder("1007").name("bare").build()), 2, 0),
        new Remove("sh-1", false, 0),
        new Put(List.of(bare, Product.builder("a/b%_'c").stock(1).build()), 1, 0),
        new Remove("1007", true, 0));
  }

  @Property(tries = 300)
  @Label("catalog traits are those of the final catalog, whatever the order (memory store)")
  void catalogTraitsFollowTheFinalCatalog(@ForAll long seed) {
    MutableClock clock = new MutableClock(NOW);
    try (Store store = Store.inMemory();
        Cdp cdp = cdp(store, clock);
        Cdp fresh = cdp(store, new MutableClock(NOW))) {
      check(cdp, clock, WorkspaceId.of("story"), fresh, WorkspaceId.of("fresh"),
          story(new Random(seed)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("catalog traits are those of the final catalog on a story of products that come"
      + " and go, and on 20 random stories, per store")
  void catalogTraitsFollowTheFinalCatalogOnEveryStore(String kind) {
    MutableClock clock = new MutableClock(NOW);
    try (RedTeamStores place = RedTeamStores.open(kind);
        Store store = place.store();
        Cdp cdp = cdp(store, clock);
        Cdp fresh = cdp(store, new MutableClock(NOW))) {
      check(cdp, clock, WorkspaceId.of("presence"), fresh, WorkspaceId.of("fresh-presence"),
          presenceStory());
      Random seeds = new Random(20260501L);
      for (int i = 0; i < 20; i++) {
        check(cdp, clock, WorkspaceId.of("story-" + i), fresh, WorkspaceId.of("fresh-" + i),
            story(new Random(seeds.nextLong())));
      }
    }
  }
}
