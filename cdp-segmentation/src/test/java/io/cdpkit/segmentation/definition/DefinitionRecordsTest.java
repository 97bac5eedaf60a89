package io.cdpkit.segmentation.definition;

import static io.cdpkit.segmentation.definition.Conditions.events;
import static io.cdpkit.segmentation.definition.Conditions.profile;
import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.segmentation.DefinitionValidationException;
import io.cdpkit.segmentation.DefinitionValidationException.Violation;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The records and the builder refuse programmer errors at once with
 * {@link IllegalArgumentException} or {@link IllegalStateException}, saying what is wrong.
 */
class DefinitionRecordsTest {

  @Test
  void badIdsAndNames() {
    Condition c = Conditions.hasIdentifier("email");
    assertThatThrownBy(() -> new SegmentDefinition("VIP", "VIP", null, c))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("id must match [a-z0-9][a-z0-9_-]{0,63}, not \"VIP\"");
    assertThatThrownBy(() -> new SegmentDefinition("vip", " ", null, c))
        .hasMessage("name must be 1 to 200 characters, not blank");
    assertThatThrownBy(() -> new SegmentDefinition("vip", "VIP", "x".repeat(2001), c))
        .hasMessage("description must be at most 2000 characters");
    assertThatThrownBy(() -> SegmentDefinition.builder("a".repeat(65)))
        .hasMessageStartingWith("id must match");
    assertThat(new SegmentDefinition("a".repeat(64), "n", null, c).id()).hasSize(64);
  }

  @Test
  void builderSettingsAreCheckedAtOnce() {
    SegmentDefinition.Builder b = SegmentDefinition.builder("vip").name("VIPs");
    assertThatThrownBy(() -> b.name("Others")).isInstanceOf(IllegalStateException.class)
        .hasMessage("name was already set to \"VIPs\"");
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessage("no condition: call where(...) first");
    b.where(Conditions.inSegment("staff"));
    assertThatThrownBy(() -> b.where(Conditions.inSegment("other")))
        .hasMessage("condition was already set");
    assertThat(b.build()).isEqualTo(new SegmentDefinition("vip", "VIPs", null,
        new SegmentCondition("staff")));
    assertThat(SegmentDefinition.builder("x").where(Conditions.inSegment("y")).build().name())
        .isEqualTo("x");
  }

  @Test
  void operandsMustSuitTheOperator() {
    assertThatThrownBy(() -> trait("age").is(Operator.BETWEEN, 18))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("operands between takes 2 values, not 1");
    assertThatThrownBy(() -> trait("tier").in())
        .hasMessage("operands in takes at least one value");
    assertThatThrownBy(() -> trait("ok").lt(true))
        .hasMessage("operands < does not order booleans");
    assertThatThrownBy(() -> trait("email").matches("(["))
        .hasMessageStartingWith("operands regex is not a valid pattern");
    assertThatThrownBy(() -> trait("seen").contains(RelativeDate.ago(Duration.ofHours(1))))
        .hasMessage("operands relative dates work only with =, !=, <, <=, >, >= and between, "
            + "not contains");
    assertThat(trait("seen").between(RelativeDate.ago(java.time.Period.ofDays(7)),
        java.time.Instant.parse("2030-01-01T00:00:00Z")).operator()).isEqualTo(Operator.BETWEEN);
  }

  @Test
  void literalsAreCanonicalAndNeverDoubles() {
    assertThat(new Literal(1000)).isEqualTo(new Literal(new BigDecimal("1000.00")))
        .isEqualTo(new Literal(1000L));
    assertThat(new Literal(new BigDecimal("1.50")).value()).isEqualTo(new BigDecimal("1.5"));
    assertThatThrownBy(() -> new Literal(1.5d)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a Double (use BigDecimal)");
    assertThatThrownBy(() -> new Literal(List.of("a")))
        .hasMessageContaining("a literal is a string, long, BigDecimal, boolean or Instant");
    assertThat(trait("score").gte(new BigDecimal("2.0")))
        .isEqualTo(new TraitCondition("score", Operator.GE, List.of(new Literal(2L))));
  }

  @Test
  void currencyRules() {
    assertThatThrownBy(() -> profile(ProfileField.TOTAL_SPEND))
        .hasMessage("currency is missing: totalSpend needs a currency");
    assertThatThrownBy(() -> profile(ProfileField.LAST_SEEN, "EUR"))
        .hasMessage("currency is not allowed: lastSeen takes no currency");
    assertThatThrownBy(() -> new ProfileCondition(ProfileField.AVERAGE_ORDER_VALUE, "eur",
        Operator.GE, List.of(new Literal(1))))
        .hasMessageStartingWith("currency must be an ISO 4217 code");
  }

  @Test
  void logicNeedsOneToAHundredChildren() {
    assertThatThrownBy(() -> new And(List.of()))
        .hasMessage("and must hold 1 to 100 conditions, not 0");
    List<Condition> many = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      many.add(Conditions.hasIdentifier("email"));
    }
    assertThatThrownBy(() -> new Or(many)).hasMessage("or must hold 1 to 100 conditions, not 101");
    assertThat(new Or(many.subList(0, 100)).conditions()).hasSize(100);
  }

  @Test
  void listsAreCopied() {
    List<Condition> cs = new ArrayList<>(List.of(Conditions.hasIdentifier("email")));
    And and = new And(cs);
    cs.add(Conditions.hasIdentifier("phone"));
    assertThat(and.conditions()).hasSize(1);
    assertThatThrownBy(() -> and.conditions().add(Conditions.hasIdentifier("phone")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void eventConditionRules() {
    assertThatThrownBy(() -> events(EventFilter.ANY).inLastDays(30))
        .hasMessage("events must name at least one event");
    assertThatThrownBy(() -> events("Order Completed").atLeast(-1))
        .hasMessage("n must not be negative, not -1");
    assertThatThrownBy(() -> events("Order Completed").atLeast(1).none())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("count was already set to >= 1");
    assertThatThrownBy(() -> events("Order Completed").inLastDays(3651))
        .hasMessage("days must be 1 to 3650 days, not 3651");
    assertThatThrownBy(() -> events("Order Completed")
        .between(LocalDate.of(2026, 2, 1), LocalDate.of(2026, 1, 1)))
        .hasMessage("between from 2026-02-01 is after to 2026-01-01");
    assertThat(events("Order Completed").none().inLastDays(90)).isEqualTo(new EventCondition(
        new EventFilter(Set.of("Order Completed"), List.of()), CountOperator.EXACTLY, 0,
        new EventWindow.LastDays(90)));
    assertThat(events("Order Completed").inLastDays(90).count())
        .isEqualTo(CountOperator.AT_LEAST);
  }

  @Test
  void notFollowedByRules() {
    EventFilter cart = EventFilter.named("Product Added");
    EventFilter order = EventFilter.named("Order Completed");
    assertThatThrownBy(() -> Conditions.notFollowedBy(cart, order, Duration.ofSeconds(59)))
        .hasMessage("wait must be from PT1M to P365D, not PT59S");
    assertThatThrownBy(() -> Conditions.notFollowedBy(cart, order, Duration.ofDays(366)))
        .hasMessage("wait must be from PT1M to P365D, not PT8784H");
    assertThatThrownBy(() -> Conditions.notFollowedBy(cart, order, Duration.ofDays(3))
        .withinDays(2))
        .hasMessage("wait must not be longer than withinDays (2 days): no event could qualify");
    assertThatThrownBy(() -> Conditions.notFollowedBy(cart, EventFilter.ANY, Duration.ofHours(1)))
        .hasMessage("followedBy events must name at least one event");
    assertThat(Conditions.notFollowedBy(cart, order, Duration.ofHours(24)).withinDays(7)
        .withinDays()).isEqualTo(7);
  }

  @Test
  void comparisonMethodsWriteTheirOperators() {
    assertThat(Conditions.computed("c").atLeast(2).operator()).isEqualTo(Operator.GE);
    assertThat(Conditions.computed("c").atMost(2).operator()).isEqualTo(Operator.LE);
    assertThat(trait("t").startsWith("a").operator()).isEqualTo(Operator.STARTS_WITH);
    assertThat(trait("t").missing().operands()).isEmpty();
    assertThat(trait("t").in(List.of("a", "b")))
        .isEqualTo(trait("t").in("a", "b"));
    assertThat(SegmentJson.write(SegmentDefinition.builder("x").where(trait("t").ne("a"))
        .build())).contains("\"op\":\"!=\",\"value\":\"a\"");
  }

  @Test
  void exceptionNeedsViolationsAndKeepsThemAll() {
    assertThatThrownBy(() -> new DefinitionValidationException(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    DefinitionValidationException ex = new DefinitionValidationException(
        List.of(new Violation("", "is empty")));
    assertThat(ex.getMessage()).isEqualTo("invalid segment definition (1 violation): "
        + "definition: is empty");
    assertThat(ex).isInstanceOf(io.cdpkit.core.CdpException.class);
  }
}
