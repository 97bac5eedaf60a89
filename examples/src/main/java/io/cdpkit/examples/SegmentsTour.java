package io.cdpkit.examples;

import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.traits.RetailTraits;
import io.cdpkit.segmentation.SegmentSnapshot;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.ProfileField;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * Segments and computed traits on a small story, with a clock the story moves forward:
 *
 * <ol>
 *   <li>the retail pack of computed traits and three segments: VIPs by spend (built in Java),
 *       abandoned carts and "reachable by e-mail" (saved as JSON, as a marketer's tool would);
 *   <li>Jane adds a dress to her cart and leaves; a day later the scheduled check puts her in
 *       the abandoned-cart segment; she orders and leaves it, and her spend makes her a VIP;
 *   <li>why Piet is not reachable by e-mail, node by node;
 *   <li>a batch evaluation: counts and the overlap of two segments.
 * </ol>
 *
 * Every entry and exit is printed as the listener hears it. Run it with
 * {@code mvn -q -pl examples -am package exec:java -DskipTests
 * -Dexample=SegmentsTour}. Stateless: each {@link #run} builds its
 * own {@link Cdp} on the in-memory store.
 */
public final class SegmentsTour {
  static final String ABANDONED_CART = """
      {"version": 1, "id": "abandoned-cart", "name": "Abandoned cart",
       "condition": {"type": "notFollowedBy", "event": {"events": ["Product Added"]},
         "followedBy": {"events": ["Order Completed"]}, "wait": "PT24H", "withinDays": 7}}
      """;
  static final String REACHABLE = """
      {"version": 1, "id": "reachable-by-email", "name": "Reachable by e-mail",
       "condition": {"type": "and", "conditions": [
         {"type": "identifier", "identifierType": "email"},
         {"type": "consent", "purpose": "marketing", "channel": "email"}]}}
      """;

  private SegmentsTour() {}

  public static void main(String[] args) {
    run(System.out);
  }

  /** A clock the story sets. Thread-safe. */
  static final class StoryClock extends Clock {
    private volatile Instant now;

    StoryClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the story clock is UTC");
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  public static void run(PrintStream out) {
    StoryClock clock = new StoryClock(Instant.parse("2026-03-02T09:00:00Z"));
    Segmentation segmentation = Segmentation.builder()
        .listener(e -> out.println("  " + e.at() + "  " + e.kind() + " " + e.segment()
            + "  (" + e.cause().type().text() + ")"))
        .build();
    try (Cdp cdp = Cdp.builder().clock(clock).computedTraits(RetailTraits.all())
        .extension(segmentation).build()) {
      Segments segments = segmentation.segments();
      segments.save(SegmentDefinition.builder("vip").name("VIPs by spend")
          .where(Conditions.profile(ProfileField.TOTAL_SPEND, "EUR").gte(200)).build());
      segments.saveJson(ABANDONED_CART);
      segments.saveJson(REACHABLE);

      out.println("Jane adds a dress to her cart and leaves:");
      cdp.ingest(Event.identify().messageId("j-1").userId("C-1001")
          .trait("email", "jane@example.com").consent("marketing", "email", true)
          .timestamp(clock.instant()).build());
      cdp.ingest(Event.track("Product Added").messageId("j-2").userId("C-1001")
          .property("product_id", "DR-42").property("category", "dresses")
          .timestamp(clock.instant()).build());
      clock.advance(Duration.ofHours(25));
      out.println("A day later, the scheduled checks run:");
      segments.runDue();
      out.println("She orders the dress and a coat:");
      cdp.ingest(Event.track("Order Completed").messageId("j-3").userId("C-1001")
          .property("order_id", "W-1").property("total", new BigDecimal("249.90"))
          .property("currency", "EUR").property("products", List.of(
              Map.of("product_id", "DR-42", "category", "dresses"),
              Map.of("product_id", "CO-7", "category", "coats")))
          .channel(Channels.WEB).timestamp(clock.instant()).build());
      Profile jane = cdp.profiles().find(Identifier.customerId("C-1001")).orElseThrow();
      out.println("Jane's segments: " + segments.memberships(jane.id()));
      out.println("Jane's retail traits: preferred channel "
          + jane.computedTrait(RetailTraits.PREFERRED_CHANNEL).orElse("-")
          + ", favourite category "
          + jane.computedTrait(RetailTraits.FAVOURITE_CATEGORY).orElse("-")
          + ", days since last order "
          + jane.computedTrait(RetailTraits.DAYS_SINCE_LAST_ORDER).orElse("-"));

      out.println("Piet buys in a store, without an e-mail address:");
      cdp.ingest(Event.track("Order Completed").messageId("p-1").userId("C-1002")
          .property("order_id", "R-9").property("total", new BigDecimal("35.00"))
          .property("currency", "EUR").channel(Channels.POS).storeId("amsterdam-01")
          .timestamp(clock.instant()).build());
      ProfileId piet = cdp.profiles().find(Identifier.customerId("C-1002")).orElseThrow().id();
      out.println("Why Piet is not reachable by e-mail:");
      out.print(segments.explain(piet, "reachable-by-email").orElseThrow().render()
          .indent(2));

      SegmentSnapshot all = segments.evaluate(
          List.of("vip", "abandoned-cart", "reachable-by-email"), ProgressListener.none());
      out.println("Batch at " + all.at() + " over " + all.profiles() + " profiles: vip "
          + all.count("vip") + ", reachable " + all.count("reachable-by-email")
          + ", both " + all.overlap("vip", "reachable-by-email"));
    }
  }
}
