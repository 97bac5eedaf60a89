package io.cdpkit.segmentation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The seed segments, each as a marketer would save it (the JSON under {@code seeds/}), against
 * shoppers who belong and shoppers who do not; members enter and leave at the right instant.
 */
class SeedSegmentsTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  MutableClock clock;
  List<SegmentEvent> heard;
  Cdp cdp;
  Segments segments;
  int messages;

  @BeforeEach
  void start() {
    clock = new MutableClock(NOW);
    heard = new CopyOnWriteArrayList<>();
    Segmentation seg = Segmentation.builder().listener(heard::add).build();
    cdp = Cdp.builder().clock(clock).extension(seg).build();
    segments = seg.segments();
  }

  @AfterEach
  void stop() {
    cdp.close();
  }

  static String seed(String name) {
    try (InputStream in = SeedSegmentsTest.class.getResourceAsStream("/seeds/" + name + ".json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ProfileId order(String customer, Instant at, String total, String channel,
      List<Map<String, Object>> products) {
    return cdp.ingest(Event.track("Order Completed").messageId("m" + messages++)
        .userId(customer).property("order_id", "O" + messages).property("total",
            new BigDecimal(total)).property("currency", "EUR").property("products", products)
        .channel(channel).timestamp(at).build()).profile().orElseThrow();
  }

  ProfileId order(String customer, Instant at) {
    return order(customer, at, "20.00", Channels.WEB, List.of());
  }

  ProfileId id(String customer) {
    return cdp.profiles().find(Identifier.customerId(customer)).orElseThrow().id();
  }

  boolean member(String customer, String segment) {
    return segments.isMember(id(customer), segment);
  }

  List<String> heardOf(String customer) {
    ProfileId p = id(customer);
    List<String> out = new ArrayList<>();
    for (SegmentEvent e : heard) {
      if (e.profile().equals(p)) {
        out.add(e.kind() + " " + e.segment() + " " + e.cause().type().text());
      }
    }
    return out;
  }

  static Instant days(long n) {
    return NOW.plus(Duration.ofDays(n));
  }

  @Test
  @DisplayName("new customers this month: first order this month in; last month out; leave on the 1st")
  void newCustomersThisMonth() {
    segments.saveJson(seed("new-customers-this-month"));
    order("alice", Instant.parse("2026-03-02T09:00:00Z"));
    order("bob", Instant.parse("2026-02-20T09:00:00Z"));
    order("bob", Instant.parse("2026-03-10T09:00:00Z"));
    cdp.ingest(Event.identify().messageId("carol").userId("carol").timestamp(NOW).build());
    assertThat(member("alice", "new-customers-this-month")).isTrue();
    assertThat(member("bob", "new-customers-this-month")).isFalse();
    assertThat(member("carol", "new-customers-this-month")).isFalse();
    assertThat(segments.nextCheck(id("alice"))).contains(Instant.parse("2026-04-01T00:00:00Z"));

    clock.set(Instant.parse("2026-03-31T23:59:59Z"));
    segments.runDue();
    assertThat(member("alice", "new-customers-this-month")).isTrue();
    clock.set(Instant.parse("2026-04-01T00:00:00Z"));
    segments.runDue();
    assertThat(member("alice", "new-customers-this-month")).isFalse();
    assertThat(heardOf("alice")).containsExactly("ENTERED new-customers-this-month event",
        "EXITED new-customers-this-month time");
    order("dave", Instant.parse("2026-04-01T08:00:00Z"));
    assertThat(member("dave", "new-customers-this-month")).isTrue();
  }

  @Test
  @DisplayName("quiet, about to churn: repeat buyers silent for 90 days but active this year")
  void quietAboutToChurn() {
    segments.saveJson(seed("quiet-about-to-churn"));
    order("eve", days(-200));
    order("eve", days(-100));
    order("frank", days(-200));
    order("frank", days(-10));
    order("gina", days(-120));
    assertThat(member("eve", "quiet-about-to-churn")).isTrue();
    assertThat(member("frank", "quiet-about-to-churn")).isFalse();
    assertThat(member("gina", "quiet-about-to-churn")).isFalse();
    // Frank's last order leaves the 90-day window at midnight 90 days after its date.
    Instant enters = Instant.parse("2026-06-03T00:00:00Z");
    clock.set(enters.minusSeconds(1));
    segments.runDue();
    assertThat(member("frank", "quiet-about-to-churn")).isFalse();
    clock.set(enters);
    segments.runDue();
    assertThat(member("frank", "quiet-about-to-churn")).isTrue();
    // Eve's last order (100 days before NOW) leaves the 365-day window: she is gone, not quiet.
    clock.set(Instant.parse("2026-12-07T00:00:00Z"));
    segments.runDue();
    assertThat(member("eve", "quiet-about-to-churn")).isFalse();
    assertThat(heardOf("eve")).containsExactly("ENTERED quiet-about-to-churn event",
        "EXITED quiet-about-to-churn time");
    // A new order brings a quiet customer back at once.
    order("frank", clock.instant());
    assertThat(member("frank", "quiet-about-to-churn")).isFalse();
  }

  @Test
  @DisplayName("bought dresses in size M in the last 60 days: one product both, not two products")
  void dressesInSizeM() {
    segments.saveJson(seed("dresses-size-m-60d"));
    order("hana", days(-5), "80.00", Channels.WEB,
        List.of(Map.of("category", "dresses", "size", "M")));
    order("ivan", days(-5), "80.00", Channels.WEB, List.of(
        Map.of("category", "dresses", "size", "L"), Map.of("category", "shoes", "size", "M")));
    order("jill", days(-70), "80.00", Channels.POS,
        List.of(Map.of("category", "dresses", "size", "M")));
    assertThat(member("hana", "dresses-size-m-60d")).isTrue();
    assertThat(member("ivan", "dresses-size-m-60d")).isFalse();
    assertThat(member("jill", "dresses-size-m-60d")).isFalse();
    Instant leaves = Instant.parse("2026-05-09T00:00:00Z"); // 2026-03-10 + 60 days
    assertThat(segments.nextCheck(id("hana"))).contains(leaves);
    clock.set(leaves.minusNanos(1));
    segments.runDue();
    assertThat(member("hana", "dresses-size-m-60d")).isTrue();
    clock.set(leaves);
    segments.runDue();
    assertThat(member("hana", "dresses-size-m-60d")).isFalse();
    assertThat(heardOf("hana")).containsExactly("ENTERED dresses-size-m-60d event",
        "EXITED dresses-size-m-60d time");
  }

  @Test
  @DisplayName("VIPs by spend: enter at EUR 1,000, leave when a refund takes them below")
  void vipBySpend() {
    segments.saveJson(seed("vip-by-spend"));
    order("kim", days(-3), "600.00", Channels.WEB, List.of());
    assertThat(member("kim", "vip-by-spend")).isFalse();
    order("kim", days(-1), "400.00", Channels.POS, List.of());
    assertThat(member("kim", "vip-by-spend")).isTrue();
    cdp.ingest(Event.track("Order Refunded").messageId("refund").userId("kim")
        .property("order_id", "O" + messages).property("total", new BigDecimal("50.00"))
        .property("currency", "EUR").timestamp(NOW).build());
    assertThat(member("kim", "vip-by-spend")).isFalse();
    assertThat(heardOf("kim")).containsExactly("ENTERED vip-by-spend event",
        "EXITED vip-by-spend event");
    // Spend in another currency does not count.
    cdp.ingest(Event.track("Order Completed").messageId("usd").userId("lee")
        .property("total", new BigDecimal("5000")).property("currency", "USD").timestamp(NOW)
        .build());
    assertThat(member("lee", "vip-by-spend")).isFalse();
  }

  @Test
  @DisplayName("abandoned cart: in 24 hours after adding without an order, out on ordering")
  void abandonedCart() {
    segments.saveJson(seed("abandoned-cart"));
    cdp.ingest(Event.track("Product Added").messageId("add-1").userId("mia")
        .property("product_id", "P1").timestamp(NOW).build());
    cdp.ingest(Event.track("Product Added").messageId("add-2").userId("ned")
        .property("product_id", "P2").timestamp(NOW).build());
    order("ned", NOW.plus(Duration.ofHours(2)));
    assertThat(member("mia", "abandoned-cart")).isFalse();
    assertThat(segments.nextCheck(id("mia"))).contains(NOW.plus(Duration.ofHours(24)));
    clock.set(NOW.plus(Duration.ofHours(24)).minusSeconds(1));
    segments.runDue();
    assertThat(member("mia", "abandoned-cart")).isFalse();
    clock.set(NOW.plus(Duration.ofHours(24)));
    segments.runDue();
    assertThat(member("mia", "abandoned-cart")).isTrue();
    assertThat(member("ned", "abandoned-cart")).isFalse();
    order("mia", NOW.plus(Duration.ofHours(30)));
    assertThat(member("mia", "abandoned-cart")).isFalse();
    assertThat(heardOf("mia")).containsExactly("ENTERED abandoned-cart time",
        "EXITED abandoned-cart event");
    assertThat(heardOf("ned")).isEmpty();
  }

  @Test
  @DisplayName("reachable by e-mail: an address and marketing consent on e-mail, both needed")
  void reachableByEmail() {
    segments.saveJson(seed("reachable-by-email"));
    cdp.ingest(Event.identify().messageId("o1").userId("olga").trait("email", "olga@example.org")
        .consent("marketing", "email", true).timestamp(days(-2)).build());
    cdp.ingest(Event.identify().messageId("p1").userId("piet")
        .consent("marketing", "email", true).timestamp(days(-2)).build());
    cdp.ingest(Event.identify().messageId("q1").userId("quin").trait("email", "q@example.org")
        .consent("marketing", "sms", true).timestamp(days(-2)).build());
    assertThat(member("olga", "reachable-by-email")).isTrue();
    assertThat(member("piet", "reachable-by-email")).isFalse();
    assertThat(member("quin", "reachable-by-email")).isFalse();
    cdp.ingest(Event.identify().messageId("o2").userId("olga")
        .consent("marketing", "email", false).timestamp(days(-1)).build());
    assertThat(member("olga", "reachable-by-email")).isFalse();
    // A withdrawal that is older than the grant it would overrule changes nothing.
    cdp.ingest(Event.identify().messageId("q2").userId("quin")
        .consent("marketing", "email", true).timestamp(days(-1)).build());
    cdp.ingest(Event.identify().messageId("q3").userId("quin")
        .consent("marketing", "email", false).timestamp(days(-3)).build());
    assertThat(member("quin", "reachable-by-email")).isTrue();
  }

  @Test
  @DisplayName("offline only: store orders and no web or app order; a web order takes them out")
  void offlineOnly() {
    segments.saveJson(seed("offline-only"));
    order("rob", days(-30), "30.00", Channels.POS, List.of());
    order("sam", days(-30), "30.00", Channels.POS, List.of());
    order("sam", days(-20), "30.00", Channels.APP, List.of());
    order("tess", days(-30), "30.00", Channels.WEB, List.of());
    assertThat(member("rob", "offline-only")).isTrue();
    assertThat(member("sam", "offline-only")).isFalse();
    assertThat(member("tess", "offline-only")).isFalse();
    order("rob", days(-1), "30.00", Channels.WEB, List.of());
    assertThat(member("rob", "offline-only")).isFalse();
  }

  @Test
  @DisplayName("bought online, never in a store: a store order takes them out")
  void onlineNeverInStore() {
    segments.saveJson(seed("online-never-in-store"));
    order("uma", days(-30), "30.00", Channels.WEB, List.of());
    order("vic", days(-30), "30.00", Channels.APP, List.of());
    order("vic", days(-29), "30.00", Channels.POS, List.of());
    assertThat(member("uma", "online-never-in-store")).isTrue();
    assertThat(member("vic", "online-never-in-store")).isFalse();
    order("uma", days(-1), "30.00", Channels.POS, List.of());
    assertThat(member("uma", "online-never-in-store")).isFalse();
    assertThat(heardOf("uma")).containsExactly("ENTERED online-never-in-store event",
        "EXITED online-never-in-store event");
  }

  @Test
  @DisplayName("runDueOn runs the checks on the host's executor when they fall due")
  void runDueOnAnExecutor() throws Exception {
    segments.saveJson(seed("abandoned-cart"));
    cdp.ingest(Event.track("Product Added").messageId("add").userId("zoe")
        .property("product_id", "P1").timestamp(NOW).build());
    assertThat(segments.nextDue()).contains(NOW.plus(Duration.ofHours(24)));
    java.util.concurrent.ScheduledExecutorService exec =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try (AutoCloseable handle = segments.runDueOn(exec, Duration.ofMillis(20))) {
      clock.set(NOW.plus(Duration.ofHours(25)));
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!member("zoe", "abandoned-cart") && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(member("zoe", "abandoned-cart")).isTrue();
    } finally {
      exec.shutdownNow();
    }
    assertThat(segments.nextDue()).contains(Instant.parse("2026-03-22T00:00:00Z"));
  }

  @Test
  @DisplayName("a segment saved after the events evaluates every profile at once")
  void savedAfterTheEvents() {
    order("wim", days(-1), "1200.00", Channels.WEB, List.of());
    order("xan", days(-1), "10.00", Channels.WEB, List.of());
    segments.saveJson(seed("vip-by-spend"));
    assertThat(member("wim", "vip-by-spend")).isTrue();
    assertThat(member("xan", "vip-by-spend")).isFalse();
    assertThat(heardOf("wim")).containsExactly("ENTERED vip-by-spend definition");
  }

  @Test
  @DisplayName("a merge takes the merged-away profile out of its segments; the survivor is in")
  void merge() {
    segments.saveJson(seed("vip-by-spend"));
    order("yara", days(-2), "1500.00", Channels.WEB, List.of());
    ProfileId yara = id("yara");
    cdp.ingest(Event.identify().messageId("anon").anonymousId("ck-1")
        .trait("email", "yara@example.org").timestamp(days(-3)).build());
    ProfileId anon = cdp.profiles().find(Identifier.anonymousId("ck-1")).orElseThrow().id();
    cdp.ingest(Event.alias("ck-1").messageId("link").userId("yara").timestamp(days(-1))
        .build());
    ProfileId survivor = id("yara");
    assertThat(segments.isMember(survivor, "vip-by-spend")).isTrue();
    ProfileId gone = survivor.equals(yara) ? anon : yara;
    assertThat(segments.memberships(gone)).isEmpty();
  }
}
