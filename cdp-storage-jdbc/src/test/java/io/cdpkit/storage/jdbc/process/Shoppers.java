package io.cdpkit.storage.jdbc.process;

import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded stream of events about a small crowd of shoppers, so that identities overlap a lot:
 * each shopper browses with two cookies, logs in (stitching a cookie to the customer id and
 * e-mail), pays in stores with a loyalty card, and now and then links the card to the account,
 * which merges two existing profiles. Same seed, same events.
 */
final class Shoppers {
  private static final Instant T0 = Instant.parse("2026-05-01T08:00:00Z");

  private Shoppers() {}

  static List<Event> stream(long seed, int shoppers, int events) {
    Random r = new Random(seed);
    List<Event> out = new ArrayList<>(events);
    for (int i = 0; i < events; i++) {
      int s = r.nextInt(shoppers);
      String cookie = "ck-" + s + "-" + r.nextInt(2);
      String customer = "C-" + (1000 + s);
      String card = "2900" + String.format("%09d", s);
      Instant at = T0.plusSeconds(i * 37L);
      String id = "m-" + seed + "-" + i;
      Event e = switch (r.nextInt(6)) {
        case 0, 1 -> Event.track("Product Viewed").messageId(id).anonymousId(cookie)
            .property("sku", "SKU-" + r.nextInt(40)).channel(Channels.WEB).timestamp(at).build();
        case 2 -> Event.identify().messageId(id).anonymousId(cookie).userId(customer)
            .trait("email", "Shopper." + s + "@Example.com").channel(Channels.WEB)
            .timestamp(at).build();
        case 3 -> Event.track("Order Completed").messageId(id).userId(customer)
            .property("order_id", "W-" + i).property("total", price(r))
            .property("currency", "EUR").channel(Channels.WEB).timestamp(at).build();
        case 4 -> Event.track("Order Completed").messageId(id)
            .identifier(IdentifierType.LOYALTY_CARD, card)
            .property("order_id", "R-" + i).property("total", price(r))
            .property("currency", "EUR").channel(Channels.POS).storeId("st-" + r.nextInt(3))
            .timestamp(at).build();
        default -> Event.identify().messageId(id).userId(customer)
            .identifier(IdentifierType.LOYALTY_CARD, card).timestamp(at).build();
      };
      out.add(e);
    }
    return out;
  }

  private static BigDecimal price(Random r) {
    return BigDecimal.valueOf(500 + r.nextInt(20_000), 2);
  }

  /** Every identifier the stream can carry, as the store keys them. */
  static Set<Identifier> identifiers(int shoppers) {
    Set<Identifier> ids = new LinkedHashSet<>();
    for (int s = 0; s < shoppers; s++) {
      ids.add(Identifier.anonymousId("ck-" + s + "-0"));
      ids.add(Identifier.anonymousId("ck-" + s + "-1"));
      ids.add(Identifier.customerId("C-" + (1000 + s)));
      ids.add(Identifier.email("shopper." + s + "@example.com"));
      ids.add(Identifier.loyaltyCard("2900" + String.format("%09d", s)));
    }
    return ids;
  }
}
