package io.cdpkit.core.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ComparisonsTest {
  private final Comparisons c = new Comparisons();

  private String dateLevel(String a, String b) {
    return FieldKind.DATE.levels().get(c.level(FieldKind.DATE,
        Comparisons.normalise(FieldKind.DATE, a), Comparisons.normalise(FieldKind.DATE, b),
        null, null));
  }

  @Test
  @DisplayName("dates: transposed day and month, one digit off, two off, else; formats agree")
  void dates() {
    assertThat(dateLevel("1987-03-05", "19870305")).isEqualTo("exact");
    assertThat(dateLevel("19870305", "19870503")).isEqualTo("day and month transposed");
    assertThat(dateLevel("19870305", "19870306")).isEqualTo("one digit off");
    assertThat(dateLevel("19870305", "19780305")).isEqualTo("one digit off");
    assertThat(dateLevel("19870305", "1987035")).isEqualTo("one digit off");
    assertThat(dateLevel("19870305", "19870316")).isEqualTo("two digits off");
    assertThat(dateLevel("19870305", "19561122")).isEqualTo("else");
  }

  @Test
  @DisplayName("dates: a transposition needs the same year, and 03/03 transposed is itself")
  void transpositionsAreNotOverRead() {
    assertThat(dateLevel("19870305", "19880503")).isNotEqualTo("day and month transposed");
    assertThat(dateLevel("19870303", "19870303")).isEqualTo("exact");
    assertThat(Comparisons.dayMonthTransposed("1987035", "1987053")).isFalse();
  }

  @Test
  @DisplayName("names: case, accents and spacing do not matter; sound and spelling levels")
  void names() {
    String a = Comparisons.normalise(FieldKind.NAME, "  Zoë   ");
    assertThat(a).isEqualTo("zoe");
    assertThat(Comparisons.normalise(FieldKind.NAME, " \t ")).isNull();
    List<String> levels = FieldKind.NAME.levels();
    assertThat(levels.get(c.level(FieldKind.NAME, "kathryn", "catherine",
        c.sounds("kathryn"), c.sounds("catherine")))).isEqualTo("phonetic");
    assertThat(levels.get(c.level(FieldKind.NAME, "jonathan", "jonathon",
        c.sounds("jonathan"), c.sounds("jonathon")))).isEqualTo("jaro-winkler >= 0.92");
    assertThat(levels.get(c.level(FieldKind.NAME, "maria", "zbigniew",
        c.sounds("maria"), c.sounds("zbigniew")))).isEqualTo("else");
  }

  @Test
  @DisplayName("codes: a swap of neighbours is one edit; e-mail local parts drop the +tag")
  void codesAndEmail() {
    List<String> levels = FieldKind.CODE.levels();
    assertThat(levels.get(c.level(FieldKind.CODE, "4011", "4101", null, null)))
        .isEqualTo("one character off");
    assertThat(levels.get(c.level(FieldKind.CODE, "4011", "5111", null, null)))
        .isEqualTo("two characters off");
    assertThat(Comparisons.normalise(FieldKind.CODE, "+61 (2) 9876-5432")).isEqualTo("61298765432");
    assertThat(Comparisons.normalise(FieldKind.EMAIL_LOCAL, "Jane.Doe+shop@Example.com"))
        .isEqualTo("jane.doe");
  }

  @Property(tries = 3_000)
  @Label("the cheap Jaro-Winkler bound is never below the similarity, so skipping the "
      + "similarity below a level's threshold changes no level")
  void jaroWinklerBoundHolds(
      @ForAll @StringLength(max = 12) @CharRange(from = 'a', to = 'f') String a,
      @ForAll @StringLength(max = 12) @CharRange(from = 'a', to = 'f') String b) {
    double similarity = new JaroWinklerSimilarity().apply(a, b);
    assertThat(c.jaroWinklerBound(a, b)).isGreaterThanOrEqualTo(similarity - 1e-12);
    // And the bound is used afterwards by a fresh call: the counts were reset.
    assertThat(c.jaroWinklerBound(a, b)).isEqualTo(c.jaroWinklerBound(a, b));
  }
}
