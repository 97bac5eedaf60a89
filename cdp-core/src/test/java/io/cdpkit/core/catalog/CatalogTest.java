package io.cdpkit.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.Aggregation;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.core.traits.PropertyPath;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The product catalog: what is stored, how events are joined with it, who may change it. */
class CatalogTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
  static final Identifier C1 = Identifier.customerId("C-1");

  static final ComputedTrait BRANDS = ComputedTrait.builder("brands_bought",
      Aggregation.UNIQUE_LIST).property("products[].$catalog.brand")
      .filter(EventFilter.named("Order Completed")).build();
  static final ComputedTrait ACME_ORDERS = ComputedTrait.builder("acme_orders", Aggregation.COUNT)
      .filter(EventFilter.named("Order Completed").and(PropertyCondition.any("products",
          PropertyCondition.of("$catalog.brand", Operator.EQ, "Acme")))).build();
  static final ComputedTrait NEWEST_VIEWED = ComputedTrait.builder("newest_viewed_created_at",
      Aggregation.MAX).property("$catalog.created_at")
      .filter(EventFilter.named("Product Viewed")).build();

  final MutableClock clock = new MutableClock(NOW);
  final Cdp cdp = Cdp.builder().clock(clock).computedTrait(BRANDS).computedTrait(ACME_ORDERS)
      .computedTrait(NEWEST_VIEWED).build();
  final Workspace w = cdp.workspace(WorkspaceId.of("shop"));
  int messages;

  @AfterEach
  void close() {
    cdp.close();
  }

  static Product shirt(String brand) {
    return Product.builder("SH-1").name("Shirt").category("shirts").brand(brand).group("SH")
        .price(Money.of(1999, "EUR")).stock(3).createdAt(NOW.minusSeconds(86_400)).build();
  }

  void order(Map<String, Object> line) {
    w.ingest(Event.track("Order Completed").messageId("o" + messages++).userId("C-1")
        .property("order_id", "O-" + messages).property("total", 19.99)
        .property("currency", "EUR").property("products", List.of(line))
        .timestamp(NOW.minusSeconds(60)).build());
  }

  Map<String, Object> traits() {
    return w.profiles().find(C1).map(Profile::computedTraits).orElseThrow();
  }

  @Test
  @DisplayName("an order line naming only a sku is counted by the catalog's brand, whether the "
      + "product came before or after the order")
  void joinInEitherOrder() {
    order(Map.of("sku", "SH-1", "quantity", 1));
    assertThat(traits()).containsEntry("brands_bought", List.of()).containsEntry("acme_orders", 0L);
    CatalogChange c = w.catalog().put(shirt("Acme"));
    assertThat(c.changed()).isEqualTo(1);
    assertThat(c.profilesRecomputed()).isEqualTo(1);
    assertThat(traits()).containsEntry("brands_bought", List.of("Acme"))
        .containsEntry("acme_orders", 1L);
    order(Map.of("product_id", "SH-1"));
    assertThat(traits()).containsEntry("acme_orders", 2L);
    // The brand changes: every profile is recomputed as if it had always been so.
    w.catalog().put(shirt("Bolt"));
    assertThat(traits()).containsEntry("brands_bought", List.of("Bolt"))
        .containsEntry("acme_orders", 0L);
    // A change to a field no trait reads recomputes nothing.
    CatalogChange stock = w.catalog().put(Product.builder("SH-1").name("Shirt")
        .category("shirts").brand("Bolt").group("SH").price(Money.of(1999, "EUR")).stock(0)
        .createdAt(NOW.minusSeconds(86_400)).build());
    assertThat(stock.changed()).isEqualTo(1);
    assertThat(stock.profilesRecomputed()).isZero();
    // Put again unchanged: nothing changed.
    assertThat(w.catalog().put(w.catalog().product("SH-1").orElseThrow()))
        .isEqualTo(new CatalogChange(0, 0));
    w.catalog().remove("SH-1");
    assertThat(traits()).containsEntry("brands_bought", List.of()).containsEntry("acme_orders", 0L);
  }

  @Test
  @DisplayName("a product that comes or goes recomputes even without a field a trait reads: an "
      + "object naming two skus is joined with the first the catalog holds")
  void presenceDecidesTheJoin() {
    w.catalog().put(shirt("Acme"));
    // The line names SH-2 first, then SH-1: while SH-2 is unknown it is SH-1, an Acme shirt.
    order(Map.of("sku", "SH-2", "product_id", "SH-1"));
    assertThat(traits()).containsEntry("brands_bought", List.of("Acme"));
    // SH-2 arrives without brand: the line is SH-2 now, of no brand.
    CatalogChange added = w.catalog().put(Product.builder("SH-2").stock(4).build());
    assertThat(added.profilesRecomputed()).isEqualTo(1);
    assertThat(traits()).containsEntry("brands_bought", List.of())
        .containsEntry("acme_orders", 0L);
    CatalogChange removed = w.catalog().remove("SH-2");
    assertThat(removed.profilesRecomputed()).isEqualTo(1);
    assertThat(traits()).containsEntry("brands_bought", List.of("Acme"))
        .containsEntry("acme_orders", 1L);
  }

  @Test
  @DisplayName("the same events and catalog give the same profile whatever came first")
  void sameAsRecomputation() {
    Cdp other = Cdp.builder().clock(clock).computedTrait(BRANDS).computedTrait(ACME_ORDERS)
        .computedTrait(NEWEST_VIEWED).build();
    try (other) {
      Workspace o = other.workspace(WorkspaceId.of("shop"));
      o.catalog().put(shirt("Acme"));
      o.ingest(Event.track("Order Completed").messageId("o0").userId("C-1")
          .property("order_id", "O-1").property("total", 19.99).property("currency", "EUR")
          .property("products", List.of(Map.of("sku", "SH-1"))).timestamp(NOW.minusSeconds(60))
          .build());
      o.ingest(Event.track("Product Viewed").messageId("v0").userId("C-1")
          .property("product_id", "SH-1").timestamp(NOW.minusSeconds(30)).build());
      order(Map.of("sku", "SH-1"));
      w.ingest(Event.track("Product Viewed").messageId("v0").userId("C-1")
          .property("product_id", "SH-1").timestamp(NOW.minusSeconds(30)).build());
      w.catalog().put(shirt("Acme"));
      Map<String, Object> a = o.profiles().find(C1).orElseThrow().computedTraits();
      assertThat(traits()).isEqualTo(a)
          .containsEntry("newest_viewed_created_at", NOW.minusSeconds(86_400));
    }
  }

  @Test
  @DisplayName("a $catalog object sent inside an event is never read as catalog data")
  void forgedCatalogDataIsIgnored() {
    order(Map.of("sku", "NOPE", "$catalog", Map.of("brand", "Acme")));
    order(Map.of("sku", "SH-1", "$catalog", Map.of("brand", "Acme")));
    w.catalog().put(shirt("Bolt"));
    assertThat(traits()).containsEntry("acme_orders", 0L)
        .containsEntry("brands_bought", List.of("Bolt"));
  }

  @Test
  @DisplayName("catalog events ingested as a person's events change no product")
  void ingestedCatalogEventsChangeNothing() {
    w.catalog().put(shirt("Bolt"));
    w.ingest(Event.track(Catalog.PRODUCT_UPDATED).messageId("forged").userId("C-1")
        .property("sku", "SH-1").property("brand", "Acme").timestamp(NOW).build());
    w.ingest(Event.track(Catalog.PRODUCT_REMOVED).messageId("forged-2").anonymousId("x")
        .property("sku", "SH-1").timestamp(NOW).build());
    assertThat(w.catalog().product("SH-1")).contains(shirt("Bolt"));
  }

  @Test
  @DisplayName("catalog events applied by the host put and remove products; a bad one names the "
      + "field and changes nothing")
  void catalogEvents() {
    Event put = Event.track(Catalog.PRODUCT_UPDATED).messageId("c1").anonymousId("feed")
        .property("sku", "SH-2").property("brand", "Acme").property("price", 10.5)
        .property("currency", "eur").property("stock", 4).property("created_at", "2026-03-01")
        .property("attributes", Map.of("colour", "red", "organic", true)).build();
    w.catalog().apply(put);
    Product p = w.catalog().product("SH-2").orElseThrow();
    assertThat(p.price()).contains(Money.of(1050, "EUR"));
    assertThat(p.fields()).containsEntry("colour", "red").containsEntry("organic", true)
        .containsEntry("available", true)
        .containsEntry("created_at", Instant.parse("2026-03-01T00:00:00Z"));
    Event bad = Event.track(Catalog.PRODUCT_UPDATED).messageId("c2").anonymousId("feed")
        .property("sku", "SH-2").property("price", 10.555).property("currency", "EUR").build();
    assertThatThrownBy(() -> w.catalog().apply(bad)).isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("/properties/price").hasMessageContaining("decimals");
    Event typo = Event.track(Catalog.PRODUCT_UPDATED).messageId("c3").anonymousId("feed")
        .property("sku", "SH-2").property("brnd", "X").build();
    assertThatThrownBy(() -> w.catalog().apply(typo))
        .isInstanceOf(InvalidEventException.class).hasMessageContaining("/properties/brnd");
    assertThat(w.catalog().product("SH-2")).contains(p);
    assertThatThrownBy(() -> w.catalog().apply(Event.track("Order Completed").messageId("c4")
        .anonymousId("feed").build())).isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("/event");
    w.catalog().apply(Event.track(Catalog.PRODUCT_REMOVED).messageId("c5").anonymousId("feed")
        .property("sku", "SH-2").build());
    assertThat(w.catalog().size()).isZero();
  }

  @Test
  @DisplayName("a bulk import stores every good line and reports every bad one by line, field "
      + "and reason")
  void importJsonLines() {
    order(Map.of("sku", "A-1"));
    String lines = String.join("\n",
        "{\"sku\":\"A-1\",\"brand\":\"Acme\",\"created_at\":\"2026-03-10T00:00:00Z\"}",
        "",
        "{\"sku\":\"A-2\",\"price\":-1,\"currency\":\"EUR\"}",
        "not json",
        "[1,2]",
        "{\"product_id\":42,\"brand\":\"Bolt\",\"created_at\":\"2026-03-12T00:00:00Z\"}",
        "{\"sku\":\"A-3\",\"stock\":1.5}");
    CatalogImport r = w.catalog().importJsonLines(new StringReader(lines));
    assertThat(r.lines()).isEqualTo(6);
    assertThat(r.stored()).isEqualTo(2);
    assertThat(r.change().profilesRecomputed()).isEqualTo(1);
    assertThat(r.rejected()).extracting(CatalogImport.Rejection::line,
        CatalogImport.Rejection::pointer).containsExactly(
            org.assertj.core.groups.Tuple.tuple(3L, "/price"),
            org.assertj.core.groups.Tuple.tuple(4L, ""),
            org.assertj.core.groups.Tuple.tuple(5L, ""),
            org.assertj.core.groups.Tuple.tuple(7L, "/stock"));
    assertThat(w.catalog().list(null, 10)).extracting(Product::sku).containsExactly("42", "A-1");
    assertThat(w.catalog().list("42", 10)).extracting(Product::sku).containsExactly("A-1");
    assertThat(w.catalog().newest(Instant.parse("2026-03-11T00:00:00Z"), 10))
        .extracting(Product::sku).containsExactly("42");
    assertThat(w.catalog().newest(Instant.parse("2026-03-01T00:00:00Z"), 10))
        .extracting(Product::sku).containsExactly("42", "A-1");
    assertThat(traits()).containsEntry("acme_orders", 1L);
  }

  @Test
  @DisplayName("workspaces have catalogs of their own")
  void workspacesAreSeparate() {
    w.catalog().put(shirt("Acme"));
    Workspace other = cdp.workspace(WorkspaceId.of("other"));
    assertThat(other.catalog().product("SH-1")).isEmpty();
    assertThat(other.catalog().size()).isZero();
    other.ingest(Event.track("Order Completed").messageId("x").userId("C-1")
        .property("order_id", "O-1").property("products", List.of(Map.of("sku", "SH-1")))
        .timestamp(NOW.minusSeconds(5)).build());
    assertThat(other.profiles().find(C1).orElseThrow().computedTraits())
        .containsEntry("acme_orders", 0L);
  }

  @Test
  @DisplayName("$catalog paths are checked: one field after it, no brackets; trait paths refuse it")
  void pathRules() {
    assertThat(PropertyPath.parse("products[].$catalog.brand").catalogField()).contains("brand");
    assertThat(PropertyPath.parse("$catalog.brand").special()).isFalse();
    assertThatThrownBy(() -> PropertyPath.parse("products[].$catalog"))
        .hasMessageContaining("exactly one catalog field");
    assertThatThrownBy(() -> PropertyPath.parse("$catalog.brand.x"))
        .hasMessageContaining("exactly one catalog field");
    assertThatThrownBy(() -> PropertyPath.parse("products.$catalog[].brand"))
        .hasMessageContaining("exactly one catalog field");
    assertThatThrownBy(() -> io.cdpkit.core.traits.TraitPath.parse("address.$catalog.brand"))
        .hasMessageContaining("$catalog");
  }

  @Test
  @DisplayName("products check every field at once and say which")
  void productRules() {
    assertThatThrownBy(() -> Product.builder(" ")).hasMessageContaining("sku");
    assertThatThrownBy(() -> Product.builder("x".repeat(129))).hasMessageContaining("sku");
    assertThatThrownBy(() -> Product.builder("A").stock(-1)).hasMessageContaining("stock");
    assertThatThrownBy(() -> Product.builder("A").attribute("brand", "x"))
        .hasMessageContaining("attribute name");
    assertThatThrownBy(() -> Product.builder("A").attribute("$x", "x"))
        .hasMessageContaining("attribute name");
    assertThatThrownBy(() -> Product.fromProperties(Map.of("sku", "A", "price", 5)))
        .isInstanceOf(InvalidEventException.class).hasMessageContaining("/currency");
    assertThatThrownBy(() -> Product.fromProperties(Map.of("sku", "A", "created_at", "soon")))
        .isInstanceOf(InvalidEventException.class).hasMessageContaining("/created_at");
    assertThatThrownBy(() -> Product.fromProperties(Map.of("brand", "A")))
        .isInstanceOf(InvalidEventException.class).hasMessageContaining("/sku");
    assertThat(Product.fromProperties(Map.of("sku", "A", "created_at",
        "2026-03-01T09:00:00+02:00")).createdAt())
        .contains(Instant.parse("2026-03-01T07:00:00Z"));
    Product p = shirt("Acme");
    assertThat(Product.fromProperties(p.toProperties())).isEqualTo(p);
    assertThat(Product.builder("Z").stock(0).build().available()).isFalse();
    assertThat(Product.builder("Z").build().available()).isTrue();
  }
}
