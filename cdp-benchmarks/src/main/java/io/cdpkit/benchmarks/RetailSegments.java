package io.cdpkit.benchmarks;

import static io.cdpkit.segmentation.definition.Conditions.and;
import static io.cdpkit.segmentation.definition.Conditions.consent;
import static io.cdpkit.segmentation.definition.Conditions.events;
import static io.cdpkit.segmentation.definition.Conditions.hasIdentifier;
import static io.cdpkit.segmentation.definition.Conditions.inSegment;
import static io.cdpkit.segmentation.definition.Conditions.not;
import static io.cdpkit.segmentation.definition.Conditions.notFollowedBy;
import static io.cdpkit.segmentation.definition.Conditions.profile;
import static io.cdpkit.segmentation.definition.Conditions.trait;

import io.cdpkit.core.model.Channels;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.segmentation.definition.Condition;
import io.cdpkit.segmentation.definition.ProfileField;
import io.cdpkit.segmentation.definition.RelativeDate;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.definition.TimeUnitStart;
import java.time.Duration;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The segments of a retail shop that the segmentation benchmarks keep, over the events of
 * {@link RetailEvents#rich} and {@link CustomerHistories}: spend and order-count tiers, new
 * customers this month and week (relative dates), reachability (identifier and consent),
 * loyalty tier, country and age (traits), browsing and buying by category, size and price over
 * 7, 30, 60, 90, 180 and 365 days and ten years, channel and store conditions, abandoned carts
 * and browses (not followed by), and segments built on others.
 *
 * <p>{@link #all()} gives 50, each after the segments it reads; {@link #BATCH} names the 20 the
 * batch benchmark asks (and asks DuckDB too). Stateless.
 */
final class RetailSegments {
  private RetailSegments() {}

  /** The categories of {@link RetailEvents} and {@link CustomerHistories}. */
  static final String[] CATEGORIES = {
    "shoes", "shirts", "trousers", "jackets", "bags", "accessories"};

  /** The 20 segments of the batch benchmark, each with a DuckDB query there. */
  static final List<String> BATCH = List.of(
      "vip-spend", "repeat-buyers", "new-customers-this-month", "reachable-by-email",
      "gold-members", "active-7d", "browsed-jackets-30d", "ordered-jackets-m-60d",
      "quiet-about-to-churn", "offline-only", "online-never-in-store", "recent-buyers-30d",
      "lapsed-vip", "cart-abandoners-7d", "pos-regulars-365d", "benelux-sms",
      "born-1990-2005", "window-shoppers", "premium-browsers", "vip-and-reachable");

  private static final String ORDER = "Order Completed";
  private static final String VIEWED = "Product Viewed";
  private static final String ADDED = "Product Added";

  /** 50 segments, each after the segments it reads. */
  static List<SegmentDefinition> all() {
    List<SegmentDefinition> out = new ArrayList<>();
    // The 20 of the batch benchmark.
    add(out, "vip-spend", profile(ProfileField.TOTAL_SPEND, "EUR").gte(1000));
    add(out, "repeat-buyers", profile(ProfileField.ORDER_COUNT).gte(3));
    add(out, "new-customers-this-month", profile(ProfileField.CUSTOMER_SINCE)
        .gte(RelativeDate.startOf(TimeUnitStart.MONTH, ZoneOffset.UTC)));
    add(out, "reachable-by-email", and(hasIdentifier("email"), consent("marketing", "email")));
    add(out, "gold-members", trait("loyalty_tier").eq("gold"));
    add(out, "active-7d", events(VIEWED, ADDED, ORDER).atLeast(1).inLastDays(7));
    add(out, "browsed-jackets-30d", browsed("jackets", 3, 30));
    add(out, "ordered-jackets-m-60d", ordered("jackets", "M", 60));
    add(out, "quiet-about-to-churn", and(profile(ProfileField.ORDER_COUNT).gte(2),
        events(ORDER).none().inLastDays(90), events(ORDER).atLeast(1).inLastDays(365)));
    add(out, "offline-only", and(ordersOn(Channels.POS).atLeast(1).inLastDays(3650),
        ordersOn(Channels.WEB, Channels.APP).none().inLastDays(3650)));
    add(out, "online-never-in-store", and(
        ordersOn(Channels.WEB, Channels.APP).atLeast(1).inLastDays(3650),
        ordersOn(Channels.POS).none().inLastDays(3650)));
    add(out, "recent-buyers-30d",
        profile(ProfileField.LAST_ORDER_AT).gte(RelativeDate.ago(Period.ofDays(30))));
    add(out, "lapsed-vip", and(inSegment("vip-spend"), events(ORDER).none().inLastDays(180)));
    add(out, "cart-abandoners-7d", notFollowedBy(EventFilter.named(ADDED),
        EventFilter.named(ORDER), Duration.ofHours(24)).withinDays(7));
    add(out, "pos-regulars-365d", ordersOn(Channels.POS).atLeast(2).inLastDays(365));
    add(out, "benelux-sms", and(trait("country").in("NL", "BE"), consent("marketing", "sms")));
    add(out, "born-1990-2005", trait("birth_year").between(1990, 2005));
    add(out, "window-shoppers", and(profile(ProfileField.ORDER_COUNT).eq(0),
        events(VIEWED).atLeast(5).inLastDays(90)));
    add(out, "premium-browsers", events(VIEWED)
        .where(PropertyCondition.of("price", Operator.GE, 150)).atLeast(2).inLastDays(30));
    add(out, "vip-and-reachable", and(inSegment("vip-spend"), inSegment("reachable-by-email")));
    // 30 more for the real-time benchmarks.
    String[] sizes = {"S", "M", "L", "XL", "XS", "M"};
    for (int i = 0; i < CATEGORIES.length; i++) {
      String c = CATEGORIES[i];
      if (!c.equals("jackets")) {
        add(out, "browsed-" + c + "-30d", browsed(c, 3, 30));
        add(out, "ordered-" + c + "-" + sizes[i].toLowerCase(java.util.Locale.ROOT) + "-60d",
            ordered(c, sizes[i], 60));
      }
    }
    add(out, "spend-250", profile(ProfileField.TOTAL_SPEND, "EUR").gte(250));
    add(out, "spend-2500", profile(ProfileField.TOTAL_SPEND, "EUR").gte(2500));
    add(out, "customers", profile(ProfileField.ORDER_COUNT).gte(1));
    add(out, "active-30d", events(VIEWED, ADDED, ORDER).atLeast(1).inLastDays(30));
    add(out, "active-90d", events(VIEWED, ADDED, ORDER).atLeast(1).inLastDays(90));
    add(out, "lapsed-365d", and(inSegment("customers"), events(ORDER).none().inLastDays(365)));
    add(out, "silver-members", trait("loyalty_tier").eq("silver"));
    add(out, "email-without-consent", and(hasIdentifier("email"),
        not(consent("marketing", "email"))));
    add(out, "has-phone", hasIdentifier("phone"));
    add(out, "new-customers-this-week", profile(ProfileField.CUSTOMER_SINCE)
        .gte(RelativeDate.startOf(TimeUnitStart.WEEK, ZoneOffset.UTC)));
    add(out, "gold-vips", and(inSegment("vip-spend"), inSegment("gold-members")));
    add(out, "reachable-repeat-buyers",
        and(inSegment("reachable-by-email"), inSegment("repeat-buyers")));
    add(out, "cart-abandoners-30d", notFollowedBy(EventFilter.named(ADDED),
        EventFilter.named(ORDER), Duration.ofHours(48)).withinDays(30));
    add(out, "browse-abandoners-7d", notFollowedBy(EventFilter.named(VIEWED),
        EventFilter.named(ADDED, ORDER), Duration.ofHours(12)).withinDays(7));
    add(out, "store-01-shoppers", events(ORDER)
        .where(PropertyCondition.of("$store", Operator.EQ, "store-01")).atLeast(1)
        .inLastDays(365));
    add(out, "big-baskets-90d", events(ORDER)
        .where(PropertyCondition.of("items", Operator.GE, 3)).atLeast(1).inLastDays(90));
    add(out, "big-orders-30d", events(ORDER)
        .where(PropertyCondition.of("total", Operator.GE, 200)).atLeast(1).inLastDays(30));
    add(out, "seen-last-7d",
        profile(ProfileField.LAST_SEEN).gte(RelativeDate.ago(Period.ofDays(7))));
    add(out, "omnichannel", and(profile(ProfileField.CHANNELS_SEEN).contains(Channels.POS),
        profile(ProfileField.CHANNELS_SEEN).contains(Channels.WEB)));
    add(out, "first-seen-this-month", profile(ProfileField.FIRST_SEEN)
        .gte(RelativeDate.startOf(TimeUnitStart.MONTH, ZoneOffset.UTC)));
    if (out.size() != 50) {
      throw new IllegalStateException("expected 50 segments, made " + out.size());
    }
    return List.copyOf(out);
  }

  /** The {@link #BATCH} definitions, in the order of {@link #all()}. */
  static List<SegmentDefinition> batch() {
    return all().stream().filter(d -> BATCH.contains(d.id())).toList();
  }

  private static void add(List<SegmentDefinition> out, String id, Condition c) {
    out.add(SegmentDefinition.builder(id).where(c).build());
  }

  private static Condition browsed(String category, int n, int days) {
    return events(VIEWED).where(PropertyCondition.of("category", Operator.EQ, category))
        .atLeast(n).inLastDays(days);
  }

  private static Condition ordered(String category, String size, int days) {
    return events(ORDER).where(PropertyCondition.any("products",
        PropertyCondition.of("category", Operator.EQ, category),
        PropertyCondition.of("size", Operator.EQ, size))).atLeast(1).inLastDays(days);
  }

  private static io.cdpkit.segmentation.definition.Conditions.Events ordersOn(
      String... channels) {
    return events(ORDER).where(channels.length == 1
        ? PropertyCondition.of("$channel", Operator.EQ, channels[0])
        : PropertyCondition.of("$channel", Operator.IN, (Object[]) channels));
  }
}
