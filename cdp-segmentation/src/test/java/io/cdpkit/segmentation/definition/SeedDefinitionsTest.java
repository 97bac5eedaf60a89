package io.cdpkit.segmentation.definition;

import static io.cdpkit.segmentation.definition.Conditions.and;
import static io.cdpkit.segmentation.definition.Conditions.computed;
import static io.cdpkit.segmentation.definition.Conditions.consent;
import static io.cdpkit.segmentation.definition.Conditions.events;
import static io.cdpkit.segmentation.definition.Conditions.hasIdentifier;
import static io.cdpkit.segmentation.definition.Conditions.inSegment;
import static io.cdpkit.segmentation.definition.Conditions.not;
import static io.cdpkit.segmentation.definition.Conditions.notFollowedBy;
import static io.cdpkit.segmentation.definition.Conditions.or;
import static io.cdpkit.segmentation.definition.Conditions.profile;
import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON example of the definition language and the seed segments under {@code seeds/}: each
 * reads, validates, equals the tree the Java builder makes, and is already in canonical form
 * (its text, whitespace aside, is what {@link SegmentJson#write} writes).
 */
class SeedDefinitionsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final ValidationContext CONTEXT = ValidationContext.of(Set.of("orders_90d"),
      List.of(SegmentDefinition.builder("staff")
          .where(Conditions.trait("employee").eq(true)).build()));

  static String resource(String name) {
    try (InputStream in = SeedDefinitionsTest.class.getResourceAsStream("/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /** The text without whitespace between tokens, keys in the order written. */
  static String compact(String json) {
    try {
      return MAPPER.writeValueAsString(MAPPER.readTree(json));
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  static PropertyCondition eq(String path, Object value) {
    return PropertyCondition.of(path, Operator.EQ, value);
  }

  static SegmentDefinition example() {
    return SegmentDefinition.builder("vip").name("VIPs by spend").description("optional")
        .where(and(
            profile(ProfileField.TOTAL_SPEND, "EUR").gte(1000),
            trait("tier").in("gold", "platinum"),
            computed("orders_90d").atLeast(2),
            trait("birthday").exists(),
            profile(ProfileField.CUSTOMER_SINCE)
                .gte(RelativeDate.startOf(TimeUnitStart.MONTH, ZoneOffset.UTC)),
            not(inSegment("staff")),
            or(hasIdentifier("email"), consent("marketing", "sms")),
            events("Order Completed")
                .where(PropertyCondition.any("products", eq("category", "dresses"),
                    eq("size", "M")))
                .atLeast(1).inLastDays(60),
            events("Order Completed").none()
                .between(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 3, 31)),
            notFollowedBy(EventFilter.named("Product Added"),
                EventFilter.named("Order Completed"), Duration.ofHours(24)).withinDays(7)))
        .build();
  }

  static Stream<Arguments> seeds() {
    PropertyCondition pos = eq("$channel", "pos");
    PropertyCondition online = PropertyCondition.of("$channel", Operator.IN, "web", "app");
    return Stream.of(
        Arguments.of("new-customers-this-month", SegmentDefinition
            .builder("new-customers-this-month").name("New customers this month")
            .description("Placed their first order since the start of this month (UTC).")
            .where(profile(ProfileField.CUSTOMER_SINCE)
                .gte(RelativeDate.startOf(TimeUnitStart.MONTH, ZoneOffset.UTC)))
            .build()),
        Arguments.of("quiet-about-to-churn", SegmentDefinition.builder("quiet-about-to-churn")
            .name("Quiet, about to churn")
            .description("Repeat customers who ordered in the last year but not in the last "
                + "90 days.")
            .where(and(
                profile(ProfileField.ORDER_COUNT).gte(2),
                events("Order Completed").none().inLastDays(90),
                events("Order Completed").atLeast(1).inLastDays(365)))
            .build()),
        Arguments.of("dresses-size-m-60d", SegmentDefinition.builder("dresses-size-m-60d")
            .name("Bought a dress in size M in the last 60 days")
            .where(events("Order Completed")
                .where(PropertyCondition.any("products", eq("category", "dresses"),
                    eq("size", "M")))
                .atLeast(1).inLastDays(60))
            .build()),
        Arguments.of("vip-by-spend", SegmentDefinition.builder("vip-by-spend")
            .name("VIPs by spend").description("Spent at least EUR 1,000 in total.")
            .where(profile(ProfileField.TOTAL_SPEND, "EUR").gte(1000))
            .build()),
        Arguments.of("abandoned-cart", SegmentDefinition.builder("abandoned-cart")
            .name("Abandoned cart")
            .description("Added a product in the last 7 days and placed no order within 24 "
                + "hours of it.")
            .where(notFollowedBy(EventFilter.named("Product Added"),
                EventFilter.named("Order Completed"), Duration.ofHours(24)).withinDays(7))
            .build()),
        Arguments.of("reachable-by-email", SegmentDefinition.builder("reachable-by-email")
            .name("Reachable by e-mail")
            .description("Has an e-mail address and consented to marketing by e-mail.")
            .where(and(hasIdentifier("email"), consent("marketing", "email")))
            .build()),
        Arguments.of("offline-only", SegmentDefinition.builder("offline-only")
            .name("Offline only")
            .description("Ordered in a store (POS) and never on the web or in the app (last "
                + "ten years).")
            .where(and(
                events("Order Completed").where(pos).atLeast(1).inLastDays(3650),
                events("Order Completed").where(online).none().inLastDays(3650)))
            .build()),
        Arguments.of("online-never-in-store", SegmentDefinition.builder("online-never-in-store")
            .name("Online, never in store")
            .description("Ordered on the web or in the app and never in a store (last ten "
                + "years).")
            .where(and(
                events("Order Completed").where(online).atLeast(1).inLastDays(3650),
                events("Order Completed").where(pos).none().inLastDays(3650)))
            .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("seeds")
  void seedReadsValidatesAndEqualsTheBuilderTree(String id, SegmentDefinition built) {
    String json = resource("seeds/" + id + ".json");

    SegmentDefinition read = SegmentJson.read(json);

    assertThat(read).isEqualTo(built);
    assertThat(read.id()).isEqualTo(id);
    SegmentValidator.validate(read, CONTEXT);
    assertThat(SegmentJson.write(built)).isEqualTo(compact(json));
  }

  @Test
  void theLanguageExampleReadsValidatesAndEqualsTheBuilderTree() {
    String json = resource("definition-example.json");

    SegmentDefinition read = SegmentJson.read(json);

    assertThat(read).isEqualTo(example());
    assertThat(SegmentValidator.violations(read, CONTEXT)).isEmpty();
    assertThat(SegmentJson.write(read)).isEqualTo(compact(json));
  }

  @Test
  void theExampleReadsIntoTheExpectedRecords() {
    SegmentDefinition d = SegmentJson.read(resource("definition-example.json"));

    List<Condition> cs = ((And) d.condition()).conditions();
    assertThat(cs).hasSize(10);
    assertThat(cs.get(0)).isEqualTo(new ProfileCondition(ProfileField.TOTAL_SPEND, "EUR",
        Operator.GE, List.of(new Literal(1000L))));
    assertThat(((ProfileCondition) cs.get(0)).operands().get(0).equals(
        new Literal(new BigDecimal("1000")))).isTrue();
    assertThat(cs.get(4)).isEqualTo(new ProfileCondition(ProfileField.CUSTOMER_SINCE, null,
        Operator.GE, List.of(new RelativeDate(TimeUnitStart.MONTH, "P0D", ZoneOffset.UTC))));
    EventCondition none = (EventCondition) cs.get(8);
    assertThat(none.count()).isEqualTo(CountOperator.EXACTLY);
    assertThat(none.n()).isZero();
    assertThat(none.window()).isEqualTo(
        new EventWindow.Between(LocalDate.parse("2026-01-01"), LocalDate.parse("2026-03-31")));
    NotFollowedByCondition cart = (NotFollowedByCondition) cs.get(9);
    assertThat(cart.waitFor()).isEqualTo(Duration.ofHours(24));
    assertThat(cart.withinDays()).isEqualTo(7);
  }

  @Test
  void eventCountDefaultsToAtLeastOneAndIsWrittenOut() {
    String json = "{\"version\":1,\"id\":\"x\",\"condition\":{\"type\":\"event\","
        + "\"events\":[\"Order Completed\"],\"within\":{\"days\":30}}}";

    SegmentDefinition d = SegmentJson.read(json);

    assertThat(d.condition()).isEqualTo(events("Order Completed").inLastDays(30));
    assertThat(((EventCondition) d.condition()).count()).isEqualTo(CountOperator.AT_LEAST);
    assertThat(((EventCondition) d.condition()).n()).isEqualTo(1);
    assertThat(d.name()).isEqualTo("x");
    assertThat(SegmentJson.write(d)).isEqualTo("{\"version\":1,\"id\":\"x\",\"name\":\"x\","
        + "\"condition\":{\"type\":\"event\",\"events\":[\"Order Completed\"],"
        + "\"count\":{\"op\":\">=\",\"value\":1},\"within\":{\"days\":30}}}");
  }

  @Test
  void relativeDateDefaultsAndEventNamesAreWrittenCanonically() {
    String json = "{\"version\":1,\"id\":\"x\",\"condition\":{\"type\":\"and\",\"conditions\":["
        + "{\"type\":\"trait\",\"name\":\"seen\",\"op\":\">\",\"value\":{\"date\":{}}},"
        + "{\"type\":\"trait\",\"name\":\"seen\",\"op\":\"<\",\"value\":"
        + "{\"date\":{\"offset\":\"P-30D\",\"zone\":\"Etc/UTC\"}}},"
        + "{\"type\":\"event\",\"events\":[\"b\",\"a\"],\"within\":{\"days\":1}}]}}";

    String written = SegmentJson.write(SegmentJson.read(json));

    assertThat(written).isEqualTo("{\"version\":1,\"id\":\"x\",\"name\":\"x\","
        + "\"condition\":{\"type\":\"and\",\"conditions\":["
        + "{\"type\":\"trait\",\"name\":\"seen\",\"op\":\">\",\"value\":"
        + "{\"date\":{\"offset\":\"P0D\",\"zone\":\"UTC\"}}},"
        + "{\"type\":\"trait\",\"name\":\"seen\",\"op\":\"<\",\"value\":"
        + "{\"date\":{\"offset\":\"-P30D\",\"zone\":\"UTC\"}}},"
        + "{\"type\":\"event\",\"events\":[\"a\",\"b\"],\"count\":{\"op\":\">=\",\"value\":1},"
        + "\"within\":{\"days\":1}}]}}");
  }

  @Test
  void numbersAreReadExactlyNeverAsDoubles() {
    String json = "{\"version\":1,\"id\":\"x\",\"condition\":{\"type\":\"trait\","
        + "\"name\":\"t\",\"op\":\"in\",\"values\":[0.1, 1000.00, 12345678901234567890123, "
        + "1e3, -7, {\"instant\":\"2026-03-01T10:15:00Z\"}]}}";

    TraitCondition t = (TraitCondition) SegmentJson.read(json).condition();

    assertThat(t.operands()).extracting(o -> ((Literal) o).value()).containsExactly(
        new BigDecimal("0.1"), 1000L, new BigDecimal("12345678901234567890123"), 1000L,
        -7L, java.time.Instant.parse("2026-03-01T10:15:00Z"));
    assertThat(SegmentJson.write(SegmentJson.read(json))).contains(
        "\"values\":[0.1,1000,12345678901234567890123,1000,-7,"
            + "{\"instant\":\"2026-03-01T10:15:00Z\"}]");
  }
}
