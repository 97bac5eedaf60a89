package io.cdpkit.segmentation.definition;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.segmentation.DefinitionValidationException.Violation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random condition trees of every kind (every operator with operands that suit it, relative
 * dates, nested {@code any}) survive JSON: {@code read(write(d))} equals {@code d}, and writing
 * again gives the same text. Validator pointers lead into the canonical JSON.
 */
class SegmentJsonRoundTripProperties {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Property(tries = 500)
  void readingWhatWasWrittenGivesTheSameDefinition(
      @ForAll("definitions") SegmentDefinition d) {
    String json = SegmentJson.write(d);

    SegmentDefinition back = SegmentJson.read(json);

    assertThat(back).isEqualTo(d);
    assertThat(SegmentJson.write(back)).isEqualTo(json);
  }

  @Property(tries = 200)
  void validatorPointersLeadIntoTheCanonicalJson(@ForAll("definitions") SegmentDefinition d)
      throws Exception {
    // Knows no computed trait and no segment: every computed and segment condition is reported.
    ValidationContext nothing = new ValidationContext() {
      @Override
      public boolean computedTraitExists(String name) {
        return false;
      }

      @Override
      public Optional<SegmentDefinition> segment(String id) {
        return Optional.empty();
      }
    };
    JsonNode tree = MAPPER.readTree(SegmentJson.write(d));

    List<Violation> vs = SegmentValidator.violations(d, nothing);

    int references = 0;
    for (Violation v : vs) {
      JsonNode at = tree.at(v.pointer());
      assertThat(at.isMissingNode()).as(v.pointer()).isFalse();
      if (v.pointer().matches(".*/(name|segment)$")) {
        references++;
        assertThat(at.isTextual()).as(v.pointer()).isTrue();
        assertThat(v.message()).contains(at.asText().length() > 64
            ? at.asText().substring(0, 64) : at.asText());
      } else {
        // The other violations are operand types of profile fields.
        assertThat(v.pointer()).matches(".*/(op|value|values/\\d+)$");
        assertThat(v.message()).containsAnyOf("takes", "is a list", "compares text");
      }
    }
    assertThat(references).isEqualTo(count(tree, "computed") + count(tree, "segment"));
  }

  /** How many conditions of this type the JSON tree holds. */
  static int count(JsonNode n, String type) {
    int c = n.isObject() && n.has("type") && n.get("type").asText().equals(type) ? 1 : 0;
    for (JsonNode child : n) {
      c += count(child, type);
    }
    return c;
  }

  // ------------------------------------------------------------------ generators

  @Provide
  Arbitrary<SegmentDefinition> definitions() {
    Arbitrary<String> ids = Arbitraries.strings().withChars("abz09_-").ofMinLength(1)
        .ofMaxLength(12).map(s -> "s" + s);
    Arbitrary<String> names = text().filter(s -> !s.isBlank());
    Arbitrary<String> descriptions = text().injectNull(0.3);
    return Combinators.combine(ids, names, descriptions, condition(3))
        .as(SegmentDefinition::new);
  }

  static Arbitrary<String> text() {
    return Arbitraries.strings().withCharRange(' ', '~').withChars("éü€\n\t\u0000\u2028")
        .ofMinLength(1).ofMaxLength(24);
  }

  static Arbitrary<Condition> condition(int depth) {
    Arbitrary<Condition> leaf = Arbitraries.oneOf(trait(), computed(), profile(),
        identifier(), consent(), segment(), event(), notFollowedBy());
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<Condition> sub = Arbitraries.lazy(() -> condition(depth - 1));
    return Arbitraries.frequencyOf(
        Tuple.of(5, leaf),
        Tuple.of(1, sub.list().ofMinSize(1).ofMaxSize(4).map(l -> (Condition) new And(l))),
        Tuple.of(1, sub.list().ofMinSize(1).ofMaxSize(4).map(l -> (Condition) new Or(l))),
        Tuple.of(1, sub.map(c -> (Condition) new Not(c))));
  }

  record Comparison(Operator op, List<Operand> operands) {}

  static Arbitrary<Condition> trait() {
    // Any name without path syntax, or a well-formed path into a nested trait (a name with
    // '.', '[' or ']' must be one).
    Arbitrary<String> names = Arbitraries.oneOf(
        text().filter(s -> !s.isBlank() && !io.cdpkit.core.traits.TraitPath.isPath(s)),
        Arbitraries.of("address.city", "addresses[].city", "a b.c~/d", "x.y.z.\u00e9"));
    return Combinators.combine(names, comparison())
        .as((n, c) -> new TraitCondition(n, c.op(), c.operands()));
  }

  static Arbitrary<Condition> computed() {
    return Combinators.combine(Arbitraries.of("orders_90d", "churn_risk", "ltv", "a/b~c"),
        comparison()).as((n, c) -> new ComputedCondition(n, c.op(), c.operands()));
  }

  static Arbitrary<Condition> profile() {
    return Combinators.combine(Arbitraries.of(ProfileField.class),
        Arbitraries.of("EUR", "USD", "JPY"), comparison())
        .as((f, cur, c) -> new ProfileCondition(f, f.isMoney() ? cur : null, c.op(),
            c.operands()));
  }

  static Arbitrary<Condition> identifier() {
    return Arbitraries.of("email", "phone", "customer_id", "loyalty_card")
        .map(t -> (Condition) new IdentifierCondition(t));
  }

  static Arbitrary<Condition> consent() {
    return Combinators.combine(Arbitraries.of("marketing", "analytics", "profiling-x"),
        Arbitraries.of("email", "sms", "push", "all"))
        .as((p, c) -> (Condition) new ConsentCondition(p, c));
  }

  static Arbitrary<Condition> segment() {
    return Arbitraries.of("staff", "vip", "0-test", "a_b")
        .map(id -> (Condition) new SegmentCondition(id));
  }

  static Arbitrary<Condition> event() {
    return Combinators.combine(filter(), Arbitraries.of(CountOperator.class),
        Arbitraries.longs().between(0, 1_000_000), window())
        .as((f, c, n, w) -> (Condition) new EventCondition(f, c, n, w));
  }

  static Arbitrary<Condition> notFollowedBy() {
    Arbitrary<Integer> days = Arbitraries.integers().between(1, 3650).injectNull(0.3);
    return days.flatMap(d -> {
      long maxMinutes = Math.min(365L * 24 * 60, d == null ? Long.MAX_VALUE : d * 24L * 60);
      Arbitrary<Duration> waits = Arbitraries.longs().between(1, maxMinutes)
          .map(Duration::ofMinutes);
      return Combinators.combine(filter(), filter(), waits)
          .as((e, f, w) -> (Condition) new NotFollowedByCondition(e, f, w, d));
    });
  }

  static Arbitrary<EventWindow> window() {
    Arbitrary<EventWindow> last = Arbitraries.integers().between(1, 3650)
        .map(d -> (EventWindow) new EventWindow.LastDays(d));
    Arbitrary<LocalDate> dates = Arbitraries.longs()
        .between(LocalDate.of(1970, 1, 1).toEpochDay(), LocalDate.of(9999, 12, 31).toEpochDay())
        .map(LocalDate::ofEpochDay);
    Arbitrary<EventWindow> between = Combinators.combine(dates, dates)
        .as((a, b) -> a.isAfter(b) ? new EventWindow.Between(b, a)
            : new EventWindow.Between(a, b));
    return Arbitraries.oneOf(last, between);
  }

  static Arbitrary<EventFilter> filter() {
    Arbitrary<Set<String>> names = text().filter(s -> !s.isBlank()).set().ofMinSize(1)
        .ofMaxSize(3);
    return Combinators.combine(names, where(2).list().ofMaxSize(3)).as(EventFilter::new);
  }

  static Arbitrary<PropertyCondition> where(int depth) {
    Arbitrary<PropertyCondition> compare = Combinators.combine(
        Arbitraries.of("category", "products[].size", "$channel", "$event", "a.b.c",
            "odd key~/x", "products[].$catalog.brand", "$catalog.created_at",
            "items[].$catalog.colour"),
        literalComparison())
        .as((p, c) -> PropertyCondition.of(p, c.op(),
            c.operands().stream().map(o -> ((Literal) o).value()).toList()));
    if (depth == 0) {
      return compare;
    }
    Arbitrary<PropertyCondition> any = Combinators.combine(
        Arbitraries.of("products", "items[].options", "a/b"),
        Arbitraries.lazy(() -> where(depth - 1)).list().ofMinSize(1).ofMaxSize(3))
        .as(PropertyCondition::any);
    return Arbitraries.frequencyOf(Tuple.of(3, compare), Tuple.of(1, any));
  }

  /** Any operator, operands (relative dates included) that suit it. */
  static Arbitrary<Comparison> comparison() {
    return Arbitraries.of(Operator.class).flatMap(op -> operands(op, true)
        .map(l -> new Comparison(op, l)));
  }

  /** Any operator, literal operands that suit it (for where conditions). */
  static Arbitrary<Comparison> literalComparison() {
    return Arbitraries.of(Operator.class).flatMap(op -> operands(op, false)
        .map(l -> new Comparison(op, l)));
  }

  static Arbitrary<List<Operand>> operands(Operator op, boolean relative) {
    Arbitrary<Operand> one = relative ? Arbitraries.frequencyOf(
        Tuple.of(3, scalar()), Tuple.of(1, relativeDate())) : scalar();
    Arbitrary<Operand> ordered = Arbitraries.oneOf(numbers(), strings(), instants());
    Arbitrary<Operand> orderedOrRelative = relative
        ? Arbitraries.frequencyOf(Tuple.of(3, ordered), Tuple.of(1, relativeDate())) : ordered;
    return switch (op) {
      case EQ, NE -> one.map(List::of);
      case LT, LE, GT, GE -> orderedOrRelative.map(List::of);
      case BETWEEN -> {
        Arbitrary<Operand> times = relative
            ? Arbitraries.oneOf(instants(), relativeDate()) : instants();
        yield Arbitraries.oneOf(numbers().list().ofSize(2), strings().list().ofSize(2),
            times.list().ofSize(2));
      }
      case IN -> scalar().list().ofMinSize(1).ofMaxSize(4);
      case CONTAINS -> scalar().map(List::of);
      case STARTS_WITH -> strings().map(List::of);
      case REGEX -> Arbitraries.of("^a", "[0-9]+$", "x|y", "\\d{2}", "(?i)gold")
          .map(s -> List.<Operand>of(new Literal(s)));
      case EXISTS, MISSING -> Arbitraries.just(List.of());
    };
  }

  static Arbitrary<Operand> scalar() {
    return Arbitraries.oneOf(numbers(), strings(), instants(),
        Arbitraries.of(true, false).map(b -> (Operand) new Literal(b)));
  }

  static Arbitrary<Operand> strings() {
    return Arbitraries.strings().withCharRange(' ', '~').withChars("é€\"\\\n")
        .ofMaxLength(16).map(x -> (Operand) new Literal(x));
  }

  static Arbitrary<Operand> numbers() {
    Arbitrary<Object> longs = Arbitraries.longs().map(l -> (Object) l);
    Arbitrary<Object> decimals = Arbitraries.bigDecimals()
        .between(new BigDecimal("-1000000"), new BigDecimal("1000000")).ofScale(4)
        .map(d -> (Object) d);
    Arbitrary<Object> huge = Arbitraries.bigIntegers()
        .between(BigInteger.TEN.pow(20), BigInteger.TEN.pow(40))
        .map(i -> (Object) new BigDecimal(i).scaleByPowerOfTen(-3));
    Arbitrary<Object> odd = Arbitraries.<Object>of(new BigDecimal("1E+30"),
        new BigDecimal("-0.000"), new BigDecimal("1E-30"), new BigDecimal("9223372036854775808"),
        0, -1);
    return Arbitraries.oneOf(longs, decimals, huge, odd).map(v -> (Operand) new Literal(v));
  }

  static Arbitrary<Operand> instants() {
    return Arbitraries.longs().between(-10_000_000_000L, 100_000_000_000L)
        .flatMap(s -> Arbitraries.integers().between(0, 999_999_999)
            .map(n -> (Operand) new Literal(Instant.ofEpochSecond(s, n))));
  }

  static Arbitrary<Operand> relativeDate() {
    return Combinators.combine(Arbitraries.of(TimeUnitStart.class).injectNull(0.4),
        Arbitraries.of("P0D", "-P30D", "P1M", "-PT24H", "P1W", "-P1Y2M", "PT90M", "P1DT2H",
            "-P3M", "PT0S", "p2d", "-PT0.5S"),
        Arbitraries.of("UTC", "Europe/Amsterdam", "Pacific/Chatham", "+05:30", "Z", "GMT",
            "America/New_York").map(ZoneId::of))
        .as((u, o, z) -> (Operand) new RelativeDate(u, o, z));
  }
}
