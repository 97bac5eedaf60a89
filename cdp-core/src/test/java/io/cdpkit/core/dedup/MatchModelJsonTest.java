package io.cdpkit.core.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MatchModelJsonTest {
  /** A probability above 0 and at most 1, with the edges and tiny values mixed in. */
  private static Arbitrary<Double> probability() {
    return Arbitraries.oneOf(
        Arbitraries.doubles().between(0, false, 1, true),
        Arbitraries.of(1.0, Double.MIN_VALUE, 1e-300, 0.1, 1.0 / 3, Math.nextDown(1.0)));
  }

  private static Arbitrary<MatchModel.FieldParameters> field(int index) {
    return Combinators.combine(
        Arbitraries.of(FieldKind.class),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(20).filter(s -> !s.isBlank()),
        Arbitraries.of(true, false),
        Arbitraries.of(true, false)).flatAs((kind, name, tf, estimated) -> {
          int levels = kind.levels().size();
          return Combinators.combine(probability().list().ofSize(levels),
              probability().list().ofSize(levels)).as((m, u) ->
                  new MatchModel.FieldParameters(
                      new MatchField(index + "-" + name, kind, tf), m, u, estimated));
        });
  }

  @Provide
  Arbitrary<MatchModel> models() {
    Arbitrary<Double> prior = Arbitraries.oneOf(
        Arbitraries.doubles().between(0, false, 1, false),
        Arbitraries.of(Double.MIN_VALUE, 1e-12, Math.nextDown(1.0)));
    return Arbitraries.integers().between(1, 8).flatMap(n -> {
      List<Arbitrary<MatchModel.FieldParameters>> fields = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fields.add(field(i));
      }
      return Combinators.combine(prior, Combinators.combine(fields).as(List::copyOf))
          .as(MatchModel::new);
    });
  }

  @Property(tries = 300)
  @Label("reading what was written gives the same model, and writing it again the same text")
  void roundTrip(@ForAll("models") MatchModel model) {
    String json = MatchModelJson.write(model);
    MatchModel read = MatchModelJson.read(json);
    assertThat(read).isEqualTo(model);
    assertThat(MatchModelJson.write(read)).isEqualTo(json);
  }

  @Test
  @DisplayName("a learned model, stored and read back, scores the records as before")
  void learnedModelScoresTheSame() {
    List<MatchRecord> records = People.generate(400, 150, 17);
    DuplicateDetector detector = DuplicateDetector.builder().fields(MatchField.standard())
        .build();
    DedupResult learned = detector.detect(records);
    MatchModel stored = MatchModelJson.read(MatchModelJson.write(learned.model()));
    assertThat(stored).isEqualTo(learned.model());
    assertThat(detector.score(records, stored).pairs()).isEqualTo(learned.pairs());
    assertThat(MatchModelJson.write(stored)).startsWith("{\"version\":1,\"prior\":");
  }

  private static final String GOOD = "{\"version\":1,\"prior\":0.001,\"fields\":["
      + "{\"name\":\"postcode\",\"kind\":\"CODE\",\"termFrequency\":false,\"estimated\":true,"
      + "\"m\":[0.9,0.05,0.03,0.02],\"u\":[0.01,0.02,0.07,0.9]}]}";

  private static void refused(String json, String... parts) {
    assertThatThrownBy(() -> MatchModelJson.read(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(parts);
  }

  @Test
  @DisplayName("the example is read; every kind of bad text is refused naming where and why")
  void badJsonIsRefused() {
    assertThat(MatchModelJson.read(GOOD).field("postcode").orElseThrow().m())
        .containsExactly(0.9, 0.05, 0.03, 0.02);
    refused(GOOD.replace("[0.9,0.05,0.03,0.02]", "[0.9,0.05,0.05]"),
        "/fields/0/m: must have 4 levels for kind CODE but had 3");
    refused(GOOD.replace("0.07", "0"), "/fields/0/u/2: must be above 0 and at most 1");
    refused(GOOD.replace("0.07", "1.5"), "/fields/0/u/2: must be above 0 and at most 1");
    refused(GOOD.replace("0.07", "-0.1"), "/fields/0/u/2");
    refused(GOOD.replace("0.07", "\"x\""), "/fields/0/u/2: must be a number");
    refused(GOOD.replace("\"CODE\"", "\"ZIP\""), "/fields/0/kind: must be one of");
    refused(GOOD.replace("\"CODE\"", "\"code\""), "/fields/0/kind");
    refused(GOOD.replace("\"prior\":0.001,", ""), "/prior: is required");
    refused(GOOD.replace("\"prior\":0.001", "\"prior\":1"), "/prior: must be above 0");
    refused(GOOD.replace("\"prior\":0.001", "\"prior\":0"), "/prior: must be above 0");
    refused(GOOD.replace("\"estimated\":true,", ""), "/fields/0/estimated: is required");
    refused(GOOD.replace("\"termFrequency\":false", "\"termFrequency\":\"no\""),
        "/fields/0/termFrequency: must be true or false");
    refused(GOOD.replace("\"name\":\"postcode\"", "\"name\":\" \""), "/fields/0/name");
    refused(GOOD.replace("\"version\":1", "\"version\":2"), "/version: must be 1");
    refused(GOOD.replace("\"version\":1,", ""), "/version: is required");
    refused(GOOD.replace("\"version\":1", "\"version\":1,\"extra/key\":3"),
        "/extra~1key: unknown key");
    refused(GOOD.replace("{\"name\"", "{\"colour\":\"red\",\"name\""),
        "/fields/0/colour: unknown key");
    refused(GOOD.replace("\"version\":1", "\"version\":1,\"version\":1"), "not valid JSON");
    refused(GOOD.substring(0, GOOD.length() - 3), "not valid JSON");
    refused("[1,2]", "(root): must be a JSON object");
    refused("", "must be a JSON object");
    refused(GOOD.replace("[{", "[7,{").replace("}]}", "}]}"), "/fields/0: must be a JSON object");
    refused("{\"version\":1,\"prior\":0.001,\"fields\":[]}", "/fields: must hold at least one");
    String field = GOOD.substring(GOOD.indexOf('{', 1), GOOD.length() - 2);
    refused("{\"version\":1,\"prior\":0.001,\"fields\":[" + field + "," + field + "]}",
        "/fields/1/name: repeats");
    // Every violation is reported, not only the first.
    refused(GOOD.replace("\"prior\":0.001", "\"prior\":2").replace("\"CODE\"", "\"ZIP\""),
        "/prior", "/fields/0/kind");
  }

  @Test
  @DisplayName("messages quote no values from the text")
  void messagesQuoteNoValues() {
    assertThatThrownBy(() -> MatchModelJson.read(GOOD.replace("0.001", "\"jane.doe@x.org\"")))
        .hasMessageNotContaining("jane");
    assertThatThrownBy(() -> MatchModelJson.read("{\"version\":1,\"prior\": jane.doe}"))
        .hasMessageNotContaining("jane");
  }
}
