package io.cdpkit.core.http.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.Profiles;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.Profile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The profiles each scenario of {@code src/test/clients/scenarios.mjs} must build, whichever
 * client sent it. The numbers here are the scenario's inputs (keep both in step).
 */
final class Expectations {
  private Expectations() {}

  /** The most a client's send and the endpoint's receipt may lie apart on one machine. */
  static final Duration DELIVERY_DELAY = Duration.ofSeconds(30);

  /** The journey's events, each exactly once ({@code alias} only links ids). */
  static final Map<String, Long> JOURNEY_COUNTS = Map.of(
      "Cart Viewed", 1L, "identify", 1L, "Product Viewed", 1L, "Order Completed", 2L,
      "page", 1L, "screen", 1L, "group", 1L);

  /**
   * A 200 whose answer reports no message rejected, and no warning but the journey's
   * deliberate amount sent as text (order o-2's {@code revenue: "19.99"}).
   */
  static void acceptedWhole(FirstPostFails.Exchange e) {
    assertThat(e.status()).as("%s", e).isEqualTo(200);
    JsonNode answer;
    try {
      answer = new ObjectMapper().readTree(e.body());
    } catch (JsonProcessingException ex) {
      throw new AssertionError("answer is not JSON: " + e, ex);
    }
    assertThat(answer.path("success").asBoolean()).as("success in %s", e).isTrue();
    assertThat(answer.path("rejected").asInt(-1)).as("rejected in %s", e).isZero();
    assertThat(answer.path("errors")).as("errors in %s", e).isEmpty();
    assertThat(answer.path("warnings")).as("warnings in %s", e).allSatisfy(w -> {
      assertThat(w.path("field").asText()).isEqualTo("/properties/revenue");
      assertThat(w.path("kind").asText()).isEqualTo("NUMBER_FROM_TEXT");
    });
  }

  static Profile profile(Profiles profiles, String userId) {
    return profiles.find(Identifier.customerId(userId)).orElseThrow(
        () -> new AssertionError("no profile for userId " + userId + "; events by name: "
            + profiles.eventCounts()));
  }

  /**
   * identify with traits, Product Viewed, two orders (one with its amount as a string), page,
   * screen, group, and an alias of the anonymous visitor who viewed the cart.
   */
  static void journey(Profiles profiles) {
    Profile p = profile(profiles, "u-journey");
    assertThat(p.eventCounts()).as("events of u-journey").isEqualTo(JOURNEY_COUNTS);
    assertThat(p.identifiers()).contains(Identifier.customerId("u-journey"),
        Identifier.email("jane.doe@example.com"), Identifier.anonymousId("anon-journey-1"));
    assertThat(profiles.find(Identifier.email("jane.doe@example.com")).map(Profile::id))
        .as("profile of the normalised e-mail").contains(p.id());
    assertThat(profiles.find(Identifier.anonymousId("anon-journey-1")).map(Profile::id))
        .as("profile of the aliased anonymous id").contains(p.id());
    assertThat(p.trait("name")).contains("Jane Doe");
    // o-1: total 109.85 (wins over revenue 99.85); o-2: revenue "19.99" sent as a string.
    assertThat(p.orderCount()).isEqualTo(2);
    assertThat(p.totalSpend("EUR")).isEqualTo(Money.of(109_85 + 19_99, "EUR"));
  }

  /** {@code n} tracks "Item Scanned" with seq 0..n-1, each stored exactly once. */
  static void many(Profiles profiles, int n) {
    Profile p = profile(profiles, "u-many");
    assertThat(p.eventCounts()).isEqualTo(Map.of("Item Scanned", (long) n));
    List<Integer> seqs = profiles.events(p.id()).stream()
        .map(e -> ((Number) e.properties().get("seq")).intValue()).sorted().toList();
    assertThat(seqs).isEqualTo(IntStream.range(0, n).boxed().toList());
  }

  /**
   * One order with an explicit timestamp in 2019: the event happened then, not when sent. A
   * client that sends only {@code timestamp} and {@code sentAt} (Segment's) gets its clock skew
   * corrected ({@code receivedAt - (sentAt - timestamp)}), which on one machine moves the time by
   * the delivery delay; one that also sends {@code originalTimestamp} (RudderStack's) keeps it.
   */
  static void historical(Profiles profiles) {
    Instant sent = Instant.parse("2019-03-14T09:26:53Z");
    Profile p = profile(profiles, "u-history");
    List<Event> events = profiles.events(p.id());
    assertThat(events).hasSize(1);
    Instant time = events.get(0).eventTime();
    assertThat(time).isBetween(sent, sent.plus(DELIVERY_DELAY));
    assertThat(p.firstSeen()).contains(time);
    assertThat(p.orderCount()).isEqualTo(1);
    assertThat(p.totalSpend("EUR")).isEqualTo(Money.of(42_50, "EUR"));
  }

  /** {@code n} tracks of ~28 KB of properties each (300 items), stored whole. */
  static void large(Profiles profiles, int n) {
    Profile p = profile(profiles, "u-large");
    assertThat(p.eventCounts()).isEqualTo(Map.of("Catalog Synced", (long) n));
    List<Event> events = profiles.events(p.id());
    assertThat(events).hasSize(n);
    for (Event e : events) {
      int seq = ((Number) e.properties().get("seq")).intValue();
      List<?> items = (List<?>) e.properties().get("items");
      assertThat(items).as("items of seq %d", seq).hasSize(300);
      assertThat(((Map<?, ?>) items.get(299)).get("sku")).isEqualTo("SKU-" + seq + "-0299");
    }
  }
}
