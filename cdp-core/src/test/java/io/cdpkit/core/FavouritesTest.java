package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Favourite store and channel count orders as orderCount() does, not order events. */
class FavouritesTest {
  static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  int seq;

  Event order(String orderId, String channel, String store, int minute) {
    return Event.track("Order Completed").messageId("m-" + seq++).userId("C-1")
        .property("order_id", orderId).property("total", new BigDecimal("20.00"))
        .property("currency", "EUR").channel(channel).storeId(store)
        .timestamp(T.plusSeconds(60L * minute)).build();
  }

  Event refund(String orderId, int minute) {
    return Event.track("Order Refunded").messageId("m-" + seq++).userId("C-1")
        .property("order_id", orderId).timestamp(T.plusSeconds(60L * minute)).build();
  }

  Profile ingestShuffled(List<Event> events, long seed) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, new Random(seed));
    try (Cdp cdp = Cdp.builder().build()) {
      cdp.ingest(shuffled);
      return cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
    }
  }

  @Test
  @DisplayName("a receipt resent three times under new messageIds is one order: two orders "
      + "elsewhere win, in any ingestion order")
  void resentReceipts() {
    List<Event> events = List.of(
        order("R-1", "pos", "store-a", 1), order("R-1", "pos", "store-a", 2),
        order("R-1", "pos", "store-a", 3),
        order("R-2", "pos", "store-b", 4), order("R-3", "pos", "store-b", 5),
        order("W-1", "web", "web-shop", 6));
    for (long seed = 0; seed < 10; seed++) {
      Profile p = ingestShuffled(events, seed);
      assertThat(p.orderCount()).isEqualTo(4);
      assertThat(p.favouriteStore()).contains("store-b");
      assertThat(p.favouriteChannel()).contains("pos");
    }
  }

  @Test
  @DisplayName("orders refunded in full do not make a favourite; a partly refunded one counts")
  void refundedOrders() {
    List<Event> events = new ArrayList<>(List.of(
        order("A-1", "web", "web-shop", 1), order("A-2", "web", "web-shop", 2),
        refund("A-1", 3), refund("A-2", 4),
        order("B-1", "pos", "store-b", 5)));
    for (long seed = 0; seed < 10; seed++) {
      Profile p = ingestShuffled(events, seed);
      assertThat(p.orderCount()).isEqualTo(1);
      assertThat(p.favouriteStore()).contains("store-b");
      assertThat(p.favouriteChannel()).contains("pos");
    }
  }
}
