package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.computed;
import static io.cdpkit.segmentation.definition.Conditions.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.catalog.Catalog;
import io.cdpkit.core.catalog.CatalogChange;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.CatalogTraits;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.segmentation.SegmentEvent.Cause;
import io.cdpkit.segmentation.definition.RelativeDate;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.definition.SegmentJson;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Segments over the product catalog: event conditions whose {@code where} reads
 * {@code $catalog} fields of the products an event names by sku, and the catalog traits' "new
 * products". Memberships follow changes to the catalog as they follow events.
 */
class CatalogSegmentTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  /** "Bought from Acme in the last 90 days", an order line's product joined with the catalog. */
  static final String ACME_90D = "{\"version\":1,\"id\":\"acme-90d\",\"name\":\"Acme buyers\","
      + "\"condition\":{\"type\":\"event\",\"events\":[\"Order Completed\"],"
      + "\"where\":[{\"path\":\"products\",\"any\":["
      + "{\"path\":\"$catalog.brand\",\"op\":\"=\",\"value\":\"Acme\"}]}],"
      + "\"count\":{\"op\":\">=\",\"value\":1},\"within\":{\"days\":90}}}";

  /** The same question through the list path rather than {@code any}. */
  static final String ACME_90D_FLAT = "{\"version\":1,\"id\":\"acme-90d-flat\","
      + "\"name\":\"Acme buyers\",\"condition\":{\"type\":\"event\","
      + "\"events\":[\"Order Completed\"],\"where\":[{\"path\":\"products[].$catalog.brand\","
      + "\"op\":\"=\",\"value\":\"Acme\"}],\"within\":{\"days\":90}}}";

  /** "Viewed a product created in the last 30 days", through the catalog traits. */
  static final String NEW_PRODUCTS = "{\"version\":1,\"id\":\"new-products\","
      + "\"name\":\"Looks at new products\",\"condition\":{\"type\":\"computed\","
      + "\"name\":\"newest_product_viewed_created_at\",\"op\":\">=\","
      + "\"value\":{\"date\":{\"offset\":\"-P30D\"}}}}";

  final MutableClock clock = new MutableClock(NOW);
  final List<SegmentEvent> heard = new ArrayList<>();
  final Segmentation seg = Segmentation.builder().listener(heard::add).build();
  final Cdp cdp = Cdp.builder().clock(clock).computedTraits(CatalogTraits.all()).extension(seg)
      .build();
  final Segments segments = seg.segments();
  final Catalog catalog = cdp.workspace(WorkspaceId.DEFAULT).catalog();
  int messages;

  @AfterEach
  void close() {
    cdp.close();
  }

  static Product.Builder product(String sku, String brand) {
    return Product.builder(sku).name(sku).category("shirts").brand(brand)
        .price(Money.of(1999, "EUR")).stock(3).createdAt(NOW.minus(Duration.ofDays(400)));
  }

  void order(String customer, Instant at, Map<String, Object>... lines) {
    cdp.ingest(Event.track("Order Completed").messageId("o" + messages++).userId(customer)
        .property("order_id", "O-" + messages).property("total", 19.99)
        .property("currency", "EUR").property("products", List.of(lines)).timestamp(at)
        .build());
  }

  void view(String customer, Instant at, Map<String, Object> properties) {
    Event.Builder b = Event.track(CatalogTraits.PRODUCT_VIEWED).messageId("v" + messages++)
        .userId(customer).timestamp(at);
    properties.forEach(b::property);
    cdp.ingest(b.build());
  }

  ProfileId id(String customer) {
    return cdp.profiles().find(Identifier.customerId(customer)).orElseThrow().id();
  }

  boolean member(String customer, String segment) {
    return segments.isMember(id(customer), segment);
  }

  /** What was heard since the last call, as "customer KIND segment cause". */
  List<String> heard() {
    List<String> out = new ArrayList<>();
    for (SegmentEvent e : heard) {
      String who = List.of("ann", "bob", "cy", "dee").stream()
          .filter(c -> cdp.profiles().find(Identifier.customerId(c))
              .map(p -> p.id().equals(e.profile())).orElse(false))
          .findFirst().orElse(e.profile().toString());
      out.add(who + " " + e.kind() + " " + e.segment() + " " + e.cause().type().text());
    }
    heard.clear();
    return out;
  }

  /** Stored memberships equal a batch evaluation at the same instant. */
  void batchAgrees(String segment, String... customers) {
    SegmentSnapshot batch = segments.evaluate(List.of(segment), io.cdpkit.core.ProgressListener.none());
    for (String c : customers) {
      assertThat(batch.contains(segment, id(c))).as(c + " in " + segment)
          .isEqualTo(member(c, segment));
    }
  }

  @Test
  @DisplayName("bought from brand X in the last 90 days, orders carrying only skus: members enter"
      + " when the product joins the catalog after the orders, leave when its brand changes,"
      + " and a stock change moves no one")
  void boughtFromBrandInTheLast90Days() {
    segments.saveJson(ACME_90D);
    segments.saveJson(ACME_90D_FLAT);
    // The Java form is the same definition as the JSON.
    assertThat(SegmentDefinition.builder("acme-90d").name("Acme buyers")
        .where(events("Order Completed").where(PropertyCondition.any("products",
            PropertyCondition.of("$catalog.brand", Operator.EQ, "Acme"))).inLastDays(90))
        .build()).isEqualTo(segments.get("acme-90d").orElseThrow());
    assertThat(SegmentJson.write(segments.get("acme-90d-flat").orElseThrow()))
        .contains("\"path\":\"products[].$catalog.brand\"");

    order("ann", NOW.minus(Duration.ofDays(10)), Map.of("sku", "SH-1", "quantity", 1));
    order("bob", NOW.minus(Duration.ofDays(10)), Map.of("product_id", "OT-1"));
    order("cy", NOW.minus(Duration.ofDays(100)), Map.of("sku", "SH-1"));
    // Forged catalog data inside the event is never read.
    order("dee", NOW.minus(Duration.ofDays(5)),
        Map.of("sku", "NOPE", "$catalog", Map.of("brand", "Acme")), Map.of("brand", "Acme"));
    assertThat(heard()).isEmpty();

    // The products arrive after the orders: the catalog change recomputes the profiles and the
    // segment engine hears of it.
    CatalogChange added = catalog.putAll(List.of(product("SH-1", "Acme").build(),
        product("OT-1", "Bolt").build()));
    assertThat(added.profilesRecomputed()).isEqualTo(4);
    assertThat(heard()).containsExactlyInAnyOrder("ann ENTERED acme-90d recompute",
        "ann ENTERED acme-90d-flat recompute");
    for (String c : List.of("bob", "cy", "dee")) {
      assertThat(member(c, "acme-90d")).as(c).isFalse();
    }
    batchAgrees("acme-90d", "ann", "bob", "cy", "dee");
    Explanation why = segments.explain(id("ann"), "acme-90d").orElseThrow();
    assertThat(why.held()).isTrue();
    assertThat(why.seen()).isEqualTo("1 events");
    assertThat(why.condition()).contains("$catalog.brand = \"Acme\"", "in the last 90 days");
    assertThat(segments.explain(id("cy"), "acme-90d").orElseThrow().seen())
        .isEqualTo("0 events");

    // A new order of a known product enters at once, with the event as cause.
    order("bob", NOW.minus(Duration.ofDays(1)), Map.of("sku", "OT-1"), Map.of("sku", "SH-1"));
    assertThat(heard()).containsExactlyInAnyOrder("bob ENTERED acme-90d event",
        "bob ENTERED acme-90d-flat event");

    // The stock changes: no segment reads it, so no profile is recomputed and no one moves.
    CatalogChange stock = catalog.put(product("SH-1", "Acme").stock(0).build());
    assertThat(stock.changed()).isEqualTo(1);
    assertThat(stock.profilesRecomputed()).isZero();
    assertThat(heard()).isEmpty();
    assertThat(member("ann", "acme-90d")).isTrue();
    assertThat(member("bob", "acme-90d")).isTrue();

    // The brand changes: everyone who qualified through it leaves.
    CatalogChange rebrand = catalog.put(product("SH-1", "Bolt").stock(0).build());
    assertThat(rebrand.profilesRecomputed()).isEqualTo(4);
    assertThat(heard()).containsExactlyInAnyOrder("ann EXITED acme-90d recompute",
        "ann EXITED acme-90d-flat recompute", "bob EXITED acme-90d recompute",
        "bob EXITED acme-90d-flat recompute");
    assertThat(segments.explain(id("ann"), "acme-90d").orElseThrow().held()).isFalse();
    batchAgrees("acme-90d", "ann", "bob", "cy", "dee");

    // Another product is rebranded to Acme: bob, who bought it yesterday, is back; ann, who
    // did not, stays out.
    catalog.put(product("OT-1", "Acme").build());
    assertThat(heard()).containsExactlyInAnyOrder("bob ENTERED acme-90d recompute",
        "bob ENTERED acme-90d-flat recompute");
    batchAgrees("acme-90d-flat", "ann", "bob", "cy", "dee");
  }

  @Test
  @DisplayName("the 90 days slide with time for catalog joins too: a member leaves on the day"
      + " its order falls out of the window, and not a nanosecond early")
  void catalogMembersLeaveAsTimePasses() {
    segments.saveJson(ACME_90D);
    catalog.put(product("SH-1", "Acme").build());
    order("ann", Instant.parse("2026-03-05T12:00:00Z"), Map.of("sku", "SH-1"));
    assertThat(heard()).containsExactly("ann ENTERED acme-90d event");
    Instant leaves = Instant.parse("2026-06-03T00:00:00Z"); // 2026-03-05 + 90 days
    assertThat(segments.nextCheck(id("ann"))).contains(leaves);
    clock.set(leaves.minusNanos(1));
    segments.runDue();
    assertThat(member("ann", "acme-90d")).isTrue();
    clock.set(leaves);
    segments.runDue();
    assertThat(member("ann", "acme-90d")).isFalse();
    assertThat(heard()).containsExactly("ann EXITED acme-90d time");
  }

  @Test
  @DisplayName("a segment that reads availability moves when the stock runs out, and only then:"
      + " a stock change that leaves a product available moves no one")
  void availabilityIsReadThroughTheStock() {
    segments.saveJson("{\"version\":1,\"id\":\"bought-sold-out\",\"condition\":{"
        + "\"type\":\"event\",\"events\":[\"Order Completed\"],\"where\":[{\"path\":"
        + "\"products[].$catalog.available\",\"op\":\"=\",\"value\":false}],"
        + "\"within\":{\"days\":30}}}");
    catalog.put(product("SH-1", "Acme").stock(3).build());
    order("ann", NOW.minus(Duration.ofDays(2)), Map.of("sku", "SH-1"));
    assertThat(catalog.put(product("SH-1", "Acme").stock(2).build()).profilesRecomputed())
        .isZero();
    assertThat(heard()).isEmpty();
    assertThat(catalog.put(product("SH-1", "Acme").stock(0).build()).profilesRecomputed())
        .isEqualTo(1);
    assertThat(heard()).containsExactly("ann ENTERED bought-sold-out recompute");
    // Removing the product from the catalog leaves nothing to join: out again.
    catalog.remove("SH-1");
    assertThat(heard()).containsExactly("ann EXITED bought-sold-out recompute");
    // A bulk import brings it back sold out: one recomputation, and ann is in again.
    io.cdpkit.core.catalog.CatalogImport imported = catalog.importJsonLines(
        new java.io.StringReader("{\"sku\":\"SH-1\",\"brand\":\"Acme\",\"stock\":0}\n"
            + "{\"sku\":\"SH-2\",\"stock\":-1}\n"));
    assertThat(imported.stored()).isEqualTo(1);
    assertThat(imported.change().profilesRecomputed()).isEqualTo(1);
    assertThat(heard()).containsExactly("ann ENTERED bought-sold-out recompute");
    batchAgrees("bought-sold-out", "ann");
  }

  @Test
  @DisplayName("new products: who viewed a product created in the last 30 days enters with the"
      + " view and leaves as time passes, exactly 30 days after the product was created")
  void viewedANewProduct() {
    SegmentDefinition read = segments.saveJson(NEW_PRODUCTS);
    assertThat(SegmentDefinition.builder("new-products").name("Looks at new products")
        .where(computed(CatalogTraits.NEWEST_PRODUCT_VIEWED_CREATED_AT)
            .gte(RelativeDate.ago(Period.ofDays(30))))
        .build()).isEqualTo(read);
    Instant created = NOW.minus(Duration.ofDays(5)).plusSeconds(3_723);
    catalog.putAll(List.of(product("NEW-1", "Acme").createdAt(created).build(),
        product("OLD-1", "Acme").createdAt(NOW.minus(Duration.ofDays(31))).build()));

    view("ann", NOW.minus(Duration.ofHours(2)), Map.of("sku", "OLD-1"));
    // Forged newness in the event's own properties is never read.
    view("cy", NOW.minus(Duration.ofHours(2)), Map.of("sku", "OLD-1",
        "created_at", NOW.toString(), "$catalog", Map.of("created_at", NOW.toString())));
    assertThat(heard()).isEmpty();
    view("ann", NOW.minus(Duration.ofHours(1)), Map.of("product_id", "NEW-1"));
    assertThat(heard()).containsExactly("ann ENTERED new-products event");
    // A later view of an old product does not hide the new one.
    view("ann", NOW, Map.of("sku", "OLD-1"));
    assertThat(member("ann", "new-products")).isTrue();

    Instant leaves = created.plus(Duration.ofDays(30));
    assertThat(segments.nextCheck(id("ann"))).contains(leaves);
    clock.set(leaves.minusSeconds(1));
    segments.runDue();
    assertThat(member("ann", "new-products")).isTrue();
    batchAgrees("new-products", "ann", "cy");
    // ">= 30 days ago" still holds at the very instant; a nanosecond later it does not.
    clock.set(leaves);
    segments.runDue();
    assertThat(member("ann", "new-products")).isTrue();
    clock.set(leaves.plusNanos(1));
    segments.runDue();
    assertThat(member("ann", "new-products")).isFalse();
    assertThat(heard()).containsExactly("ann EXITED new-products time");
    assertThat(segments.nextCheck(id("ann"))).isEmpty();
    batchAgrees("new-products", "ann", "cy");
    Explanation why = segments.explain(id("ann"), "new-products").orElseThrow();
    assertThat(why.held()).isFalse();
    assertThat(why.seen()).isEqualTo(created.toString());

    // A product viewed before it is in the catalog counts once it is added, if it is new.
    view("bob", clock.instant(), Map.of("sku", "NEW-2"));
    assertThat(heard()).isEmpty();
    catalog.put(product("NEW-2", "Bolt").createdAt(clock.instant().minus(Duration.ofDays(1)))
        .build());
    assertThat(heard()).containsExactly("bob ENTERED new-products recompute");
    // And viewing it brings ann back.
    view("ann", clock.instant(), Map.of("sku", "NEW-2"));
    assertThat(heard()).containsExactly("ann ENTERED new-products event");
    batchAgrees("new-products", "ann", "bob", "cy");
  }
}
