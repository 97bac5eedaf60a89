package io.cdpkit.segmentation.definition;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cdpkit.segmentation.DefinitionValidationException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link SegmentJson#read(String)}, the public entry point for segment definitions as
 * JSON: the only exception that may escape is the documented
 * {@link DefinitionValidationException} (never a NullPointerException, ClassCastException,
 * StackOverflowError, index or arithmetic error), and every definition it accepts writes and
 * reads back equal, as {@link SegmentJson} promises.
 *
 * <p>{@code mvn verify} replays the inputs under
 * {@code src/test/resources/io/cdpkit/segmentation/definition/SegmentJsonFuzzTestInputs/read};
 * {@code JAZZER_FUZZ=1} fuzzes for real (see "Fuzzing" in cdp-core's README).
 */
class SegmentJsonFuzzTest {
  @FuzzTest(maxDuration = "30s")
  @DictionaryEntries({"\"version\"", "\"id\"", "\"name\"", "\"description\"", "\"condition\"",
      "\"type\"", "\"and\"", "\"or\"", "\"not\"", "\"conditions\"", "\"profile\"", "\"trait\"",
      "\"computed\"", "\"event\"", "\"events\"", "\"segment\"", "\"consent\"", "\"identifier\"",
      "\"notFollowedBy\"", "\"field\"", "\"op\"", "\"value\"", "\"values\"", "\"currency\"",
      "\"where\"", "\"any\"", "\"count\"", "\"withinDays\"", "\"startOf\"", "\"offset\"",
      "\"zone\"", "\">=\"", "\"in\"", "\"between\"", "\"totalSpend\"", "\"purpose\"",
      "\"channel\"", "\"P0D\"", "\"PT1H\"", "\"UTC\"", "1E400", "-0", "9223372036854775808"})
  void read(byte[] input) {
    SegmentDefinition d;
    try {
      d = SegmentJson.read(new String(input, StandardCharsets.UTF_8));
    } catch (DefinitionValidationException expected) {
      assertThat(expected.violations()).isNotEmpty();
      return;
    }
    assertThat(SegmentJson.read(SegmentJson.write(d))).isEqualTo(d);
  }
}
