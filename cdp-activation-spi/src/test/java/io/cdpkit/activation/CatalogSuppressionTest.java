package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.Message;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.catalog.Catalog;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Activation reading the product catalog: the catalog suppressions (same group bought recently,
 * out of stock), and {@code $catalog} paths in suppressions and trigger filters, on the
 * in-memory store. Each test also tries to forge catalog data inside events.
 */
class CatalogSuppressionTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
  static final String VIEWED = "Product Viewed";

  final MutableClock clock = new MutableClock(NOW);
  final SpyProvider email = new SpyProvider("spy-email", "email", IdentifierType.EMAIL);
  Cdp cdp;
  Activation activation;
  Workspace w;
  int messages;

  /** A Cdp with one channel ("mail") and the rules given, in the default workspace. */
  void start(Consumer<Activation.Builder> rules, Consumer<Cdp.Builder> cdpConfig) {
    Activation.Builder b = Activation.builder().channel("mail", email, Map.of());
    rules.accept(b);
    activation = b.build();
    Cdp.Builder cb = Cdp.builder().clock(clock).extension(activation);
    cdpConfig.accept(cb);
    cdp = cb.build();
    w = cdp.workspace(WorkspaceId.DEFAULT);
  }

  void start(Consumer<Activation.Builder> rules) {
    start(rules, c -> { });
  }

  @AfterEach
  void stop() {
    if (activation != null) {
      activation.close();
    }
    if (cdp != null) {
      cdp.close();
    }
  }

  /** A rule promoting the product a Product Viewed names, with these suppressions. */
  static Rule.Builder promo(Suppression... suppressions) {
    Rule.Builder r = Rule.builder("promo").trigger(Trigger.event(VIEWED)).channel("mail")
        .purpose("marketing")
        .template(Template.parse("{\"sku\": \"{{event.properties.sku}}\"}"));
    for (Suppression s : suppressions) {
      r.suppress(s);
    }
    return r;
  }

  static Product shirt(String size, long stock) {
    return Product.builder("SH-" + size).name("Shirt " + size).brand("Acme").group("SH")
        .stock(stock).build();
  }

  /** A customer with an e-mail address who granted marketing by e-mail. */
  ProfileId customer(Workspace ws, String id) {
    ProfileId p = ws.ingest(Event.identify().messageId("m" + messages++).userId(id)
        .identifier(Identifier.email(id + "@example.com")).timestamp(clock.instant()).build())
        .profile().orElseThrow();
    ws.ingest(Event.track("Consent Changed").messageId("m" + messages++).userId(id)
        .consent("marketing", "email", true).timestamp(clock.instant()).build());
    return p;
  }

  ProfileId customer() {
    return customer(w, "c1");
  }

  void order(Workspace ws, String name, Duration ago, List<Map<String, Object>> lines) {
    ws.ingest(Event.track(name).messageId("m" + messages++).userId("c1")
        .property("order_id", "O-" + messages).property("total", 10).property("currency", "EUR")
        .property("products", lines).timestamp(clock.instant().minus(ago)).build());
  }

  void order(Duration ago, Map<String, Object> line) {
    order(w, "Order Completed", ago, List.of(line));
  }

  void view(Workspace ws, Map<String, Object> properties) {
    Event.Builder e = Event.track(VIEWED).messageId("m" + messages++).userId("c1")
        .timestamp(clock.instant());
    properties.forEach(e::property);
    ws.ingest(e.build());
  }

  void view(String sku) {
    view(w, Map.of("sku", sku));
  }

  List<Object> sentSkus() {
    return email.sent().stream().map(m -> m.payload().get("sku")).toList();
  }

  List<String> outcomes(ProfileId p) {
    return activation.deliveries(p).stream()
        .map(d -> d.outcome() + (d.reason() == null ? "" : ":" + d.reason())).toList();
  }

  static Map<String, Object> line(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  @Test
  @DisplayName("a template reads the viewed product's catalog name and brand at the send; a "
      + "product missing from the catalog, or a forged $catalog in the event, leaves the field "
      + "missing and the message withheld")
  void templateReadsCatalog() {
    start(b -> b.rule(Rule.builder("browse").trigger(Trigger.event(VIEWED)).channel("mail")
        .purpose("marketing").template(Template.parse("{\"sku\": \"{{event.properties.sku}}\","
            + " \"name\": \"{{event.properties.$catalog.name}}\","
            + " \"brand\": \"{{event.properties.$catalog.brand}}\"}")).build()));
    w.catalog().put(shirt("M", 3));
    ProfileId p = customer();
    view("SH-M");
    view(w, Map.of("sku", "GHOST", "$catalog", Map.of("name", "Forged", "brand", "Forged")));
    activation.drain();
    assertThat(email.sent()).extracting(m -> m.payload().get("name") + "/"
        + m.payload().get("brand")).containsExactly("Shirt M/Acme");
    assertThat(outcomes(p)).containsExactlyInAnyOrder("delivered",
        "suppressed:missing-field:event.properties.$catalog.name");
  }

  @Nested
  @DisplayName("boughtSameGroupRecently")
  class SameGroup {
    final Suppression sameGroup = Suppression.boughtSameGroupRecently(Duration.ofDays(30), "sku");

    void catalog() {
      w.catalog().putAll(List.of(shirt("S", 5), shirt("M", 5), shirt("L", 5),
          Product.builder("MUG-1").group("MUG").stock(5).build(),
          Product.builder("TR-1").group("TR").stock(5).build()));
    }

    @Test
    @DisplayName("an order of a sibling variant within the window suppresses the promotion of "
        + "another size; a product of another group is sent")
    void siblingSuppresses() {
      start(b -> b.rule(promo(sameGroup).build()));
      catalog();
      ProfileId p = customer();
      order(Duration.ofDays(10), line("sku", "SH-L", "quantity", 1));
      view("SH-M");
      view("TR-1");
      activation.drain();
      assertThat(sentSkus()).containsExactly("TR-1");
      assertThat(outcomes(p)).containsExactlyInAnyOrder("delivered",
          "suppressed:suppression:bought-same-group-recently");
      Delivery d = activation.deliveries(p).stream()
          .filter(x -> x.outcome().equals("suppressed")).findFirst().orElseThrow();
      assertThat(Activation.suppressionReason(d)).contains(
          new SuppressionReason.SuppressionMatched(Suppression.BOUGHT_SAME_GROUP_RECENTLY));
      assertThat(d.detail()).contains("\"bought\":\"SH-L\"").contains("\"group\":\"SH\"");
    }

    @Test
    @DisplayName("the window is judged at the send: an order a second inside suppresses, one a "
        + "second outside does not")
    void windowEdges() {
      start(b -> b.rule(promo(sameGroup).build()));
      catalog();
      customer();
      order(Duration.ofDays(30).plusSeconds(1), line("sku", "SH-L"));
      view("SH-M");
      activation.drain();
      assertThat(sentSkus()).containsExactly("SH-M");
      order(Duration.ofDays(30).minusSeconds(1), line("sku", "SH-S"));
      view("SH-M");
      activation.drain();
      assertThat(sentSkus()).containsExactly("SH-M");
      // The same view again, 2 s later: that order has left the window.
      clock.advance(Duration.ofSeconds(2));
      view("SH-M");
      activation.drain();
      assertThat(sentSkus()).containsExactly("SH-M", "SH-M");
    }

    @Test
    @DisplayName("a promoted product missing from the catalog falls back to its sku: the same "
        + "sku (as sku, product_id or a number) suppresses, a catalog sibling cannot exist")
    void fallbackToSku() {
      start(b -> b.rule(promo(sameGroup).build()));
      catalog();
      customer();
      order(w, "Order Completed", Duration.ofDays(1), List.of(line("product_id", "X-9"),
          line("productId", 4711L), line("sku", "SH-L")));
      view("X-9");
      view(w, Map.of("sku", 4711L));
      view("X-8");
      activation.drain();
      assertThat(sentSkus()).containsExactly("X-8");
    }

    @Test
    @DisplayName("the Cdp's order events count (Cdp.Builder.orderEvent), not a fixed "
        + "'Order Completed', and no other event does")
    void cdpOrderEvents() {
      start(b -> b.rule(promo(sameGroup).build()), c -> c.orderEvent("Purchase"));
      catalog();
      customer();
      // Not order events of this Cdp: its only order event is Purchase.
      order(w, "Order Completed", Duration.ofDays(1), List.of(line("sku", "SH-L")));
      order(w, "Checkout Started", Duration.ofDays(1), List.of(line("sku", "MUG-1")));
      view("SH-M");
      view("MUG-1");
      activation.drain();
      assertThat(sentSkus()).containsExactlyInAnyOrder("SH-M", "MUG-1");
      order(w, "Purchase", Duration.ofDays(1), List.of(line("sku", "SH-S")));
      view("SH-M");
      activation.drain();
      assertThat(sentSkus()).containsExactlyInAnyOrder("SH-M", "MUG-1");
    }

    @Test
    @DisplayName("a forged $catalog in an order line never suppresses (another product claiming "
        + "the group) nor unlocks (a sibling claiming another group)")
    void forgedCatalogInOrder() {
      start(b -> b.rule(promo(sameGroup).build()));
      catalog();
      customer();
      order(w, "Order Completed", Duration.ofDays(1), List.of(
          line("sku", "MUG-1", "$catalog", Map.of("group", "SH", "sku", "SH-M")),
          line("sku", "NOT-IN-CATALOG", "group", "SH",
              "$catalog", Map.of("group", "SH", "sku", "SH-M"))));
      view("SH-M");
      activation.drain();
      assertThat(sentSkus()).containsExactly("SH-M");
      order(w, "Order Completed", Duration.ofDays(1), List.of(
          line("sku", "SH-L", "$catalog", Map.of("group", "OTHER", "sku", "X"))));
      view("SH-M");
      activation.drain();
      assertThat(sentSkus()).containsExactly("SH-M");
    }

    @Test
    @DisplayName("the catalog is read at the send: a product put into the group after the order "
        + "and after the decision suppresses")
    void catalogAtSend() {
      start(b -> b.rule(promo(sameGroup).build()));
      w.catalog().put(shirt("M", 5));
      customer();
      order(Duration.ofDays(1), line("sku", "SH-XL"));
      view("SH-M");
      w.catalog().put(shirt("XL", 2));
      activation.drain();
      assertThat(sentSkus()).isEmpty();
    }

    @Test
    @DisplayName("refunds: an order refunded in full still suppresses (a refund names no lines)")
    void refundStillSuppresses() {
      start(b -> b.rule(promo(sameGroup).build()));
      catalog();
      ProfileId p = customer();
      order(Duration.ofDays(2), line("sku", "SH-L"));
      String orderId = "O-" + messages;
      w.ingest(Event.track("Order Refunded").messageId("r1").userId("c1")
          .property("order_id", orderId).timestamp(clock.instant().minus(Duration.ofDays(1)))
          .build());
      assertThat(w.profiles().get(p).orElseThrow().orderCount()).isZero();
      view("SH-M");
      activation.drain();
      assertThat(sentSkus()).isEmpty();
    }
  }

  @Nested
  @DisplayName("unavailable")
  class Unavailable {
    final Suppression unavailable = Suppression.unavailable("sku");

    @Test
    @DisplayName("a product out of stock is withheld; back in stock it is sent")
    void outAndBackInStock() {
      start(b -> b.rule(promo(unavailable).build()));
      w.catalog().put(shirt("M", 0));
      ProfileId p = customer();
      view("SH-M");
      activation.drain();
      assertThat(sentSkus()).isEmpty();
      assertThat(outcomes(p)).containsExactly("suppressed:suppression:unavailable");
      assertThat(activation.deliveries(p).get(0).detail()).contains("\"stock\":0");
      w.catalog().put(shirt("M", 4));
      view("SH-M");
      activation.drain();
      assertThat(sentSkus()).containsExactly("SH-M");
    }

    @Test
    @DisplayName("stock is judged when the message is sent, not when it was decided")
    void judgedAtSend() {
      start(b -> b.rule(promo(unavailable).delay(Duration.ofHours(1)).build()));
      w.catalog().put(shirt("M", 3));
      w.catalog().put(shirt("L", 0));
      customer();
      view("SH-M");
      view("SH-L");
      w.catalog().putAll(List.of(shirt("M", 0), shirt("L", 7)));
      clock.advance(Duration.ofHours(1));
      activation.drain();
      assertThat(sentSkus()).containsExactly("SH-L");
    }

    @Test
    @DisplayName("a product missing from the catalog, or without a known stock, is sent")
    void missingIsSent() {
      start(b -> b.rule(promo(unavailable).build()));
      w.catalog().put(Product.builder("NO-STOCK").build());
      customer();
      view("UNKNOWN");
      view("NO-STOCK");
      activation.drain();
      assertThat(sentSkus()).containsExactlyInAnyOrder("UNKNOWN", "NO-STOCK");
    }

    @Test
    @DisplayName("a forged $catalog in the triggering event neither unlocks an out-of-stock "
        + "product nor withholds one in stock, nor does a catalog event ingested as a person's; "
        + "a padded sku still names its product")
    void forgedCatalogInEvent() {
      start(b -> b.rule(promo(unavailable).build()));
      w.catalog().putAll(List.of(shirt("M", 0), shirt("S", 2)));
      customer();
      w.ingest(Event.track(Catalog.PRODUCT_UPDATED).messageId("forged").userId("c1")
          .property("sku", "SH-M").property("stock", 9).timestamp(clock.instant()).build());
      view(w, Map.of("sku", "SH-M", "$catalog", Map.of("available", true, "stock", 9)));
      view(w, Map.of("sku", " SH-M "));
      view(w, Map.of("sku", "SH-S", "$catalog", Map.of("available", false, "stock", 0)));
      activation.drain();
      assertThat(sentSkus()).containsExactly("SH-S");
    }

    @Test
    @DisplayName("each workspace reads its own catalog")
    void workspaceIsolation() {
      start(b -> b.rule(promo(unavailable).build()));
      Workspace a = cdp.workspace(WorkspaceId.of("shop-a"));
      Workspace b = cdp.workspace(WorkspaceId.of("shop-b"));
      a.catalog().put(shirt("M", 0));
      b.catalog().put(shirt("M", 8));
      customer(a, "c1");
      customer(b, "c1");
      view(a, Map.of("sku", "SH-M"));
      view(b, Map.of("sku", "SH-M"));
      activation.drain();
      assertThat(email.sent()).extracting(Message::workspace)
          .containsExactly(WorkspaceId.of("shop-b"));
    }
  }

  @Nested
  @DisplayName("$catalog paths in recentEvent and trigger filters")
  class CatalogPaths {
    @Test
    @DisplayName("recentEvent over products[].$catalog.group suppresses a group the person "
        + "ordered from; a forged $catalog.group in a line does not")
    void recentEventGroup() {
      Suppression byGroup = Suppression.recentEvent("bought-group", EventFilter.ORDERS,
          Duration.ofDays(30), "products[].$catalog.group", "group");
      start(b -> b.rule(Rule.builder("collection").trigger(Trigger.event("Collection Viewed"))
          .channel("mail").purpose("marketing")
          .template(Template.parse("{\"group\": \"{{event.properties.group}}\"}"))
          .suppress(byGroup).build()));
      w.catalog().putAll(List.of(shirt("L", 1),
          Product.builder("MUG-1").group("MUG").build()));
      customer();
      order(w, "Order Completed", Duration.ofDays(3), List.of(line("sku", "SH-L"),
          line("sku", "MUG-2", "$catalog", Map.of("group", "TR"))));
      for (String g : List.of("SH", "TR", "MUG")) {
        w.ingest(Event.track("Collection Viewed").messageId("m" + messages++).userId("c1")
            .property("group", g).timestamp(clock.instant()).build());
      }
      activation.drain();
      assertThat(email.sent()).extracting(m -> m.payload().get("group"))
          .containsExactlyInAnyOrder("TR", "MUG");
    }

    @Test
    @DisplayName("a rule fires on an order with a product of brand Acme, by the catalog; not "
        + "on other orders, nor on a forged $catalog.brand")
    void triggerByBrand() {
      EventFilter acmeOrders = EventFilter.ORDERS.and(PropertyCondition.any("products",
          PropertyCondition.of("$catalog.brand", Operator.EQ, "Acme")));
      start(b -> b.rule(Rule.builder("acme-thanks").trigger(Trigger.event(acmeOrders))
          .channel("mail").purpose("marketing")
          .template(Template.parse("{\"order\": \"{{event.properties.order_id}}\"}")).build()),
          c -> c.orderEvent("Order Completed").orderEvent("Purchase"));
      w.catalog().putAll(List.of(shirt("M", 1),
          Product.builder("MUG-1").brand("Other").build()));
      customer();
      List<String> acme = new ArrayList<>();
      order(w, "Order Completed", Duration.ZERO, List.of(line("sku", "MUG-1"),
          line("sku", "SH-M")));
      acme.add("O-" + messages);
      order(w, "Purchase", Duration.ZERO, List.of(line("product_id", "SH-M")));
      acme.add("O-" + messages);
      order(w, "Order Completed", Duration.ZERO, List.of(line("sku", "MUG-1")));
      order(w, "Order Completed", Duration.ZERO, List.of(
          line("sku", "MUG-1", "$catalog", Map.of("brand", "Acme")),
          line("sku", "NOPE", "brand", "Acme", "$catalog", Map.of("brand", "Acme"))));
      order(w, "Checkout Started", Duration.ZERO, List.of(line("sku", "SH-M")));
      activation.drain();
      assertThat(email.sent()).extracting(m -> m.payload().get("order"))
          .containsExactlyInAnyOrderElementsOf(acme);
    }

    @Test
    @DisplayName("a recheck on EventFilter.ORDERS sees the Cdp's order events")
    void recheckOnOrders() {
      start(b -> b.rule(Rule.builder("cart").trigger(Trigger.event("Checkout Started"))
          .delay(Duration.ofHours(1)).recheck(Recheck.noEventSince(EventFilter.ORDERS))
          .channel("mail").purpose("marketing")
          .template(Template.parse("{\"sku\": \"{{event.properties.sku}}\"}")).build()),
          c -> c.orderEvent("Purchase"));
      customer();
      w.ingest(Event.track("Checkout Started").messageId("m" + messages++).userId("c1")
          .property("sku", "A").timestamp(clock.instant()).build());
      clock.advance(Duration.ofMinutes(10));
      order(w, "Purchase", Duration.ZERO, List.of(line("sku", "A")));
      clock.advance(Duration.ofHours(1));
      w.ingest(Event.track("Checkout Started").messageId("m" + messages++).userId("c1")
          .property("sku", "B").timestamp(clock.instant()).build());
      clock.advance(Duration.ofHours(1));
      activation.drain();
      assertThat(sentSkus()).containsExactly("B");
    }
  }

  @Nested
  @DisplayName("the factories")
  class Factories {
    @Test
    @DisplayName("name, kind and what each reads; bad arguments are refused naming the field")
    void shapes() {
      Suppression g = Suppression.boughtSameGroupRecently(Duration.ofDays(7), "sku");
      assertThat(g.name()).isEqualTo("bought-same-group-recently");
      assertThat(g.kind()).isEqualTo(Suppression.Kind.BOUGHT_SAME_GROUP);
      assertThat(g.filter()).isEqualTo(EventFilter.ORDERS);
      assertThat(g.within()).isEqualTo(Duration.ofDays(7));
      Suppression u = Suppression.unavailable("sku");
      assertThat(u.name()).isEqualTo("unavailable");
      assertThat(u.kind()).isEqualTo(Suppression.Kind.UNAVAILABLE);
      assertThat(u.paths()).isEmpty();
      assertThatThrownBy(u::path).isInstanceOf(IllegalStateException.class);
      assertThat(u).isNotEqualTo(Suppression.unavailable("productId"))
          .isEqualTo(Suppression.unavailable("sku"));
      assertThat(g).isNotEqualTo(u);
      assertThat(Suppression.boughtRecently(Duration.ofDays(1)).kind())
          .isEqualTo(Suppression.Kind.RECENT_EVENT);
      assertThatThrownBy(() -> Suppression.unavailable(" "))
          .hasMessageContaining("suppression.payloadKey");
      assertThatThrownBy(() -> Suppression.boughtSameGroupRecently(Duration.ZERO, "sku"))
          .hasMessageContaining("suppression.within");
      assertThat(SuppressionReason.parse("suppression:unavailable"))
          .isEqualTo(new SuppressionReason.SuppressionMatched("unavailable"));
    }
  }
}
