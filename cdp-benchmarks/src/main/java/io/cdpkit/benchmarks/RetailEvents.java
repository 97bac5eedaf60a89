package io.cdpkit.benchmarks;

import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A reproducible stream of retail events for the benchmarks: the same seed gives the same events.
 *
 * <h2>The mix</h2>
 * <ul>
 *   <li>70% browsing: half {@code page} views, half {@code track "Product Viewed"};
 *   <li>10% {@code identify} with userId, anonymousId and an {@code email} trait (40% also a
 *       {@code phone}, half of those in national format so libphonenumber's region rule runs);
 *   <li>10% {@code track "Product Added"};
 *   <li>10% {@code track "Order Completed"} with {@code order_id}, {@code total} and
 *       {@code currency EUR}: 35% of them in a store ({@code channel pos}, {@code storeId}, the
 *       customer's userId only), the rest on the web.
 * </ul>
 *
 * <h2>The people</h2>
 * Each event picks its visitor from a Zipf distribution (rank {@code k} has weight
 * {@code 1/k^s}), so a few visitors are heavy and most are light. 20% of the visitors are
 * customers who can log in; their identifies and store orders are drawn from that subset with the
 * same skew. A customer's first identify stitches its anonymousId to its userId; from then on its
 * web events carry both. A store order before the first identify creates a separate
 * customer-id profile that the identify later merges with the anonymous one.
 *
 * <p>messageIds are random UUIDs (from the seed), unique within a stream. Event times increase
 * by 0 to 99 ms from {@code 2026-03-01T00:00:00Z}.
 *
 * <h2>The rich stream</h2>
 * {@link #rich(int, double, long)} gives the same mix with what segment conditions read: product
 * events carry a {@code size}; orders a {@code products} list (one to four items, each with
 * {@code product_id}, {@code category}, {@code size}, {@code price}) whose prices add up to the
 * {@code total}, 15% of the web orders are placed in the app; identifies add the traits
 * {@code country} and {@code birth_year} and consent decisions for marketing by e-mail (granted 60%
 * of the time) and SMS (30%); event times increase by 0 to {@value #RICH_MAX_GAP_MS} ms (about
 * 23 days per million events), so windows of days and weeks matter. The classic constructor's
 * stream is unchanged: the rich parts draw random numbers only in the rich stream.
 *
 * <p>Not thread-safe; the resulting events are immutable.
 */
final class RetailEvents {
  /** The seed the benchmarks use. */
  static final long SEED = 0x5EED_CD9L;

  /** Share of visitors who are customers that can log in (and are stitched when they do). */
  static final double KNOWN_SHARE = 0.20;

  private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
  private static final String[] PAGES = {
    "Home", "Category", "Search Results", "Product Detail", "Cart", "Checkout"};
  private static final String[] CATEGORIES = {
    "shoes", "shirts", "trousers", "jackets", "bags", "accessories"};
  private static final String[] SIZES = {"XS", "S", "M", "L", "XL"};
  private static final String[] COUNTRIES = {"NL", "BE", "DE", "FR"};
  /** Products the stream names, {@code P-0} to {@code P-4999}. */
  static final int PRODUCTS = 5_000;
  private static final int STORES = 12;
  /** Largest gap between two events of the rich stream, in milliseconds (exclusive). */
  static final int RICH_MAX_GAP_MS = 4_000;

  private final SplittableRandom rnd;
  private final double[] cdf;
  private final String[] anonymousIds;
  private final @Nullable String[] customerIds;
  private final boolean[] identified;
  private final boolean rich;
  /** The number of visitor 0 in customer ids, e-mail addresses and phone numbers. */
  private final int first;
  private long time;
  private long orders;

  // What the stream turned out to contain, for the benchmark's log.
  private final long[] eventsPerVisitor;
  private long stitched;

  /**
   * @param visitors how many distinct visitors (browsers) there are
   * @param skew the Zipf exponent {@code s}; 0 is uniform, 1 is classic Zipf
   * @param seed the random seed
   */
  RetailEvents(int visitors, double skew, long seed) {
    this(visitors, skew, seed, false, 0);
  }

  /**
   * The rich stream (see the class description) for the segmentation benchmarks.
   *
   * @param visitors how many distinct visitors (browsers) there are
   * @param skew the Zipf exponent {@code s}; 0 is uniform, 1 is classic Zipf
   * @param seed the random seed
   */
  static RetailEvents rich(int visitors, double skew, long seed) {
    return new RetailEvents(visitors, skew, seed, true, 0);
  }

  /**
   * The classic stream about visitors numbered from {@code first}: their customer ids, e-mail
   * addresses and phone numbers are those of visitors {@code first} to
   * {@code first + visitors - 1} of a bigger crowd. Two streams with disjoint ranges and
   * different seeds (the anonymousIds are random UUIDs from the seed) share no identifier, so
   * they are about different people. With {@code first} 0 this is the classic stream.
   *
   * @param first the number of this stream's first visitor, 0 or more; {@code first + visitors}
   *     at most 10,000,000 (phone numbers have seven digits)
   * @param visitors how many distinct visitors (browsers) there are
   * @param skew the Zipf exponent {@code s}; 0 is uniform, 1 is classic Zipf
   * @param seed the random seed
   */
  static RetailEvents numberedFrom(int first, int visitors, double skew, long seed) {
    if (first < 0 || first + (long) visitors > 10_000_000) {
      throw new IllegalArgumentException("first visitor must be 0 or more and first + visitors"
          + " at most 10,000,000, was first " + first + " with " + visitors + " visitors");
    }
    return new RetailEvents(visitors, skew, seed, false, first);
  }

  private RetailEvents(int visitors, double skew, long seed, boolean rich, int first) {
    this.rich = rich;
    if (visitors < 10) {
      throw new IllegalArgumentException("need at least 10 visitors, got " + visitors);
    }
    this.first = first;
    this.rnd = new SplittableRandom(seed);
    this.cdf = zipfCdf(visitors, skew);
    this.anonymousIds = new String[visitors];
    this.customerIds = new String[visitors];
    this.identified = new boolean[visitors];
    this.eventsPerVisitor = new long[visitors];
    for (int v = 0; v < visitors; v++) {
      anonymousIds[v] = uuid();
      if (rnd.nextDouble() < KNOWN_SHARE) {
        customerIds[v] = "C-" + (100_000 + first + v);
      }
    }
  }

  /** The next {@code count} events of the stream. */
  List<Event> next(int count) {
    List<Event> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(next());
    }
    return out;
  }

  /** One event. */
  Event next() {
    time += rnd.nextInt(rich ? RICH_MAX_GAP_MS : 100);
    Instant at = START.plusMillis(time);
    double r = rnd.nextDouble();
    if (r < 0.70) {
      int v = visitor();
      return rnd.nextBoolean() ? pageView(v, at) : productViewed(v, at);
    } else if (r < 0.80) {
      return identify(customer(), at);
    } else if (r < 0.90) {
      return productAdded(visitor(), at);
    } else if (rnd.nextDouble() < 0.35) {
      return posOrder(customer(), at);
    } else {
      return webOrder(visitor(), at);
    }
  }

  private Event pageView(int v, Instant at) {
    String page = PAGES[rnd.nextInt(PAGES.length)];
    return web(Event.page(page), v, at)
        .property("path", "/" + page.toLowerCase(Locale.ROOT).replace(' ', '-'))
        .property("referrer", rnd.nextInt(4) == 0 ? "https://www.google.com/" : null)
        .build();
  }

  private Event productViewed(int v, Instant at) {
    return product(web(Event.track("Product Viewed"), v, at)).build();
  }

  /** The instant the stream has reached (the last event's time). */
  Instant now() {
    return START.plusMillis(time);
  }

  private Event productAdded(int v, Instant at) {
    return product(web(Event.track("Product Added"), v, at))
        .property("quantity", 1L + rnd.nextInt(3))
        .build();
  }

  private Event identify(int v, Instant at) {
    if (!identified[v]) {
      identified[v] = true;
      stitched++;
    }
    Event.Builder b = web(Event.identify(), v, at)
        .trait("email", "Customer." + (first + v) + "@Example.com")
        .trait("first_name", "Kim")
        .trait("loyalty_tier", v % 7 == 0 ? "gold" : "silver");
    int phone = v % 10;
    if (phone < 2) {
      b.trait("phone", String.format(Locale.ROOT, "+31 6 1%07d", (first + v) % 10_000_000));
    } else if (phone < 4) {
      b.trait("phone", String.format(Locale.ROOT, "06-2%07d", (first + v) % 10_000_000));
    }
    if (rich) {
      b.trait("country", COUNTRIES[v % COUNTRIES.length])
          .trait("birth_year", 1950L + v % 56)
          .consent("marketing", "email", rnd.nextDouble() < 0.6)
          .consent("marketing", "sms", rnd.nextDouble() < 0.3);
    }
    return b.build();
  }

  private Event webOrder(int v, Instant at) {
    Event.Builder b = web(Event.track("Order Completed"), v, at);
    if (rich && rnd.nextDouble() < 0.15) {
      b.channel(Channels.APP);
    }
    return order(b).build();
  }

  private Event posOrder(int v, Instant at) {
    count(v);
    return order(Event.track("Order Completed")
        .messageId(uuid())
        .userId(customerIds[v])
        .channel(Channels.POS)
        .storeId(String.format(Locale.ROOT, "store-%02d", 1 + rnd.nextInt(STORES)))
        .timestamp(at))
        .build();
  }

  private Event.Builder order(Event.Builder b) {
    if (rich) {
      int items = 1 + rnd.nextInt(4);
      List<Map<String, Object>> products = new ArrayList<>(items);
      long cents = 0;
      for (int i = 0; i < items; i++) {
        int p = rnd.nextInt(PRODUCTS);
        long price = price(p);
        cents += price;
        products.add(Map.of("product_id", "P-" + p, "category", CATEGORIES[p % CATEGORIES.length],
            "size", SIZES[rnd.nextInt(SIZES.length)], "price", BigDecimal.valueOf(price, 2)));
      }
      return b.property("order_id", "O-" + (++orders))
          .property("total", BigDecimal.valueOf(cents, 2))
          .property("currency", "EUR")
          .property("items", (long) items)
          .property("products", products);
    }
    long cents = 990 + rnd.nextInt(25_000);
    return b.property("order_id", "O-" + (++orders))
        .property("total", BigDecimal.valueOf(cents, 2))
        .property("currency", "EUR")
        .property("items", 1L + rnd.nextInt(4));
  }

  private Event.Builder product(Event.Builder b) {
    int p = rnd.nextInt(PRODUCTS);
    b.property("product_id", "P-" + p)
        .property("category", CATEGORIES[p % CATEGORIES.length])
        .property("price", BigDecimal.valueOf(price(p), 2));
    if (rich) {
      b.property("size", SIZES[rnd.nextInt(SIZES.length)]);
    }
    return b;
  }

  /** A product's price in cents. */
  private static long price(int p) {
    return 990 + (p * 37L) % 20_000;
  }

  /** A web event of visitor {@code v}: anonymousId, plus userId once the visitor logged in. */
  private Event.Builder web(Event.Builder b, int v, Instant at) {
    count(v);
    return b.messageId(uuid())
        .anonymousId(anonymousIds[v])
        .userId(identified[v] ? customerIds[v] : null)
        .channel(Channels.WEB)
        .timestamp(at);
  }

  /** A visitor drawn with the skew. */
  private int visitor() {
    int i = Arrays.binarySearch(cdf, rnd.nextDouble());
    return Math.min(i < 0 ? -i - 1 : i, cdf.length - 1);
  }

  /** A visitor that is a customer, drawn with the same skew. */
  private int customer() {
    while (true) {
      int v = visitor();
      if (customerIds[v] != null) {
        return v;
      }
    }
  }

  private void count(int v) {
    eventsPerVisitor[v]++;
  }

  private String uuid() {
    return new UUID(rnd.nextLong(), rnd.nextLong()).toString();
  }

  private static double[] zipfCdf(int n, double s) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1 / Math.pow(k + 1, s);
      cdf[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      cdf[k] /= sum;
    }
    return cdf;
  }

  /** A one-line description of the skew so far, for the benchmark log. */
  String describe() {
    long[] sorted = eventsPerVisitor.clone();
    Arrays.sort(sorted);
    long total = 0;
    int active = 0;
    for (long c : sorted) {
      total += c;
      if (c > 0) {
        active++;
      }
    }
    long top1 = 0;
    int onePercent = Math.max(1, sorted.length / 100);
    for (int i = sorted.length - onePercent; i < sorted.length; i++) {
      top1 += sorted[i];
    }
    long median = sorted[sorted.length - 1 - active / 2];
    return String.format(Locale.ROOT,
        "%d events, %d of %d visitors active, heaviest %d events, median active %d, "
            + "top 1%% of visitors %.1f%% of events, %d visitors stitched by an identify",
        total, active, sorted.length, sorted[sorted.length - 1], median,
        100.0 * top1 / Math.max(1, total), stitched);
  }
}
