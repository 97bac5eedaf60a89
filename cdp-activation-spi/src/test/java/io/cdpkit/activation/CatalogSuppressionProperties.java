package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link Suppression#boughtSameGroupRecently} against an independent model: random catalogs
 * (products present or not, with or without a group), random orders and non-order events of
 * random age whose lines name products by any of the product keys and may carry a forged
 * {@code $catalog}, and a random promoted sku.
 */
class CatalogSuppressionProperties {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
  static final Duration WITHIN = Duration.ofDays(30);
  static final List<String> KEYS = List.of("sku", "product_id", "productId");
  static final List<String> GROUPS = List.of("A", "B", "");

  /** Product {@code P<i>} is in the catalog when {@code present}, in a group unless blank. */
  record Entry(boolean present, String group) {}

  record Line(int product, int key, String forgedGroup) {}

  record Order(boolean isOrder, int ageHours, List<Line> lines) {}

  record Story(List<Entry> catalog, List<Order> orders, int promoted) {}

  @Provide
  Arbitrary<Story> stories() {
    Arbitrary<Entry> entry = Combinators.combine(Arbitraries.of(true, true, false),
        Arbitraries.of(GROUPS)).as(Entry::new);
    Arbitrary<Line> line = Combinators.combine(Arbitraries.integers().between(0, 7),
        Arbitraries.integers().between(0, 2), Arbitraries.of(GROUPS)).as(Line::new);
    // Ages around the window's edge (720 h) as often as elsewhere.
    Arbitrary<Integer> age = Arbitraries.oneOf(Arbitraries.integers().between(0, 1440),
        Arbitraries.integers().between(719, 721));
    Arbitrary<Order> order = Combinators.combine(Arbitraries.of(true, true, false), age,
        line.list().ofMinSize(1).ofMaxSize(3)).as(Order::new);
    return Combinators.combine(entry.list().ofSize(6), order.list().ofMaxSize(4),
        Arbitraries.integers().between(0, 7)).as(Story::new);
  }

  /** What the rule promises: a line of an order within the window names the sku or its group. */
  static boolean model(Story s) {
    String promotedGroup = group(s, s.promoted());
    for (Order o : s.orders()) {
      if (!o.isOrder() || o.ageHours() > WITHIN.toHours()) {
        continue;
      }
      for (Line l : o.lines()) {
        if (l.product() == s.promoted()
            || promotedGroup != null && promotedGroup.equals(group(s, l.product()))) {
          return true;
        }
      }
    }
    return false;
  }

  /** The group of product {@code P<i>} in the catalog; null when absent or without one. */
  static String group(Story s, int i) {
    if (i >= s.catalog().size() || !s.catalog().get(i).present()) {
      return null;
    }
    String g = s.catalog().get(i).group();
    return g.isEmpty() ? null : g;
  }

  @Property(tries = 120)
  void suppressesExactlyWhenTheModelSays(@ForAll("stories") Story s) {
    MutableClock clock = new MutableClock(NOW);
    SpyProvider email = new SpyProvider("spy-email", "email", IdentifierType.EMAIL);
    Activation activation = Activation.builder().channel("mail", email, Map.of())
        .rule(CatalogSuppressionTest.promo(
            Suppression.boughtSameGroupRecently(WITHIN, "sku")).build()).build();
    try (Cdp cdp = Cdp.builder().clock(clock).extension(activation).build()) {
      Workspace w = cdp.workspace(WorkspaceId.DEFAULT);
      List<Product> products = new ArrayList<>();
      for (int i = 0; i < s.catalog().size(); i++) {
        Entry e = s.catalog().get(i);
        if (e.present()) {
          Product.Builder b = Product.builder("P" + i).stock(1);
          if (!e.group().isEmpty()) {
            b.group(e.group());
          }
          products.add(b.build());
        }
      }
      if (!products.isEmpty()) {
        w.catalog().putAll(products);
      }
      w.ingest(Event.identify().messageId("id").userId("c1")
          .identifier(Identifier.email("c1@example.com")).timestamp(NOW).build());
      w.ingest(Event.track("Consent Changed").messageId("consent").userId("c1")
          .consent("marketing", "email", true).timestamp(NOW).build());
      int n = 0;
      for (Order o : s.orders()) {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (Line l : o.lines()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put(KEYS.get(l.key()), "P" + l.product());
          if (!l.forgedGroup().isEmpty()) {
            m.put("$catalog", Map.of("group", l.forgedGroup()));
          }
          lines.add(m);
        }
        w.ingest(Event.track(o.isOrder() ? "Order Completed" : "Checkout Started")
            .messageId("o" + n).userId("c1").property("order_id", "O" + n++)
            .property("total", 1).property("currency", "EUR").property("products", lines)
            .timestamp(NOW.minus(Duration.ofHours(o.ageHours()))).build());
      }
      w.ingest(Event.track(CatalogSuppressionTest.VIEWED).messageId("view").userId("c1")
          .property("sku", "P" + s.promoted()).timestamp(NOW).build());
      activation.drain();
      boolean suppressed = model(s);
      Statistics.label("suppressed").collect(suppressed);
      assertThat(email.sent()).as("sent for %s", s).hasSize(suppressed ? 0 : 1);
    } finally {
      activation.close();
    }
  }
}
