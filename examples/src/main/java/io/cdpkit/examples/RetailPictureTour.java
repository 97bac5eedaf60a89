package io.cdpkit.examples;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.catalog.CatalogImport;
import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.traits.CatalogTraits;
import io.cdpkit.core.traits.LoyaltyProgram;
import io.cdpkit.core.traits.LoyaltyTraits;
import io.cdpkit.core.traits.RetailTraits;
import io.cdpkit.core.traits.ServiceTraits;
import io.cdpkit.core.traits.TraitMapping;
import io.cdpkit.core.traits.WebTraits;
import java.io.PrintStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One customer seen from every touchpoint of a shop, and the profile that comes of it:
 *
 * <ol>
 *   <li>the packs: retail (orders), loyalty (a card program with tiers and points that lapse
 *       after a year), web (sessions, where visits come from, the device) and service
 *       (open contacts), plus a mapping that files the {@code country} sent with orders and the
 *       {@code address} sent by the POS as traits;
 *   <li>Ana visits from a newsletter on her phone, searches, and buys; she earns points at the
 *       till, where the POS sends her address as one object; the webshop redeems some of them;
 *   <li>she calls about a late delivery (a contact opened, then solved);
 *   <li>she changes her e-mail address: the new one is the one written to;
 *   <li>the night's catalog feed arrives after her order and view, which named only skus: the
 *       catalog pack still counts the brand she bought and how new the product she viewed is,
 *       and the import reports the feed's one bad line;
 *   <li>a year later the points she did not spend have lapsed, with time alone.
 * </ol>
 *
 * Run it with {@code mvn -q -pl examples -am package exec:java -DskipTests
 * -Dexample=RetailPictureTour}. Stateless: each {@link #run} builds its own {@link Cdp} on the
 * in-memory store.
 */
public final class RetailPictureTour {
  static final Instant START = Instant.parse("2026-03-02T09:00:00Z");
  static final Identifier ANA = Identifier.customerId("C-1001");

  private RetailPictureTour() {}

  public static void main(String[] args) {
    run(System.out);
  }

  /** Runs the tour, printing to {@code out}. */
  public static void run(PrintStream out) {
    SegmentsTour.StoryClock clock = new SegmentsTour.StoryClock(START);
    LoyaltyProgram card = LoyaltyProgram.builder("card").validityDays(365)
        .tier("silver", 0).tier("gold", 500).build();
    TraitMapping mapping = TraitMapping.builder()
        .property("Order Completed", "country", "country")
        .contextTraits("address")
        .build();
    try (Cdp cdp = Cdp.builder().clock(clock)
        .computedTraits(RetailTraits.all())
        .computedTraits(LoyaltyTraits.of(card))
        .computedTraits(WebTraits.all())
        .computedTraits(ServiceTraits.all())
        .computedTraits(CatalogTraits.all())
        .traitMapping(mapping)
        .build()) {
      int[] n = {0};
      String phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
          + "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

      // 1. A visit from the newsletter, on her phone: two pages and a search, then an order.
      Instant t = START;
      for (String path : List.of("/new-in", "/dresses/linen")) {
        send(cdp, clock, web(Event.page("Shop"), n, t, phone)
            .property("url", "https://shop.example" + path
                + "?utm_source=newsletter&utm_medium=email&utm_campaign=spring")
            .property("path", path).build());
        t = t.plus(Duration.ofMinutes(3));
      }
      send(cdp, clock, web(Event.track("Products Searched"), n, t, phone)
          .property("query", "linen dress").build());
      send(cdp, clock, web(Event.track("Product Viewed"), n, t.plus(Duration.ofMinutes(1)), phone)
          .property("product_id", "D-21").build());
      send(cdp, clock, web(Event.track("Order Completed"), n, t.plus(Duration.ofMinutes(4)), phone)
          .property("order_id", "W-5001").property("total", new BigDecimal("89.90"))
          .property("currency", "EUR").property("country", "PT")
          .property("products", List.of(Map.of("product_id", "D-17", "category", "dresses")))
          .build());

      // 2. At the till the next day: her card earns points; the POS sends her address as one
      //    object in context.traits. A week later the webshop redeems 200 points.
      Instant till = START.plus(Duration.ofDays(1));
      send(cdp, clock, Event.track("Loyalty Points Earned").messageId("pos-" + n[0]++).userId("C-1001")
          .context(EventContext.builder().channel("pos").storeId("lisboa-02")
              .traits(Map.of("address", Map.of("street", "Rua Augusta 100", "city", "Lisboa",
                  "postalCode", "1100-053", "country", "PT"))).build())
          .timestamp(till).property("program", "card").property("points", 640).build());
      send(cdp, clock, Event.track("Loyalty Points Redeemed").messageId("web-" + n[0]++)
          .userId("C-1001").channel("web").timestamp(till.plus(Duration.ofDays(7)))
          .property("program", "card").property("points", 200).build());

      // 3. She calls about the delivery; the helpdesk opens a contact and solves it.
      Instant call = till.plus(Duration.ofDays(8));
      send(cdp, clock, contact(n, call, "open"));
      clock.set(call.plus(Duration.ofHours(1)));
      Profile p = cdp.profiles().find(ANA).orElseThrow();
      out.println("while the call is open: open contacts "
          + p.computedTrait(ServiceTraits.OPEN_CONTACTS).orElseThrow()
          + ", last reason " + p.computedTrait(ServiceTraits.LAST_CONTACT_REASON).orElse("-"));
      send(cdp, clock, contact(n, call.plus(Duration.ofHours(2)), "solved"));

      // 4. She changes her e-mail address; the old one still recognises her.
      send(cdp, clock, Event.identify().messageId("id-" + n[0]++).userId("C-1001")
          .trait("email", "ana.silva@example.com").timestamp(START).build());
      send(cdp, clock, Event.identify().messageId("id-" + n[0]++).userId("C-1001")
          .trait("email", "ana@silva.example").timestamp(call.plus(Duration.ofDays(1))).build());

      // 5. The night's product feed: the catalog learns what D-17 and D-21 are.
      CatalogImport feed = cdp.workspace(WorkspaceId.DEFAULT).catalog().importJsonLines(
          new StringReader(String.join("\n",
              "{\"sku\":\"D-17\",\"name\":\"Linen dress\",\"category\":\"dresses\","
                  + "\"brand\":\"Lino\",\"price\":89.90,\"currency\":\"EUR\",\"stock\":4,"
                  + "\"created_at\":\"2025-06-01\"}",
              "{\"sku\":\"D-21\",\"name\":\"Linen jumpsuit\",\"category\":\"jumpsuits\","
                  + "\"brand\":\"Lino\",\"price\":99,\"currency\":\"EUR\",\"stock\":0,"
                  + "\"created_at\":\"2026-02-20\"}",
              "{\"sku\":\"X-1\",\"brand\":\"Lino\",\"price\":\"free\",\"currency\":\"EUR\"}")));
      CatalogImport.Rejection bad = feed.rejected().get(0);
      out.println("catalog feed: " + feed.stored() + " products stored, line " + bad.line()
          + " refused: " + bad.pointer() + " " + bad.reason());

      clock.set(call.plus(Duration.ofDays(2)));
      p = cdp.profiles().find(ANA).orElseThrow();
      out.println("catalog: brands bought " + p.computedTrait(CatalogTraits.BRANDS_BOUGHT)
          .orElse(List.of()) + ", newest product viewed created "
          + p.computedTrait(CatalogTraits.NEWEST_PRODUCT_VIEWED_CREATED_AT).orElse("-")
          + "; new since February: " + cdp.workspace(WorkspaceId.DEFAULT).catalog()
              .newest(Instant.parse("2026-02-01T00:00:00Z"), 10).stream()
              .map(x -> x.sku() + (x.available() ? "" : " (out of stock)")).toList());
      out.println("orders " + p.orderCount() + ", spend " + p.totalSpend("EUR")
          + ", preferred channel " + p.computedTrait(RetailTraits.PREFERRED_CHANNEL).orElse("-"));
      out.println("country " + p.trait("country").orElse("-") + ", city "
          + p.trait("address.city").orElse("-") + " (from the POS's address object)");
      out.println("card: balance " + p.computedTrait(LoyaltyTraits.balanceTrait("card"))
          .orElseThrow() + ", tier " + p.computedTrait(LoyaltyTraits.tierTrait("card"))
          .orElse("-") + ", next expiry " + p.computedTrait(
              LoyaltyTraits.nextExpiryPointsTrait("card")).orElse("-") + " points at "
          + p.computedTrait(LoyaltyTraits.nextExpiryAtTrait("card")).orElse("-"));
      out.println("web: visits " + p.computedTrait(WebTraits.VISITS).orElseThrow()
          + ", first touch " + p.computedTrait(WebTraits.FIRST_TOUCH_SOURCE).orElse("-")
          + " / " + p.computedTrait(WebTraits.FIRST_TOUCH_MEDIUM).orElse("-")
          + ", device " + p.computedTrait(WebTraits.DEVICE_TYPE).orElse("-")
          + ", searched " + p.computedTrait(WebTraits.RECENT_SEARCH_TERMS).orElse(List.of()));
      out.println("service: open contacts "
          + p.computedTrait(ServiceTraits.OPEN_CONTACTS).orElseThrow()
          + ", last contact by " + p.computedTrait(ServiceTraits.LAST_CONTACT_CHANNEL)
              .orElse("-"));
      out.println("e-mail addresses " + p.identifiers(IdentifierType.EMAIL).size()
          + ", written to: " + IdentityRules.defaults().currentAddress(IdentifierType.EMAIL,
              p.identifiers(), p.state()).map(Identifier::value).orElse("-"));

      // 6. A year after the till, the 440 unspent points lapse with time alone.
      clock.set(till.plus(Duration.ofDays(366)));
      p = cdp.profiles().find(ANA).orElseThrow();
      out.println("a year on: card balance " + p.computedTrait(
          LoyaltyTraits.balanceTrait("card")).orElseThrow());
    }
  }

  /** Ingests at the event's own time: the clock moves on to it, as the day would. */
  private static void send(Cdp cdp, SegmentsTour.StoryClock clock, Event e) {
    if (e.eventTime().isAfter(clock.instant())) {
      clock.set(e.eventTime());
    }
    cdp.ingest(e);
  }

  private static Event.Builder web(Event.Builder b, int[] n, Instant at, String userAgent) {
    return b.messageId("web-" + n[0]++).userId("C-1001").timestamp(at)
        .context(EventContext.builder().channel("web").userAgent(userAgent).build());
  }

  private static Event contact(int[] n, Instant at, String status) {
    return Event.track("Service Contact").messageId("zd-" + n[0]++).userId("C-1001")
        .channel("call-center").timestamp(at).property("contact_id", "ZD-81")
        .property("status", status).property("channel", "phone")
        .property("reason", "late delivery").build();
  }
}
