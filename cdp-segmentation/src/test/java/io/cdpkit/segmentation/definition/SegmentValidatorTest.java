package io.cdpkit.segmentation.definition;

import static io.cdpkit.segmentation.definition.Conditions.and;
import static io.cdpkit.segmentation.definition.Conditions.computed;
import static io.cdpkit.segmentation.definition.Conditions.hasIdentifier;
import static io.cdpkit.segmentation.definition.Conditions.inSegment;
import static io.cdpkit.segmentation.definition.Conditions.not;
import static io.cdpkit.segmentation.definition.Conditions.or;
import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.segmentation.DefinitionValidationException;
import io.cdpkit.segmentation.DefinitionValidationException.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link SegmentValidator}: declared computed traits, references to other segments, cycles and
 * the tree-wide limits, with the pointers of the canonical JSON for trees built in Java.
 */
class SegmentValidatorTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static SegmentDefinition segment(String id, Condition c) {
    return SegmentDefinition.builder(id).where(c).build();
  }

  static ValidationContext context(SegmentDefinition... saved) {
    return ValidationContext.of(Set.of("orders_90d"), List.of(saved));
  }

  /** The violations, after checking each pointer leads to a value in the canonical JSON. */
  static List<Violation> violations(SegmentDefinition d, ValidationContext ctx) throws Exception {
    List<Violation> vs = SegmentValidator.violations(d, ctx);
    JsonNode tree = MAPPER.readTree(SegmentJson.write(d));
    for (Violation v : vs) {
      assertThat(tree.at(v.pointer()).isMissingNode()).as(v.pointer()).isFalse();
    }
    return vs;
  }

  @Test
  void aValidDefinitionPasses() {
    SegmentDefinition staff = segment("staff", trait("employee").eq(true));
    SegmentDefinition d = segment("vip", and(computed("orders_90d").gte(2), not(inSegment(
        "staff"))));

    assertThatCode(() -> SegmentValidator.validate(d, context(staff))).doesNotThrowAnyException();
  }

  @Test
  void unknownComputedTraitAtTheBuilderTreesJsonPointer() throws Exception {
    SegmentDefinition d = segment("x", and(hasIdentifier("email"),
        or(computed("orders_90d").gte(1), not(computed("orders_30d").gte(1)))));

    List<Violation> vs = violations(d, context());

    assertThat(vs).containsExactly(new Violation("/condition/conditions/1/conditions/1/condition"
        + "/name", "computed trait \"orders_30d\" is not declared"));
    assertThat(SegmentValidator.violations(SegmentJson.read(SegmentJson.write(d)), context()))
        .isEqualTo(vs);
  }

  @Test
  void unknownSegment() throws Exception {
    SegmentDefinition d = segment("x", or(hasIdentifier("email"), inSegment("staff")));

    assertThat(violations(d, context())).containsExactly(
        new Violation("/condition/conditions/1/segment", "segment staff does not exist"));
  }

  @Test
  void selfReference() throws Exception {
    SegmentDefinition d = segment("vip", and(trait("tier").exists(), not(inSegment("vip"))));

    assertThat(violations(d, context())).containsExactly(new Violation(
        "/condition/conditions/1/condition/segment",
        "segment vip refers to itself: vip -> vip"));
  }

  @Test
  void threeSegmentCycle() throws Exception {
    SegmentDefinition a = segment("a", inSegment("b"));
    SegmentDefinition b = segment("b", or(hasIdentifier("email"), inSegment("c")));
    SegmentDefinition oldC = segment("c", hasIdentifier("phone"));
    SegmentDefinition c = segment("c", and(trait("tier").exists(), not(inSegment("a"))));

    assertThat(SegmentValidator.violations(oldC, context(a, b, oldC))).isEmpty();
    DefinitionValidationException ex = org.assertj.core.api.Assertions.catchThrowableOfType(
        DefinitionValidationException.class,
        () -> SegmentValidator.validate(c, context(a, b, oldC)));

    assertThat(ex.violations()).containsExactly(new Violation(
        "/condition/conditions/1/condition/segment",
        "closes a cycle of segments: c -> a -> b -> c"));
    assertThat(ex.getMessage()).contains(
        "/condition/conditions/1/condition/segment: closes a cycle of segments: c -> a -> b -> c");
  }

  @Test
  void aCycleElsewhereIsNotThisDefinitionsViolation() throws Exception {
    SegmentDefinition a = segment("a", inSegment("b"));
    SegmentDefinition b = segment("b", inSegment("a"));

    assertThat(violations(segment("x", inSegment("a")), context(a, b))).isEmpty();
  }

  @Test
  void everyReferenceClosingACycleIsReported() throws Exception {
    SegmentDefinition a = segment("a", inSegment("x"));
    SegmentDefinition d = segment("x", or(inSegment("a"), not(inSegment("a"))));

    assertThat(violations(d, context(a))).extracting(Violation::pointer).containsExactly(
        "/condition/conditions/0/segment", "/condition/conditions/1/condition/segment");
  }

  @Test
  void tooDeepForABuilderTree() throws Exception {
    Condition c = hasIdentifier("email");
    for (int i = 0; i < 40; i++) {
      c = not(c);
    }

    List<Violation> vs = violations(segment("x", c), context());

    assertThat(vs).containsExactly(new Violation(
        "/condition" + "/condition".repeat(32), "is nested more than 32 levels deep"));
  }

  @Test
  void tooManyConditionsForABuilderTree() throws Exception {
    List<Condition> ors = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      List<Condition> leaves = new ArrayList<>();
      for (int j = 0; j < 10; j++) {
        leaves.add(hasIdentifier("t" + j));
      }
      ors.add(or(leaves));
    }

    List<Violation> vs = violations(segment("x", and(ors)), context());

    assertThat(vs).containsExactly(new Violation("/condition",
        "holds 1101 conditions, more than the limit of 1000"));
    assertThatThrownBy(() -> SegmentJson.read(SegmentJson.write(segment("x", and(ors)))))
        .isInstanceOf(DefinitionValidationException.class)
        .hasMessageContaining("/condition: holds 1101 conditions");
  }

  @Test
  void severalProblemsAreReportedTogether() throws Exception {
    SegmentDefinition d = segment("x", and(computed("a").exists(), inSegment("x"),
        inSegment("nope"), computed("b").exists()));

    assertThat(violations(d, context())).extracting(Violation::pointer).containsExactly(
        "/condition/conditions/0/name", "/condition/conditions/1/segment",
        "/condition/conditions/2/segment", "/condition/conditions/3/name");
  }

  @org.junit.jupiter.api.Test
  void profileFieldsTakeOperandsOfTheirType() {
    ValidationContext none = ValidationContext.of(java.util.List.of(), java.util.List.of());
    SegmentDefinition d = SegmentDefinition.builder("typed").where(Conditions.and(
        Conditions.profile(ProfileField.ORDER_COUNT).gte("many"),
        Conditions.profile(ProfileField.CUSTOMER_SINCE).gte("last spring"),
        Conditions.profile(ProfileField.CHANNELS_SEEN).eq("web"),
        Conditions.profile(ProfileField.TOTAL_SPEND, "EUR").matches("^1"),
        Conditions.profile(ProfileField.FAVOURITE_STORE).in("s1", 2L),
        Conditions.profile(ProfileField.CUSTOMER_SINCE).gte("2026-03-01"),
        Conditions.profile(ProfileField.CHANNELS_SEEN).contains("pos"))).build();
    org.assertj.core.api.Assertions.assertThat(SegmentValidator.violations(d, none))
        .extracting(v -> v.pointer() + " " + v.message())
        .containsExactly(
            "/condition/conditions/0/value orderCount takes a number",
            "/condition/conditions/1/value customerSince takes a time: an ISO date or instant,"
                + " or a date relative to now",
            "/condition/conditions/2/op channelsSeen is a list: use contains, exists or missing",
            "/condition/conditions/3/op totalSpend is a number: regex compares text",
            "/condition/conditions/4/values/1 favouriteStore takes text");
  }

  @Test
  void catalogPathsBuiltInJavaAreCheckedAtTheirPointers() throws Exception {
    PropertyCondition brand = PropertyCondition.of("products[].$catalog.brand", Operator.EQ,
        "Acme");
    SegmentDefinition d = segment("catalog", and(
        Conditions.events("Order Completed").where(brand, PropertyCondition.any("products",
                PropertyCondition.of("$catalog.brand", Operator.EQ, "Acme"),
                PropertyCondition.of("$catalog.category[]", Operator.EQ, "dresses")))
            .inLastDays(30),
        Conditions.notFollowedBy(
            EventFilter.named("Product Added")
                .and(PropertyCondition.of("$catalog.$x", Operator.EXISTS)),
            EventFilter.named("Order Completed").and(PropertyCondition.any(
                "products[].$catalog.group", PropertyCondition.of("x", Operator.EXISTS))),
            Duration.ofHours(1))));

    assertThat(violations(d, context())).extracting(v -> v.pointer() + " " + v.message())
        .containsExactly(
            "/condition/conditions/0/where/1/any/1/path reads catalog field \"category\" as a"
                + " list, but a catalog field is one value: drop the []",
            "/condition/conditions/1/event/where/0/path reads catalog field \"$x\", which no"
                + " product has: a catalog field is one of [sku, name, category, type, brand,"
                + " group, price, currency, stock, available, created_at] or an attribute of"
                + " the host's (1 to 64 characters, not starting with $)",
            "/condition/conditions/1/followedBy/where/0/path reads catalog field \"group\","
                + " one value of a product, where any needs a list of objects: compare the"
                + " field instead");
    assertThat(SegmentValidator.violations(segment("fine", Conditions.events("Order Completed")
        .where(brand, PropertyCondition.of("$catalog.colour", Operator.EQ, "red"))
        .inLastDays(30)), context())).isEmpty();
    // Paths core refuses never make a condition at all.
    assertThatThrownBy(() -> PropertyCondition.of("products[].$catalog", Operator.EXISTS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly one catalog field");
  }
}
