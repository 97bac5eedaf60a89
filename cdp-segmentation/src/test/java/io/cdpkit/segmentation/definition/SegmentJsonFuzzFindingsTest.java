package io.cdpkit.segmentation.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpkit.segmentation.DefinitionValidationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Crashes {@link SegmentJsonFuzzTest} found, each pinned by a plain test naming the bug. */
class SegmentJsonFuzzFindingsTest {
  @Test
  @DisplayName("bug: a number with an exponent beyond an int (1E4008426183) escaped as "
      + "NumberFormatException instead of a violation at its pointer")
  void exponentOutOfRange() {
    String json = "{\"version\": 1, \"id\": \"big\", \"condition\": {\"type\": \"profile\","
        + " \"field\": \"totalSpend\", \"currency\": \"EUR\", \"op\": \">=\","
        + " \"value\": 1E4008426183}}";
    DefinitionValidationException e = catchThrowableOfType(DefinitionValidationException.class,
        () -> SegmentJson.read(json));
    assertThat(e).isNotNull();
    assertThat(e.violations()).contains(new DefinitionValidationException.Violation(
        "/condition/value", "is a number whose exponent is out of range"));
    assertThat(e.getMessage()).doesNotContain("4008426183");
  }
}
