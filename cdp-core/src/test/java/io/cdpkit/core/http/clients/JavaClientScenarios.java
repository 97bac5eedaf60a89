package io.cdpkit.core.http.clients;

import static io.cdpkit.core.http.clients.ClientTestSupport.map;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.http.clients.ClientTestSupport.Collector;
import io.cdpkit.core.http.clients.ClientTestSupport.Deliveries;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.Profile;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The same customer journey sent by a real, unmodified Java tracking SDK to the tracking endpoint
 * over loopback, then read back through the profile API. A subclass per SDK adapts its API to
 * {@link JavaClient}.
 */
abstract class JavaClientScenarios {
  /** An order placed long before the SDK sends it (a historical import). */
  static final Instant HISTORIC = Instant.parse("2019-03-04T05:06:07.000Z");

  /** The Java SDK calls these tests make, in the vocabulary of the Segment spec. */
  interface JavaClient extends AutoCloseable {
    void identify(String userId, Map<String, ?> traits);

    void track(@Nullable String userId, @Nullable String anonymousId, String event,
        Map<String, ?> properties, @Nullable Instant timestamp);

    void page(String userId, String name, Map<String, ?> properties);

    void screen(String userId, String name, Map<String, ?> properties);

    void group(String userId, String groupId, Map<String, ?> traits);

    void alias(String previousId, String userId);

    /** Asks the SDK to send what it has queued (it sends in the background). */
    void flush();

    /** Shuts the SDK down. */
    @Override
    void close();
  }

  /**
   * A client of this SDK sending to {@code base} (the "host", "endpoint" or "data plane URL"
   * setting) with {@code writeKey}, reporting each message's outcome to {@code deliveries}.
   */
  abstract JavaClient connect(URI base, String writeKey, Deliveries deliveries);

  /** The write key a host would configure for this SDK's source. */
  abstract String writeKey();

  /** {@code context.library.name} and {@code .version} the SDK stamps on its messages. */
  abstract String libraryName();

  abstract String libraryVersion();

  private static Map<String, Object> product(String id, String name, String price, int quantity) {
    return map("product_id", id, "sku", "SKU-" + id, "name", name,
        "price", new BigDecimal(price), "quantity", quantity);
  }

  private static Map<String, Object> order(String orderId, String revenue,
      List<Map<String, Object>> products) {
    return map("order_id", orderId, "revenue", new BigDecimal(revenue), "currency", "EUR",
        "products", products);
  }

  @Test
  @DisplayName("identify, track, page, screen, group and alias build one profile: found by "
      + "userId and normalised e-mail, three orders, the alias merged, a 2019 order in 2019")
  void customerJourney() throws Exception {
    Deliveries deliveries = new Deliveries();
    try (Collector collector = Collector.start(writeKey())) {
      try (JavaClient client = connect(collector.baseUri(), writeKey(), deliveries)) {
        client.track(null, "anon-7", "Product Viewed",
            product("P-1", "Blue mug", "9.50", 1), null);
        client.identify("u-1", map("email", "Jane.Doe@Example.COM", "first_name", "Jane",
            "plan", "pro"));
        client.page("u-1", "Home", map("path", "/", "title", "Shop"));
        client.screen("u-1", "Basket", map("items", 2));
        client.group("u-1", "g-1", map("name", "Acme Ltd", "employees", 12));
        client.track("u-1", null, "Product Viewed", product("P-2", "Green mug", "12.00", 1), null);
        client.track("u-1", null, "Order Completed", order("o-1", "59.90",
            List.of(product("P-1", "Blue mug", "9.50", 2), product("P-3", "Teapot", "40.90", 1))),
            null);
        client.track("u-1", null, "Order Completed",
            order("o-2", "20.10", List.of(product("P-4", "Spoon", "20.10", 1))), null);
        client.track("u-1", null, "Order Completed",
            order("o-0", "10.00", List.of(product("P-5", "Saucer", "10.00", 1))), HISTORIC);
        client.track("u-1", null, "Note Written", map("text", "n".repeat(30_000)), null);
        client.alias("anon-7", "u-1");
        client.flush();
        Set<String> delivered = deliveries.awaitDelivered(11, Duration.ofSeconds(60));

        Profile p = collector.profile(Identifier.customerId("u-1"));
        assertThat(collector.profiles().find(Identifier.email("jane.doe@example.com")))
            .as("the profile found by the normalised e-mail").map(Profile::id).contains(p.id());
        assertThat(collector.profiles().find(Identifier.anonymousId("anon-7")))
            .as("the anonymous visitor, merged by the alias").map(Profile::id).contains(p.id());
        assertThat(p.identifiers()).contains(Identifier.customerId("u-1"),
            Identifier.email("jane.doe@example.com"), Identifier.anonymousId("anon-7"));
        assertThat(p.trait("plan")).contains("pro");

        assertThat(p.orderCount()).isEqualTo(3);
        assertThat(p.totalSpend("EUR")).isEqualTo(Money.of(9_000, "EUR"));

        List<Event> events = collector.profiles().events(p.id());
        assertThat(events).extracting(Event::messageId)
            .as("every delivered message stored once on the profile")
            .containsExactlyInAnyOrderElementsOf(delivered);
        Map<EventType, Long> types =
            events.stream().collect(Collectors.groupingBy(Event::type, Collectors.counting()));
        assertThat(types).containsExactlyInAnyOrderEntriesOf(Map.of(EventType.IDENTIFY, 1L,
            EventType.TRACK, 6L, EventType.PAGE, 1L, EventType.SCREEN, 1L, EventType.GROUP, 1L,
            EventType.ALIAS, 1L));
        Event historic = events.stream()
            .filter(e -> "o-0".equals(e.properties().get("order_id"))).findFirst().orElseThrow();
        // These SDKs send only "timestamp" (the caller's, or else the call time) and sentAt, so
        // the event time is the timestamp corrected for the client's clock skew,
        // receivedAt - (sentAt - timestamp) (Event#eventTime, as Segment computes it): the 2019
        // order lands in 2019, moved by the time the message took from the SDK's batch to the
        // server (milliseconds on loopback).
        assertThat(historic.timestamp()).isEqualTo(HISTORIC);
        assertThat(historic.sentAt()).isNotNull();
        assertThat(historic.receivedAt()).isNotNull();
        Duration inFlight = Duration.between(historic.sentAt(), historic.receivedAt());
        assertThat(inFlight.abs()).isLessThan(Duration.ofMinutes(1));
        assertThat(historic.eventTime()).isEqualTo(HISTORIC.plus(inFlight));
        assertThat(historic.eventTime().atZone(ZoneOffset.UTC).getYear()).isEqualTo(2019);
        assertThat(p.firstSeen()).contains(historic.eventTime());
        Event anonymous = events.stream().filter(e -> "anon-7".equals(e.anonymousId()))
            .findFirst().orElseThrow();
        assertThat(anonymous.name()).isEqualTo("Product Viewed");
        Event note = events.stream().filter(e -> "Note Written".equals(e.name()))
            .findFirst().orElseThrow();
        assertThat((String) note.properties().get("text")).hasSize(30_000);
        Event order = events.stream().filter(e -> "o-1".equals(e.properties().get("order_id")))
            .findFirst().orElseThrow();
        assertThat((List<?>) order.properties().get("products")).hasSize(2);
        assertThat(order.eventTime()).isAfter(Instant.now().minus(Duration.ofMinutes(5)));
        assertThat(events).allSatisfy(e -> {
          assertThat(e.context().libraryName()).isEqualTo(libraryName());
          assertThat(e.context().libraryVersion()).isEqualTo(libraryVersion());
        });
      }
    }
  }

  @Test
  @DisplayName("600 messages in several flushes are each stored exactly once")
  void sixHundredMessages() throws Exception {
    Deliveries deliveries = new Deliveries();
    try (Collector collector = Collector.start(writeKey())) {
      try (JavaClient client = connect(collector.baseUri(), writeKey(), deliveries)) {
        for (int i = 0; i < 600; i++) {
          client.track("u-600", null, "Item Clicked", map("i", i), null);
        }
        client.flush();
        Set<String> delivered = deliveries.awaitDelivered(600, Duration.ofSeconds(60));
        assertThat(delivered).hasSize(600);

        List<Event> events = collector.events(Identifier.customerId("u-600"));
        assertThat(events).extracting(Event::messageId)
            .containsExactlyInAnyOrderElementsOf(delivered);
        assertThat(events).extracting(e -> ((Number) e.properties().get("i")).intValue())
            .containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 600).boxed().toList());
        assertThat(collector.eventCounts()).containsEntry("Item Clicked", 600L);
      }
    }
  }

  @Test
  @DisplayName("after a 500 from the host's server the SDK retries, and each event lands once")
  void retryAfterServerError() throws Exception {
    Deliveries deliveries = new Deliveries();
    try (Collector collector = Collector.start(writeKey());
        FirstPostFails host = new FirstPostFails(collector.endpoint.httpHandler())) {
      try (JavaClient client = connect(host.baseUri(), writeKey(), deliveries)) {
        client.identify("u-r", map("email", "retry@example.com"));
        client.track("u-r", null, "Product Viewed", product("P-9", "Jug", "5.00", 1), null);
        client.track("u-r", null, "Order Completed",
            order("o-r", "5.00", List.of(product("P-9", "Jug", "5.00", 1))), null);
        client.flush();
        // Both SDKs back off 15 to 30 seconds before their first retry.
        Set<String> delivered = deliveries.awaitDelivered(3, Duration.ofSeconds(90));

        assertThat(host.posts()).as("requests: %s", host.exchanges())
            .hasSizeGreaterThanOrEqualTo(2);
        assertThat(host.posts().get(0).injected()).isTrue();
        assertThat(host.posts().get(0).status()).isEqualTo(500);
        List<Event> events = collector.events(Identifier.customerId("u-r"));
        assertThat(events).extracting(Event::messageId)
            .containsExactlyInAnyOrderElementsOf(delivered);
        assertThat(collector.eventCounts()).containsEntry("Order Completed", 1L)
            .containsEntry("Product Viewed", 1L);
        assertThat(collector.profile(Identifier.customerId("u-r")).orderCount()).isEqualTo(1);
      }
    }
  }
}
