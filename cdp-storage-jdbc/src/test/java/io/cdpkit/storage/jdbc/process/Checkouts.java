package io.cdpkit.storage.jdbc.process;

import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded stream of events about a crowd of shoppers for the activation tests: they browse
 * with two cookies, start checkouts (the event the rule fires on) anonymously or logged in,
 * order, and log in, which merges a cookie's profile into the customer's. Event times are a
 * quarter of a second apart from {@link #T0}. Same seed, same events.
 */
final class Checkouts {
  /** The first event's time. */
  static final Instant T0 = Instant.parse("2026-05-01T08:00:00Z");
  /** The event the rule fires on. */
  static final String FIRING = "Checkout Started";

  private Checkouts() {}

  static List<Event> stream(long seed, int shoppers, int events) {
    Random r = new Random(seed);
    List<Event> out = new ArrayList<>(events);
    for (int i = 0; i < events; i++) {
      int s = r.nextInt(shoppers);
      String cookie = "ck-" + s + "-" + r.nextInt(2);
      String customer = "C-" + (1000 + s);
      Instant at = T0.plusMillis(250L * i);
      String id = "co-" + seed + "-" + i;
      Event e = switch (r.nextInt(8)) {
        case 0, 1, 2 -> Event.track("Product Viewed").messageId(id).anonymousId(cookie)
            .property("sku", "SKU-" + r.nextInt(40)).channel(Channels.WEB).timestamp(at).build();
        case 3 -> Event.track(FIRING).messageId(id).anonymousId(cookie)
            .property("cartId", "K-" + i).channel(Channels.WEB).timestamp(at).build();
        case 4, 5 -> Event.track(FIRING).messageId(id).userId(customer)
            .property("cartId", "K-" + i).channel(Channels.WEB).timestamp(at).build();
        case 6 -> Event.track("Order Completed").messageId(id).userId(customer)
            .property("order_id", "W-" + i)
            .property("total", BigDecimal.valueOf(500 + r.nextInt(20_000), 2))
            .property("currency", "EUR").channel(Channels.WEB).timestamp(at).build();
        default -> Event.identify().messageId(id).anonymousId(cookie).userId(customer)
            .trait("email", "shopper." + s + "@example.com").channel(Channels.WEB)
            .timestamp(at).build();
      };
      out.add(e);
    }
    return out;
  }

  /** The messageIds of the events the rule fires on, in stream order. */
  static List<String> firing(List<Event> stream) {
    return stream.stream().filter(e -> FIRING.equals(e.name())).map(Event::messageId).toList();
  }
}
