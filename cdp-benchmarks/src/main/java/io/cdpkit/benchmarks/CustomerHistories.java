package io.cdpkit.benchmarks;

import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Reproducible histories of known customers for the batch segment benchmark, one customer at a
 * time: each customer has a userId ({@code C<n>}) on every event, so each becomes one profile,
 * and the same events can be loaded as rows into another engine.
 *
 * <p>Per customer: 99% have 1 to 9 events, 1% are heavy with 30 to 179 (about 6 events per
 * customer on average); event times are random over the {@value #DAYS} days before {@code now},
 * strictly increasing per customer. Each event is a {@code Product Viewed} (40%; product,
 * category, size, price), {@code page} (12%), {@code Product Added} (15%), {@code Order
 * Completed} (18%; 60% web, 15% app, 25% in one of 12 stores; one to three products whose prices
 * add up to the EUR total) or {@code identify} (15%; an {@code email} trait for 85% of
 * customers, {@code loyalty_tier} gold for 10% and silver for 30%, {@code country},
 * {@code birth_year}, and marketing consents by e-mail, granted 60% of the time, and SMS, 30%).
 * Browsing is 80% web, 20% app.
 *
 * <p>Not thread-safe; the events are immutable.
 */
final class CustomerHistories {
  /** Days of history before now. */
  static final int DAYS = 400;

  private static final String[] SIZES = {"XS", "S", "M", "L", "XL"};
  private static final String[] COUNTRIES = {"NL", "BE", "DE", "FR"};
  private static final String[] PAGES = {"Home", "Category", "Search Results", "Cart"};
  private static final int PRODUCTS = 5_000;

  private final SplittableRandom rnd;
  private final Instant now;
  private int customer;
  private long eventId;

  CustomerHistories(long seed, Instant now) {
    this.rnd = new SplittableRandom(seed);
    this.now = now;
  }

  /** One row of the {@code events} table: an event as the other engine sees it. */
  record Row(int pid, long eid, String name, long epochMillis, String channel,
      @Nullable String store, @Nullable String category, @Nullable String size, long priceCents,
      long totalCents, int items) {}

  /** One row of the {@code items} table: a product of an order. */
  record Item(int pid, long eid, long epochMillis, String channel, String category, String size,
      long priceCents) {}

  /** The profile-level fields, as a warehouse's profile table would hold them. */
  record ProfileRow(int pid, boolean hasEmail, @Nullable Boolean consentEmail,
      @Nullable Boolean consentSms, @Nullable String loyaltyTier, @Nullable String country,
      @Nullable Long birthYear, int orderCount, long spendCents, @Nullable Long customerSince,
      @Nullable Long lastOrderAt) {}

  /** One customer: its events, and the same as rows. */
  record Customer(List<Event> events, ProfileRow profile, List<Row> rows, List<Item> items) {}

  /** The next customer. */
  Customer next() {
    int pid = customer++;
    int n = rnd.nextDouble() < 0.01 ? 30 + rnd.nextInt(150) : 1 + rnd.nextInt(9);
    long span = Duration.ofDays(DAYS).toMillis();
    long[] times = new long[n];
    long start = now.toEpochMilli() - span;
    for (int i = 0; i < n; i++) {
      times[i] = start + (long) (rnd.nextDouble() * (span - 60_000));
    }
    Arrays.sort(times);
    for (int i = 1; i < n; i++) {
      if (times[i] <= times[i - 1]) {
        times[i] = times[i - 1] + 1;
      }
    }
    String userId = "C" + pid;
    boolean email = rnd.nextDouble() < 0.85;
    double t = rnd.nextDouble();
    String tier = t < 0.10 ? "gold" : t < 0.40 ? "silver" : null;
    String country = COUNTRIES[rnd.nextInt(COUNTRIES.length)];
    long birthYear = 1950 + rnd.nextInt(56);

    List<Event> events = new ArrayList<>(n);
    List<Row> rows = new ArrayList<>(n);
    List<Item> items = new ArrayList<>();
    boolean identified = false;
    Boolean consentEmail = null;
    Boolean consentSms = null;
    int orders = 0;
    long spend = 0;
    Long firstOrder = null;
    Long lastOrder = null;
    for (int i = 0; i < n; i++) {
      long eid = eventId++;
      Instant at = Instant.ofEpochMilli(times[i]);
      Event.Builder b;
      double r = rnd.nextDouble();
      String browse = rnd.nextDouble() < 0.8 ? Channels.WEB : Channels.APP;
      if (r < 0.40 || (r >= 0.52 && r < 0.67)) {
        String name = r < 0.40 ? "Product Viewed" : "Product Added";
        int p = rnd.nextInt(PRODUCTS);
        String category = RetailSegments.CATEGORIES[p % RetailSegments.CATEGORIES.length];
        String size = SIZES[rnd.nextInt(SIZES.length)];
        long price = price(p);
        b = Event.track(name).channel(browse).property("product_id", "P-" + p)
            .property("category", category).property("size", size)
            .property("price", BigDecimal.valueOf(price, 2));
        rows.add(new Row(pid, eid, name, times[i], browse, null, category, size, price, 0, 0));
      } else if (r < 0.52) {
        String page = PAGES[rnd.nextInt(PAGES.length)];
        b = Event.page(page).channel(browse).property("path",
            "/" + page.toLowerCase(Locale.ROOT).replace(' ', '-'));
        rows.add(new Row(pid, eid, "page", times[i], browse, null, null, null, 0, 0, 0));
      } else if (r < 0.85) {
        double c = rnd.nextDouble();
        String channel = c < 0.60 ? Channels.WEB : c < 0.75 ? Channels.APP : Channels.POS;
        String store = channel.equals(Channels.POS)
            ? String.format(Locale.ROOT, "store-%02d", 1 + rnd.nextInt(12)) : null;
        int k = 1 + rnd.nextInt(3);
        List<Map<String, Object>> products = new ArrayList<>(k);
        long total = 0;
        for (int j = 0; j < k; j++) {
          int p = rnd.nextInt(PRODUCTS);
          String category = RetailSegments.CATEGORIES[p % RetailSegments.CATEGORIES.length];
          String size = SIZES[rnd.nextInt(SIZES.length)];
          long price = price(p);
          total += price;
          products.add(Map.of("product_id", "P-" + p, "category", category, "size", size,
              "price", BigDecimal.valueOf(price, 2)));
          items.add(new Item(pid, eid, times[i], channel, category, size, price));
        }
        b = Event.track("Order Completed").channel(channel).storeId(store)
            .property("order_id", "O-" + eid).property("total", BigDecimal.valueOf(total, 2))
            .property("currency", "EUR").property("items", (long) k)
            .property("products", products);
        rows.add(new Row(pid, eid, "Order Completed", times[i], channel, store, null, null, 0,
            total, k));
        orders++;
        spend += total;
        firstOrder = firstOrder == null ? times[i] : firstOrder;
        lastOrder = times[i];
      } else {
        boolean ce = rnd.nextDouble() < 0.6;
        boolean cs = rnd.nextDouble() < 0.3;
        b = Event.identify().channel(browse).trait("country", country)
            .trait("birth_year", birthYear)
            .consent("marketing", "email", ce).consent("marketing", "sms", cs);
        if (email) {
          b.trait("email", "c" + pid + "@example.com");
        }
        if (tier != null) {
          b.trait("loyalty_tier", tier);
        }
        identified = true;
        consentEmail = ce; // times increase, so the latest decision wins
        consentSms = cs;
        rows.add(new Row(pid, eid, "identify", times[i], browse, null, null, null, 0, 0, 0));
      }
      events.add(b.messageId("m-" + eid).userId(userId).timestamp(at).build());
    }
    ProfileRow profile = new ProfileRow(pid, identified && email, consentEmail, consentSms,
        identified ? tier : null, identified ? country : null, identified ? birthYear : null,
        orders, spend, firstOrder, lastOrder);
    return new Customer(events, profile, rows, items);
  }

  private static long price(int p) {
    return 990 + (p * 37L) % 20_000;
  }
}
